package causal_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
)

// stopsPromptly runs call under a context whose deadline passes after
// delay and checks that it returns the context's error within 100 ms of
// the deadline. A late return is retried twice: on a loaded machine the
// scheduler alone can hold a runnable goroutine for 100 ms, while a
// missing context check is late on every attempt.
func stopsPromptly(t *testing.T, delay time.Duration, call func(ctx context.Context) error) {
	t.Helper()
	var lates []time.Duration
	for range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), delay)
		start := time.Now()
		err := call(ctx)
		late := time.Since(start) - delay
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded (returned after %v)", err, time.Since(start))
		}
		if late <= 100*time.Millisecond {
			return
		}
		lates = append(lates, late)
	}
	t.Errorf("returned %v after the deadline in three attempts, want < 100 ms", lates)
}

// Every long call of the package stops within 100 ms of its context's
// deadline: the ascent and the grid over 10,000 rows, the official MLP
// equations inside SelectSubset, and the class search on a large DAG.
func TestCancellationUnderTightDeadline(t *testing.T) {
	g, data, rng := p1Data(31, 2000)
	m, err := causal.NewModel(context.Background(), g, "Y", "E", data, &causal.Settings{Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	x1, _ := g.ID("X1")
	p, err := m.FitPredictor(context.Background(), []int64{x1}, &causal.PredictorSettings{Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	for _, method := range []causal.RiskMethod{causal.Ascent, causal.Grid, causal.Search} {
		t.Run("WorstCaseRisk "+method.String(), func(t *testing.T) {
			stopsPromptly(t, 50*time.Millisecond, func(ctx context.Context) error {
				_, err := m.WorstCaseRisk(ctx, p, &causal.RiskSettings{Method: method, NoiseDraws: 20, Tol: -1})
				return err
			})
		})
	}
	t.Run("SelectSubset", func(t *testing.T) {
		stopsPromptly(t, 50*time.Millisecond, func(ctx context.Context) error {
			_, err := causal.SelectSubset(ctx, g, "Y", "E", data, &causal.Settings{Equation: causal.NewEquationLearner(), Predictor: causal.NewMLPLearner(nil, nil)})
			return err
		})
	})
	t.Run("EquivalenceClasses", func(t *testing.T) {
		big, err := problems.RandomDAG(40, 2.5/39, rand.New(rand.NewPCG(3, 0)))
		if err != nil {
			t.Fatal(err)
		}
		stopsPromptly(t, 20*time.Millisecond, func(ctx context.Context) error {
			_, err := causal.EquivalenceClasses(ctx, big, 0)
			return err
		})
	})
}
