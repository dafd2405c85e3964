package pde

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// hcBadInputCases is the PI-HC-MoE part of the bad-input catalogue: grids,
// stencils (including grid/stencil mismatches), condition rows, the
// least-squares solvers, the hard constraint, the router, the MoE
// constraint and the reference solver.
func hcBadInputCases(t *testing.T) []badCase {
	nan := math.NaN()
	bg := context.Background()
	h, bs := dsProblem(t, 6, 9, 3, 1)
	g := h.Dt.grid
	other, _ := NewGrid(5, 9, 0.25, 0.125)
	dxOther, _ := NewStencil(other, AxisX, 1)
	rng := rand.New(rand.NewPCG(1, 1))
	u := make([]float64, g.Size())
	st, err := h.Forward(bg, bs, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	moe := MoEConstraint{Router: Router{Splits: [2]int{1, 2}}, Expert: h}
	e1 := func(_ any, err error) error { return err }
	with := func(f func(*HardConstraint)) *HardConstraint {
		c := h
		f(&c)
		return &c
	}
	return []badCase{
		{"NewGrid/negative", func() error { return e1(NewGrid(-3, 5, 1, 1)) }, ErrSettings},
		{"NewGrid/huge", func() error { return e1(NewGrid(1<<20, 1<<20, 1, 1)) }, ErrSettings},
		{"NewGrid/NaN spacing", func() error { return e1(NewGrid(3, 3, nan, 1)) }, ErrSettings},
		{"NewGrid/zero spacing", func() error { return e1(NewGrid(3, 3, 1, 0)) }, ErrSettings},
		{"NewStencil/nil grid", func() error { return e1(NewStencil(nil, AxisX, 1)) }, ErrSettings},
		{"NewStencil/axis", func() error { return e1(NewStencil(g, Axis(7), 1)) }, ErrSettings},
		{"NewStencil/order", func() error { return e1(NewStencil(g, AxisX, 3)) }, ErrSettings},
		{"Stencil.Apply/grid mismatch", func() error { return e1(dxOther.Apply(nil, u)) }, ErrDimension},
		{"Stencil.ApplyT/short dst", func() error { return e1(h.Dx.ApplyT(make([]float64, 3), u)) }, ErrDimension},
		{"Stencil.ApplyCols/grid mismatch", func() error { return e1(dxOther.ApplyCols(nil, bs.B)) }, ErrDimension},
		{"Stencil.ApplyCols/nil", func() error { return e1(h.Dx.ApplyCols(nil, nil)) }, ErrDimension},
		{"Stencil.Row/outside", func() error { _, _, err := h.Dx.Row(g.Size()); return err }, ErrDimension},
		{"LinearRows.Eval/node outside", func() error {
			return e1((&LinearRows{Idx: [][]int{{99}}, W: [][]float64{{1}}, Y: []float64{0}}).Eval(nil, u))
		}, ErrDimension},
		{"LinearRows.Eval/ragged", func() error {
			return e1((&LinearRows{Idx: [][]int{{0, 1}}, W: [][]float64{{1}}, Y: []float64{0}}).Eval(nil, u))
		}, ErrDimension},
		{"LinearRows.Eval/NaN target", func() error {
			return e1((&LinearRows{Idx: [][]int{{0}}, W: [][]float64{{1}}, Y: []float64{nan}}).Eval(nil, u))
		}, ErrNotFinite},
		{"DiffusionSorptionConditions/u0 length", func() error { return e1(DiffusionSorptionConditions(g, h.Dx, []float64{1}, 5e-4)) }, ErrDimension},
		{"DiffusionSorptionConditions/u0 zero", func() error {
			return e1(DiffusionSorptionConditions(g, h.Dx, make([]float64, g.NX), 5e-4))
		}, ErrSettings},
		{"DiffusionSorptionConditions/stencil of another grid", func() error {
			return e1(DiffusionSorptionConditions(g, dxOther, make([]float64, g.NX), 5e-4))
		}, ErrDimension},
		{"DiffusionSorptionConditions/wrong stencil", func() error {
			return e1(DiffusionSorptionConditions(g, h.Dxx, make([]float64, g.NX), 5e-4))
		}, ErrDimension},
		{"LevenbergMarquardt/negative MaxIter", func() error { return e1(LevenbergMarquardt{MaxIter: -1}.Solve(bg, rosen{}, []float64{0, 0})) }, ErrSettings},
		{"LevenbergMarquardt/NaN Tol", func() error { return e1(LevenbergMarquardt{Tol: nan}.Solve(bg, rosen{}, []float64{0, 0})) }, ErrSettings},
		{"LevenbergMarquardt/negative Tau", func() error { return e1(LevenbergMarquardt{Tau: -1}.Solve(bg, rosen{}, []float64{0, 0})) }, ErrSettings},
		{"LevenbergMarquardt/nil problem", func() error { return e1(LevenbergMarquardt{}.Solve(bg, nil, []float64{0, 0})) }, ErrSettings},
		{"LevenbergMarquardt/start length", func() error { return e1(LevenbergMarquardt{}.Solve(bg, rosen{}, []float64{0})) }, ErrDimension},
		{"LevenbergMarquardt/NaN start", func() error { return e1(LevenbergMarquardt{}.Solve(bg, rosen{}, []float64{nan, 0})) }, ErrNotFinite},
		{"LevenbergMarquardt/canceled", func() error {
			ctx, cancel := context.WithCancel(bg)
			cancel()
			return e1(LevenbergMarquardt{}.Solve(ctx, rosen{}, []float64{-1.2, 1}))
		}, context.Canceled},
		{"GaussNewton/negative MaxIter", func() error { return e1(GaussNewton{MaxIter: -2}.Solve(bg, rosen{}, []float64{0, 0})) }, ErrSettings},
		{"GaussNewton/start length", func() error { return e1(GaussNewton{}.Solve(bg, rosen{}, nil)) }, ErrDimension},
		{"GaussNewton/nil problem", func() error { return e1(GaussNewton{}.Solve(bg, nil, []float64{0, 0})) }, ErrSettings},
		{"HardConstraint.Images/grid mismatch", func() error { return e1(h.Images(mat.NewDense(3, 2, nil))) }, ErrDimension},
		{"HardConstraint.Images/NaN", func() error {
			b := mat.NewDense(g.Size(), 2, nil)
			b.Set(0, 0, nan)
			return e1(h.Images(b))
		}, ErrNotFinite},
		{"HardConstraint.Images/no stencils", func() error { return e1((&HardConstraint{}).Images(bs.B)) }, ErrSettings},
		{"HardConstraint.Images/stencils of two grids", func() error {
			return e1(with(func(c *HardConstraint) { c.Dx = dxOther }).Images(bs.B))
		}, ErrDimension},
		{"HardConstraint.Forward/nil rng", func() error {
			return e1(with(func(c *HardConstraint) { c.M = 5 }).Forward(bg, bs, nil, nil))
		}, ErrSettings},
		{"HardConstraint.Forward/nil basis", func() error { return e1(h.Forward(bg, nil, nil, rng)) }, ErrSettings},
		{"HardConstraint.Forward/region outside", func() error { return e1(h.Forward(bg, bs, []int{-1}, rng)) }, ErrDimension},
		{"HardConstraint.Forward/W0 length", func() error {
			return e1(with(func(c *HardConstraint) { c.W0 = []float64{1} }).Forward(bg, bs, nil, rng))
		}, ErrDimension},
		{"HardConstraint.Forward/negative M", func() error {
			return e1(with(func(c *HardConstraint) { c.M = -1 }).Forward(bg, bs, nil, rng))
		}, ErrSettings},
		{"HardConstraint.Forward/NaN Ridge", func() error {
			return e1(with(func(c *HardConstraint) { c.Ridge = nan }).Forward(bg, bs, nil, rng))
		}, ErrSettings},
		{"HardConstraint.Forward/no residual", func() error {
			return e1(with(func(c *HardConstraint) { c.Residual = nil }).Forward(bg, bs, nil, rng))
		}, ErrSettings},
		{"HardConstraint.Forward/short source", func() error {
			return e1(with(func(c *HardConstraint) { c.Residual = Forced{F: Heat{1}, Source: []float64{1}} }).Forward(bg, bs, nil, rng))
		}, ErrDimension},
		{"HardConstraint.Forward/bad solver", func() error {
			return e1(with(func(c *HardConstraint) { c.Solver = LevenbergMarquardt{MaxIter: -1} }).Forward(bg, bs, nil, rng))
		}, ErrSettings},
		{"HardConstraint.Backward/nil state", func() error { return e1(h.Backward(nil, u, nil)) }, ErrSettings},
		{"HardConstraint.Backward/gu length", func() error { return e1(h.Backward(st, u[:3], nil)) }, ErrDimension},
		{"HardConstraint.Backward/NaN gu", func() error {
			v := make([]float64, len(u))
			v[0] = nan
			return e1(h.Backward(st, v, nil))
		}, ErrNotFinite},
		{"HardConstraint.Backward/gB shape", func() error { return e1(h.Backward(st, u, mat.NewDense(2, 2, nil))) }, ErrDimension},
		{"Router.Partition/negative", func() error { return e1(Router{Splits: [2]int{-1, 2}}.Partition(g)) }, ErrSettings},
		{"Router.Partition/too many", func() error { return e1(Router{Splits: [2]int{1, 100}}.Partition(g)) }, ErrSettings},
		{"Router.Partition/nil grid", func() error { return e1(Router{}.Partition(nil)) }, ErrSettings},
		{"Router.Unpartition/ragged", func() error {
			return e1(Router{}.Unpartition(nil, 4, [][]int{{0, 1}}, [][]float64{{1}}))
		}, ErrDimension},
		{"Router.Unpartition/outside", func() error {
			return e1(Router{}.Unpartition(nil, 4, [][]int{{9}}, [][]float64{{1}}))
		}, ErrDimension},
		{"MoEConstraint.Forward/nil rng", func() error { return e1(moe.Forward(bg, bs, nil)) }, ErrSettings},
		{"MoEConstraint.Forward/negative Workers", func() error {
			m := moe
			m.Workers = -1
			return e1(m.Forward(bg, bs, rng))
		}, ErrSettings},
		{"MoEConstraint.Forward/grid mismatch", func() error {
			b2, _ := h.Images(bs.B)
			b2.B = mat.NewDense(4, 3, nil)
			return e1(moe.Forward(bg, b2, rng))
		}, ErrDimension},
		{"MoEConstraint.Backward/nil state", func() error { return e1(moe.Backward(bg, nil, u)) }, ErrSettings},
		{"MoEConstraint.Backward/failed state", func() error { return e1(moe.Backward(bg, &MoEState{Experts: []*HCState{{}}}, u)) }, ErrSettings},
		{"DSReference.Solve/nil IC", func() error { return e1(DSReference{}.Solve(bg, nil, 500, 51, 65)) }, ErrSettings},
		{"DSReference.Solve/unstable", func() error {
			return e1(DSReference{DT: 1}.Solve(bg, func(float64) float64 { return 0.1 }, 500, 51, 65))
		}, ErrSettings},
		{"DSReference.Solve/grid", func() error {
			return e1(DSReference{}.Solve(bg, func(float64) float64 { return 0.1 }, 500, 51, 60))
		}, ErrSettings},
		{"DSReference.Solve/NaN IC", func() error {
			return e1(DSReference{}.Solve(bg, func(float64) float64 { return nan }, 500, 51, 65))
		}, ErrSettings},
		{"DSReference.Solve/canceled", func() error {
			ctx, cancel := context.WithCancel(bg)
			cancel()
			return e1(DSReference{}.Solve(ctx, func(float64) float64 { return 0.1 }, 500, 51, 65))
		}, context.Canceled},
		{"Retardation/NaN is clamped, not an error", func() error {
			if r, _ := Retardation(-1); math.IsNaN(r) || r <= 1 {
				return errors.New("bad clamp")
			}
			return ErrSettings
		}, ErrSettings},
	}
}
