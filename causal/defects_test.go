package causal_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/run"
)

// fullSetData is a graph where K ∩ Ch(Y) = ∅ (M is not a child of Y's
// child's parents), so the whole stable set is optimal.
func fullSetData(t *testing.T) (*causal.Graph, causal.Data, *rand.Rand) {
	t.Helper()
	g, err := causal.NewGraph([]string{"Y", "M", "X1", "E"}, []causal.Edge{{From: "E", To: "M"}, {From: "Y", To: "M"}, {From: "Y", To: "X1"}})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(8, 0))
	var envs []*mat.Dense
	for _, ge := range []float64{-1, 1} {
		X := mat.NewDense(200, 3, nil)
		for i := 0; i < 200; i++ {
			y := rng.NormFloat64()
			X.SetRow(i, []float64{y, ge*y + rng.NormFloat64(), math.Tanh(y) + 0.1*rng.NormFloat64()})
		}
		envs = append(envs, X)
	}
	return g, causal.Data{Vars: []string{"Y", "M", "X1"}, Envs: envs}, rng
}

// The spec's full-set shortcut: when the graph says X_S is optimal,
// SelectSubset fits its predictor and estimates no worst-case risk (before
// the fix it ran the risk estimator on the one candidate).
func TestFullSetShortcutEstimatesNoRisk(t *testing.T) {
	g, data, rng := fullSetData(t)
	calls := 0
	count := run.RecorderFunc[*causal.RiskIter](func(*causal.RiskIter) error { calls++; return nil })
	sel, err := causal.SelectSubset(context.Background(), g, "Y", "E", data, &causal.Settings{
		Predictor: causal.NewRidgeLearner(0), Equation: causal.NewRidgeLearner(0),
		Risk: causal.RiskSettings{Method: causal.Grid, Bound: 1, Recorder: count}, Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	if !sel.FullSet || len(sel.Best.Names) != 1 || sel.Best.Predictor == nil {
		t.Fatalf("FullSet=%v, best %v: want the full stable set {X1} with its predictor", sel.FullSet, sel.Best.Names)
	}
	if calls != 0 || sel.Best.Risk.Evals != 0 || !math.IsNaN(sel.Best.Risk.Risk) {
		t.Errorf("risk estimator ran on the shortcut: %d recorder calls, %d evaluations, h* = %v", calls, sel.Best.Risk.Evals, sel.Best.Risk.Risk)
	}
}

// NewMLPLearner builds the paper's sigmoid predictor by default (it used
// nn's zero activation, tanh).
func TestMLPLearnerDefaultSigmoid(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	X := mat.NewDense(50, 2, nil)
	y := make([]float64, 50)
	for i := range y {
		a, b := rng.NormFloat64(), rng.NormFloat64()
		X.SetRow(i, []float64{a, b})
		y[i] = a - b
	}
	r := causal.NewMLPLearner(nil, &nn.TrainSettings{Epochs: 5})(rng)
	if err := r.Fit(X, y); err != nil {
		t.Fatal(err)
	}
	if act := r.(*causal.MLPRegressor).Net.Act; act != nn.Sigmoid {
		t.Errorf("NewMLPLearner's default activation is %v, want sigmoid (the paper's predictor)", act)
	}
}

// linearShift returns training data of a linear SCM Y -> M (mutable),
// X1 = Y + M + noise, and a test environment in which M is intervened to
// values far outside its training range.
func linearShift(rng *rand.Rand, shift float64) (*causal.Graph, causal.Data, *mat.Dense) {
	g, _ := causal.NewGraph([]string{"Y", "M", "X1", "E"}, []causal.Edge{{From: "E", To: "M"}, {From: "Y", To: "M"}, {From: "Y", To: "X1"}, {From: "M", To: "X1"}})
	env := func(ge, m0 float64, n int) *mat.Dense {
		X := mat.NewDense(n, 3, nil)
		for i := 0; i < n; i++ {
			y := rng.NormFloat64()
			m := ge*y + 0.5*rng.NormFloat64()
			if m0 != 0 {
				m = m0 + 0.5*rng.NormFloat64()
			}
			X.SetRow(i, []float64{y, m, y + m + 0.1*rng.NormFloat64()})
		}
		return X
	}
	return g, causal.Data{Vars: []string{"Y", "M", "X1"}, Envs: []*mat.Dense{env(-0.5, 0, 500), env(0.5, 0, 500)}}, env(0, shift, 1000)
}

// The default learner extrapolates when an environment moves a mutable
// variable outside its training range: ridge on random Fourier features
// alone reverts to the mean there; with the raw inputs as extra linear
// features it follows the linear trend.
func TestDefaultLearnerExtrapolates(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	g, data, shifted := linearShift(rng, 6)
	x1, _ := g.ID("X1")
	mse := func(learn causal.Learner) float64 {
		set := &causal.Settings{Predictor: learn, Equation: learn, Rand: rand.New(rand.NewPCG(5, 0))}
		m, err := causal.NewModel(context.Background(), g, "Y", "E", data, set)
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.FitPredictor(context.Background(), []int64{x1}, &causal.PredictorSettings{Learner: learn, Rand: set.Rand})
		if err != nil {
			t.Fatal(err)
		}
		v, err := p.MSE(shifted)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	rffOnly := mse(causal.NewRFFLearner(0, 0, 0, false))
	def := mse(nil)
	t.Logf("f_{X1} MSE with M moved to 6 ± 0.5 (training |M| < 2.5): RFF only %.3f, default (RFF + linear) %.3f", rffOnly, def)
	if def > 0.1 || def > rffOnly/10 {
		t.Errorf("default learner MSE %.3f outside the training range (RFF only %.3f): want < 0.1", def, rffOnly)
	}
}

// P1 measured: f_{X1} on environments with g_e beyond the training gains,
// with the RFF-only learner and the default one (logged, for the README).
func TestP1ExtrapolationMeasured(t *testing.T) {
	if testing.Short() {
		t.Skip("P1 pipeline")
	}
	rng := rand.New(rand.NewPCG(6, 0))
	var envs []*mat.Dense
	for _, ge := range problems.P1TrainGains {
		envs = append(envs, problems.P1Env(ge, 1000, rng))
	}
	data := causal.Data{Vars: problems.P1Vars, Envs: envs}
	g := problems.P1Graph()
	x1, _ := g.ID("X1")
	test := map[float64]*mat.Dense{0: problems.P1Env(0, 3000, rng), 4: problems.P1Env(4, 3000, rng), -4: problems.P1Env(-4, 3000, rng)}
	for _, linear := range []bool{false, true} {
		learn := causal.NewRFFLearner(0, 0, 0, linear)
		set := &causal.Settings{Predictor: learn, Equation: learn, Rand: rand.New(rand.NewPCG(7, 0))}
		m, err := causal.NewModel(context.Background(), g, "Y", "E", data, set)
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.FitPredictor(context.Background(), []int64{x1}, &causal.PredictorSettings{Learner: learn, Rand: set.Rand})
		if err != nil {
			t.Fatal(err)
		}
		var out []float64
		for _, ge := range []float64{0, 4, -4} {
			v, err := p.MSE(test[ge])
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, v)
		}
		t.Logf("P1 f_{X1}, linear features %v: MSE %.3f (g_e=0), %.3f (g_e=4), %.3f (g_e=-4)", linear, out[0], out[1], out[2])
	}
}
