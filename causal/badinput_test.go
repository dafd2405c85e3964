package causal_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
	"github.com/optlearn/optlearn/nn"
)

// TestBadInputCatalogue calls every exported entry point of causal and
// causal/problems with bad input and checks that it returns an error
// wrapping the named sentinel (want nil: the call must not panic and its
// documented answer is checked in the case). A panic fails the case.
func TestBadInputCatalogue(t *testing.T) {
	ctx := context.Background()
	g, data, rng := p1Data(21, 60)
	m, err := causal.NewModel(ctx, g, "Y", "E", data, &causal.Settings{Equation: causal.NewRidgeLearner(0), Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := g.IDs("Y", "M", "X1", "E")
	p, err := m.FitPredictor(ctx, ids[2:3], &causal.PredictorSettings{Learner: causal.NewRidgeLearner(0), Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	nanEnv := mat.DenseCopyOf(data.Envs[1])
	nanEnv.Set(2, 2, math.NaN())
	X := mat.NewDense(3, 2, []float64{1, 2, 3, 4, 5, 6})
	Xnan := mat.NewDense(3, 2, []float64{1, math.NaN(), 3, 4, 5, 6})
	y3 := []float64{1, 2, 3}
	sel := func(d causal.Data, s *causal.Settings) error {
		_, err := causal.SelectSubset(ctx, g, "Y", "E", d, s)
		return err
	}
	risk := func(s causal.RiskSettings) error {
		s.Rows, s.Restarts = 20, 1
		if s.MaxIter == 0 {
			s.MaxIter = 5
		}
		_, err := m.WorstCaseRisk(ctx, p, &s)
		return err
	}
	fit := func(r causal.Regressor, X *mat.Dense, y []float64) func() error {
		return func() error { return r.Fit(X, y) }
	}
	cycle := simple.NewDirectedGraph()
	cycle.SetEdge(simple.Edge{F: simple.Node(0), T: simple.Node(1)})
	cycle.SetEdge(simple.Edge{F: simple.Node(1), T: simple.Node(0)})
	cases := []struct {
		name string
		call func() error
		want error
	}{
		// graphs
		{"NewGraph no nodes", func() error { _, err := causal.NewGraph(nil, nil); return err }, causal.ErrGraph},
		{"NewGraph duplicate name", func() error { _, err := causal.NewGraph([]string{"A", "A"}, nil); return err }, causal.ErrGraph},
		{"NewGraph empty name", func() error { _, err := causal.NewGraph([]string{""}, nil); return err }, causal.ErrGraph},
		{"NewGraph unknown edge end", func() error {
			_, err := causal.NewGraph([]string{"A"}, []causal.Edge{{From: "A", To: "B"}})
			return err
		}, causal.ErrUnknownNode},
		{"NewGraph self loop", func() error {
			_, err := causal.NewGraph([]string{"A"}, []causal.Edge{{From: "A", To: "A"}})
			return err
		}, causal.ErrGraph},
		{"NewGraph cycle", func() error {
			_, err := causal.NewGraph([]string{"A", "B"}, []causal.Edge{{From: "A", To: "B"}, {From: "B", To: "A"}})
			return err
		}, causal.ErrCyclic},
		{"FromDirected nil", func() error { _, err := causal.FromDirected(nil, nil); return err }, causal.ErrGraph},
		{"FromDirected id beyond names", func() error { _, err := causal.FromDirected(cycle, []string{"A"}); return err }, causal.ErrGraph},
		{"FromDirected cycle", func() error { _, err := causal.FromDirected(cycle, []string{"A", "B"}); return err }, causal.ErrCyclic},
		{"Graph.ID unknown", func() error { _, err := g.ID("nope"); return err }, causal.ErrUnknownNode},
		{"Graph.IDs unknown", func() error { _, err := g.IDs("Y", "nope"); return err }, causal.ErrUnknownNode},
		{"Graph.DSeparated overlap", func() error { _, err := g.DSeparated(ids[:1], ids[1:2], ids[:1]); return err }, causal.ErrSettings},
		{"Graph queries on absent ids", func() error {
			if g.Parents(99) != nil || g.Children(-1) != nil || len(g.Descendants(99)) != 0 || len(g.Ancestors(-5)) != 0 ||
				g.Name(99) != "?99" || g.Has(-1) || len(g.AncestralSet(99)) != 1 {
				return errors.New("absent ids not ignored")
			}
			g.Without(99, -1)
			g.WithoutIncoming(99)
			_, err := g.DSeparated([]int64{99}, []int64{-1}, nil)
			return err
		}, nil},
		// components and classes
		{"Parse nil graph", func() error { _, err := causal.Parse(nil, 0, 1); return err }, causal.ErrGraph},
		{"Parse unknown outcome", func() error { _, err := causal.Parse(g, 42, ids[3]); return err }, causal.ErrUnknownNode},
		{"Parse y == e", func() error { _, err := causal.Parse(g, ids[0], ids[0]); return err }, causal.ErrGraph},
		{"Parse E with parents", func() error {
			h, _ := causal.NewGraph([]string{"Y", "M", "E"}, []causal.Edge{{From: "Y", To: "E"}, {From: "E", To: "M"}})
			_, err := causal.Parse(h, 0, 2)
			return err
		}, causal.ErrGraph},
		{"Parse Y child of E", func() error {
			h, _ := causal.NewGraph([]string{"Y", "M", "E"}, []causal.Edge{{From: "E", To: "Y"}, {From: "E", To: "M"}})
			_, err := causal.Parse(h, 0, 2)
			return err
		}, causal.ErrGraph},
		{"Parse Y descendant of mutable", func() error {
			h, _ := causal.NewGraph([]string{"Y", "M", "E"}, []causal.Edge{{From: "M", To: "Y"}, {From: "E", To: "M"}})
			_, err := causal.Parse(h, 0, 2)
			return err
		}, causal.ErrGraph},
		{"Components.StableGraph nil", func() error {
			if (causal.Components{}).StableGraph(nil) != nil {
				return errors.New("not nil")
			}
			return nil
		}, nil},
		{"EquivalenceClasses nil graph", func() error { _, err := causal.EquivalenceClasses(ctx, nil, 0); return err }, causal.ErrGraph},
		{"EquivalenceClasses unknown y", func() error { _, err := causal.EquivalenceClasses(ctx, g, 42); return err }, causal.ErrUnknownNode},
		{"ExhaustiveClasses nil graph", func() error { _, err := causal.ExhaustiveClasses(ctx, nil, 0); return err }, causal.ErrGraph},
		{"ExhaustiveClasses unknown y", func() error { _, err := causal.ExhaustiveClasses(ctx, g, -1); return err }, causal.ErrUnknownNode},
		{"ExhaustiveClasses too many nodes", func() error {
			big, _ := problems.RandomDAG(30, 0.1, rng)
			_, err := causal.ExhaustiveClasses(ctx, big, 0)
			return err
		}, causal.ErrGraph},
		{"Class.Members too large", func() error { _, err := causal.Class{Free: make([]int64, 25)}.Members(); return err }, causal.ErrSettings},
		{"Class.Size huge", func() error {
			if (causal.Class{Free: make([]int64, 70)}).Size() != 1<<62 {
				return errors.New("no saturation")
			}
			return nil
		}, nil},
		// data
		{"Data.Validate nil graph", func() error { return data.Validate(nil, 0) }, causal.ErrGraph},
		{"Data.Validate nil env", func() error {
			return causal.Data{Vars: data.Vars, Envs: []*mat.Dense{data.Envs[0], nil}}.Validate(g, ids[3])
		}, causal.ErrData},
		{"Data.Validate NaN", func() error {
			return causal.Data{Vars: data.Vars, Envs: []*mat.Dense{data.Envs[0], nanEnv}}.Validate(g, ids[3])
		}, causal.ErrNotFinite},
		{"Data.Validate E as column", func() error { return causal.Data{Vars: []string{"Y", "M", "E"}, Envs: data.Envs}.Validate(g, ids[3]) }, causal.ErrData},
		{"Data.Validate duplicate column", func() error { return causal.Data{Vars: []string{"Y", "Y", "X1"}, Envs: data.Envs}.Validate(g, ids[3]) }, causal.ErrData},
		{"Moments no envs", func() error { _, _, err := causal.Moments(nil); return err }, causal.ErrData},
		{"Moments nil env", func() error { _, _, err := causal.Moments([]*mat.Dense{nil}); return err }, causal.ErrData},
		{"Moments ragged", func() error { _, _, err := causal.Moments([]*mat.Dense{X, data.Envs[0]}); return err }, causal.ErrDimension},
		{"Moments NaN", func() error { _, _, err := causal.Moments([]*mat.Dense{Xnan}); return err }, causal.ErrNotFinite},
		{"Standardize zero std", func() error { _, err := causal.Standardize(X, []float64{0, 0}, []float64{1, 0}); return err }, causal.ErrData},
		{"Standardize negative std", func() error { _, err := causal.Standardize(X, []float64{0, 0}, []float64{1, -1}); return err }, causal.ErrData},
		{"Standardize NaN mean", func() error { _, err := causal.Standardize(X, []float64{math.NaN(), 0}, []float64{1, 1}); return err }, causal.ErrNotFinite},
		{"Standardize NaN data", func() error { _, err := causal.Standardize(Xnan, []float64{0, 0}, []float64{1, 1}); return err }, causal.ErrNotFinite},
		{"Standardize length", func() error { _, err := causal.Standardize(X, []float64{0}, []float64{1}); return err }, causal.ErrDimension},
		{"Standardize nil", func() error { _, err := causal.Standardize(nil, nil, nil); return err }, causal.ErrData},
		// model
		{"NewModel nil graph", func() error { _, err := causal.NewModel(ctx, nil, "Y", "E", data, nil); return err }, causal.ErrGraph},
		{"NewModel unknown env", func() error { _, err := causal.NewModel(ctx, g, "Y", "Q", data, nil); return err }, causal.ErrUnknownNode},
		{"NewModel NaN data", func() error {
			_, err := causal.NewModel(ctx, g, "Y", "E", causal.Data{Vars: data.Vars, Envs: []*mat.Dense{data.Envs[0], nanEnv}}, nil)
			return err
		}, causal.ErrNotFinite},
		{"NewModel nil rand is the fixed seed", func() error {
			_, err := causal.NewModel(ctx, g, "Y", "E", data, &causal.Settings{Equation: causal.NewRidgeLearner(0)})
			return err
		}, nil},
		{"FitSEM nil learner", func() error { _, err := causal.FitSEM(ctx, nil, nil, nil, nil, nil); return err }, causal.ErrSettings},
		{"FitSEM missing column", func() error {
			_, err := causal.FitSEM(ctx, [][]float64{{1, 2}}, []int64{3}, nil, causal.NewRidgeLearner(0), nil)
			return err
		}, causal.ErrData},
		{"FitSEM ragged parent", func() error {
			_, err := causal.FitSEM(ctx, [][]float64{{1, 2}, {1}}, []int64{0}, map[int64][]int64{0: {1}}, causal.NewRidgeLearner(0), nil)
			return err
		}, causal.ErrData},
		{"Model.SetEquation nil", func() error { return m.SetEquation(ids[2], nil, ids[:2], nil) }, causal.ErrSettings},
		{"Model.SetEquation unknown node", func() error { return m.SetEquation(42, &causal.Ridge{}, nil, nil) }, causal.ErrUnknownNode},
		{"Model.SetEquation NaN residual", func() error {
			return m.SetEquation(ids[2], &causal.Ridge{W: []float64{1, 1}}, ids[:2], []float64{math.NaN()})
		}, causal.ErrNotFinite},
		{"Model.Column absent", func() error {
			if m.Column(99) != nil || m.Column(-1) != nil || m.Column(ids[3]) != nil {
				return errors.New("column for an absent node")
			}
			return nil
		}, nil},
		{"Model.DoSample zero rows", func() error { _, err := m.DoSample(0, false, nil); return err }, causal.ErrSettings},
		{"Model.DoSample too many rows", func() error { _, err := m.DoSample(causal.MaxRows+1, false, nil); return err }, causal.ErrSettings},
		{"Model.FitPredictor mutable in subset", func() error { _, err := m.FitPredictor(ctx, ids[1:2], nil); return err }, causal.ErrUnknownNode},
		{"Model.FitPredictor negative DoRows", func() error { _, err := m.FitPredictor(ctx, nil, &causal.PredictorSettings{DoRows: -1}); return err }, causal.ErrSettings},
		{"Model.WrapPredictor nil", func() error { _, err := m.WrapPredictor(nil, nil); return err }, causal.ErrSettings},
		{"Predictor.PredictRow short row", func() error { _, err := p.PredictRow([]float64{1}); return err }, causal.ErrDimension},
		{"Predictor.MSE nil", func() error { _, err := p.MSE(nil); return err }, causal.ErrData},
		{"Predictor.MSE narrow", func() error { _, err := p.MSE(mat.NewDense(2, 1, nil)); return err }, causal.ErrData},
		// worst-case risk
		{"WorstCaseRisk nil predictor", func() error { _, err := m.WorstCaseRisk(ctx, nil, nil); return err }, causal.ErrSettings},
		{"WorstCaseRisk nil model", func() error { var nm *causal.Model; _, err := nm.WorstCaseRisk(ctx, p, nil); return err }, causal.ErrSettings},
		{"WorstCaseRisk NaN bound", func() error { return risk(causal.RiskSettings{Bound: math.NaN()}) }, causal.ErrNotFinite},
		{"WorstCaseRisk Inf bound", func() error { return risk(causal.RiskSettings{Bound: math.Inf(1)}) }, causal.ErrSettings},
		{"WorstCaseRisk negative bound", func() error { return risk(causal.RiskSettings{Bound: -1}) }, causal.ErrSettings},
		{"WorstCaseRisk NaN LR", func() error { return risk(causal.RiskSettings{LR: math.NaN()}) }, causal.ErrNotFinite},
		{"WorstCaseRisk NaN Lambda", func() error { return risk(causal.RiskSettings{Lambda: math.NaN()}) }, causal.ErrNotFinite},
		{"WorstCaseRisk NaN Tol", func() error { return risk(causal.RiskSettings{Tol: math.NaN()}) }, causal.ErrNotFinite},
		{"WorstCaseRisk NaN InitScale", func() error { return risk(causal.RiskSettings{InitScale: math.NaN()}) }, causal.ErrNotFinite},
		{"WorstCaseRisk negative LR", func() error { return risk(causal.RiskSettings{LR: -1}) }, causal.ErrSettings},
		{"WorstCaseRisk negative MaxIter", func() error { return risk(causal.RiskSettings{MaxIter: -1}) }, causal.ErrSettings},
		{"WorstCaseRisk negative Patience", func() error { return risk(causal.RiskSettings{Patience: -1}) }, causal.ErrSettings},
		{"WorstCaseRisk one grid point", func() error { return risk(causal.RiskSettings{Method: causal.Grid, GridPoints: 1}) }, causal.ErrSettings},
		{"WorstCaseRisk huge grid", func() error { return risk(causal.RiskSettings{Method: causal.Grid, GridPoints: 1 << 30}) }, causal.ErrSettings},
		{"WorstCaseRisk unknown method", func() error { return risk(causal.RiskSettings{Method: 99}) }, causal.ErrSettings},
		{"WorstCaseRisk negative Tol turns early stopping off", func() error { return risk(causal.RiskSettings{Tol: -1}) }, nil},
		{"WorstCaseRisk non-differentiable predictor", func() error {
			q, _ := m.WrapPredictor(ids[2:3], plainRegressor{})
			_, err := m.WorstCaseRisk(ctx, q, &causal.RiskSettings{Rows: 10, MaxIter: 2})
			return err
		}, causal.ErrSettings},
		{"WorstCaseRisk search non-differentiable predictor", func() error {
			q, _ := m.WrapPredictor(ids[2:3], plainRegressor{})
			_, err := m.WorstCaseRisk(ctx, q, &causal.RiskSettings{Method: causal.Search, Rows: 10, MaxIter: 2})
			return err
		}, causal.ErrSettings},
		{"WorstCaseRisk search NaN predictions", func() error {
			q, _ := m.WrapPredictor(ids[2:3], nanDiff{})
			_, err := m.WorstCaseRisk(ctx, q, &causal.RiskSettings{Method: causal.Search, Rows: 10, MaxIter: 2, GridPoints: 3})
			return err
		}, causal.ErrNotFinite},
		{"WorstCaseRisk NaN predictions", func() error {
			q, _ := m.WrapPredictor(ids[2:3], nanRegressor{})
			_, err := m.WorstCaseRisk(ctx, q, &causal.RiskSettings{Method: causal.Grid, Rows: 10, GridPoints: 3})
			return err
		}, causal.ErrNotFinite},
		{"RiskResult.Intervene unknown", func() error {
			if v := (causal.RiskResult{}).Intervene(ids[1], []float64{1, 2, 3}); !math.IsNaN(v) {
				return errors.New("not NaN")
			}
			return nil
		}, nil},
		// selection
		{"SelectSubset one environment", func() error { return sel(causal.Data{Vars: data.Vars, Envs: data.Envs[:1]}, nil) }, causal.ErrData},
		{"SelectSubset negative DoRows", func() error { return sel(data, &causal.Settings{DoRows: -3}) }, causal.ErrSettings},
		{"SelectSubset NaN bound", func() error { return sel(data, &causal.Settings{Risk: causal.RiskSettings{Bound: math.NaN()}}) }, causal.ErrNotFinite},
		{"SelectSubset nil graph", func() error { _, err := causal.SelectSubset(ctx, nil, "Y", "E", data, nil); return err }, causal.ErrGraph},
		// regressors
		{"Ridge.Fit nil X", fit(&causal.Ridge{}, nil, nil), causal.ErrData},
		{"Ridge.Fit length mismatch", fit(&causal.Ridge{}, X, y3[:2]), causal.ErrData},
		{"Ridge.Fit NaN X", fit(&causal.Ridge{}, Xnan, y3), causal.ErrNotFinite},
		{"Ridge.Fit NaN y", fit(&causal.Ridge{}, X, []float64{1, math.NaN(), 3}), causal.ErrNotFinite},
		{"Ridge.Fit NaN Lambda", fit(&causal.Ridge{Lambda: math.NaN()}, X, y3), causal.ErrNotFinite},
		{"Ridge.Fit negative Lambda", fit(&causal.Ridge{Lambda: -1}, X, y3), causal.ErrSettings},
		{"RFFRidge.Fit NaN X", fit(&causal.RFFRidge{}, Xnan, y3), causal.ErrNotFinite},
		{"RFFRidge.Fit NaN Bandwidth", fit(&causal.RFFRidge{Bandwidth: math.NaN()}, X, y3), causal.ErrNotFinite},
		{"RFFRidge.Fit negative Features", fit(&causal.RFFRidge{Features: -1}, X, y3), causal.ErrSettings},
		{"RFFRidge.Fit huge Features", fit(&causal.RFFRidge{Features: 1 << 40}, X, y3), causal.ErrSettings},
		{"RFFRidge.Fit nil Rand is the fixed seed", fit(&causal.RFFRidge{Features: 5}, X, y3), nil},
		{"MLPRegressor.Fit NaN y", fit(&causal.MLPRegressor{}, X, []float64{math.NaN(), 1, 2}), causal.ErrNotFinite},
		{"MLPRegressor.Fit zero width", fit(&causal.MLPRegressor{Hidden: []int{0}}, X, y3), causal.ErrSettings},
		{"MLPRegressor.Fit huge width", fit(&causal.MLPRegressor{Hidden: []int{1 << 40}}, X, y3), causal.ErrSettings},
		{"MLPRegressor.Fit huge weights", fit(&causal.MLPRegressor{Hidden: []int{90000, 90000}}, X, y3), causal.ErrSettings},
		{"MLPRegressor.Fit NaN LR", fit(&causal.MLPRegressor{Train: &nn.TrainSettings{LR: math.NaN()}}, X, y3), causal.ErrNotFinite},
		{"MLPRegressor.FitContext canceled", func() error {
			c, cancel := context.WithCancel(ctx)
			cancel()
			return (&causal.MLPRegressor{}).FitContext(c, X, y3)
		}, context.Canceled},
		{"NewMLPLearner nil rand", fit(causal.NewMLPLearner(nil, &nn.TrainSettings{Epochs: 1})(nil), X, y3), nil},
		{"NewEquationLearner NaN", fit(causal.NewEquationLearner()(nil), Xnan, y3), causal.ErrNotFinite},
		{"NewRFFLearner negative lambda", fit(causal.NewRFFLearner(5, 0, -1, true)(nil), X, y3), causal.ErrSettings},
		{"NewRidgeLearner NaN lambda", fit(causal.NewRidgeLearner(math.NaN())(nil), X, y3), causal.ErrNotFinite},
		// problems
		{"problems.P1Env zero rows", func() error { return nilIsErr(problems.P1Env(1, 0, nil) == nil) }, nil},
		{"problems.P1Env nil rng", func() error { return nilIsErr(problems.P1Env(1, 3, nil) != nil) }, nil},
		{"problems.P2Env negative rows", func() error { return nilIsErr(problems.P2Env(1, -5, nil) == nil) }, nil},
		{"problems.P2Env too many rows", func() error { return nilIsErr(problems.P2Env(1, problems.MaxRows+1, nil) == nil) }, nil},
		{"problems.RandomDAG zero nodes", func() error { _, err := problems.RandomDAG(0, 0.5, nil); return err }, causal.ErrSettings},
		{"problems.RandomDAG NaN p", func() error { _, err := problems.RandomDAG(3, math.NaN(), nil); return err }, causal.ErrSettings},
		{"problems.RandomDAG huge", func() error { _, err := problems.RandomDAG(1<<30, 0.5, nil); return err }, causal.ErrSettings},
		{"problems.P1BayesF NaN", func() error { return nilIsErr(!math.IsInf(problems.P1BayesF(math.NaN(), 0), 0)) }, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			err := tc.call()
			switch {
			case tc.want == nil && err != nil:
				t.Errorf("err = %v, want nil", err)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
	t.Logf("%d bad-input cases", len(cases))
}

// nilIsErr turns a failed expectation into an error.
func nilIsErr(ok bool) error {
	if !ok {
		return errors.New("unexpected result")
	}
	return nil
}

// plainRegressor is a Regressor without an input gradient.
type plainRegressor struct{}

func (plainRegressor) Fit(*mat.Dense, []float64) error { return nil }
func (plainRegressor) Predict([]float64) float64       { return 0 }

// nanRegressor predicts NaN, as a broken user model might.
type nanRegressor struct{ plainRegressor }

func (nanRegressor) Predict([]float64) float64 { return math.NaN() }

// nanDiff is a Differentiable model that predicts NaN.
type nanDiff struct{ nanRegressor }

func (nanDiff) PredictGrad(g, _ []float64) float64 {
	clear(g)
	return math.NaN()
}
