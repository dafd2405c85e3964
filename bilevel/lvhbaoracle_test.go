package bilevel_test

import (
	"context"
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/diff/fd"
)

// The value function v_γ, its gradient and LV-HBA's directions are
// exposed (issue #13): ∇v_γ matches central differences of v_γ, and with
// the saddle point (d_x, d_y) is the gradient of φ = F/c + f − v_γ.
func TestLVHBAOracle(t *testing.T) {
	const n = 3
	p := problems.LLCToy{N: n}
	rng := newRand(5)
	x, y, z := make([]float64, n), make([]float64, 2*n), []float64{0.7}
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range y {
		y[i] = rng.NormFloat64()
	}
	o := &bilevel.LVHBAOracle{Problem: p, Tol: 1e-12}
	sp, err := o.Saddle(context.Background(), x, y, z)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("saddle: residual %.2g after %d steps, v = %.6g, λ* = %.6g", sp.Residual, sp.Iterations, sp.Value, sp.Lambda[0])
	// v as a function of (x, y, z) concatenated.
	v := func(w []float64) float64 {
		q := &bilevel.LVHBAOracle{Problem: p, Tol: 1e-13, Theta: sp.Theta, Lambda: sp.Lambda}
		s, err := q.Saddle(context.Background(), w[:n], w[n:3*n], w[3*n:])
		if err != nil {
			t.Fatal(err)
		}
		return s.Value
	}
	w := append(append(append([]float64(nil), x...), y...), z...)
	want := fd.Gradient(nil, v, w, &fd.Settings{Formula: fd.Central, Step: 1e-5})
	got := append(append(append([]float64(nil), sp.GradX...), sp.GradY...), sp.GradZ...)
	if e := relDiff(got, want); e > 1e-6 {
		t.Errorf("∇v_γ relative error %.3g > 1e-6\n got %v\nwant %v", e, got, want)
	}
	// d = ∇(F/c + f − v_γ) in (x, y) at the saddle point.
	const c = 2.5
	dx, dy, err := o.Direction(x, y, sp.Theta, sp.Lambda, c)
	if err != nil {
		t.Fatal(err)
	}
	phi := func(xy []float64) float64 {
		return p.UpperValue(xy[:n], xy[n:])/c + p.LowerValue(xy[:n], xy[n:]) - v(append(append([]float64(nil), xy...), z...))
	}
	wantD := fd.Gradient(nil, phi, w[:3*n], &fd.Settings{Formula: fd.Central, Step: 1e-5})
	if e := relDiff(append(dx, dy...), wantD); e > 1e-6 {
		t.Errorf("(d_x, d_y) relative error %.3g > 1e-6", e)
	}
}

// At the end of an LV-HBA run on R1 the tracked (θ, λ) are close to the
// saddle point the oracle computes at the same (x, y, z).
func TestLVHBAOracleTracksRun(t *testing.T) {
	p := problems.LLCToy{N: 5}
	var m bilevel.LVHBA
	res, err := m.Solve(context.Background(), p, fill(5, 10), fill(10, 10), &bilevel.LVHBASettings{MaxIter: 20000, ProjC: p.ProjC()})
	if err != nil {
		t.Fatal(err)
	}
	o := &bilevel.LVHBAOracle{Problem: p}
	sp, err := o.Saddle(context.Background(), res.X, res.Y, res.Z)
	if err != nil {
		t.Fatal(err)
	}
	dth := math.Sqrt(linalg.DistSq(res.Theta, sp.Theta))
	dl := math.Abs(res.Lambda[0] - sp.Lambda[0])
	t.Logf("‖θ − θ*‖ = %.3g, |λ − λ*| = %.3g, ‖(d_x, d_y)‖ = %.3g", dth, dl, math.Hypot(linalg.Nrm2(res.DX), linalg.Nrm2(res.DY)))
	if dth > 1e-2 || dl > 1e-2 {
		t.Errorf("run's (θ, λ) is far from the saddle point: %.3g, %.3g", dth, dl)
	}
}

// A negative Tol turns the oracles' stopping tests off: exactly MaxIter
// (MaxInner) steps and no ErrNotConverged.
func TestOraclesNegativeTol(t *testing.T) {
	lo := &bilevel.LVHBAOracle{Problem: problems.LLCToy{N: 2}, Tol: -1, MaxIter: 7}
	sp, err := lo.Saddle(context.Background(), zeros(2), zeros(4), []float64{1})
	if err != nil || sp.Iterations != 7 {
		t.Errorf("LVHBAOracle: %d steps, %v; want 7 steps and no error", sp.Iterations, err)
	}
	po := &bilevel.PenaltyOracle{Problem: must(problems.NewSinePL(nil, 0)), Sigma: 0.1, Tol: -1, MaxInner: 5}
	if _, _, err := po.Grad(nil, zeros(5)); err != nil || po.InnerSteps != 10 {
		t.Errorf("PenaltyOracle: %d inner steps, %v; want 2×5 and no error", po.InnerSteps, err)
	}
}
