package bilevel_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
)

// badCase is one bad input to one exported entry point: call must return
// an error wrapping want (or, where want is nil, the documented non-error
// outcome checked inside call), and must not panic.
type badCase struct {
	entry, name string
	want        error
	call        func() error
}

// badInputCatalogue lists bad inputs for every exported entry point of
// bilevel and bilevel/problems that takes input (issue #16).
func badInputCatalogue() (cs []badCase) {
	ctx := context.Background()
	nan, inf := math.NaN(), math.Inf(1)
	sine := must(problems.NewSinePL(nil, 0))
	quad := must(problems.NewQuadratic(2, 3, 0.1, newRand(1)))
	llc := problems.LLCToy{N: 2}
	svmData := must(problems.NewSVMData(newRand(1), 10, 5, 5, 3, 0.3, 0.3))
	svm := must(problems.NewSVMHyper(svmData))
	pen := func(p bilevel.Problem, x0, y0, z0 []float64, s *bilevel.PenaltySettings) func() error {
		return func() error {
			var m bilevel.Penalty
			_, err := m.Solve(ctx, p, x0, y0, z0, s)
			return err
		}
	}
	ps := func(s bilevel.PenaltySettings) func() error { return pen(sine, zeros(5), zeros(5), nil, &s) }
	lv := func(p bilevel.ConstrainedProblem, x0, y0 []float64, s *bilevel.LVHBASettings) func() error {
		return func() error {
			var m bilevel.LVHBA
			_, err := m.Solve(ctx, p, x0, y0, s)
			return err
		}
	}
	ls := func(s bilevel.LVHBASettings) func() error { return lv(llc, zeros(2), zeros(4), &s) }
	grad := func(o bilevel.PenaltyOracle, dst, x []float64) func() error {
		return func() error { _, _, err := o.Grad(dst, x); return err }
	}
	saddle := func(o bilevel.LVHBAOracle, x, y, z []float64) func() error {
		return func() error { _, err := o.Saddle(ctx, x, y, z); return err }
	}
	dir := func(o bilevel.LVHBAOracle, x, y, th, l []float64, c float64) func() error {
		return func() error { _, _, err := o.Direction(x, y, th, l, c); return err }
	}
	row := func(n int, idx []int, val []float64) linalg.Sparse {
		return linalg.Sparse{N: n, Index: idx, Value: val}
	}
	poly := func(n int, rows []linalg.Sparse, b []float64) func() error {
		return func() error { _, err := bilevel.NewPolyhedron(n, rows, b); return err }
	}
	projPoly := func(set func(*bilevel.Polyhedron), v []float64) func() error {
		return func() error {
			p, err := bilevel.NewPolyhedron(2, []linalg.Sparse{row(2, []int{0}, []float64{1})}, []float64{1})
			if err != nil {
				return err
			}
			set(p)
			return p.Project(v)
		}
	}
	noNaN := func(what string, v float64, wantNaN bool) func() error {
		return func() error {
			if math.IsNaN(v) != wantNaN {
				return fmt.Errorf("%s = %g", what, v)
			}
			return nil
		}
	}
	po := bilevel.PenaltyOracle{Problem: sine, Sigma: 0.1}
	lo := bilevel.LVHBAOracle{Problem: llc}
	cs = append(cs, epCatalogue()...)
	E := struct{ dim, set, fin, inf error }{bilevel.ErrDimension, bilevel.ErrSettings, bilevel.ErrNotFinite, bilevel.ErrInfeasible}
	return append(cs, []badCase{
		// Penalty.Solve
		{"Penalty.Solve", "nil problem", E.set, pen(nil, zeros(5), zeros(5), nil, nil)},
		{"Penalty.Solve", "nil x0", E.dim, pen(sine, nil, zeros(5), nil, nil)},
		{"Penalty.Solve", "short x0", E.dim, pen(sine, zeros(4), zeros(5), nil, nil)},
		{"Penalty.Solve", "long y0", E.dim, pen(sine, zeros(5), zeros(6), nil, nil)},
		{"Penalty.Solve", "bad z0", E.dim, pen(sine, zeros(5), zeros(5), zeros(3), nil)},
		{"Penalty.Solve", "NaN x0", E.fin, pen(sine, []float64{0, 0, nan, 0, 0}, zeros(5), nil, nil)},
		{"Penalty.Solve", "Inf y0", E.fin, pen(sine, zeros(5), []float64{inf, 0, 0, 0, 0}, nil, nil)},
		{"Penalty.Solve", "zero-dimension problem", E.dim, pen(problems.LLCToy{}, nil, nil, nil, nil)},
		{"Penalty.Solve", "huge problem", E.dim, pen(problems.LLCToy{N: 1 << 40}, nil, nil, nil, nil)},
		{"Penalty.Solve", "Sigma < 0", E.set, ps(bilevel.PenaltySettings{Sigma: -1})},
		{"Penalty.Solve", "Sigma < MinSigma", E.set, ps(bilevel.PenaltySettings{Sigma: 1e-9})},
		{"Penalty.Solve", "Sigma NaN", E.set, ps(bilevel.PenaltySettings{Sigma: nan})},
		{"Penalty.Solve", "Sigma Inf", E.set, ps(bilevel.PenaltySettings{Sigma: inf})},
		{"Penalty.Solve", "Alpha < 0", E.set, ps(bilevel.PenaltySettings{Alpha: -1})},
		{"Penalty.Solve", "Alpha NaN", E.set, ps(bilevel.PenaltySettings{Alpha: nan})},
		{"Penalty.Solve", "Beta NaN", E.set, ps(bilevel.PenaltySettings{Beta: nan})},
		{"Penalty.Solve", "Beta Inf", E.set, ps(bilevel.PenaltySettings{Beta: inf})},
		{"Penalty.Solve", "LipUpper NaN", E.set, ps(bilevel.PenaltySettings{LipUpper: nan})},
		{"Penalty.Solve", "LipLower < 0", E.set, ps(bilevel.PenaltySettings{LipLower: -1})},
		{"Penalty.Solve", "Inner < 0", E.set, ps(bilevel.PenaltySettings{Inner: -1})},
		{"Penalty.Solve", "MaxIter < 0", E.set, ps(bilevel.PenaltySettings{MaxIter: -1})},
		{"Penalty.Solve", "Batch < 0", E.set, ps(bilevel.PenaltySettings{Batch: -1})},
		{"Penalty.Solve", "Momentum > 1", E.set, ps(bilevel.PenaltySettings{Momentum: 2})},
		{"Penalty.Solve", "Momentum NaN", E.set, ps(bilevel.PenaltySettings{Momentum: nan})},
		{"Penalty.Solve", "Decay NaN", E.set, ps(bilevel.PenaltySettings{Decay: nan})},
		{"Penalty.Solve", "Tol NaN", E.set, ps(bilevel.PenaltySettings{Tol: nan})},
		{"Penalty.Solve", "RecordEvery < 0", E.set, ps(bilevel.PenaltySettings{RecordEvery: -1})},
		{"Penalty.Solve", "TimeLimit < 0", nil, func() error {
			err := ps(bilevel.PenaltySettings{TimeLimit: -1})()
			if err == nil {
				return errors.New("negative TimeLimit accepted")
			}
			return nil
		}},
		{"Penalty.Solve", "Stochastic on a deterministic problem", E.set, pen(quad, zeros(2), zeros(3), nil, &bilevel.PenaltySettings{Stochastic: true})},
		{"Penalty.Solve", "no Beta and no Lipschitz constants", E.set, pen(struct{ bilevel.Problem }{quad}, zeros(2), zeros(3), nil, nil)},
		{"Penalty.Solve", "ProjX of the wrong dimension", E.dim, ps(bilevel.PenaltySettings{ProjX: &bilevel.Box{Lo: zeros(2), Hi: zeros(2)}})},
		{"Penalty.Solve", "ProjY of the wrong dimension", E.dim, ps(bilevel.PenaltySettings{ProjY: &bilevel.Ball{Center: zeros(2), Radius: 1}})},
		// PenaltyOracle.Grad
		{"PenaltyOracle.Grad", "nil problem", E.set, grad(bilevel.PenaltyOracle{Sigma: 0.1}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "huge problem", E.dim, grad(bilevel.PenaltyOracle{Problem: problems.LLCToy{N: 1 << 40}, Sigma: 0.1}, nil, nil)},
		{"PenaltyOracle.Grad", "short x", E.dim, grad(po, nil, zeros(4))},
		{"PenaltyOracle.Grad", "wrong dst", E.dim, grad(po, zeros(3), zeros(5))},
		{"PenaltyOracle.Grad", "NaN x", E.fin, grad(po, nil, []float64{nan, 0, 0, 0, 0})},
		{"PenaltyOracle.Grad", "Sigma zero", E.set, grad(bilevel.PenaltyOracle{Problem: sine}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "Sigma NaN", E.set, grad(bilevel.PenaltyOracle{Problem: sine, Sigma: nan}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "Beta NaN", E.set, grad(bilevel.PenaltyOracle{Problem: sine, Sigma: 0.1, Beta: nan}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "Tol NaN", E.set, grad(bilevel.PenaltyOracle{Problem: sine, Sigma: 0.1, Tol: nan}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "MaxInner < 0", E.set, grad(bilevel.PenaltyOracle{Problem: sine, Sigma: 0.1, MaxInner: -1}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "inner cap reached", bilevel.ErrNotConverged, grad(bilevel.PenaltyOracle{Problem: sine, Sigma: 0.1, MaxInner: 2}, nil, zeros(5))},
		{"PenaltyOracle.Grad", "no Beta and no Lipschitz constants", E.set, grad(bilevel.PenaltyOracle{Problem: struct{ bilevel.Problem }{quad}, Sigma: 0.1}, nil, zeros(2))},
		// LVHBA.Solve
		{"LVHBA.Solve", "nil problem", E.set, lv(nil, zeros(2), zeros(4), nil)},
		{"LVHBA.Solve", "nil x0", E.dim, lv(llc, nil, zeros(4), nil)},
		{"LVHBA.Solve", "short y0", E.dim, lv(llc, zeros(2), zeros(3), nil)},
		{"LVHBA.Solve", "bad Lambda0", E.dim, ls(bilevel.LVHBASettings{Lambda0: zeros(2)})},
		{"LVHBA.Solve", "bad Theta0", E.dim, ls(bilevel.LVHBASettings{Theta0: zeros(3)})},
		{"LVHBA.Solve", "bad Z0", E.dim, ls(bilevel.LVHBASettings{Z0: zeros(3)})},
		{"LVHBA.Solve", "Inf y0", E.fin, lv(llc, zeros(2), []float64{0, 0, 0, inf}, nil)},
		{"LVHBA.Solve", "NaN Lambda0", E.fin, ls(bilevel.LVHBASettings{Lambda0: []float64{nan}})},
		{"LVHBA.Solve", "zero-dimension problem", E.dim, lv(problems.LLCToy{}, nil, nil, nil)},
		{"LVHBA.Solve", "huge problem", E.dim, lv(problems.LLCToy{N: 1 << 40}, nil, nil, nil)},
		{"LVHBA.Solve", "P = 1", E.set, ls(bilevel.LVHBASettings{P: 1})},
		{"LVHBA.Solve", "P NaN", E.set, ls(bilevel.LVHBASettings{P: nan})},
		{"LVHBA.Solve", "Alpha NaN", E.set, ls(bilevel.LVHBASettings{Alpha: nan})},
		{"LVHBA.Solve", "Beta < 0", E.set, ls(bilevel.LVHBASettings{Beta: -1})},
		{"LVHBA.Solve", "Eta < 0", E.set, ls(bilevel.LVHBASettings{Eta: -1})},
		{"LVHBA.Solve", "Gamma1 Inf", E.set, ls(bilevel.LVHBASettings{Gamma1: inf})},
		{"LVHBA.Solve", "Gamma2 NaN", E.set, ls(bilevel.LVHBASettings{Gamma2: nan})},
		{"LVHBA.Solve", "CLow < 0", E.set, ls(bilevel.LVHBASettings{CLow: -1})},
		{"LVHBA.Solve", "R NaN", E.set, ls(bilevel.LVHBASettings{R: nan})},
		{"LVHBA.Solve", "MaxIter < 0", E.set, ls(bilevel.LVHBASettings{MaxIter: -1})},
		{"LVHBA.Solve", "RecordEvery < 0", E.set, ls(bilevel.LVHBASettings{RecordEvery: -1})},
		{"LVHBA.Solve", "TimeLimit < 0", nil, func() error {
			if ls(bilevel.LVHBASettings{TimeLimit: -1})() == nil {
				return errors.New("negative TimeLimit accepted")
			}
			return nil
		}},
		{"LVHBA.Solve", "ProjC of the wrong dimension", E.dim, ls(bilevel.LVHBASettings{ProjC: problems.LLCToy{N: 3}.ProjC()})},
		{"LVHBA.Solve", "ProjY of the wrong dimension", E.dim, ls(bilevel.LVHBASettings{ProjY: &bilevel.Box{Lo: zeros(1), Hi: zeros(1)}})},
		// LVHBAOracle.Saddle and Direction
		{"LVHBAOracle.Saddle", "nil problem", E.set, saddle(bilevel.LVHBAOracle{}, zeros(2), zeros(4), zeros(1))},
		{"LVHBAOracle.Saddle", "huge problem", E.dim, saddle(bilevel.LVHBAOracle{Problem: problems.LLCToy{N: 1 << 40}}, nil, nil, nil)},
		{"LVHBAOracle.Saddle", "short x", E.dim, saddle(lo, zeros(1), zeros(4), zeros(1))},
		{"LVHBAOracle.Saddle", "short z", E.dim, saddle(lo, zeros(2), zeros(4), nil)},
		{"LVHBAOracle.Saddle", "NaN y", E.fin, saddle(lo, zeros(2), []float64{nan, 0, 0, 0}, zeros(1))},
		{"LVHBAOracle.Saddle", "Gamma1 NaN", E.set, saddle(bilevel.LVHBAOracle{Problem: llc, Gamma1: nan}, zeros(2), zeros(4), zeros(1))},
		{"LVHBAOracle.Saddle", "Gamma2 < 0", E.set, saddle(bilevel.LVHBAOracle{Problem: llc, Gamma2: -1}, zeros(2), zeros(4), zeros(1))},
		{"LVHBAOracle.Saddle", "Tol NaN", E.set, saddle(bilevel.LVHBAOracle{Problem: llc, Tol: nan}, zeros(2), zeros(4), zeros(1))},
		{"LVHBAOracle.Saddle", "MaxIter < 0", E.set, saddle(bilevel.LVHBAOracle{Problem: llc, MaxIter: -1}, zeros(2), zeros(4), zeros(1))},
		{"LVHBAOracle.Saddle", "step cap reached", bilevel.ErrNotConverged, saddle(bilevel.LVHBAOracle{Problem: llc, MaxIter: 1}, zeros(2), zeros(4), zeros(1))},
		{"LVHBAOracle.Direction", "c = 0", E.set, dir(lo, zeros(2), zeros(4), zeros(4), zeros(1), 0)},
		{"LVHBAOracle.Direction", "c NaN", E.set, dir(lo, zeros(2), zeros(4), zeros(4), zeros(1), nan)},
		{"LVHBAOracle.Direction", "short theta", E.dim, dir(lo, zeros(2), zeros(4), zeros(3), zeros(1), 1)},
		{"LVHBAOracle.Direction", "short lambda", E.dim, dir(lo, zeros(2), zeros(4), zeros(4), nil, 1)},
		{"LVHBAOracle.Direction", "NaN x", E.fin, dir(lo, []float64{nan, 0}, zeros(4), zeros(4), zeros(1), 1)},
		// Projectors
		{"NewBox", "lengths differ", E.dim, func() error { _, err := bilevel.NewBox(zeros(2), zeros(3)); return err }},
		{"NewBox", "NaN bound", E.fin, func() error { _, err := bilevel.NewBox([]float64{nan}, zeros(1)); return err }},
		{"NewBox", "lo > hi", E.inf, func() error { _, err := bilevel.NewBox([]float64{1}, zeros(1)); return err }},
		{"Box.Project", "wrong length", E.dim, func() error { return (&bilevel.Box{Lo: zeros(2), Hi: zeros(2)}).Project(zeros(3)) }},
		{"NewBall", "NaN radius", E.fin, func() error { _, err := bilevel.NewBall(zeros(2), nan); return err }},
		{"NewBall", "Inf centre", E.fin, func() error { _, err := bilevel.NewBall([]float64{inf}, 1); return err }},
		{"NewBall", "negative radius", E.inf, func() error { _, err := bilevel.NewBall(zeros(2), -1); return err }},
		{"Ball.Project", "wrong length", E.dim, func() error { return (&bilevel.Ball{Center: zeros(2), Radius: 1}).Project(zeros(1)) }},
		{"NewHalfspace", "NaN normal", E.fin, func() error { _, err := bilevel.NewHalfspace([]float64{nan}, 0); return err }},
		{"NewHalfspace", "Inf offset", E.fin, func() error { _, err := bilevel.NewHalfspace(zeros(1), inf); return err }},
		{"NewHalfspace", "empty set", E.inf, func() error { _, err := bilevel.NewHalfspace(zeros(2), -1); return err }},
		{"Halfspace.Project", "wrong length", E.dim, func() error { return (&bilevel.Halfspace{A: []float64{1}, B: 0}).Project(zeros(2)) }},
		{"NewPolyhedron", "n = 0", E.dim, poly(0, nil, nil)},
		{"NewPolyhedron", "huge n", E.dim, poly(1<<40, nil, nil)},
		{"NewPolyhedron", "rows and b differ", E.dim, poly(2, []linalg.Sparse{row(2, []int{0}, []float64{1})}, nil)},
		{"NewPolyhedron", "row dimension", E.dim, poly(2, []linalg.Sparse{row(3, []int{0}, []float64{1})}, []float64{1})},
		{"NewPolyhedron", "index beyond n", E.dim, poly(2, []linalg.Sparse{row(2, []int{5}, []float64{1})}, []float64{1})},
		{"NewPolyhedron", "negative index", E.dim, poly(2, []linalg.Sparse{row(2, []int{-1}, []float64{1})}, []float64{1})},
		{"NewPolyhedron", "indices and values differ", E.dim, poly(2, []linalg.Sparse{row(2, []int{0, 1}, []float64{1})}, []float64{1})},
		{"NewPolyhedron", "NaN value", E.fin, poly(2, []linalg.Sparse{row(2, []int{0}, []float64{nan})}, []float64{1})},
		{"NewPolyhedron", "Inf b", E.fin, poly(2, []linalg.Sparse{row(2, []int{0}, []float64{1})}, []float64{inf})},
		{"NewPolyhedron", "zero row with b < 0", E.inf, poly(2, []linalg.Sparse{row(2, nil, nil)}, []float64{-1})},
		{"Polyhedron.Project", "wrong length", E.dim, projPoly(func(*bilevel.Polyhedron) {}, zeros(3))},
		{"Polyhedron.Project", "NaN vector", E.fin, projPoly(func(*bilevel.Polyhedron) {}, []float64{nan, 0})},
		{"Polyhedron.Project", "Tol NaN", E.set, projPoly(func(p *bilevel.Polyhedron) { p.Tol = nan }, []float64{5, 0})},
		{"Polyhedron.Project", "MaxSweeps < 0", E.set, projPoly(func(p *bilevel.Polyhedron) { p.MaxSweeps = -1 }, []float64{5, 0})},
		{"Polyhedron.Project", "InfeasibleRadius < 0", E.set, projPoly(func(p *bilevel.Polyhedron) { p.InfeasibleRadius = -1 }, []float64{5, 0})},
		{"Polyhedron.Project", "Relax = 2", E.set, projPoly(func(p *bilevel.Polyhedron) { p.Relax = 2 }, []float64{5, 0})},
		{"Polyhedron.MaxViolation", "wrong length gives NaN", nil, func() error {
			p, _ := bilevel.NewPolyhedron(2, nil, nil)
			return noNaN("MaxViolation", p.MaxViolation(zeros(3)), true)()
		}},
		{"RelErr", "lengths differ give +Inf", nil, func() error {
			if e := bilevel.RelErr(zeros(2), zeros(3)); !math.IsInf(e, 1) {
				return fmt.Errorf("RelErr = %g", e)
			}
			return nil
		}},
		// bilevel/problems
		{"problems.NewQuadratic", "nx = 0", E.dim, func() error { _, err := problems.NewQuadratic(0, 3, 0.1, newRand(1)); return err }},
		{"problems.NewQuadratic", "huge ny", E.dim, func() error { _, err := problems.NewQuadratic(2, 1<<40, 0.1, newRand(1)); return err }},
		{"problems.NewQuadratic", "rho NaN", E.set, func() error { _, err := problems.NewQuadratic(2, 3, nan, newRand(1)); return err }},
		{"problems.NewQuadratic", "rho < 0", E.set, func() error { _, err := problems.NewQuadratic(2, 3, -1, newRand(1)); return err }},
		{"problems.NewQuadratic", "nil rng", E.set, func() error { _, err := problems.NewQuadratic(2, 3, 0.1, nil); return err }},
		{"problems.NewSinePL", "noise NaN", E.set, func() error { _, err := problems.NewSinePL(nil, nan); return err }},
		{"problems.NewSinePL", "noise < 0", E.set, func() error { _, err := problems.NewSinePL(nil, -1); return err }},
		{"problems.NewSinePL", "Inf target", E.fin, func() error { _, err := problems.NewSinePL([]float64{inf}, 0); return err }},
		{"problems.NewSVMData", "nil rng", E.set, func() error { _, err := problems.NewSVMData(nil, 10, 5, 5, 3, 0.3, 0.3); return err }},
		{"problems.NewSVMData", "nTrain = 0", E.set, func() error { _, err := problems.NewSVMData(newRand(1), 0, 5, 5, 3, 0.3, 0.3); return err }},
		{"problems.NewSVMData", "huge sizes", E.set, func() error {
			_, err := problems.NewSVMData(newRand(1), 1<<19, 1<<19, 1<<19, 1<<10, 0.3, 0.3)
			return err
		}},
		{"problems.NewSVMData", "flip > 1", E.set, func() error { _, err := problems.NewSVMData(newRand(1), 10, 5, 5, 3, 1.5, 0.3); return err }},
		{"problems.NewSVMData", "noise NaN", E.set, func() error { _, err := problems.NewSVMData(newRand(1), 10, 5, 5, 3, 0.3, nan); return err }},
		{"problems.NewSVMHyper", "nil data", E.set, func() error { _, err := problems.NewSVMHyper(nil); return err }},
		{"problems.NewSVMHyper", "ragged data", E.dim, func() error {
			d := *svmData
			d.ZTrain = d.ZTrain[:len(d.ZTrain)-1]
			_, err := problems.NewSVMHyper(&d)
			return err
		}},
		{"problems.SVMHyper.ProjC", "tol NaN", E.set, func() error { _, err := svm.ProjC(nan); return err }},
		{"problems.SVMHyper.ProjC", "tol < 0", E.set, func() error { _, err := svm.ProjC(-1); return err }},
		{"problems.NewTeacher", "nil rng", E.set, func() error { _, _, err := problems.NewTeacher(nil, 16, 32, 4, 10, 10); return err }},
		{"problems.NewTeacher", "one class", E.set, func() error { _, _, err := problems.NewTeacher(newRand(1), 16, 32, 1, 10, 10); return err }},
		{"problems.NewTeacher", "huge sizes", E.set, func() error { _, _, err := problems.NewTeacher(newRand(1), 16, 32, 4, 1<<40, 10); return err }},
		{"problems.Accuracy", "ragged points give NaN", nil, noNaN("Accuracy", problems.Accuracy(zeros(3), 0, zeros(5), zeros(2)), true)},
	}...)
}

// TestBadInputCatalogue runs every case of the catalogue: the documented
// error, never a panic, never a silent NaN.
func TestBadInputCatalogue(t *testing.T) {
	cases := badInputCatalogue()
	entries := map[string]int{}
	for _, c := range cases {
		entries[c.entry]++
		t.Run(c.entry+"/"+c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			err := c.call()
			switch {
			case c.want == nil && err != nil:
				t.Errorf("%v", err)
			case c.want != nil && !errors.Is(err, c.want):
				t.Errorf("got %v, want an error wrapping %v", err, c.want)
			}
		})
	}
	t.Logf("%d bad-input cases over %d entry points", len(cases), len(entries))
}
