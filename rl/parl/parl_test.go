package parl

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/optlearn/optlearn/run"
)

// The successor-feature gradient equals central finite differences
// (h = 1e-5) with cosine ≥ 0.99999 (spec).
func TestGradientFiniteDifference(t *testing.T) {
	m := LavaGrid5()
	for _, nu := range [][]float64{{1, 0, 0}, {1, -0.3, 0.2}, {0.5, 0.4, -0.7}, {2, -0.2, 0.2}} {
		p, _ := SoftValueIteration(m, nu, 0.1)
		_, g, _ := p.Value(nil)
		fd := make([]float64, 3)
		const h = 1e-5
		for k := range nu {
			x := append([]float64(nil), nu...)
			x[k] += h
			pp, _ := SoftValueIteration(m, x, 0.1)
			fp, _, _ := pp.Value(nil)
			x[k] -= 2 * h
			pm, _ := SoftValueIteration(m, x, 0.1)
			fm, _, _ := pm.Value(nil)
			fd[k] = (fp - fm) / (2 * h)
		}
		if c := cosine(g, fd); c < 0.99999 {
			t.Errorf("ν = %v: cosine(∇F, finite differences) = %.7f; ∇F %v, fd %v", nu, c, g, fd)
		}
	}
}

func cosine(a, b []float64) float64 {
	return dot(a, b) / math.Sqrt(dot(a, a)*dot(b, b))
}

// The Monte-Carlo A-PARL estimator with the batch-mean baseline matches the
// exact preference gradient within 5% relative L2 with 2·10⁵ pairs (spec).
func TestPreferenceMonteCarlo(t *testing.T) {
	if testing.Short() {
		t.Skip("2·10⁵ pairs")
	}
	m := PreferenceTree()
	p, _ := SoftValueIteration(m, []float64{0.2, -0.1, 0.3, 0}, 0.5)
	_, exact, _, err := ExactPreference(p, m.TrueReward)
	if err != nil {
		t.Fatal(err)
	}
	fb := &Preference{Teacher: BradleyTerry{Reward: m.TrueReward}}
	for seed := uint64(1); seed <= 3; seed++ {
		g, err := Estimate(context.Background(), p, fb, &Settings{Lambda: 0.5, Batch: 200000, Rand: rand.New(rand.NewPCG(seed, 0))})
		if err != nil {
			t.Fatal(err)
		}
		diff := make([]float64, len(g))
		for k := range g {
			diff[k] = g[k] - exact[k]
		}
		if rel := math.Sqrt(dot(diff, diff) / dot(exact, exact)); rel > 0.05 {
			t.Errorf("seed %d: relative L2 error %.3f > 0.05 (estimate %v, exact %v)", seed, rel, g, exact)
		}
	}
}

// A-PARL on LavaGrid-5 (spec's main experiment, reduced to 2 seeds here;
// the example runs 5): F(ν₁₀₀) ≥ 0.81, and ahead of the decoupled
// baseline at iteration 30.
func TestAPARLLavaGrid(t *testing.T) {
	if testing.Short() {
		t.Skip("two 100-iteration runs")
	}
	m := LavaGrid5()
	for seed := uint64(1); seed <= 2; seed++ {
		var h History
		res, err := Run(context.Background(), m, []float64{1, 0, 0}, TrueReturn{Noise: 0.1},
			&Settings{Rand: rand.New(rand.NewPCG(seed, 0)), Recorder: &h, Exact: true})
		if err != nil {
			t.Fatal(err)
		}
		F, _, _ := res.Policy.Value(nil)
		if F < 0.81 || res.Status != run.Completed || res.Iterations != 100 || res.Queries != 3200 {
			t.Errorf("seed %d: F(ν₁₀₀) = %.4f (want ≥ 0.81), %v after %d iterations, %d queries", seed, F, res.Status, res.Iterations, res.Queries)
		}
		if h.Len() != 101 || math.Abs(h.Iters[100].F-F) > 1e-12 {
			t.Errorf("history: %d states, last F %v", h.Len(), h.Iters[h.Len()-1].F)
		}
		var hb History
		if _, err := Decoupled(context.Background(), m, []float64{1, 0, 0}, TrueReturn{Noise: 0.1},
			&Settings{MaxIter: 30, Rand: rand.New(rand.NewPCG(seed, 0)), Recorder: &hb, Exact: true}); err != nil {
			t.Fatal(err)
		}
		if gap := h.Iters[30].F - hb.Iters[30].F; gap < 0.05 {
			t.Errorf("seed %d: F at iteration 30: A-PARL %.4f, decoupled %.4f", seed, h.Iters[30].F, hb.Iters[30].F)
		}
	}
}

