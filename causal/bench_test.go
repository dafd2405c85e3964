package causal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
)

// benchGraph returns a random sparse DAG on n nodes with expected degree
// deg, and as outcome the last node of degree 3 (preferring one parent and
// two children).
func benchGraph(n int, deg float64) (*causal.Graph, int64) {
	rng := rand.New(rand.NewPCG(30, 0))
	g, _ := problems.RandomDAG(n, deg/float64(n-1), rng)
	y := int64(-1)
	for _, v := range g.Nodes() {
		if len(g.Parents(v))+len(g.Children(v)) == 3 && (y < 0 || len(g.Parents(v)) == 1) {
			y = v
		}
	}
	if y < 0 {
		y = int64(n / 2)
	}
	return g, y
}

// BenchmarkEquivalenceClasses compares the class search (Alg. 2) with the
// exhaustive baseline on 16 nodes, and runs the class search alone on 30
// nodes, where the baseline's 2^29 subsets are out of reach. The number of
// classes grows quickly with density: marginalising nodes creates MAG
// adjacencies to Y.
func BenchmarkEquivalenceClasses(b *testing.B) {
	ctx := context.Background()
	for _, tc := range []struct {
		n          int
		deg        float64
		exhaustive bool
	}{{16, 1.5, true}, {30, 1.5, false}, {30, 2, false}} {
		g, y := benchGraph(tc.n, tc.deg)
		name := fmt.Sprintf("n=%d/deg=%.1f", tc.n, tc.deg)
		b.Run(name+"/classes", func(b *testing.B) {
			b.ReportAllocs()
			var k int
			for b.Loop() {
				cls, err := causal.EquivalenceClasses(ctx, g, y)
				if err != nil {
					b.Fatal(err)
				}
				k = len(cls)
			}
			b.ReportMetric(float64(k), "classes")
			b.ReportMetric(float64(int64(1)<<(tc.n-1)), "subsets")
		})
		if !tc.exhaustive {
			continue
		}
		b.Run(name+"/exhaustive", func(b *testing.B) {
			b.ReportAllocs()
			var k int
			for b.Loop() {
				gr, err := causal.ExhaustiveClasses(ctx, g, y)
				if err != nil {
					b.Fatal(err)
				}
				k = len(gr)
			}
			b.ReportMetric(float64(k), "classes")
		})
	}
}

// BenchmarkGridRisk measures the grid estimator (one mutable variable) in
// predictor evaluations per second, with ridge and RFF predictors.
func BenchmarkGridRisk(b *testing.B) {
	g, data, rng := p1Data(1, 200)
	m, err := causal.NewModel(context.Background(), g, "Y", "E", data, &causal.Settings{Equation: causal.NewRFFLearner(100, 0, 1e-3, false), Rand: rng})
	if err != nil {
		b.Fatal(err)
	}
	x1, _ := g.ID("X1")
	for name, learn := range map[string]causal.Learner{
		"ridge": causal.NewRidgeLearner(0),
		"rff":   causal.NewRFFLearner(100, 0, 1e-4, false),
	} {
		p, err := m.FitPredictor(context.Background(), []int64{x1}, &causal.PredictorSettings{Learner: learn, Rand: rng})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			evals := 0
			for b.Loop() {
				r, err := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Method: causal.Grid, Bound: 3, Rand: rng})
				if err != nil {
					b.Fatal(err)
				}
				evals += r.Evals
			}
			b.ReportMetric(float64(evals)/b.Elapsed().Seconds(), "evals/s")
		})
	}
}

// BenchmarkWorstCaseEstimators measures the wall time of one h* by the
// paper's ascent and by Search in the same run: P1 with the exact model
// (400 rows, the ascent's defaults; Search with a 100-step polish), and
// P2 with RFF equations and predictor on {X1, X2} (225 rows, the
// example's quick settings).
func BenchmarkWorstCaseEstimators(b *testing.B) {
	g, data, rng := p1Data(10, 200)
	m, err := causal.NewModel(context.Background(), g, "Y", "E", data, &causal.Settings{Equation: causal.NewRidgeLearner(0), Rand: rng})
	if err != nil {
		b.Fatal(err)
	}
	ids, _ := g.IDs("Y", "M", "X1")
	if err := m.SetEquation(ids[2], problems.P1TrueX1{}, []int64{ids[0], ids[1]}, nil); err != nil {
		b.Fatal(err)
	}
	p1, _ := m.WrapPredictor([]int64{ids[2]}, problems.NewP1Bayes())

	var envs []*mat.Dense
	for e := 1; e <= 10; e++ {
		envs = append(envs, problems.P2Env(2*e, 100, rng))
	}
	mean, std, _ := causal.Moments(envs)
	for i := range envs {
		envs[i], _ = causal.Standardize(envs[i], mean, std)
	}
	g2 := problems.P2Graph()
	m2, err := causal.NewModel(context.Background(), g2, "Y", "E", causal.Data{Vars: problems.P2Vars, Envs: envs}, &causal.Settings{Equation: causal.NewRFFLearner(40, 0, 1e-3, true), Rand: rng})
	if err != nil {
		b.Fatal(err)
	}
	sub, _ := g2.IDs("X1", "X2")
	p2, err := m2.FitPredictor(context.Background(), sub, &causal.PredictorSettings{Learner: causal.NewRFFLearner(60, 0, 1e-3, true), Rand: rng})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		m    *causal.Model
		p    *causal.Predictor
		s    causal.RiskSettings
	}{
		{"P1/ascent", m, p1, causal.RiskSettings{Bound: 3, Rows: 400}},
		{"P1/search", m, p1, causal.RiskSettings{Method: causal.Search, Bound: 3, Rows: 400, GridPoints: 31, MaxIter: 100, Patience: 20, Restarts: 1}},
		{"P2/ascent", m2, p2, causal.RiskSettings{Bound: 3, Rows: 225, MaxIter: 400, Patience: 20, Restarts: 1}},
		{"P2/search", m2, p2, causal.RiskSettings{Method: causal.Search, Bound: 3, Rows: 225, GridPoints: 31, MaxIter: 60, Patience: 20, Restarts: 1}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			h := 0.0
			for b.Loop() {
				s := c.s
				s.Rand = rand.New(rand.NewPCG(1, 2))
				r, err := c.m.WorstCaseRisk(context.Background(), c.p, &s)
				if err != nil {
					b.Fatal(err)
				}
				h = r.Risk
			}
			b.ReportMetric(h, "h*")
		})
	}
}
