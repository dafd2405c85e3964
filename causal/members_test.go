package causal_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
)

// Two members of one equivalence class ({X1} and {X1,X2,X7} on P2) give
// the same predictor up to fitting noise, hence the same worst-case risk.
func TestClassMembersShareRisk(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	var envs []*mat.Dense
	for e := 1; e <= 10; e++ {
		envs = append(envs, problems.P2Env(2*e, 100, rng))
	}
	mean, std, err := causal.Moments(envs)
	if err != nil {
		t.Fatal(err)
	}
	for i := range envs {
		if envs[i], err = causal.Standardize(envs[i], mean, std); err != nil {
			t.Fatal(err)
		}
	}
	g := problems.P2Graph()
	m, err := causal.NewModel(context.Background(), g, "Y", "E", causal.Data{Vars: problems.P2Vars, Envs: envs}, &causal.Settings{Equation: causal.NewRFFLearner(40, 0, 1e-3, false), Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := g.IDs("X1")
	b, _ := g.IDs("X1", "X2", "X7")
	risk := func(sub []int64) float64 {
		r := rand.New(rand.NewPCG(5, 0))
		p, err := m.FitPredictor(context.Background(), sub, &causal.PredictorSettings{Learner: causal.NewRidgeLearner(1e-3), Rand: r})
		if err != nil {
			t.Fatal(err)
		}
		h, err := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Bound: 2, Rows: 300, MaxIter: 300, Restarts: 1, Rand: rand.New(rand.NewPCG(7, 0))})
		if err != nil {
			t.Fatal(err)
		}
		return h.Risk
	}
	ha, hb := risk(a), risk(b)
	if math.Abs(ha-hb) > 0.05*ha {
		t.Errorf("h*({X1}) = %.4f, h*({X1,X2,X7}) = %.4f: members of one class differ by more than 5%%", ha, hb)
	}
}

// The exhaustive path of SelectSubset evaluates the same subsets as the
// class search on P1 (two classes of one member each) and gets the same
// risks with the same random stream.
func TestSelectExhaustiveMatchesClasses(t *testing.T) {
	g, data, _ := p1Data(6, 300)
	run := func(exh bool) []float64 {
		set := &causal.Settings{Exhaustive: exh, Risk: causal.RiskSettings{Method: causal.Grid, Bound: 2, Rows: 200},
			Predictor: causal.NewRFFLearner(30, 0, 0, false), Equation: causal.NewRFFLearner(30, 0, 0, false), Rand: rand.New(rand.NewPCG(1, 0))}
		sel, err := causal.SelectSubset(context.Background(), g, "Y", "E", data, set)
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, c := range sel.Candidates {
			out = append(out, c.Risk.Risk)
		}
		return out
	}
	a, b := run(false), run(true)
	if len(a) != 2 || len(b) != 2 || a[0] != b[0] || a[1] != b[1] {
		t.Errorf("class search risks %v, exhaustive %v", a, b)
	}
}
