package causal_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

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
