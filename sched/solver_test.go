package sched_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// TestA5TabuSmall reaches the optima of ft06, la01–la05 and ft10 within an
// iteration limit (time limits are measured in the example).
func TestA5TabuSmall(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
		long bool
	}{{"ft06", 55, false}, {"la01", 666, false}, {"la02", 655, false}, {"la03", 597, false}, {"la04", 590, false}, {"la05", 593, false}, {"ft10", 951, true}} {
		if tc.long && testing.Short() {
			continue
		}
		in := mustLoad(t, tc.name)
		var ts sched.Tabu
		res, err := ts.Solve(context.Background(), in, &sched.Settings{MaxIter: 400000, Target: tc.want, Rand: rand.New(rand.NewPCG(1, 0))})
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Schedule.Validate(in); err != nil {
			t.Fatal(err)
		}
		if res.Makespan != mk(res.Schedule, in) {
			t.Fatalf("%s: Result.Makespan %d, schedule %d", tc.name, res.Makespan, mk(res.Schedule, in))
		}
		if res.Makespan > tc.want {
			t.Errorf("%s: makespan %d > %d (%v after %d iterations)", tc.name, res.Makespan, tc.want, res.Status, res.Iterations)
		}
	}
}

// TestTabuDeterministic checks that a seed and an iteration limit fix the result.
func TestTabuDeterministic(t *testing.T) {
	in := mustLoad(t, "ta01")
	run := func() sched.Result {
		var ts sched.Tabu
		res, err := ts.Solve(context.Background(), in, &sched.Settings{MaxIter: 3000, Rand: rand.New(rand.NewPCG(7, 0))})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(), run()
	if fmt.Sprint(a.Schedule.Start) != fmt.Sprint(b.Schedule.Start) || a.Evaluations != b.Evaluations {
		t.Errorf("two runs with the same seed differ: %d vs %d", a.Makespan, b.Makespan)
	}
	if err := a.Schedule.Validate(in); err != nil {
		t.Fatal(err)
	}
}

// TestA4Replay checks that replaying a compressed solver schedule in the
// environment reproduces it (and its makespan).
func TestA4Replay(t *testing.T) {
	for _, name := range []string{"ft06", "la01", "ta01"} {
		in := mustLoad(t, name)
		var ts sched.Tabu
		res, err := ts.Solve(context.Background(), in, &sched.Settings{MaxIter: 2000, Rand: rand.New(rand.NewPCG(3, 0))})
		if err != nil {
			t.Fatal(err)
		}
		c, err := sched.Compress(in, res.Schedule, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Validate(in); err != nil {
			t.Fatal(err)
		}
		env, _ := sched.NewEnv(in, nil)
		if _, err := sched.Replay(env, c); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := mk(env.Schedule(), in); got != res.Makespan {
			t.Errorf("%s: replay makespan %d, solver %d", name, got, res.Makespan)
		}
	}
}

// TestPrefixAndRelease fixes a prefix with the environment, completes it with
// both solvers and replays the completion from the prefix state.
func TestPrefixAndRelease(t *testing.T) {
	for _, name := range []string{"ft06", "la01", "ta01"} {
		in := mustLoad(t, name)
		env, _ := sched.NewEnv(in, nil)
		rng := rand.New(rand.NewPCG(5, 0))
		var o sched.Obs
		scores := make([]float64, in.N+1)
		pol := noopPolicy{rng, 0.2}
		for step := 0; step < in.N*in.M/3; step++ {
			env.Observe(&o)
			pol.Scores(&o, scores)
			best := -1
			for a, ok := range o.Legal {
				if ok && (best < 0 || scores[a] > scores[best]) {
					best = a
				}
			}
			env.Step([]int{best})
		}
		fixed, release := env.Prefix()
		prefix := env.Schedule()
		solvers := []sched.Solver{&sched.Tabu{}}
		if in.N*in.M <= 50 {
			solvers = append(solvers, sched.BranchBound{})
		}
		for _, sv := range solvers {
			res, err := sv.Solve(context.Background(), in, &sched.Settings{Fixed: fixed, Release: release, MaxIter: 3000, Rand: rand.New(rand.NewPCG(1, 0))})
			if err != nil {
				t.Fatalf("%s %T: %v", name, sv, err)
			}
			s := res.Schedule
			if err := s.Validate(in); err != nil {
				t.Fatalf("%s %T: %v", name, sv, err)
			}
			for op, st := range fixed {
				if s.Start[op.Job][op.Index] != st {
					t.Fatalf("%s %T: pinned op %v moved from %d to %d", name, sv, op, st, s.Start[op.Job][op.Index])
				}
			}
			for j := range release {
				for k := range release[j] {
					if s.Start[j][k] < release[j][k] {
						t.Fatalf("%s %T: op (%d,%d) starts %d before release %d", name, sv, j, k, s.Start[j][k], release[j][k])
					}
				}
			}
			// Replay from the prefix state.
			env2, _ := sched.NewEnv(in, nil)
			if _, err := sched.Replay(env2, prefixOnly(prefix, s)); err == nil {
				t.Fatalf("sanity: replaying a partial target should fail")
			}
			env2.Reset()
			replayPrefix(t, env, env2, prefix)
			if _, err := sched.Replay(env2, s); err != nil {
				t.Fatalf("%s %T: replay of completion: %v", name, sv, err)
			}
			if mk(env2.Schedule(), in) != res.Makespan {
				t.Errorf("%s %T: replay makespan differs", name, sv)
			}
		}
	}
}

// prefixOnly returns s restricted to the ops fixed in prefix (others -1).
func prefixOnly(prefix, s sched.Schedule) sched.Schedule {
	c := s.Clone()
	for j := range c.Start {
		for k := range c.Start[j] {
			if prefix.Start[j][k] < 0 {
				c.Start[j][k] = -1
			}
		}
	}
	return c
}

// replayPrefix drives env2 to the prefix state of env (same fixed ops and
// lower bounds) by replaying prefix's fixed ops, with No-Op when needed.
func replayPrefix(t *testing.T, env, env2 *sched.CPEnv, prefix sched.Schedule) {
	t.Helper()
	var o sched.Obs
	for {
		env2.Observe(&o)
		var acts []int
		for j := 0; j < o.Inst.N; j++ {
			if k := o.Next[j]; k < o.Inst.M && o.Legal[j] && prefix.Start[j][k] == o.Time {
				acts = append(acts, j)
			}
		}
		if len(acts) == 0 {
			if env2.Time() >= env.Time() {
				break
			}
			acts = []int{o.Inst.N}
		}
		env2.Step(acts)
	}
	_, r1 := env.Prefix()
	_, r2 := env2.Prefix()
	if fmt.Sprint(r1) != fmt.Sprint(r2) {
		t.Logf("prefix lbs differ (No-Op bounds are not replayed exactly)")
	}
}

// TestCancel checks cancellation returns the best so far with Canceled.
func TestCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	in := mustLoad(t, "ta01")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, sv := range []sched.Solver{&sched.Tabu{}, sched.BranchBound{}} {
		res, err := sv.Solve(ctx, in, &sched.Settings{TimeLimit: time.Minute})
		if !errors.Is(err, context.Canceled) || res.Status != run.Canceled {
			t.Errorf("%T: err %v status %v", sv, err, res.Status)
		}
		if err := res.Schedule.Validate(in); err != nil {
			t.Errorf("%T: %v", sv, err)
		}
	}
}

// TestWarmStart checks that a warm start is used and never worsened.
func TestWarmStart(t *testing.T) {
	in := mustLoad(t, "la01")
	warm, _ := sched.NonDelay(in, sched.LWKR)
	wc := mk(warm, in)
	h := &sched.History{}
	res, err := (&sched.Tabu{}).Solve(context.Background(), in, &sched.Settings{Warm: &warm, MaxIter: 1, Recorder: h})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Iters) == 0 || h.Iters[0].Best > wc {
		t.Errorf("first record %v, warm makespan %d", h.Iters, wc)
	}
	if res.Makespan > wc {
		t.Errorf("makespan %d worse than warm start %d", res.Makespan, wc)
	}
	bad, _ := sched.NewSchedule(in.N, in.M)
	if _, err := (&sched.Tabu{}).Solve(context.Background(), in, &sched.Settings{Warm: &bad}); !errors.Is(err, sched.ErrSettings) {
		t.Errorf("infeasible warm start: err %v", err)
	}
	if _, err := (sched.BranchBound{}).Solve(context.Background(), in, &sched.Settings{Fixed: map[sched.Op]int{{0, 1}: 50}}); !errors.Is(err, sched.ErrSettings) {
		t.Errorf("non-prefix pin: err %v", err)
	}
}

