package sched_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// TestParallelDeterministic checks that a seed, a worker count and MaxIter
// fix the result of the parallel tabu search whatever GOMAXPROCS.
func TestParallelDeterministic(t *testing.T) {
	defer goleak.VerifyNone(t)
	in := mustLoad(t, "ta01")
	solve := func(procs int) sched.Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := (&sched.Tabu{Workers: 3}).Solve(context.Background(), in, &sched.Settings{MaxIter: 5000, Rand: rand.New(rand.NewPCG(7, 0))})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a := solve(1)
	if err := a.Schedule.Validate(in); err != nil {
		t.Fatal(err)
	}
	if a.Iterations != 5000 || a.Status != run.IterationLimit {
		t.Errorf("%d iterations, %v; want 5000, IterationLimit", a.Iterations, a.Status)
	}
	for _, procs := range []int{2, 8} {
		b := solve(procs)
		if fmt.Sprint(a.Schedule.Start) != fmt.Sprint(b.Schedule.Start) || a.Evaluations != b.Evaluations {
			t.Errorf("GOMAXPROCS %d: makespan %d, evaluations %d; GOMAXPROCS 1: %d, %d", procs, b.Makespan, b.Evaluations, a.Makespan, a.Evaluations)
		}
	}
}

// TestParallelTargetAndRecorder checks the goal and recorder paths of the
// parallel search.
func TestParallelTargetAndRecorder(t *testing.T) {
	defer goleak.VerifyNone(t)
	in := mustLoad(t, "la01")
	var h sched.History
	res, err := (&sched.Tabu{Workers: 2}).Solve(context.Background(), in, &sched.Settings{MaxIter: 100000, Recorder: &h})
	if err != nil || res.Makespan != 666 || res.Status != run.Optimal {
		t.Fatalf("la01: %d %v %v; want 666 Optimal", res.Makespan, res.Status, err)
	}
	if h.Status != run.Optimal || h.Len() < 1 || h.Iters[0].Event != run.Start {
		t.Errorf("history: status %v, %d states", h.Status, h.Len())
	}
	var last sched.Iter
	rec := run.RecorderFunc[*sched.Iter](func(it *sched.Iter) error { last = *it; return nil })
	res, err = (&sched.Tabu{Workers: 2}).Solve(context.Background(), mustLoad(t, "ta01"), &sched.Settings{MaxIter: 3000, Recorder: rec})
	if err != nil || last.Event != run.End || last.Iteration != 3000 || res.Iterations != 3000 || last.Status != run.IterationLimit {
		t.Errorf("end record %+v, result %d iterations, err %v", last.Progress, res.Iterations, err)
	}
	stop := errors.New("enough")
	rec = run.RecorderFunc[*sched.Iter](func(it *sched.Iter) error {
		if it.Event == run.Iteration {
			return stop
		}
		return nil
	})
	ta := mustLoad(t, "ta01")
	res, err = (&sched.Tabu{Workers: 2}).Solve(context.Background(), ta, &sched.Settings{MaxIter: 100000, Recorder: rec})
	if !errors.Is(err, stop) || res.Status != run.RecorderStopped || res.Schedule.Validate(ta) != nil {
		t.Errorf("recorder stop: %v %v", res.Status, err)
	}
}

// TestParallelTimeLimit checks that the parallel search stops at its time
// limit with every worker stopped.
func TestParallelTimeLimit(t *testing.T) {
	defer goleak.VerifyNone(t)
	// ta41 (30×20): far from its lower bound, so the search cannot stop
	// early as Optimal (ta71 reaches its bound in about 45 ms on a quiet core)
	in := mustLoad(t, "ta41")
	res, err := (&sched.Tabu{Workers: 2}).Solve(context.Background(), in, &sched.Settings{TimeLimit: 50 * time.Millisecond})
	if err != nil || res.Status != run.TimeLimit || res.Schedule.Validate(in) != nil {
		t.Errorf("time limit: %v after %v, err %v", res.Status, res.Elapsed, err)
	}
}
