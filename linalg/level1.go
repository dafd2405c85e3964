package linalg

import "math"

const (
	errLength = "linalg: length mismatch"
)

func checkLen(n, m int) {
	if n != m {
		panic(errLength)
	}
}

// Dot returns the dot product sum_i x[i]*y[i].
// It panics if len(x) != len(y). The result for empty slices is 0.
func Dot(x, y []float64) float64 {
	checkLen(len(x), len(y))
	return dotKernel(x, y)
}

// Axpy computes y += a*x.
// It panics if len(x) != len(y).
func Axpy(a float64, x, y []float64) {
	checkLen(len(x), len(y))
	axpyKernel(a, x, y)
}

// AxpyTo computes dst = a*x + y and returns dst.
// dst may alias x or y. It panics if the lengths differ.
func AxpyTo(dst []float64, a float64, x, y []float64) []float64 {
	checkLen(len(x), len(y))
	checkLen(len(dst), len(x))
	axpyToKernel(dst, a, x, y)
	return dst
}

// Scal computes x *= a.
func Scal(a float64, x []float64) {
	for i := range x {
		x[i] *= a
	}
}

// ScaleTo computes dst = a*x and returns dst. It panics if the lengths differ.
func ScaleTo(dst []float64, a float64, x []float64) []float64 {
	checkLen(len(dst), len(x))
	for i, v := range x {
		dst[i] = a * v
	}
	return dst
}

// AXPBY computes y = a*x + b*y. It panics if len(x) != len(y).
func AXPBY(a float64, x []float64, b float64, y []float64) {
	checkLen(len(x), len(y))
	for i, v := range x {
		y[i] = a*v + b*y[i]
	}
}

// Add computes dst = x + y and returns dst. It panics if the lengths differ.
func Add(dst, x, y []float64) []float64 {
	checkLen(len(x), len(y))
	checkLen(len(dst), len(x))
	for i, v := range x {
		dst[i] = v + y[i]
	}
	return dst
}

// Sub computes dst = x - y and returns dst. It panics if the lengths differ.
func Sub(dst, x, y []float64) []float64 {
	checkLen(len(x), len(y))
	checkLen(len(dst), len(x))
	for i, v := range x {
		dst[i] = v - y[i]
	}
	return dst
}

// MulTo computes the elementwise product dst = x ∘ y and returns dst.
// dst may alias x or y. It panics if the lengths differ.
func MulTo(dst, x, y []float64) []float64 {
	checkLen(len(x), len(y))
	checkLen(len(dst), len(x))
	y = y[:len(x)]
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = v * y[i]
	}
	return dst
}

// Copy copies src into dst. It panics if the lengths differ, unlike the
// builtin copy, so that a short destination is caught.
func Copy(dst, src []float64) {
	checkLen(len(dst), len(src))
	copy(dst, src)
}

// Zero sets every element of x to 0.
func Zero(x []float64) {
	clear(x)
}

// SqNorm returns sum_i x[i]^2. It may overflow to +Inf for entries above
// about 1e154; use Nrm2 when that matters.
func SqNorm(x []float64) float64 {
	return dotKernel(x, x)
}

// DistSq returns sum_i (x[i]-y[i])^2. It panics if the lengths differ.
func DistSq(x, y []float64) float64 {
	checkLen(len(x), len(y))
	var s0, s1 float64
	i := 0
	for ; i+1 < len(x); i += 2 {
		d0 := x[i] - y[i]
		d1 := x[i+1] - y[i+1]
		s0 += d0 * d0
		s1 += d1 * d1
	}
	if i < len(x) {
		d := x[i] - y[i]
		s0 += d * d
	}
	return s0 + s1
}

// Nrm2 returns the Euclidean norm of x without intermediate overflow or
// underflow (the scaled sum of squares of LAPACK's dnrm2). It returns +Inf
// if any entry is infinite and NaN if any is NaN and none is infinite.
func Nrm2(x []float64) float64 {
	return nrm2Ref(x)
}

// Asum returns sum_i |x[i]|.
func Asum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += math.Abs(v)
	}
	return s
}

// MaxAbs returns max_i |x[i]|, 0 for an empty slice, and NaN if any entry is NaN.
func MaxAbs(x []float64) float64 {
	var m float64
	for _, v := range x {
		a := math.Abs(v)
		if a > m {
			m = a
		} else if a != a {
			return math.NaN()
		}
	}
	return m
}

// Sum returns sum_i x[i].
func Sum(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s
}

// AllFinite reports whether no entry of x is NaN or ±Inf. It is true for an
// empty slice.
func AllFinite(x []float64) bool {
	// x-x is 0 for finite x and NaN for NaN and ±Inf; summing keeps the NaN.
	var s float64
	for _, v := range x {
		s += v - v
	}
	return s == 0
}
