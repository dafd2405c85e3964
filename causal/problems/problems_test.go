package problems_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/causal/problems"
)

func TestP1BayesSymmetryAndAccuracy(t *testing.T) {
	if v := problems.P1BayesF(0, 0); math.Abs(v) > 1e-12 {
		t.Errorf("f(0,0) = %g, want 0", v)
	}
	for _, c := range [][2]float64{{0.3, 1}, {-0.7, 2}, {0.95, -1.5}} {
		a, b := problems.P1BayesF(c[0], c[1]), problems.P1BayesF(-c[0], -c[1])
		if math.Abs(a+b) > 1e-9 {
			t.Errorf("f(%v) = %g, f(-x) = %g: not odd", c, a, b)
		}
	}
	// Away from saturation the posterior mean is close to atanh(x1) - m.
	if v := problems.P1BayesF(math.Tanh(0.2), 0); math.Abs(v-0.2) > 0.02 {
		t.Errorf("f(tanh 0.2, 0) = %g, want ≈ 0.2", v)
	}
	b := problems.NewP1Bayes()
	for _, c := range [][2]float64{{0.31, 0.52}, {-0.8, -2.03}} {
		if d := b.Predict(c[:]) - problems.P1BayesF(c[0], c[1]); math.Abs(d) > 0.01 {
			t.Errorf("table at %v off by %g", c, d)
		}
	}
}

func TestEnvShapes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	if r, c := problems.P1Env(1, 7, rng).Dims(); r != 7 || c != len(problems.P1Vars) {
		t.Errorf("P1Env is %d×%d", r, c)
	}
	if r, c := problems.P2Env(3, 5, rng).Dims(); r != 5 || c != len(problems.P2Vars) {
		t.Errorf("P2Env is %d×%d", r, c)
	}
	if g, err := problems.RandomDAG(12, 0.3, rng); err != nil || g.Len() != 12 {
		t.Errorf("RandomDAG has %d nodes", g.Len())
	}
}
