package linalg

import "math/bits"

// ValueBits is the number of bits one transmitted value costs: a float64.
const ValueBits = 64

// Sparse is a sparse vector of dimension N: the entries Value[k] at the
// positions Index[k], with Index strictly increasing. It is the message type
// of the compression methods, so its storage is meant to be reused: Reset
// keeps the capacity of Index and Value.
//
// The zero value is an empty vector of dimension 0.
type Sparse struct {
	// N is the dimension of the dense vector that the entries belong to.
	N int
	// Index holds the positions of the entries, in increasing order.
	Index []int
	// Value holds the entries, Value[k] at position Index[k].
	Value []float64

	// Scratch storage for TopK and RandK, kept between calls.
	work  []float64
	words []uint64
	hist  []int32
}

// Reset makes s the zero vector of dimension n, keeping its storage.
func (s *Sparse) Reset(n int) {
	if n < 0 {
		panic("linalg: negative dimension")
	}
	s.N = n
	s.Index = s.Index[:0]
	s.Value = s.Value[:0]
}

// Append adds the entry v at position i, which must be greater than every
// position already in s and less than s.N.
func (s *Sparse) Append(i int, v float64) {
	if i < 0 || i >= s.N || (len(s.Index) > 0 && i <= s.Index[len(s.Index)-1]) {
		panic("linalg: sparse index out of order or range")
	}
	s.Index = append(s.Index, i)
	s.Value = append(s.Value, v)
}

// check panics if s has fewer values than indices (fields set by hand).
func (s *Sparse) check() {
	if len(s.Value) < len(s.Index) {
		panic("linalg: sparse vector with fewer values than indices")
	}
}

// NNZ returns the number of stored entries.
func (s *Sparse) NNZ() int { return len(s.Index) }

// ScatterAdd computes dst[Index[k]] += a*Value[k] for every entry.
// It panics if len(dst) != s.N.
func (s *Sparse) ScatterAdd(dst []float64, a float64) {
	checkLen(len(dst), s.N)
	s.check()
	AxpyIdx(a, s.Value[:len(s.Index)], s.Index, dst)
}

// DotIdx returns sum_k val[k]*x[idx[k]], the dot product of the sparse
// vector with entries val at positions idx and the dense vector x (BLAS
// usdot). It sums in order k = 0, 1, ... It panics if len(val) != len(idx)
// or an index is outside x.
func DotIdx(val []float64, idx []int, x []float64) float64 {
	checkLen(len(val), len(idx))
	val = val[:len(idx)]
	var d float64
	for k, i := range idx {
		if uint(i) >= uint(len(x)) {
			panic(errIndex)
		}
		d += val[k] * x[i]
	}
	return d
}

// errIndex is the panic message of a sparse index outside the dense vector.
const errIndex = "linalg: sparse index out of range"

// AxpyIdx computes y[idx[k]] += a*val[k] for every k (BLAS usaxpy).
// Repeated indices accumulate. It panics if len(val) != len(idx) or an
// index is outside y.
func AxpyIdx(a float64, val []float64, idx []int, y []float64) {
	checkLen(len(val), len(idx))
	val = val[:len(idx)]
	for k, i := range idx {
		if uint(i) >= uint(len(y)) {
			panic(errIndex)
		}
		y[i] += a * val[k]
	}
}

// ScatterTo writes the dense form of s into dst and returns dst.
// It panics if len(dst) != s.N.
func (s *Sparse) ScatterTo(dst []float64) []float64 {
	checkLen(len(dst), s.N)
	s.check()
	clear(dst)
	val := s.Value[:len(s.Index)]
	for k, i := range s.Index {
		if uint(i) >= uint(len(dst)) {
			panic(errIndex)
		}
		dst[i] = val[k]
	}
	return dst
}

// Gather sets s to the entries of x at the positions index, which must be
// increasing and within x. The dimension of s becomes len(x). It panics
// otherwise.
func (s *Sparse) Gather(x []float64, index []int) {
	s.Reset(len(x))
	for _, i := range index {
		if uint(i) >= uint(len(x)) {
			panic(errIndex)
		}
		s.Append(i, x[i])
	}
}

// DotDense returns sum_k Value[k]*x[Index[k]]. It panics if len(x) != s.N.
func (s *Sparse) DotDense(x []float64) float64 {
	checkLen(len(x), s.N)
	s.check()
	return DotIdx(s.Value[:len(s.Index)], s.Index, x)
}

// CopyFrom makes s a copy of src, reusing the storage of s. It panics if
// src is nil.
func (s *Sparse) CopyFrom(src *Sparse) {
	if src == nil {
		panic("linalg: CopyFrom nil source")
	}
	s.N = src.N
	s.Index = append(s.Index[:0], src.Index...)
	s.Value = append(s.Value[:0], src.Value...)
}

// Bits returns the exact number of bits it costs to send s: each entry
// carries its value (ValueBits) and its position (IndexBits(N)). The
// dimension itself is known to both sides and is not counted.
func (s *Sparse) Bits() int64 {
	return int64(len(s.Index)) * int64(ValueBits+IndexBits(s.N))
}

// IndexBits returns the bits needed to name one of n positions,
// ceil(log2(n)), and at least 1.
func IndexBits(n int) int {
	if n <= 2 {
		return 1
	}
	return bits.Len(uint(n - 1))
}

// DenseBits returns the bits it costs to send a dense vector of length n.
func DenseBits(n int) int64 { return int64(n) * ValueBits }
