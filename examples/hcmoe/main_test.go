package main

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/pde"
)

// testSetup is a setup without reference solutions (fast).
func testSetup(t *testing.T) *setup {
	t.Helper()
	g, _ := pde.NewGrid(nt, nx, 1/float64(nt-1), 1/float64(nx-1))
	s := &setup{g: g, res: pde.DiffusionSorption{Kappa: kappa}, train: drawICs(1, 2),
		inputs: map[ic]*mat.Dense{}, conds: map[ic]*pde.LinearRows{}, u0s: map[ic][]float64{}}
	s.dt, _ = pde.NewStencil(g, pde.AxisT, 1)
	s.dx, _ = pde.NewStencil(g, pde.AxisX, 1)
	s.dxx, _ = pde.NewStencil(g, pde.AxisX, 2)
	s.interior = g.Interior()
	q := s.train[0]
	u0 := make([]float64, nx)
	for i := range u0 {
		u0[i] = q.at(float64(i) * g.DX)
	}
	s.u0s[q] = u0
	s.conds[q], _ = pde.DiffusionSorptionConditions(g, s.dx, u0, dCoef)
	x := mat.NewDense(g.Size(), nInputs, nil)
	for p := 0; p < g.Size(); p++ {
		x.SetRow(p, []float64{float64(p/nx) * g.DT, float64(p%nx) * g.DX, 0.3, -0.2, 0.5})
	}
	s.inputs[q] = x
	return s
}

// TestLossGradient: the data-free loss's gradient with respect to u
// matches central differences.
func TestLossGradient(t *testing.T) {
	s := testSetup(t)
	q := s.train[0]
	rng := rand.New(rand.NewPCG(1, 1))
	u := make([]float64, s.g.Size())
	for i := range u {
		u[i] = 0.3 + 0.1*rng.Float64()
	}
	_, gu := s.loss(u, q)
	for k := 0; k < 40; k++ {
		p := rng.IntN(len(u))
		old := u[p]
		u[p] = old + 1e-6
		lp, _ := s.loss(u, q)
		u[p] = old - 1e-6
		lm, _ := s.loss(u, q)
		u[p] = old
		fd := (lp - lm) / 2e-6
		if math.Abs(fd-gu[p]) > 1e-5*(1+math.Abs(fd)) {
			t.Errorf("node %d: gradient %g, differences %g", p, gu[p], fd)
		}
	}
}

// TestMLPBackward: the batched backward pass through the nn.MLP matches
// central differences of Σ G⊙out on a few parameters.
func TestMLPBackward(t *testing.T) {
	s := testSetup(t)
	x := s.inputs[s.train[0]].Slice(0, 50, 0, nInputs).(*mat.Dense)
	rng := rand.New(rand.NewPCG(2, 2))
	m, err := nn.NewMLP([]int{nInputs, 8, 8, 3}, nn.Tanh, rng)
	if err != nil {
		t.Fatal(err)
	}
	g := mat.NewDense(50, 3, nil)
	for i := range g.RawMatrix().Data {
		g.RawMatrix().Data[i] = rng.NormFloat64()
	}
	f := func() float64 {
		out := forward(m, x).h[3]
		var v float64
		for i, o := range out.RawMatrix().Data {
			v += o * g.RawMatrix().Data[i]
		}
		return v
	}
	grads := m.ZeroGrads()
	backward(m, forward(m, x), g, grads)
	params := m.Params()
	for l := range params {
		for _, k := range []int{0, len(params[l]) - 1} {
			old := params[l][k]
			params[l][k] = old + 1e-6
			fp := f()
			params[l][k] = old - 1e-6
			fm := f()
			params[l][k] = old
			fd := (fp - fm) / 2e-6
			if math.Abs(fd-grads[l][k]) > 1e-6*(1+math.Abs(fd)) {
				t.Errorf("param %d[%d]: gradient %g, differences %g", l, k, grads[l][k], fd)
			}
		}
	}
}
