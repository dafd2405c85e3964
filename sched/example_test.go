package sched_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

func ExampleParseStandard() {
	in, err := sched.ParseStandard(strings.NewReader("2 2\n0 3 1 2\n1 4 0 1\n"), "tiny")
	if err != nil {
		fmt.Println(err)
		return
	}
	lb, _ := in.LowerBound()
	fmt.Println(in.N, in.M, in.Mach[1], in.Dur[1], lb)
	_, err = sched.ParseStandard(strings.NewReader("2 2\n0 3 0 2\n1 4 0 1\n"), "bad")
	fmt.Println(err)
	// Output:
	// 2 2 [1 0] [4 1] 6
	// line 2: sched: invalid instance: job 0 visits machine 0 twice
}

func ExampleGenerateTaillard() {
	seeds := instances.TaillardSeeds[0] // ta01
	in, _ := sched.GenerateTaillard(15, 15, seeds[0], seeds[1])
	fmt.Println(in.Mach[0])
	fmt.Println(in.Dur[0])
	fmt.Println(in.TotalDuration())
	// Output:
	// [6 12 4 7 3 2 10 11 8 14 9 13 5 0 1]
	// [94 66 10 53 26 15 65 82 10 27 93 92 96 70 83]
	// 11671
}

func ExampleNonDelay() {
	in, _ := instances.Load("ft06")
	for _, r := range sched.Rules {
		s, _ := sched.NonDelay(in, r)
		c, _ := s.Makespan(in)
		fmt.Printf("%s=%d ", r, c)
	}
	fmt.Println()
	// Output:
	// SPT=88 LPT=77 MWKR=61 LWKR=83 MOPNR=59 FDD/MWKR=67 FIFO=65
}

func ExampleDispatch() {
	in, _ := instances.Load("la01")
	env, _ := sched.NewEnv(in, nil)
	ctx := context.Background()
	greedy, _ := sched.Dispatch(ctx, env, sched.MWKR, 0, nil)
	g, _ := greedy.Makespan(in)
	rng := rand.New(rand.NewPCG(1, 0))
	best := 1 << 30
	for range 32 { // best of 32 softmax-MWKR samples
		s, _ := sched.Dispatch(ctx, env, sched.MWKR, 100, rng)
		c, _ := s.Makespan(in)
		best = min(best, c)
	}
	fmt.Println(g, best <= g+100)
	// Output:
	// 735 true
}

func ExampleBranchBound() {
	in, _ := instances.Load("ft06")
	res, _ := sched.BranchBound{}.Solve(context.Background(), in, nil)
	fmt.Println(res.Makespan, res.Status)
	// Output:
	// 55 Optimal
}

func ExampleTabu() {
	in, _ := instances.Load("ft10")
	var ts sched.Tabu
	res, _ := ts.Solve(context.Background(), in, &sched.Settings{MaxIter: 20000, Target: 951, Rand: rand.New(rand.NewPCG(1, 0))})
	fmt.Println(res.Makespan <= 951, res.Status, res.Schedule.Validate(in))
	// Output:
	// true TargetReached <nil>
}

func ExampleCPEnv_Prefix() {
	in, _ := instances.Load("la01")
	env, _ := sched.NewEnv(in, nil)
	for i := 0; i < 20; i++ { // dispatch a prefix with MWKR, one job per step
		var o sched.Obs
		env.Observe(&o)
		scores := make([]float64, in.N+1)
		sched.MWKR.Scores(&o, scores)
		best := -1
		for j := 0; j < in.N; j++ {
			if o.Legal[j] && (best < 0 || scores[j] > scores[best]) {
				best = j
			}
		}
		env.Step([]int{best})
	}
	fixed, release := env.Prefix()
	res, _ := (&sched.Tabu{}).Solve(context.Background(), in, &sched.Settings{Fixed: fixed, Release: release, MaxIter: 5000})
	_, err := sched.Replay(env, res.Schedule) // expert path from the prefix
	c, _ := env.Schedule().Makespan(in)
	fmt.Println(len(fixed), err, c == res.Makespan)
	// Output:
	// 20 <nil> true
}
