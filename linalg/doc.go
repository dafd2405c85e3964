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
// compiled. On amd64 the kernels are chosen at start-up from the CPU's
// features, as the standard library does: with AVX2 and FMA, Dot, Axpy,
// AxpyTo and Exp run this package's assembly (asm_amd64.s); with AVX-512F
// as well, Dot, Axpy, AxpyTo and the TopK scan use 8-wide registers. Other
// CPUs use gonum's assembly kernels (gonum.org/v1/gonum/floats) and a TopK
// scan that compares IEEE bit patterns four entries at a time. When the
// module is built with GOEXPERIMENT=simd, simd/archsimd versions of Dot,
// Axpy and the TopK scan are compiled and tested, and the archsimd Dot is
// installed. KernelPath tells which path is in use; the build tag purego
// forces the reference loops. Tests compare every compiled path with the
// reference.
//
// TopK guesses from an evenly spaced sample of 2048 entries a magnitude
// that somewhat more than k entries reach, collects the entries at or above
// it in one pass (all of them if the guess was too high), finds the k-th
// largest collected magnitude by radix selection on its bit pattern, and
// keeps ties in index order; the result does not depend on the path.
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
