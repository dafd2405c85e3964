//go:build !purego

package pde

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestFusedBodies checks each assembly body of fusedDiag that this CPU can
// run (not only the one fusedBlock picks) against a plain loop: v exactly,
// the sums to rounding, and the OR of d's bit patterns exactly, for every
// multiple of 8 up to 320, with negative and −0 variances.
func TestFusedBodies(t *testing.T) {
	bodies := map[string]func(v, mu, d, w *float64, n int) (float64, float64, uint64){}
	if hasAVX2FMA {
		bodies["avx2"] = fusedDiagAVX2
	}
	if hasAVX512 {
		bodies["avx512"] = fusedDiagAVX512
	}
	rng := rand.New(rand.NewPCG(9, 1))
	for name, body := range bodies {
		for n := 8; n <= 320; n += 8 {
			mu, d, g := randVec(rng, n), randDiag(rng, n), randVec(rng, n)
			switch n % 24 {
			case 8:
				d[rng.IntN(n)] = -rng.Float64()
			case 16:
				d[rng.IntN(n)] = math.Copysign(0, -1)
			}
			v := make([]float64, n)
			gm, den, signs := body(&v[0], &mu[0], &d[0], &g[0], n)
			var wgm, wden, scale float64
			var wsigns uint64
			for i := range d {
				if v[i] != d[i]*g[i] {
					t.Fatalf("%s n=%d: v[%d] = %g, want %g", name, n, i, v[i], d[i]*g[i])
				}
				wgm += g[i] * mu[i]
				wden += d[i] * g[i] * g[i]
				scale += math.Abs(g[i]*mu[i]) + math.Abs(d[i]*g[i]*g[i])
				wsigns |= math.Float64bits(d[i])
			}
			if math.Abs(gm-wgm) > 1e-13*(1+scale) || math.Abs(den-wden) > 1e-13*(1+scale) {
				t.Fatalf("%s n=%d: sums %g, %g; want %g, %g", name, n, gm, den, wgm, wden)
			}
			if signs != wsigns {
				t.Fatalf("%s n=%d: signs %#x, want %#x", name, n, signs, wsigns)
			}
		}
	}
}
