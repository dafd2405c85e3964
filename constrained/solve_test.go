package constrained_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/run"
)

var seeds = []uint64{1, 2, 3, 4, 5}

// long runs the slow Gaussian-sketch and HS49 acceptance cases with all 5
// seeds (about a minute of CPU): go test ./constrained -long.
var long = flag.Bool("long", false, "run the slow 5-seed acceptance cases")

func sketcher(name string) constrained.Sketcher {
	switch name {
	case "rk":
		return &constrained.RK{}
	case "gv":
		return &constrained.GaussianSketch{}
	case "sparse-rk":
		return &constrained.SparseRK{}
	}
	return &constrained.ExactLU{}
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

// checkMonotone is spec check 4: μ non-decreasing, ν and δ non-increasing.
func checkMonotone(t *testing.T, h *constrained.History) {
	t.Helper()
	for i := 1; i < h.Len(); i++ {
		a, b := &h.Iters[i-1], &h.Iters[i]
		if b.Mu < a.Mu || b.Nu > a.Nu || b.Delta > a.Delta {
			t.Fatalf("penalty not monotone at %d: mu %g->%g nu %g->%g delta %g->%g",
				i, a.Mu, b.Mu, a.Nu, b.Nu, a.Delta, b.Delta)
		}
	}
}

// traces returns the KKT residuals and step lengths of a History.
func traces(h *constrained.History) (kkt, alpha []float64) {
	return h.Series(func(it *constrained.Iter) float64 { return it.KKT }),
		h.Series(func(it *constrained.Iter) float64 { return it.Alpha })
}

func solveHS(t *testing.T, p *problems.HS, x0 []float64, sk string, seed uint64, eps float64, maxIter int) (constrained.Result, *constrained.History, error) {
	t.Helper()
	h := &constrained.History{}
	r, err := constrained.Solve(context.Background(), p, x0, nil, &constrained.Settings{
		Tol: eps, MaxIter: maxIter, Norm: constrained.Spectral,
		Sketcher: sketcher(sk), Rand: rand.New(rand.NewPCG(seed, 0)), Recorder: h,
	})
	return r, h, err
}

// TestHSNonDegenerate is spec checks 1, 3 and 4 on the non-degenerate HS rows.
func TestHSNonDegenerate(t *testing.T) {
	unitStep := map[string]bool{"HS40": true, "HS42": true, "HS77": true, "HS79": true}
	for _, p := range problems.All() {
		if p.Degenerate {
			continue
		}
		for _, sk := range []string{"exact", "rk", "gv"} {
			ss := seeds
			if sk == "exact" {
				ss = seeds[:1]
			}
			for _, seed := range ss {
				t.Run(fmt.Sprintf("%s/%s/seed=%d", p.Name, sk, seed), func(t *testing.T) {
					r, h, err := solveHS(t, p, p.X0, sk, seed, 1e-6, 100)
					if err != nil || r.Status != run.Converged {
						t.Fatalf("status %v err %v after %d iterations", r.Status, err, r.Iterations)
					}
					if r.KKT > 1e-6 {
						t.Errorf("KKT %g > 1e-6", r.KKT)
					}
					if g := math.Abs(r.F - p.FStar); g > 1e-6*math.Max(1, math.Abs(p.FStar)) {
						t.Errorf("|f-f*| = %g", g)
					}
					if e := maxAbsDiff(r.X, p.XStar); e > 1e-4 {
						t.Errorf("||x-x*||inf = %g", e)
					}
					checkMonotone(t, h)
					if unitStep[p.Name] {
						kkt, alpha := traces(h)
						n := len(kkt) - 1
						if n < 3 {
							t.Fatalf("only %d iterations", n)
						}
						for k := n - 2; k <= n; k++ {
							if alpha[k] != 1 || kkt[k] > 0.5*kkt[k-1] {
								t.Errorf("iteration %d: alpha %g, kkt %g -> %g", k, alpha[k], kkt[k-1], kkt[k])
							}
						}
					}
				})
			}
		}
	}
}

// TestHSDegenerate is spec check 2.
func TestHSDegenerate(t *testing.T) {
	for _, tc := range []struct {
		p       *problems.HS
		maxIter int
		long    bool
	}{
		{problems.HS26(), 50, false},
		{problems.HS49(), 400, true},
	} {
		for _, sk := range []string{"exact", "rk", "gv"} {
			for _, seed := range seeds {
				if sk == "exact" && seed > 1 {
					continue
				}
				t.Run(fmt.Sprintf("%s/%s/seed=%d", tc.p.Name, sk, seed), func(t *testing.T) {
					if tc.long && sk != "exact" && seed > 1 && !*long {
						t.Skip("long")
					}
					r, h, err := solveHS(t, tc.p, tc.p.X0, sk, seed, 1e-4, tc.maxIter)
					if err != nil || r.Status != run.Converged {
						t.Fatalf("status %v err %v after %d iterations", r.Status, err, r.Iterations)
					}
					if g := math.Abs(r.F - tc.p.FStar); g > 1e-5 {
						t.Errorf("|f-f*| = %g", g)
					}
					checkMonotone(t, h)
				})
			}
		}
	}
}

// TestHS61 checks the singular-Jacobian failure from (0,0,0) and the local
// (non-global) KKT point reached from (1,1,1).
func TestHS61(t *testing.T) {
	p := problems.HS61()
	for _, sk := range []string{"exact", "rk", "gv"} {
		t.Run(sk, func(t *testing.T) {
			r, _, err := solveHS(t, p, []float64{0, 0, 0}, sk, 1, 1e-6, 100)
			if !errors.Is(err, constrained.ErrSingularJacobian) || r.Status != run.Failure {
				t.Fatalf("from 0: status %v err %v, want SingularJacobian", r.Status, err)
			}
			if maxAbsDiff(r.X, []float64{0, 0, 0}) != 0 {
				t.Errorf("X = %v, want the start point", r.X)
			}
			for _, seed := range seeds {
				r, _, err = solveHS(t, p, []float64{1, 1, 1}, sk, seed, 1e-6, 100)
				if err != nil {
					t.Fatalf("from 1: %v", err)
				}
				if math.Abs(r.F-problems.HS61LocalF) > 1e-4 || maxAbsDiff(r.X, problems.HS61LocalX) > 1e-4 {
					t.Errorf("seed %d: f = %.6f x = %.5f, want local KKT point f = %v", seed, r.F, r.X, problems.HS61LocalF)
				}
				if math.Abs(r.F-p.FStar) < 1 {
					t.Errorf("reached the global solution")
				}
				if sk == "exact" {
					break
				}
			}
		})
	}
}

// TestPDE is spec check 5.
func TestPDE(t *testing.T) {
	for _, tc := range []struct {
		n       int
		sk      string
		maxIter int
		fstar   float64
		nseeds  int
		long    bool
	}{
		{3, "exact", 3, 9.644442, 1, false},
		{4, "exact", 3, 17.651377, 1, false},
		{3, "rk", 40, 9.644442, 5, false},
		{4, "rk", 40, 17.651377, 5, false},
		{3, "gv", 400, 9.644442, 1, false},
		{3, "gv", 400, 9.644442, 5, true},
	} {
		t.Run(fmt.Sprintf("N=%d/%s/seeds=%d", tc.n, tc.sk, tc.nseeds), func(t *testing.T) {
			if tc.long && !*long {
				t.Skip("long: run with -long")
			}
			p, err := problems.NewPDE(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			xref, _, fref, err := p.Solution()
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(fref-tc.fstar) > 1e-6 {
				t.Fatalf("reference objective %.7f, want %v", fref, tc.fstar)
			}
			_, m := p.Dims()
			for _, seed := range seeds[:tc.nseeds] {
				r, err := constrained.Solve(context.Background(), p, p.X0(), problems.Ones(m), &constrained.Settings{
					Tol: 1e-6, MaxIter: tc.maxIter, Sketcher: sketcher(tc.sk), Rand: rand.New(rand.NewPCG(seed, 0)),
				})
				if err != nil || r.KKT > 1e-6 {
					t.Fatalf("seed %d: status %v err %v kkt %g after %d", seed, r.Status, err, r.KKT, r.Iterations)
				}
				if e := maxAbsDiff(r.X, xref); e > 1e-5 {
					t.Errorf("seed %d: ||x-xref||inf = %g", seed, e)
				}
			}
		})
	}
}

// TestSyntheticLogistic is spec check 6.
func TestSyntheticLogistic(t *testing.T) {
	p, err := problems.SyntheticLogistic(rand.New(rand.NewPCG(2023, 0)), 2000, 50, 10)
	if err != nil {
		t.Fatal(err)
	}
	d, m := p.Dims()
	run := func(sk string, seed uint64) constrained.Result {
		r, err := constrained.Solve(context.Background(), p, problems.Ones(d), problems.Ones(m), &constrained.Settings{
			MaxIter: 200, Sketcher: sketcher(sk), Rand: rand.New(rand.NewPCG(seed, 0)),
		})
		if err != nil || r.Status != run.Converged {
			t.Fatalf("%s seed %d: status %v err %v", sk, seed, r.Status, err)
		}
		c := make([]float64, m)
		p.Cons(c, r.X)
		for i, v := range c {
			if math.Abs(v) > 1e-4 {
				t.Errorf("%s seed %d: constraint %d = %g", sk, seed, i, v)
			}
		}
		return r
	}
	ref := run("exact", 1)
	for _, tc := range []struct {
		sk     string
		nseeds int
		long   bool
	}{{"rk", 5, false}, {"gv", 1, false}, {"gv", 5, true}} {
		t.Run(fmt.Sprintf("%s/seeds=%d", tc.sk, tc.nseeds), func(t *testing.T) {
			if tc.long && !*long {
				t.Skip("long: run with -long")
			}
			for _, seed := range seeds[:tc.nseeds] {
				r := run(tc.sk, seed)
				if g := math.Abs(r.F - ref.F); g > 1e-6 {
					t.Errorf("seed %d: |f - f_exact| = %g", seed, g)
				}
			}
		})
	}
}

// TestSuperlinearTheta checks the θₜ → 0 variant converges with unit steps.
func TestSuperlinearTheta(t *testing.T) {
	p := problems.HS77()
	h := &constrained.History{}
	r, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
		Tol: 1e-8, Theta: constrained.SuperlinearTheta, Sketcher: &constrained.RK{},
		Rand: rand.New(rand.NewPCG(1, 0)), Recorder: h, Norm: constrained.Spectral,
	})
	if err != nil || maxAbsDiff(r.X, p.XStar) > 1e-5 {
		t.Fatalf("err %v x %v", err, r.X)
	}
	kkt, alpha := traces(h)
	n := len(kkt) - 1
	if alpha[n] != 1 || kkt[n] > 0.1*kkt[n-1] {
		t.Errorf("last step alpha %g, kkt %g -> %g", alpha[n], kkt[n-1], kkt[n])
	}
}
