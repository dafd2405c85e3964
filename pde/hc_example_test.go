package pde_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/pde"
)

// A hard constraint on the diffusion–sorption equation: the basis weights
// are solved by Levenberg–Marquardt so that u = Bω satisfies the sampled
// PDE rows and the initial/boundary rows; four experts along x do the same
// on their own boxes, in parallel.
func ExampleMoEConstraint() {
	g, _ := pde.NewGrid(11, 17, 0.1, 1.0/16)
	dt, _ := pde.NewStencil(g, pde.AxisT, 1)
	dx, _ := pde.NewStencil(g, pde.AxisX, 1)
	dxx, _ := pde.NewStencil(g, pde.AxisX, 2)
	// A smooth basis of 6 functions on the grid.
	b := mat.NewDense(g.Size(), 6, nil)
	for j := 0; j < g.NT; j++ {
		for i := 0; i < g.NX; i++ {
			tau, x := float64(j)*g.DT, float64(i)*g.DX
			for k := 0; k < 6; k++ {
				b.Set(g.Index(j, i), k, math.Cos(float64(k)*x)*math.Exp(-float64(k)*tau/4))
			}
		}
	}
	u0 := make([]float64, g.NX)
	for i := range u0 {
		u0[i] = 0.1 + 0.05*math.Sin(math.Pi*float64(i)*g.DX)
	}
	cond, _ := pde.DiffusionSorptionConditions(g, dx, u0, 5e-4)
	hc := pde.HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Residual: pde.DiffusionSorption{Kappa: 0.25}, Conditions: cond, M: 40}
	bs, _ := hc.Images(b)
	moe := pde.MoEConstraint{Router: pde.Router{Splits: [2]int{1, 4}}, Expert: hc}
	st, err := moe.Forward(context.Background(), bs, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		fmt.Println(err)
		return
	}
	for k, e := range st.Experts {
		fmt.Printf("expert %d: %d nodes, %d PDE rows, PDE-row RMS %.2g -> %.2g, %v\n", k, len(e.Region), len(e.Rows), e.PDERMS0, e.PDERMS, e.Solve.Status)
	}
	// Gradient of L = Σ u with respect to the basis, for training.
	gu := make([]float64, g.Size())
	for i := range gu {
		gu[i] = 1
	}
	gB, _ := moe.Backward(context.Background(), st, gu)
	r, c := gB.Dims()
	fmt.Println("gradient", r, "x", c)
	// Output:
	// expert 0: 55 nodes, 40 PDE rows, PDE-row RMS 0.3 -> 0.11, Converged
	// expert 1: 44 nodes, 40 PDE rows, PDE-row RMS 0.44 -> 0.11, Converged
	// expert 2: 44 nodes, 40 PDE rows, PDE-row RMS 0.62 -> 0.11, Converged
	// expert 3: 44 nodes, 30 PDE rows, PDE-row RMS 0.67 -> 0.13, Converged
	// gradient 187 x 6
}
