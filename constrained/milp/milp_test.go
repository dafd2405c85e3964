package milp

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/run"
)

// randomProblem is a knapsack-like MILP: maximise value (minimise −value)
// under two capacity rows and one cover row, with integer and continuous
// variables.
func randomProblem(rng *rand.Rand, nInt, nCont int) *Problem {
	n := nInt + nCont
	p := &Problem{C: make([]float64, n), A: mat.NewDense(3, n, nil), Sense: []Sense{LE, LE, GE},
		B: make([]float64, 3), Upper: make([]float64, n), Integer: make([]bool, n)}
	for j := 0; j < n; j++ {
		p.C[j] = -math.Round(rng.Float64()*20 + 1)
		p.A.Set(0, j, math.Round(rng.Float64()*9+1))
		p.A.Set(1, j, math.Round(rng.Float64()*9+1))
		p.A.Set(2, j, float64(rng.IntN(2)))
		p.Upper[j] = float64(rng.IntN(3) + 1)
		p.Integer[j] = j < nInt
	}
	p.B[0] = math.Round(rng.Float64()*30 + 10)
	p.B[1] = math.Round(rng.Float64()*30 + 10)
	p.B[2] = 1
	return p
}

// enumerate solves p by enumerating the integer variables and solving the
// LP in the continuous ones.
func enumerate(p *Problem) (float64, bool) {
	n := len(p.C)
	best, found := math.Inf(1), false
	lo, hi := make([]float64, n), make([]float64, n)
	var rec func(j int)
	rec = func(j int) {
		if j == n {
			_, f, err := solveLP(p, lo, hi, false)
			if err == nil && f < best {
				best, found = f, true
			}
			return
		}
		if !p.Integer[j] {
			lo[j], hi[j] = 0, p.Upper[j]
			rec(j + 1)
			return
		}
		for v := 0.0; v <= p.Upper[j]; v++ {
			lo[j], hi[j] = v, v
			rec(j + 1)
		}
	}
	rec(0)
	return best, found
}

// Branch and bound equals enumeration on random knapsack-like MILPs with
// at most 10 integers, and the root LP bound is never above the optimum.
func TestBranchBoundEqualsEnumeration(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for trial := 0; trial < 40; trial++ {
		nInt := 2 + rng.IntN(5)
		nCont := rng.IntN(3)
		p := randomProblem(rng, nInt, nCont)
		want, ok := enumerate(p)
		res, err := BranchBound{}.Solve(context.Background(), p, nil)
		if !ok {
			if !errors.Is(err, ErrInfeasible) {
				t.Fatalf("trial %d: enumeration infeasible, branch and bound %v, %v", trial, res.F, err)
			}
			continue
		}
		if err != nil || res.Status != run.Optimal || math.Abs(res.F-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Fatalf("trial %d: branch and bound %v (%v, %v), enumeration %v", trial, res.F, res.Status, err, want)
		}
		lpx, lpf, err := solveLP(p, make([]float64, len(p.C)), p.Upper, false)
		if err != nil || lpf > want+1e-9 || len(lpx) != len(p.C) {
			t.Fatalf("trial %d: LP bound %v above the integer optimum %v (%v)", trial, lpf, want, err)
		}
		gres, err := BranchBound{}.Solve(context.Background(), p, &Settings{GonumSimplex: true})
		if err != nil || math.Abs(gres.F-want) > 1e-6*math.Max(1, math.Abs(want)) {
			t.Fatalf("trial %d: with gonum's simplex %v (%v), want %v", trial, gres.F, err, want)
		}
		if res.Bound > res.F+1e-9 {
			t.Fatalf("trial %d: bound %v above incumbent %v", trial, res.Bound, res.F)
		}
	}
}

// A 10-integer instance (the acceptance's largest) against enumeration.
func TestBranchBoundTenIntegers(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	p := randomProblem(rng, 10, 0)
	for j := range p.Upper {
		p.Upper[j] = 1
	}
	want, _ := enumerate(p)
	res, err := BranchBound{}.Solve(context.Background(), p, nil)
	if err != nil || math.Abs(res.F-want) > 1e-6 {
		t.Fatalf("got %v (%v), want %v", res.F, err, want)
	}
	t.Logf("%d nodes for 10 binaries", res.Iterations)
}

