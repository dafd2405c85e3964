package robust

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/milp"
	"github.com/optlearn/optlearn/run"
)

// brute is the optimum of the base case from enumerating all 891 plans
// (TestBruteForce under -tags long reproduces it).
const brute = 1180.7325

// Acceptance 1: PC&CG with the branch-and-bound master and vertex
// enumeration returns the spec's plan and total, with monotone bounds that
// bracket the brute-force optimum at every iteration.
func TestPCCGBaseCase(t *testing.T) {
	p, err := Microgrid(nil)
	if err != nil {
		t.Fatal(err)
	}
	var h History
	res, err := Solve(context.Background(), p, &Settings{Recorder: &h})
	if err != nil {
		t.Fatal(err)
	}
	u, n, e := Plan(res.X)
	if math.Abs(res.UB-brute) > 1e-4 || res.Status != run.Converged || res.Iterations > 10 ||
		u != [3]int{1, 1, 1} || n != [3]int{2, 2, 3} || e != [3]int{1, 1, 1} {
		t.Fatalf("total %.4f, %v after %d iterations, plan u %v n %v e %v", res.UB, res.Status, res.Iterations, u, n, e)
	}
	wantQ := []float64{377.40, 1205.325, -148.725}
	for s, q := range res.Q {
		if math.Abs(q-wantQ[s]) > 1e-6 {
			t.Errorf("Q_%d = %.6f, want %.6f", s, q, wantQ[s])
		}
	}
	lb, ub := math.Inf(-1), math.Inf(1)
	for i, it := range h.Iters[1:] {
		if it.LB < lb-1e-9 || it.UB > ub+1e-9 || it.LB > brute+1e-6 || it.UB < brute-1e-6 {
			t.Errorf("iteration %d: LB %.4f UB %.4f (previous %.4f, %.4f; optimum %.4f)", i+1, it.LB, it.UB, lb, ub, brute)
		}
		lb, ub = it.LB, it.UB
	}
	// the spec's trace
	wantLB := []float64{1143.1950, 1158.1825, 1180.7325}
	for i, w := range wantLB {
		if i+1 < h.Len() && math.Abs(h.Iters[i+1].LB-w) > 1e-4 {
			t.Errorf("LB at iteration %d = %.4f, want %.4f", i+1, h.Iters[i+1].LB, w)
		}
	}
}

// Acceptance 2: the single-level dual MILP gives the same Q_s as vertex
// enumeration on random plans.
func TestDualMILPEqualsEnumeration(t *testing.T) {
	p, _ := Microgrid(nil)
	rng := rand.New(rand.NewPCG(1, 0))
	for trial := 0; trial < 6; trial++ {
		x := randomPlan(rng)
		for s := range p.Scenarios {
			q1, _, err := VertexEnum{}.Worst(context.Background(), &p.Scenarios[s], x)
			if err != nil {
				t.Fatal(err)
			}
			q2, xi, err := DualMILP{}.Worst(context.Background(), &p.Scenarios[s], x)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(q1-q2) > 1e-6 {
				t.Errorf("plan %v scenario %d: enumeration %.6f, dual MILP %.6f", x, s, q1, q2)
			}
			q3, _ := recourse(context.Background(), &p.Scenarios[s], x, demand(p.Scenarios[s].U, xi, x))
			if math.Abs(q3-q2) > 1e-6 {
				t.Errorf("the dual MILP's ξ %v gives %.6f, not its value %.6f", xi, q3, q2)
			}
		}
	}
}

func randomPlan(rng *rand.Rand) []float64 {
	x := make([]float64, mgX)
	for i := 0; i < 3; i++ {
		if i == 2 || rng.IntN(3) > 0 {
			x[MicrogridU(i)] = 1
			for k := 0; k < 1+rng.IntN(3); k++ {
				x[MicrogridB(i, k)] = 1
			}
			x[MicrogridE(i)] = float64(rng.IntN(3))
		}
	}
	return x
}

