package constrained_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/run"
)

// cancelLatency is how long after its context ends a run may take to
// return: the library's 100 ms.
const cancelLatency = 100 * time.Millisecond

// checkPrompt runs solve under a 30 ms deadline and checks that it returns
// Canceled (with the context's error) within cancelLatency of the deadline.
func checkPrompt(t *testing.T, solve func(ctx context.Context) (constrained.Result, error)) {
	t.Helper()
	const deadline = 30 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	r, err := solve(ctx)
	late := time.Since(start) - deadline
	if !errors.Is(err, context.DeadlineExceeded) || r.Status != run.Canceled {
		t.Fatalf("err %v status %v, want the deadline and Canceled", err, r.Status)
	}
	if late > cancelLatency {
		t.Errorf("returned %v after the deadline", late)
	}
	t.Logf("returned %v after the deadline", late.Round(time.Millisecond))
	if len(r.X) == 0 {
		t.Errorf("no last iterate in the Result")
	}
}

// TestCancelInner stops a run inside one huge inner solve (an inner cap of
// 2⁶⁰ steps and a tolerance no sketch reaches) and, for ExactLU, in the
// outer loop, under a tight deadline.
func TestCancelInner(t *testing.T) {
	p, err := problems.NewPDE(12)
	if err != nil {
		t.Fatal(err)
	}
	_, m := p.Dims()
	for _, sk := range []string{"rk", "gv", "exact", "sparse-rk"} {
		t.Run(sk, func(t *testing.T) {
			checkPrompt(t, func(ctx context.Context) (constrained.Result, error) {
				return constrained.Solve(ctx, p, p.X0(), problems.Ones(m), &constrained.Settings{
					Tol: -1, MaxIter: 1 << 30, MaxInner: 1 << 60, Delta0: 1e-300, DeltaMin: 1e-300,
					Norm: constrained.Frobenius, Sketcher: sketcher(sk), Rand: rand.New(rand.NewPCG(1, 0)),
				})
			})
		})
	}
}

// TestTimeLimit checks that TimeLimit stops a run inside an inner solve
// with Status TimeLimit and a nil error.
func TestTimeLimit(t *testing.T) {
	p, err := problems.NewPDE(12)
	if err != nil {
		t.Fatal(err)
	}
	_, m := p.Dims()
	start := time.Now()
	r, err := constrained.Solve(context.Background(), p, p.X0(), problems.Ones(m), &constrained.Settings{
		Tol: -1, MaxIter: 1 << 30, MaxInner: 1 << 60, Delta0: 1e-300, DeltaMin: 1e-300, TimeLimit: 30 * time.Millisecond,
		Norm: constrained.Frobenius, Rand: rand.New(rand.NewPCG(1, 0)),
	})
	if err != nil || r.Status != run.TimeLimit {
		t.Fatalf("err %v status %v, want TimeLimit and nil", err, r.Status)
	}
	if d := time.Since(start); d > 30*time.Millisecond+cancelLatency {
		t.Errorf("took %v", d)
	}
}

// TestExactIterations checks that a negative Tol runs exactly MaxIter
// iterations.
func TestExactIterations(t *testing.T) {
	p := problems.HS49() // degenerate: sublinear, far from 1e-16 after 12 steps
	r, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{Tol: -1, MaxIter: 12, Sketcher: &constrained.ExactLU{}})
	if err != nil || r.Status != run.IterationLimit || r.Iterations != 12 {
		t.Fatalf("err %v status %v after %d iterations, want IterationLimit after 12", err, r.Status, r.Iterations)
	}
}
