package causal_test

import (
	"context"
	"testing"
	"time"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
)

// On P1 with the exact model (true mechanism, Bayes-optimal f) the paper's
// ascent parks at a constant M := ±3, well below the grid's supremum;
// Search reaches the supremum (>= 0.95 of it) and never exceeds it beyond
// the grid's discretisation, since it reports the risk of an intervention
// it holds.
func TestSearchReachesGridOnP1(t *testing.T) {
	if testing.Short() {
		t.Skip("P1 exact model")
	}
	g, data, rng := p1Data(10, 200)
	m, err := causal.NewModel(context.Background(), g, "Y", "E", data, &causal.Settings{Equation: causal.NewRidgeLearner(0), Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := g.IDs("Y", "M", "X1")
	if err := m.SetEquation(ids[2], problems.P1TrueX1{}, []int64{ids[0], ids[1]}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := m.WrapPredictor([]int64{ids[2]}, problems.NewP1Bayes())
	if err != nil {
		t.Fatal(err)
	}
	for _, B := range []float64{3, 1} {
		gr, err := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Method: causal.Grid, Bound: B, GridPoints: 121, Rand: rng})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		asc, err := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Bound: B, MaxIter: 2000, Restarts: 2, Rand: rng})
		if err != nil {
			t.Fatal(err)
		}
		tAsc := time.Since(t0)
		t0 = time.Now()
		se, err := m.WorstCaseRisk(context.Background(), p, &causal.RiskSettings{Method: causal.Search, Bound: B, MaxIter: 300, Restarts: 1, Rand: rng})
		if err != nil {
			t.Fatal(err)
		}
		tSe := time.Since(t0)
		t.Logf("B=%v: grid %.4f, ascent %.4f (%v), search %.4f (restarts %.4f, row sup %.4f, %v)", B, gr.Risk, asc.Risk, tAsc.Round(time.Millisecond), se.Risk, se.PerRestart, se.RowSup, tSe.Round(time.Millisecond))
		if se.Risk > gr.Risk+0.01 {
			t.Errorf("B=%v: search %.4f exceeds the grid supremum %.4f", B, se.Risk, gr.Risk)
		}
		if se.Risk < 0.95*gr.Risk {
			t.Errorf("B=%v: search %.4f below 0.95 × grid %.4f", B, se.Risk, gr.Risk)
		}
	}
}
