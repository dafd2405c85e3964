package causal_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
)

// The paper's simulator: 45 equivalence classes instead of 256 subsets.
func ExampleEquivalenceClasses() {
	g := problems.P2Graph()
	ids, _ := g.IDs("Y", "E")
	c, err := causal.Parse(g, ids[0], ids[1])
	if err != nil {
		panic(err)
	}
	fmt.Println("W =", g.NameSet(c.W), "DeW =", g.NameSet(c.DeW), "full set optimal:", c.IsFullSet)
	classes, err := causal.EquivalenceClasses(context.Background(), c.StableGraph(g), c.Y)
	if err != nil {
		panic(err)
	}
	total := int64(0)
	for _, cl := range classes {
		total += cl.Size()
	}
	fmt.Println(len(classes), "classes covering", total, "subsets")
	// Output:
	// W = [X2 X3 X4 X9 X10] DeW = [X1] full set optimal: false
	// 45 classes covering 256 subsets
}

// P1: the whole stable set {X1} is not minimax when interventions on M may
// reach |M| = 3, but it is when they are bounded by 1.
func ExampleSelectSubset() {
	rng := rand.New(rand.NewPCG(1, 0))
	var envs []*mat.Dense
	for _, ge := range problems.P1TrainGains {
		envs = append(envs, problems.P1Env(ge, 1000, rng))
	}
	data := causal.Data{Vars: problems.P1Vars, Envs: envs}
	for _, B := range []float64{3, 1} {
		set := &causal.Settings{
			Predictor: causal.NewRFFLearner(100, 0, 1e-4, false),
			Equation:  causal.NewRFFLearner(100, 0, 1e-3, false),
			Risk:      causal.RiskSettings{Method: causal.Grid, Bound: B, Rows: 1000},
			Rand:      rng,
		}
		sel, err := causal.SelectSubset(context.Background(), problems.P1Graph(), "Y", "E", data, set)
		if err != nil {
			panic(err)
		}
		fmt.Printf("B=%v: S* = %s\n", B, causal.SubsetString(sel.Best.Names))
	}
	// Output:
	// B=3: S* = {}
	// B=1: S* = {X1}
}

// d-separation on a collider.
func ExampleGraph_DSeparated() {
	g, _ := causal.NewGraph([]string{"A", "B", "C"}, []causal.Edge{{From: "A", To: "C"}, {From: "B", To: "C"}})
	ids, _ := g.IDs("A", "B", "C")
	marginal, _ := g.DSeparated(ids[:1], ids[1:2], nil)
	given, _ := g.DSeparated(ids[:1], ids[1:2], ids[2:])
	fmt.Println(marginal, given)
	// Output:
	// true false
}

// Worst-case risk of a known linear pipeline: X1 := 0.5 Y + 0.3 M and
// f(X1, M) = 1.2 X1 - 0.2 M, so the regenerated error is 0.4 Y - 0.16 M and
// the worst case at |M| <= 2 is M = -2 sign(Y). The grid finds it exactly;
// the ascent is a local search, traced here by a History.
func ExampleModel_WorstCaseRisk() {
	rng := rand.New(rand.NewPCG(2, 0))
	var envs []*mat.Dense
	for _, ge := range problems.P1TrainGains {
		envs = append(envs, problems.P1Env(ge, 200, rng))
	}
	g := problems.P1Graph()
	m, err := causal.NewModel(context.Background(), g, "Y", "E", causal.Data{Vars: problems.P1Vars, Envs: envs}, &causal.Settings{Equation: causal.NewRidgeLearner(0), Rand: rng})
	if err != nil {
		panic(err)
	}
	ids, _ := g.IDs("Y", "M", "X1")
	m.SetEquation(ids[2], &causal.Ridge{W: []float64{0.5, 0.3}}, []int64{ids[0], ids[1]}, nil)
	p, _ := m.WrapPredictor([]int64{ids[2]}, &causal.Ridge{W: []float64{1.2, -0.2}})

	grid, _ := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Method: causal.Grid, Bound: 2, Rand: rng})
	fmt.Printf("grid: h* = %.3f, %v, worst M at row 0 (Y = %.2f): %v\n", grid.Risk, grid.Status, m.Column(ids[0])[0], grid.GridArgMax[0])

	var h causal.History
	asc, _ := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Bound: 2, Restarts: 2, Recorder: &h, Rand: rng})
	fmt.Printf("ascent: %d restarts, h* <= grid: %v, %d reports\n", len(asc.PerRestart), asc.Risk <= grid.Risk+1e-9, h.Len())

	se, _ := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Method: causal.Search, Bound: 2, MaxIter: 200, Restarts: 1})
	fmt.Printf("search: h* = %.3f, %v, row-wise sup %.3f, worst M at Y = 1: %.1f\n", se.Risk, se.Risk <= grid.Risk+1e-9, se.RowSup, se.Intervene(ids[1], []float64{1}))
	// Output:
	// grid: h* = 0.491, Completed, worst M at row 0 (Y = -0.36): 2
	// ascent: 2 restarts, h* <= grid: true, 213 reports
	// search: h* = 0.490, true, row-wise sup 0.491, worst M at Y = 1: -2.0
}