// Free and upper-bounded-only variables: min x₀ − x₁ with x₀ free,
// x₁ ≤ 3, x₀ + x₁ ≥ 1, x₀ − x₁ ≥ −5, x₀ integer.
func TestInfiniteBounds(t *testing.T) {
	p := &Problem{C: []float64{1, -1}, A: mat.NewDense(2, 2, []float64{1, 1, 1, -1}), Sense: []Sense{GE, GE}, B: []float64{1, -5},
		Lower: []float64{math.Inf(-1), math.Inf(-1)}, Upper: []float64{math.Inf(1), 3}, Integer: []bool{true, false}}
	res, err := BranchBound{}.Solve(context.Background(), p, nil)
	if err != nil || math.Abs(res.F+5) > 1e-9 || res.X[1] != 3 {
		t.Fatalf("got %v at %v (%v), want −5 with x₁ = 3", res.F, res.X, err)
	}
}

func TestCancel(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	p := randomProblem(rng, 40, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := BranchBound{}.Solve(ctx, p, &Settings{GapTol: -1})
	if res.Status == run.Optimal {
		t.Skip("solved before the deadline")
	}
	if !errors.Is(err, context.DeadlineExceeded) || res.Status != run.Canceled {
		t.Fatalf("got %v, %v", res.Status, err)
	}
	if d := time.Since(start); d > 120*time.Millisecond {
		t.Errorf("returned after %v", d)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	ok := func() *Problem {
		return &Problem{C: []float64{1, 1}, A: mat.NewDense(1, 2, []float64{1, 1}), Sense: []Sense{GE}, B: []float64{1}}
	}
	cases := []struct {
		name string
		err  error
		mod  func(p *Problem) *Problem
		set  *Settings
	}{
		{"nil problem", ErrSettings, func(*Problem) *Problem { return nil }, nil},
		{"no variables", ErrDimension, func(p *Problem) *Problem { return &Problem{} }, nil},
		{"A columns", ErrDimension, func(p *Problem) *Problem { p.C = []float64{1}; return p }, nil},
		{"senses", ErrDimension, func(p *Problem) *Problem { p.Sense = nil; return p }, nil},
		{"bounds length", ErrDimension, func(p *Problem) *Problem { p.Upper = []float64{1}; return p }, nil},
		{"NaN cost", ErrNotFinite, func(p *Problem) *Problem { p.C[0] = math.NaN(); return p }, nil},
		{"Inf rhs", ErrNotFinite, func(p *Problem) *Problem { p.B[0] = math.Inf(1); return p }, nil},
		{"NaN in A", ErrNotFinite, func(p *Problem) *Problem { p.A.Set(0, 1, math.NaN()); return p }, nil},
		{"bad sense", ErrSettings, func(p *Problem) *Problem { p.Sense[0] = 7; return p }, nil},
		{"lower bound +Inf", ErrSettings, func(p *Problem) *Problem { p.Lower = []float64{math.Inf(1), 0}; return p }, nil},
		{"crossed bounds", ErrInfeasible, func(p *Problem) *Problem { p.Lower, p.Upper = []float64{2, 0}, []float64{1, 1}; return p }, nil},
		{"no integer in bounds", ErrInfeasible, func(p *Problem) *Problem {
			p.Lower, p.Upper, p.Integer = []float64{0.2, 0}, []float64{0.8, 1}, []bool{true, false}
			return p
		}, nil},
		{"infeasible rows", ErrInfeasible, func(p *Problem) *Problem { p.Upper = []float64{0.2, 0.2}; return p }, nil},
		{"unbounded", ErrUnbounded, func(p *Problem) *Problem { p.C = []float64{-1, 0}; return p }, nil},
		{"IntTol 0.7", ErrSettings, func(p *Problem) *Problem { return p }, &Settings{IntTol: 0.7}},
		{"NaN gap", ErrSettings, func(p *Problem) *Problem { return p }, &Settings{GapTol: math.NaN()}},
		{"negative MaxIter", ErrSettings, func(p *Problem) *Problem { return p }, &Settings{MaxIter: -1}},
		{"negative TimeLimit", run.ErrSettings, func(p *Problem) *Problem { return p }, &Settings{TimeLimit: -time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := BranchBound{}.Solve(ctx, c.mod(ok()), c.set)
			if !errors.Is(err, c.err) {
				t.Errorf("got %v, want an error wrapping %v", err, c.err)
			}
		})
	}
}
