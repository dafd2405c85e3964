//go:build !amd64

package nn

const hasFMA = false

func kern4x8(k int, a *float64, ars, acs int, b *float64, ldb int, c *float64, ldc int) {
	panic("nn: no assembly kernel on this architecture")
}
