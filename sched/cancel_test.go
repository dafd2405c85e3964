package sched_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// slowPolicy is MWKR taking 2 ms per decision, like a large learned policy;
// it calls onCall before each decision.
type slowPolicy struct{ onCall func() }

func (p slowPolicy) Scores(o *sched.Obs, dst []float64) {
	p.onCall()
	time.Sleep(2 * time.Millisecond)
	sched.MWKR.Scores(o, dst)
}

// canceler cancels a context 10 ms after its arm method is first called
// (once the run is under way, so that setup time does not count) and
// remembers when.
type canceler struct {
	cancel context.CancelFunc
	once   sync.Once
	mu     sync.Mutex
	at     time.Time
}

func (c *canceler) arm() {
	c.once.Do(func() {
		time.AfterFunc(10*time.Millisecond, func() {
			c.mu.Lock()
			c.at = time.Now()
			c.mu.Unlock()
			c.cancel()
		})
	})
}

func (c *canceler) since() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Since(c.at)
}

// recorder arms c when the run records its start.
func (c *canceler) recorder() sched.Recorder {
	return run.RecorderFunc[*sched.Iter](func(*sched.Iter) error { c.arm(); return nil })
}

// TestCancelPromptly cancels every long call 10 ms into its run and checks
// that it returns within 100 ms of cancel() with the context's error, a
// Canceled status and a usable schedule, leaking no goroutine.
func TestCancelPromptly(t *testing.T) {
	defer goleak.VerifyNone(t)
	const slack = 100 * time.Millisecond
	ta71, ta01 := mustLoad(t, "ta71"), mustLoad(t, "ta01")
	env, err := sched.NewEnv(ta01, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, c *canceler) (run.Status, error)
	}{
		{"tabu ta71", func(ctx context.Context, c *canceler) (run.Status, error) {
			res, err := (&sched.Tabu{}).Solve(ctx, ta71, &sched.Settings{TimeLimit: time.Hour, Recorder: c.recorder()})
			if res.Schedule.Validate(ta71) != nil {
				t.Error("invalid schedule on cancel")
			}
			return res.Status, err
		}},
		{"tabu ta71, 2 workers", func(ctx context.Context, c *canceler) (run.Status, error) {
			res, err := (&sched.Tabu{Workers: 2}).Solve(ctx, ta71, &sched.Settings{TimeLimit: time.Hour, Recorder: c.recorder()})
			if res.Schedule.Validate(ta71) != nil {
				t.Error("invalid schedule on cancel")
			}
			return res.Status, err
		}},
		{"branch and bound ta01", func(ctx context.Context, c *canceler) (run.Status, error) {
			res, err := sched.BranchBound{}.Solve(ctx, ta01, &sched.Settings{TimeLimit: time.Hour, Recorder: c.recorder()})
			if res.Schedule.Validate(ta01) != nil {
				t.Error("invalid schedule on cancel")
			}
			return res.Status, err
		}},
		{"dispatch with a slow policy", func(ctx context.Context, c *canceler) (run.Status, error) {
			_, err := sched.Dispatch(ctx, env, slowPolicy{onCall: c.arm}, 0, nil)
			return run.Canceled, err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			c := &canceler{cancel: cancel}
			st, err := tc.call(ctx, c)
			took := c.since()
			if st != run.Canceled || !errors.Is(err, context.Canceled) {
				t.Errorf("status %v, err %v; want Canceled, context canceled", st, err)
			}
			if took > slack && !raceEnabled {
				t.Errorf("returned %v after cancel() (limit %v)", took, slack)
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
