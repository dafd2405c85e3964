package constrained_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained"
)

// FuzzInnerSolvers feeds small random (often singular or badly scaled)
// systems to GMRES and the sketchers: no panic, and a finite iterate and
// residual for finite input.
func FuzzInnerSolvers(f *testing.F) {
	f.Add(uint64(1), uint8(4), uint8(0), 1.0)
	f.Add(uint64(2), uint8(1), uint8(3), 0.0)
	f.Add(uint64(3), uint8(9), uint8(1), 1e300)
	f.Fuzz(func(t *testing.T, seed uint64, n8, zeros uint8, scale float64) {
		n := int(n8%12) + 1
		if math.IsNaN(scale) || math.IsInf(scale, 0) || math.Abs(scale) > 1e150 {
			return
		}
		rng := rand.New(rand.NewPCG(seed, 0))
		A := mat.NewDense(n, n, nil)
		for i := range n {
			for j := range n {
				if rng.IntN(int(zeros%4)+1) == 0 {
					A.Set(i, j, scale*rng.NormFloat64())
				}
			}
		}
		b := make([]float64, n)
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		finite := func(name string, v []float64) {
			for _, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					t.Fatalf("%s: non-finite %v", name, v)
				}
			}
		}
		var g constrained.GMRES
		x := make([]float64, n)
		res, _ := g.Solve(context.Background(), A, x, b, &constrained.GMRESSettings{MaxIter: 4 * n, Restart: 1 + int(seed%uint64(n))})
		finite("GMRES x", x)
		if math.IsNaN(res.Residual) {
			t.Fatal("GMRES residual NaN")
		}
		for _, s := range []constrained.Sketcher{&constrained.RK{}, &constrained.GaussianSketch{}, &constrained.ExactLU{}} {
			if _, err := s.Factor(A); err != nil {
				continue
			}
			z, r := make([]float64, n), make([]float64, n)
			for i := range r {
				r[i] = -b[i]
			}
			if _, _, err := s.Solve(context.Background(), z, r, b, 1e-8, 200, rng); err != nil {
				continue
			}
			if scale < 1e100 {
				finite("sketch z", z)
			}
		}
	})
}
