package ild

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// A1: with the true parameters the counterfactual error is 0 and the
// log-density equals a brute-force change of variables (the Jacobian of
// x = g(f_d(ε)) assembled as a matrix and its determinant taken by LU).
func TestTruthExact(t *testing.T) {
	ds, err := Simulation{M: 6, D: 3, Intervened: []int{4, 5}}.Generate(2000, 200, 200, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	cf, err := CFError(ds.Truth, ds.Truth, ds.Test, ds.TestEps, false)
	if err != nil || cf > 1e-10 {
		t.Fatalf("counterfactual error of the truth %v (%v)", cf, err)
	}
	md := ds.Truth
	m := md.M
	worst := 0.0
	for d := 0; d < md.D; d++ {
		for _, x := range ds.Test.X[d][:50] {
			lp, _ := md.LogProb(x, d)
			eps, _ := md.Encode(nil, x, d)
			// z and the Jacobian dx/dε = W · diag(LReLU'(z)) · (I − L)⁻¹ S
			z := make([]float64, m)
			md.decode(make([]float64, m), z, eps, d)
			IL := mat.NewDense(m, m, nil)
			for j := 0; j < m; j++ {
				IL.Set(j, j, 1)
				for i := 0; i < j; i++ {
					IL.Set(j, i, -md.L[d][j*m+i])
				}
			}
			var F, J, DF mat.Dense
			if err := F.Solve(IL, diag(md.S[d])); err != nil {
				t.Fatal(err)
			}
			slope := make([]float64, m)
			for j := range slope {
				slope[j] = 1
				if z[j] < 0 {
					slope[j] = md.Slope
				}
			}
			DF.Mul(diag(slope), &F)
			J.Mul(mat.NewDense(m, m, md.W), &DF)
			logDet, _ := mat.LogDet(&J)
			want := -logDet
			for _, e := range eps {
				want += -0.5*e*e - 0.5*math.Log(2*math.Pi)
			}
			worst = math.Max(worst, math.Abs(lp-want))
		}
	}
	if worst > 1e-9 {
		t.Errorf("log-density differs from the brute-force change of variables by %.3g", worst)
	}
}

// Fitting from the true parameters stays there (the objective and its
// gradient agree with the generator).
func TestFitFromTruthStays(t *testing.T) {
	ds, _ := Simulation{M: 6, D: 3, Intervened: []int{4, 5}}.Generate(5000, 500, 500, rand.New(rand.NewPCG(1, 0)))
	md := ds.Truth.Clone()
	md.Mode, md.K = RelaxCan, 2
	res, err := Fit(context.Background(), md, ds.Train, ds.Val, &Settings{MaxIter: 300})
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := CFError(res.Model, ds.Truth, ds.Test, ds.TestEps, false)
	if cf > 1e-2 {
		t.Errorf("counterfactual error after 300 steps from the truth: %.4f", cf)
	}
}

func TestCancel(t *testing.T) {
	ds, _ := Simulation{M: 6, D: 3, Intervened: []int{4, 5}}.Generate(2000, 100, 100, rand.New(rand.NewPCG(1, 0)))
	md, _ := New(6, 3, 2, RelaxCan, 0.5)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Fit(ctx, md, ds.Train, ds.Val, &Settings{MaxIter: 1 << 30})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 150*time.Millisecond {
		t.Errorf("%v after %v", err, time.Since(start))
	}
}

func TestBadInput(t *testing.T) {
	md, _ := New(3, 2, 1, RelaxCan, 0.5)
	x := []float64{1, 2, 3}
	zeroS := md.Clone()
	zeroS.S[1][2] = 0
	singW := md.Clone()
	clear(singW.W)
	nanB := md.Clone()
	nanB.B[0][0] = math.NaN()
	good := &Data{X: [][][]float64{{x}, {x}}}
	for _, c := range []struct {
		name string
		err  error
		call func() error
	}{
		{"slope 0", ErrSingular, func() error { _, err := New(3, 2, 1, RelaxCan, 0); return err }},
		{"k > m", ErrSettings, func() error { _, err := New(3, 2, 4, RelaxCan, 0.5); return err }},
		{"k < 0", ErrSettings, func() error { _, err := New(3, 2, -1, Can, 0.5); return err }},
		{"no domains", ErrSettings, func() error { _, err := New(3, 0, 1, Dense, 0.5); return err }},
		{"S = 0", ErrSingular, func() error { _, err := zeroS.LogProb(x, 0); return err }},
		{"singular W", ErrSingular, func() error { _, err := singW.LogProb(x, 0); return err }},
		{"NaN bias", ErrNotFinite, func() error { _, err := nanB.LogProb(x, 0); return err }},
		{"unknown domain", ErrDomain, func() error { _, err := md.Counterfactual(nil, x, 0, 5); return err }},
		{"negative domain", ErrDomain, func() error { _, err := md.LogProb(x, -1); return err }},
		{"short x", ErrDimension, func() error { _, err := md.Encode(nil, x[:2], 0); return err }},
		{"NaN x", ErrNotFinite, func() error { _, err := md.LogProb([]float64{1, math.NaN(), 0}, 0); return err }},
		{"data for one domain", ErrDimension, func() error { _, err := md.NLL(&Data{X: [][][]float64{{x}}}); return err }},
		{"empty domain", ErrDimension, func() error { _, err := md.NLL(&Data{X: [][][]float64{{x}, nil}}); return err }},
		{"Fit negative LR", ErrSettings, func() error { _, err := Fit(context.Background(), md, good, good, &Settings{LR: -1}); return err }},
		{"Gradient mismatch", ErrDimension, func() error { _, _, err := md.Gradient([][]float64{x}, nil); return err }},
		{"canonicalize nonlinear", ErrSettings, func() error { _, err := Canonicalize(md, []int{2}); return err }},
		{"simulation bad node", ErrSettings, func() error {
			_, err := Simulation{M: 3, D: 2, Intervened: []int{3}}.Generate(10, 5, 5, rand.New(rand.NewPCG(1, 0)))
			return err
		}},
	} {
		if err := c.call(); !errors.Is(err, c.err) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.err)
		}
	}
}
