package nn

import (
	"math"

	"github.com/optlearn/optlearn/linalg"
)

//go:noescape
func kern4x8(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int)

// hasFMA reports whether the CPU and OS support AVX2 and FMA3, which the
// assembly kernel needs (probed once, by linalg).
var hasFMA = linalg.HasAVX2FMA()

// tanhConsts is the length of tanhConst.
const tanhConsts = 21

//go:noescape
func tanh4(dst, src *float64, n int, c *[tanhConsts]float64)

// tanhConst holds tanh4's constants: sign mask, −2, −40, 1/ln2, ln2 split
// in a high part (exact in 32 bits) and a low part, 1, 2, the exponent
// bias 1023 as int64 bits, and the Taylor coefficients 1/13!, …, 1/2!.
var tanhConst = func() (c [tanhConsts]float64) {
	c[0] = math.Float64frombits(1 << 63)
	c[1], c[2] = -2, -40
	c[3] = 1 / math.Ln2
	c[4] = 6.93147180369123816490e-01 // ln2 hi
	c[5] = 1.90821492927058770002e-10 // ln2 lo
	c[6], c[7] = 1, 2
	c[8] = math.Float64frombits(1023)
	f := 1.0
	for k := 2; k <= 13; k++ {
		f *= float64(k)
		c[9+13-k] = 1 / f
	}
	return c
}()

// tanhVec writes tanh(src[i]) to dst[i], four at a time with the AVX2
// kernel when the CPU has it (within a few ulp of math.Tanh), the rest with
// math.Tanh.
func tanhVec(dst, src []float64) {
	n := len(src)
	_ = dst[n-1]
	n4 := 0
	if hasFMA {
		n4 = n &^ 3
		if n4 > 0 {
			tanh4(&dst[0], &src[0], n4, &tanhConst)
		}
	}
	for i := n4; i < n; i++ {
		dst[i] = math.Tanh(src[i])
	}
}

//go:noescape
func tanhDeriv4(d, a *float64, n int, one *float64)

var one = 1.0

// tanhDerivVec multiplies d[i] by 1 − a[i]², four at a time with AVX when
// the CPU has the kernels (same bits as the Go loop: no FMA).
func tanhDerivVec(d, a []float64) {
	n := len(a)
	if n == 0 {
		return
	}
	_ = d[n-1]
	n4 := 0
	if hasFMA {
		n4 = n &^ 3
		if n4 > 0 {
			tanhDeriv4(&d[0], &a[0], n4, &one)
		}
	}
	for i := n4; i < n; i++ {
		d[i] *= 1 - float64(a[i]*a[i]) // the conversion prevents fusing into an FMA
	}
}
