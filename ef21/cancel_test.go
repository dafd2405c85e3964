package ef21_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/run"
)

// slow wraps R1 with a Grad that takes 20 ms: one round of 20 clients on 2
// workers takes about 200 ms, longer than the cancellation budget.
type slow struct{ *problems.LeastSquares }

func (s slow) Grad(i int, dst, x []float64) float64 {
	time.Sleep(20 * time.Millisecond)
	return s.LeastSquares.Grad(i, dst, x)
}

// TestCancelPrompt checks that Run returns within 100 ms of the context's
// deadline, with Status Canceled, the context's error, a finite last
// iterate and no goroutine left: on a fast problem (checked between
// rounds) and on one whose rounds are slower than the budget (checked
// between clients, inside the round, and in the initial round).
func TestCancelPrompt(t *testing.T) {
	p := r1(t, 10)
	for _, c := range []struct {
		name     string
		o        ef21.Oracle
		deadline time.Duration
	}{
		{"fast rounds", p, 30 * time.Millisecond},
		{"slow rounds", slow{p}, 250 * time.Millisecond},
		{"during the initial round", slow{p}, 50 * time.Millisecond},
	} {
		for _, workers := range []int{1, 2, 4} {
			ctx, cancel := context.WithTimeout(context.Background(), c.deadline)
			start := time.Now()
			r, err := ef21.Run(ctx, c.o, ef21.TopK{K: 1}, make([]float64, 30),
				&ef21.Settings{MaxIter: 1 << 30, Tol: -1, Workers: workers})
			late := time.Since(start) - c.deadline
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) || r.Status != run.Canceled || len(r.X) != 30 {
				t.Errorf("%s, %d workers: err %v, status %v", c.name, workers, err, r.Status)
			}
			if late > 100*time.Millisecond {
				t.Errorf("%s, %d workers: returned %v after the deadline", c.name, workers, late)
			}
		}
	}
	goleak.VerifyNone(t)
}

// TestTimeLimit checks Settings.TimeLimit: Status TimeLimit, no error.
func TestTimeLimit(t *testing.T) {
	p := r1(t, 10)
	start := time.Now()
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{MaxIter: 1 << 30, Tol: -1, TimeLimit: 20 * time.Millisecond})
	if err != nil || r.Status != run.TimeLimit || r.Iterations == 0 || time.Since(start) > 120*time.Millisecond {
		t.Errorf("err %v, status %v after %d rounds, %v", err, r.Status, r.Iterations, time.Since(start))
	}
}

// TestDefaultTolAndOff checks that Tol 0 means DefaultTol and a negative
// Tol makes the run do exactly MaxIter rounds.
func TestDefaultTolAndOff(t *testing.T) {
	p := r1(t, 1)
	d, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{MaxIter: 100000})
	if err != nil || d.Status != run.Converged || !(d.GradNormSq <= ef21.DefaultTol) {
		t.Fatalf("Tol 0: %v, %v, ‖∇f‖² %v", err, d.Status, d.GradNormSq)
	}
	off, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{MaxIter: d.Iterations + 50, Tol: -1})
	if err != nil || off.Status != run.IterationLimit || off.Iterations != d.Iterations+50 {
		t.Errorf("Tol -1: %v, %v after %d rounds, want IterationLimit after %d", err, off.Status, off.Iterations, d.Iterations+50)
	}
}
