// Package linalg holds the vector kernels that every optlearn package shares:
// level-1 operations on []float64, sparse vectors for compressed messages,
// top-k and random-k selection, and a compressed-sparse-row matrix.
//
// The kernels follow gonum's floats conventions: the destination comes first,
// inputs are never written, functions whose name ends in To return dst, and
// nothing allocates. A length mismatch is a programmer error and panics with a
// message that starts with "linalg: ", as gonum's floats package does; data
// supplied by a user is validated by the domain packages, which return errors.
//
// # Fast paths
//
// Every kernel has a plain Go reference implementation (ref.go), always
// compiled. Dot and Axpy dispatch by default to gonum's assembly kernels
// (gonum.org/v1/gonum/floats); the TopK candidate scan compares IEEE bit
// patterns four entries at a time. When the module is built with
// GOEXPERIMENT=simd on amd64, simd/archsimd versions (AVX2 and FMA) of Dot,
// Axpy and the TopK scan are compiled and tested, and the ones that beat the
// default path in this package's benchmarks (Dot) are installed at start-up
// when the CPU reports those features; KernelPath tells which is in use.
// The build tag purego forces the reference loops. Tests compare every
// compiled path with the reference.
//
// Dense matrix products are not reimplemented here: Gemv forwards to gonum's
// blas64, so a native BLAS installed with blas64.Use serves every package.
//
// # Usage
//
//	x := []float64{3, -4, 0.5}
//	var msg linalg.Sparse
//	linalg.TopK(&msg, x, 2)   // keeps 3 and -4, at indices 0 and 1
//	fmt.Println(msg.Bits())   // what the message costs to send
//	y := make([]float64, 3)
//	msg.ScatterAdd(y, 1)      // y = [3 -4 0]
package linalg
