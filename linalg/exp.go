package linalg

import "math"

// ExpMaxRelErr is the largest relative error of [Exp] against math.Exp:
// |Exp(x) − math.Exp(x)| ≤ ExpMaxRelErr·math.Exp(x) for every finite x
// (TestExpAccuracy and FuzzExp check it). Outside [-708, 709], and for
// NaN and ±Inf, Exp returns exactly math.Exp.
const ExpMaxRelErr = 4 * 0x1p-53

// Exp sets dst[i] = exp(x[i]) for every i and returns dst; dst may be x.
// On amd64 with AVX2 and FMA it evaluates four elements at a time in
// assembly (range reduction to |r| ≤ ln2/2, a degree-13 polynomial, the
// power of two added to the exponent), within ExpMaxRelErr of math.Exp and
// about five times faster; elsewhere, and for the elements outside
// [-708, 709] (overflow, underflow to subnormals or 0, NaN, ±Inf), it calls
// math.Exp. It panics if len(dst) != len(x).
func Exp(dst, x []float64) []float64 {
	checkLen(len(dst), len(x))
	expKernel(dst, x)
	return dst
}

// expRef is the reference: math.Exp per element.
func expRef(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = math.Exp(v)
	}
}

// expFixup recomputes with math.Exp the elements outside the assembly
// kernel's range [-708, 709] (including NaN).
func expFixup(dst, x []float64) {
	dst = dst[:len(x)]
	for i, v := range x {
		if !(v >= -708 && v <= 709) {
			dst[i] = math.Exp(v)
		}
	}
}
