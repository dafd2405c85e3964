package bilevel_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/run"
)

// slowLower makes every lower gradient cost about 20 µs, so that runs are
// long enough to be cancelled in their middle.
type slowLower struct{ problems.LLCToy }

func (p slowLower) LowerGrad(gx, gy, x, y []float64) {
	spin(20 * time.Microsecond)
	p.LLCToy.LowerGrad(gx, gy, x, y)
}

func spin(d time.Duration) {
	for t := time.Now(); time.Since(t) < d; {
	}
}

type slowSine struct{ *problems.SinePL }

func (p slowSine) LowerGrad(gx, gy, x, y []float64) {
	spin(20 * time.Microsecond)
	p.SinePL.LowerGrad(gx, gy, x, y)
}

// Every long-running call returns within 100 ms of its deadline
// (issue #16), with the context's error.
func TestCancelUnderDeadline(t *testing.T) {
	const deadline, slack = 30 * time.Millisecond, 100 * time.Millisecond
	sine := slowSine{must(problems.NewSinePL(nil, 0))}
	llc := slowLower{problems.LLCToy{N: 50}}
	calls := map[string]func(ctx context.Context) (run.Status, error){
		"Penalty.Solve": func(ctx context.Context) (run.Status, error) {
			var m bilevel.Penalty
			res, err := m.Solve(ctx, sine, zeros(5), fill(5, 1), nil, &bilevel.PenaltySettings{MaxIter: 1 << 30, Tol: -1, Inner: 1000})
			return res.Status, err
		},
		"LVHBA.Solve": func(ctx context.Context) (run.Status, error) {
			var m bilevel.LVHBA
			res, err := m.Solve(ctx, llc, fill(50, 10), fill(100, 10), &bilevel.LVHBASettings{MaxIter: 1 << 30})
			return res.Status, err
		},
		"PenaltyOracle.GradContext": func(ctx context.Context) (run.Status, error) {
			o := &bilevel.PenaltyOracle{Problem: sine, Sigma: 0.1, Beta: 1e-9, Tol: -1, MaxInner: 1 << 30}
			_, _, err := o.GradContext(ctx, nil, zeros(5))
			return run.Canceled, err
		},
		"LVHBAOracle.Saddle": func(ctx context.Context) (run.Status, error) {
			o := &bilevel.LVHBAOracle{Problem: llc, Tol: -1, MaxIter: 1 << 30}
			_, err := o.Saddle(ctx, zeros(50), zeros(100), zeros(1))
			return run.Canceled, err
		},
	}
	for name, call := range calls {
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		start := time.Now()
		st, err := call(ctx)
		late := time.Since(start) - deadline
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) || st != run.Canceled {
			t.Errorf("%s: status %v, error %v; want Canceled with the context's error", name, st, err)
		}
		if late > slack {
			t.Errorf("%s: returned %v after the deadline", name, late)
		}
		t.Logf("%s: returned %v after the deadline", name, late.Round(time.Microsecond))
	}
}
