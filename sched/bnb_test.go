package sched_test

import (
	"context"
	"testing"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// TestA5BranchBoundFt06 proves ft06 = 55 optimal.
func TestA5BranchBoundFt06(t *testing.T) {
	in := mustLoad(t, "ft06")
	res, err := sched.BranchBound{}.Solve(context.Background(), in, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Schedule.Validate(in); err != nil {
		t.Fatal(err)
	}
	if res.Makespan != 55 || res.Status != run.Optimal || res.LowerBound != 55 {
		t.Errorf("ft06: makespan %d status %v lb %d, want 55 Optimal", res.Makespan, res.Status, res.LowerBound)
	}
	t.Logf("ft06: %d %v nodes %d in %v", res.Makespan, res.Status, res.Iterations, res.Elapsed)
}