// Acceptance 4: passing fixed demand vectors (plain C&CG) is not exact
// under decision-dependent uncertainty: the bounds cross.
func TestStaticVariantCrosses(t *testing.T) {
	p, _ := Microgrid(nil)
	var h History
	res, err := Solve(context.Background(), p, &Settings{Static: true, Recorder: &h})
	if !errors.Is(err, ErrBoundsCrossed) || res.Status != run.Failure {
		t.Fatalf("static variant: %v, %v", res.Status, err)
	}
	_, n, _ := Plan(res.X)
	last := h.Iters[h.Len()-1]
	if math.Abs(res.UB-1182.5825) > 1e-4 || n != [3]int{2, 2, 2} || math.Abs(last.LB-1192.8325) > 1e-4 || res.Iterations != 4 {
		t.Errorf("static: UB %.4f n %v, last LB %.4f after %d iterations; want 1182.5825, (2,2,2), 1192.8325, 4", res.UB, n, last.LB, res.Iterations)
	}
}

func TestCancel(t *testing.T) {
	p, _ := Microgrid(nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Solve(ctx, p, nil)
	if !errors.Is(err, context.DeadlineExceeded) || res.Status != run.Canceled {
		t.Fatalf("got %v, %v", res.Status, err)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("returned %v after the 30 ms deadline", d)
	}
}

type emptySet struct{}

func (emptySet) Set() Budget                              { return Budget{} }
func (emptySet) Active([]float64) []bool                  { return nil }
func (emptySet) Affine([]float64) ([]float64, *mat.Dense) { return nil, nil }

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	mod := func(f func(p *Problem)) *Problem {
		p, _ := Microgrid(nil)
		f(p)
		return p
	}
	cases := []struct {
		name string
		err  error
		p    *Problem
		set  *Settings
	}{
		{"nil problem", ErrSettings, nil, nil},
		{"nil first stage", ErrSettings, mod(func(p *Problem) { p.First = nil }), nil},
		{"no scenarios", ErrSettings, mod(func(p *Problem) { p.Scenarios = nil }), nil},
		{"probability 0", ErrSettings, mod(func(p *Problem) { p.Scenarios[0].P = 0 }), nil},
		{"probabilities not summing to 1", ErrSettings, mod(func(p *Problem) { p.Scenarios[0].P = 0.5 }), nil},
		{"Q length", ErrDimension, mod(func(p *Problem) { p.Scenarios[1].Q = p.Scenarios[1].Q[1:] }), nil},
		{"T columns", ErrDimension, mod(func(p *Problem) { p.Scenarios[0].T = mat.NewDense(52, 3, nil) }), nil},
		{"LE recourse row", ErrSettings, mod(func(p *Problem) { p.Scenarios[0].Sense[0] = milp.LE }), nil},
		{"NaN cost", ErrNotFinite, mod(func(p *Problem) { p.Scenarios[2].Q[0] = math.NaN() }), nil},
		{"empty uncertainty set", ErrEmptySet, mod(func(p *Problem) { p.Scenarios[0].U = emptySet{} }), nil},
		{"missing W", ErrSettings, mod(func(p *Problem) { p.Scenarios[0].W = nil }), nil},
		{"negative MaxIter", ErrSettings, mod(func(*Problem) {}), &Settings{MaxIter: -1}},
		{"NaN Tol", ErrSettings, mod(func(*Problem) {}), &Settings{Tol: math.NaN()}},
		{"negative TimeLimit", run.ErrSettings, mod(func(*Problem) {}), &Settings{TimeLimit: -time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := Solve(ctx, c.p, c.set); !errors.Is(err, c.err) {
				t.Errorf("got %v, want an error wrapping %v", err, c.err)
			}
		})
	}
	if _, err := Microgrid(&MicrogridSettings{FeederScale: -1}); !errors.Is(err, ErrSettings) {
		t.Errorf("negative feeder scale: %v", err)
	}
	p, _ := Microgrid(nil)
	if _, _, err := Evaluate(ctx, p, []float64{1}, nil); !errors.Is(err, ErrDimension) {
		t.Errorf("Evaluate with a short plan: %v", err)
	}
	p.Scenarios[0].PiUpper = nil
	if _, _, err := (DualMILP{}).Worst(ctx, &p.Scenarios[0], randomPlan(rand.New(rand.NewPCG(1, 0)))); !errors.Is(err, ErrSettings) {
		t.Errorf("dual MILP without dual bounds: %v", err)
	}
}