// Dropping term 2 with utility feedback leaves ν exactly unchanged.
func TestTermOneOnlyUtility(t *testing.T) {
	res, err := Run(context.Background(), LavaGrid5(), []float64{1, 0, 0}, TrueReturn{Noise: 0.1},
		&Settings{MaxIter: 10, TermOneOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Nu[0] != 1 || res.Nu[1] != 0 || res.Nu[2] != 0 {
		t.Errorf("ν moved to %v", res.Nu)
	}
}

// The same seed gives the same bits.
func TestDeterministic(t *testing.T) {
	a, _ := Run(context.Background(), LavaGrid5(), []float64{1, 0, 0}, TrueReturn{Noise: 0.1}, &Settings{MaxIter: 5, Rand: rand.New(rand.NewPCG(7, 0))})
	b, _ := Run(context.Background(), LavaGrid5(), []float64{1, 0, 0}, TrueReturn{Noise: 0.1}, &Settings{MaxIter: 5, Rand: rand.New(rand.NewPCG(7, 0))})
	for k := range a.Nu {
		if a.Nu[k] != b.Nu[k] {
			t.Fatalf("%v vs %v", a.Nu, b.Nu)
		}
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := Run(ctx, LavaGrid5(), []float64{1, 0, 0}, TrueReturn{}, &Settings{MaxIter: 1 << 30, Batch: 1 << 16})
	if !errors.Is(err, context.DeadlineExceeded) || res.Status != run.Canceled {
		t.Fatalf("got %v, %v", res.Status, err)
	}
	if d := time.Since(start); d > 120*time.Millisecond {
		t.Errorf("returned %v after the 20 ms deadline", d)
	}
}

type badLabel struct{}

func (badLabel) Prefer(*MDP, *Trajectory, *Trajectory, *rand.Rand) int { return 2 }

type constU float64

func (constU) Arity() int { return 1 }
func (c constU) Eval(*MDP, []float64, []Trajectory, []float64, *rand.Rand) (float64, error) {
	return float64(c), nil
}

// Bad input returns errors that name what is wrong, never a panic.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	grid := LavaGrid5()
	ragged := LavaGrid5()
	ragged.Features[3] = []float64{1}
	badP := LavaGrid5()
	badP.Next[0][0] = []Transition{{To: 1, P: 0.5}}
	unknown := LavaGrid5()
	unknown.Next[0][0] = []Transition{{To: 99, P: 1}}
	nanFeat := LavaGrid5()
	nanFeat.Features[2] = []float64{0, math.NaN(), 0}
	huge := &MDP{States: 1 << 20, Actions: 1 << 10, Horizon: 1 << 10}
	zeroH := LavaGrid5()
	zeroH.Horizon = 0
	badGamma := LavaGrid5()
	badGamma.Discount = 1.5
	nu := []float64{1, 0, 0}
	cases := []struct {
		name string
		err  error
		call func() error
	}{
		{"nil MDP", ErrMDP, func() error { _, err := SoftValueIteration(nil, nu, 0.1); return err }},
		{"ragged features", ErrMDP, func() error { _, err := SoftValueIteration(ragged, nu, 0.1); return err }},
		{"probabilities not summing to 1", ErrMDP, func() error { _, err := SoftValueIteration(badP, nu, 0.1); return err }},
		{"unknown next state", ErrMDP, func() error { _, err := SoftValueIteration(unknown, nu, 0.1); return err }},
		{"NaN feature", ErrMDP, func() error { _, err := SoftValueIteration(nanFeat, nu, 0.1); return err }},
		{"huge tables", ErrMDP, func() error { _, err := SoftValueIteration(huge, nu, 0.1); return err }},
		{"horizon 0", ErrMDP, func() error { _, err := SoftValueIteration(zeroH, nu, 0.1); return err }},
		{"discount 1.5", ErrMDP, func() error { _, err := SoftValueIteration(badGamma, nu, 0.1); return err }},
		{"feature dimension", ErrDimension, func() error { _, err := SoftValueIteration(grid, []float64{1, 0}, 0.1); return err }},
		{"NaN nu", ErrNotFinite, func() error { _, err := SoftValueIteration(grid, []float64{math.NaN(), 0, 0}, 0.1); return err }},
		{"temperature 0", ErrSettings, func() error { _, err := SoftValueIteration(grid, nu, 0); return err }},
		{"temperature -1", ErrSettings, func() error { _, err := SoftValueIteration(grid, nu, -1); return err }},
		{"temperature Inf", ErrSettings, func() error { _, err := SoftValueIteration(grid, nu, math.Inf(1)); return err }},
		{"Run λ < 0", ErrSettings, func() error { _, err := Run(ctx, grid, nu, TrueReturn{}, &Settings{Lambda: -1}); return err }},
		{"Run NaN LR", ErrSettings, func() error { _, err := Run(ctx, grid, nu, TrueReturn{}, &Settings{LR: math.NaN()}); return err }},
		{"Run batch < 0", ErrSettings, func() error { _, err := Run(ctx, grid, nu, TrueReturn{}, &Settings{Batch: -1}); return err }},
		{"Run MaxIter < 0", ErrSettings, func() error { _, err := Run(ctx, grid, nu, TrueReturn{}, &Settings{MaxIter: -1}); return err }},
		{"Run TimeLimit < 0", run.ErrSettings, func() error { _, err := Run(ctx, grid, nu, TrueReturn{}, &Settings{TimeLimit: -1}); return err }},
		{"Run nil feedback", ErrSettings, func() error { _, err := Run(ctx, grid, nu, nil, nil); return err }},
		{"Run nu length", ErrDimension, func() error { _, err := Run(ctx, grid, []float64{1}, TrueReturn{}, nil); return err }},
		{"negative noise", ErrSettings, func() error { _, err := Run(ctx, grid, nu, TrueReturn{Noise: -1}, nil); return err }},
		{"label outside {0,1}", ErrFeedback, func() error {
			_, err := Run(ctx, PreferenceTree(), []float64{0, 0, 0, 0}, &Preference{Teacher: badLabel{}}, nil)
			return err
		}},
		{"nil teacher", ErrSettings, func() error {
			_, err := Run(ctx, PreferenceTree(), []float64{0, 0, 0, 0}, &Preference{}, nil)
			return err
		}},
		{"NaN utility", ErrNotFinite, func() error { _, err := Run(ctx, grid, nu, constU(math.NaN()), nil); return err }},
		{"Decoupled with preferences", ErrSettings, func() error {
			_, err := Decoupled(ctx, PreferenceTree(), []float64{0, 0, 0, 0}, &Preference{Teacher: BradleyTerry{}}, nil)
			return err
		}},
		{"Decoupled ridge < 0", ErrSettings, func() error { _, err := Decoupled(ctx, grid, nu, TrueReturn{}, &Settings{Ridge: -1}); return err }},
		{"ExactPreference rstar length", ErrDimension, func() error {
			p, _ := SoftValueIteration(PreferenceTree(), []float64{0, 0, 0, 0}, 0.5)
			_, _, _, err := ExactPreference(p, []float64{1})
			return err
		}},
		{"ExactPreference too many trajectories", ErrSettings, func() error {
			p, _ := SoftValueIteration(grid, nu, 0.1)
			_, _, _, err := ExactPreference(p, grid.TrueReward)
			return err
		}},
		{"Value grad length", ErrDimension, func() error {
			p, _ := SoftValueIteration(grid, nu, 0.1)
			_, _, err := p.Value(make([]float64, 2))
			return err
		}},
		{"SuccessorFeatures dst length", ErrDimension, func() error {
			p, _ := SoftValueIteration(grid, nu, 0.1)
			_, err := p.SuccessorFeatures(make([]float64, 5), 0, 0, 0)
			return err
		}},
		{"Estimate nil policy", ErrSettings, func() error { _, err := Estimate(ctx, nil, TrueReturn{}, nil); return err }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			if !errors.Is(err, c.err) {
				t.Errorf("got %v, want an error wrapping %v", err, c.err)
			}
		})
	}
}
