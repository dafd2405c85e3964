//go:build !amd64

package nn

import "math"

const hasFMA = false

func kern4x8(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("nn: no assembly kernel on this architecture")
}

// tanhVec writes tanh(src[i]) to dst[i].
func tanhVec(dst, src []float64) {
	for i, v := range src {
		dst[i] = math.Tanh(v)
	}
}

// tanhDerivVec multiplies d[i] by 1 − a[i]².
func tanhDerivVec(d, a []float64) {
	for i, v := range a {
		d[i] *= 1 - float64(v*v) // the conversion prevents fusing into an FMA
	}
}
