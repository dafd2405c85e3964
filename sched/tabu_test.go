package sched_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/sched"
)

func TestTabuLa(t *testing.T) {
	for _, tc := range []struct {
		name string
		want int
	}{{"ft06", 55}, {"la01", 666}, {"la02", 655}, {"la03", 597}, {"la04", 590}, {"la05", 593}} {
		in := mustLoad(t, tc.name)
		var ts sched.Tabu
		res, err := ts.Solve(context.Background(), in, &sched.Options{MaxIter: 50000, Target: tc.want, Rand: rand.New(rand.NewPCG(1, 0))})
		if err != nil {
			t.Fatal(err)
		}
		if err := res.Schedule.Validate(in); err != nil {
			t.Fatal(err)
		}
		if res.Makespan != res.Schedule.Makespan(in) {
			t.Fatalf("makespan mismatch")
		}
		t.Logf("%s: %d (want %d) %v after %d iterations", tc.name, res.Makespan, tc.want, res.Status, res.Iterations)
		if res.Makespan > tc.want {
			t.Errorf("%s: %d > %d", tc.name, res.Makespan, tc.want)
		}
	}
}
