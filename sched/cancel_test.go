package sched_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// slowPolicy is MWKR taking 2 ms per decision, like a large learned policy.
type slowPolicy struct{}

func (slowPolicy) Scores(o *sched.Obs, dst []float64) {
	time.Sleep(2 * time.Millisecond)
	sched.MWKR.Scores(o, dst)
}

// TestCancelPromptly runs every long call under a 30 ms deadline and checks
// that it returns within 100 ms of it with the context's error, a Canceled
// status and a usable schedule, leaking no goroutine.
func TestCancelPromptly(t *testing.T) {
	defer goleak.VerifyNone(t)
	const deadline, slack = 30 * time.Millisecond, 100 * time.Millisecond
	ta71, ta01 := mustLoad(t, "ta71"), mustLoad(t, "ta01")
	env, err := sched.NewEnv(ta01, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) (run.Status, error)
	}{
		{"tabu ta71", func(ctx context.Context) (run.Status, error) {
			res, err := (&sched.Tabu{}).Solve(ctx, ta71, &sched.Settings{TimeLimit: time.Hour})
			if res.Schedule.Validate(ta71) != nil {
				t.Error("tabu: invalid schedule on cancel")
			}
			return res.Status, err
		}},
		{"branch and bound ta01", func(ctx context.Context) (run.Status, error) {
			res, err := sched.BranchBound{}.Solve(ctx, ta01, &sched.Settings{TimeLimit: time.Hour})
			if res.Schedule.Validate(ta01) != nil {
				t.Error("bnb: invalid schedule on cancel")
			}
			return res.Status, err
		}},
		{"dispatch with a slow policy", func(ctx context.Context) (run.Status, error) {
			_, err := sched.Dispatch(ctx, env, slowPolicy{}, 0, nil)
			return run.Canceled, err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			begin := time.Now()
			st, err := tc.call(ctx)
			took := time.Since(begin)
			if st != run.Canceled || !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("status %v, err %v; want Canceled, deadline exceeded", st, err)
			}
			if took > deadline+slack && !raceEnabled {
				t.Errorf("returned %v after the deadline (limit %v)", took-deadline, slack)
			}
		})
	}
}

// TestNegativeLimitsReturn checks the hang: a negative TimeLimit or
// MaxIter is an error at once, not a run until the context ends.
func TestNegativeLimitsReturn(t *testing.T) {
	in := mustLoad(t, "ft06")
	for _, set := range []*sched.Settings{{TimeLimit: -time.Second}, {MaxIter: -5}} {
		for _, sv := range []sched.Solver{&sched.Tabu{}, sched.BranchBound{}} {
			done := make(chan error, 1)
			go func() { _, err := sv.Solve(context.Background(), in, set); done <- err }()
			select {
			case err := <-done:
				if !errors.Is(err, sched.ErrSettings) {
					t.Errorf("%T %+v: err %v, want ErrSettings", sv, set, err)
				}
			case <-time.After(5 * time.Second):
				t.Fatalf("%T %+v: no return within 5 s", sv, set)
			}
		}
	}
}