// TestTabuNoAllocSteadyState checks that tabu iterations do not allocate:
// 3000 iterations allocate exactly as much as 300.
func TestTabuNoAllocSteadyState(t *testing.T) {
	in := mustLoad(t, "ta01")
	allocs := func(iters int) float64 {
		return testing.AllocsPerRun(2, func() {
			var ts sched.Tabu
			ts.Solve(context.Background(), in, &sched.Settings{MaxIter: iters, Rand: rand.New(rand.NewPCG(1, 0))})
		})
	}
	a, b := allocs(300), allocs(3000)
	if b != a {
		t.Errorf("allocations: %v for 300 iterations, %v for 3000", a, b)
	}
}

func TestPrinter(t *testing.T) {
	var b strings.Builder
	in := mustLoad(t, "ft06")
	if _, err := (&sched.Tabu{}).Solve(context.Background(), in, &sched.Settings{MaxIter: 100, Recorder: &sched.Printer{W: &b}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "best") {
		t.Errorf("printer output %q", b.String())
	}
}

// TestDispatcherNoAlloc checks that a warm Dispatcher does not allocate.
func TestDispatcherNoAlloc(t *testing.T) {
	in := mustLoad(t, "ta01")
	var d sched.Dispatcher
	if _, err := d.Run(in, sched.MWKR); err != nil {
		t.Fatal(err)
	}
	if a := testing.AllocsPerRun(5, func() { d.Run(in, sched.FDDMWKR) }); a != 0 {
		t.Errorf("%v allocations per Run", a)
	}
}
