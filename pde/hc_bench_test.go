package pde

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// BenchmarkMoEScaling times one constraint forward + IFT backward on the
// official 1024×101 diffusion–sorption grid with a random basis (N = 16):
// "hc" is one hard constraint with m rows (the baseline), "moe" four
// experts along x with m/4 rows each, run in parallel (claim C6).
func BenchmarkMoEScaling(b *testing.B) {
	g, _ := NewGrid(101, 1024, 0.01, 1.0/1023)
	dt, _ := NewStencil(g, AxisT, 1)
	dx, _ := NewStencil(g, AxisX, 1)
	dxx, _ := NewStencil(g, AxisX, 2)
	rng := rand.New(rand.NewPCG(6, 0))
	bm := mat.NewDense(g.Size(), 16, randVec(rng, 16*g.Size()))
	for i, v := range bm.RawMatrix().Data {
		bm.RawMatrix().Data[i] = 0.5 + 0.5*v
	}
	u0 := make([]float64, g.NX)
	for i := range u0 {
		u0[i] = 0.05 + 0.1*rng.Float64()
	}
	cond, err := DiffusionSorptionConditions(g, dx, u0, 5e-4)
	if err != nil {
		b.Fatal(err)
	}
	h := HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Residual: DiffusionSorption{Kappa: 0.25}, Conditions: cond,
		Solver: LevenbergMarquardt{Tol: 1e-6, MaxIter: 50}}
	bs, err := h.Images(bm)
	if err != nil {
		b.Fatal(err)
	}
	gu := randVec(rng, g.Size())
	ctx := context.Background()
	for _, m := range []int{100, 1000, 10000, 40000} {
		for _, k := range []int{1, 4} {
			name := "hc"
			if k > 1 {
				name = "moe"
			}
			c := MoEConstraint{Router: Router{Splits: [2]int{1, k}}, Expert: h}
			c.Expert.M = m / k
			b.Run(fmt.Sprintf("m=%d/%s", m, name), func(b *testing.B) {
				seed := uint64(0)
				for b.Loop() {
					seed++
					st, err := c.Forward(ctx, bs, rand.New(rand.NewPCG(seed, 7)))
					if err != nil {
						b.Fatal(err)
					}
					if _, err := c.Backward(ctx, st, gu); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
