package sched_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

func ExampleSchedule_Makespan() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	c, err := s.Makespan(in)
	fmt.Println(c, err)
	_, err = sched.Schedule{Start: [][]int{{0}}}.Makespan(in)
	fmt.Println(err)
	// Output:
	// 61 <nil>
	// sched: dimension mismatch: schedule has 1 job rows, instance 6 jobs
}

func ExampleSchedule_Validate() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	fmt.Println(s.Validate(in))
	s.Start[0][1] = 0 // before its job predecessor ends
	fmt.Println(s.Validate(in) != nil)
	// Output:
	// <nil>
	// true
}

func ExampleSemiActive() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	orders, _ := s.MachineOrders(in)
	sa, err := sched.SemiActive(in, orders, nil)
	c, _ := sa.Makespan(in)
	fmt.Println(c, err)
	// Output:
	// 61 <nil>
}

func ExampleCompress() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	late := s.Clone()
	for j := range late.Start { // delay every operation by 10
		for k := range late.Start[j] {
			late.Start[j][k] += 10
		}
	}
	c, _ := sched.Compress(in, late, nil)
	a, _ := late.Makespan(in)
	b, _ := c.Makespan(in)
	fmt.Println(a, b)
	// Output:
	// 71 61
}

func ExampleReplay() {
	in, _ := instances.Load("la01")
	env, _ := sched.NewEnv(in, nil)
	s, _ := sched.NonDelay(in, sched.SPT)
	_, err := sched.Replay(env, s) // the expert path of a non-delay schedule
	c, _ := env.Schedule().Makespan(in)
	fmt.Println(err, c)
	// Output:
	// <nil> 751
}

func ExampleExpertActions() {
	in, _ := instances.Load("ft06")
	env, _ := sched.NewEnv(in, nil)
	s, _ := sched.NonDelay(in, sched.MWKR)
	var o sched.Obs
	env.Observe(&o)
	acts, err := sched.ExpertActions(&o, s, nil) // the legal jobs that start at t = 0 in s
	fmt.Println(acts, err)
	// Output:
	// [1 2] <nil>
}

func ExampleGap() {
	g, err := sched.Gap(1250, 1231)
	fmt.Printf("%.2f%% %v\n", g, err)
	_, err = sched.Gap(1250, 0)
	fmt.Println(err != nil)
	// Output:
	// 1.54% <nil>
	// true
}

func ExampleNewEnv() {
	in, _ := instances.Load("ft06")
	env, err := sched.NewEnv(in, nil)
	lb, _ := env.LB(0, 1) // job 0's second operation cannot start before its first ends
	fmt.Println(err, env.Time(), lb, env.Legal())
	// Output:
	// <nil> 0 1 [true true true true true true false]
}

func ExampleInstance_LowerBound() {
	in, _ := instances.Load("ft10")
	lb, err := in.LowerBound()
	fmt.Println(lb, in.BKS, err)
	// Output:
	// 655 930 <nil>
}

func ExampleWriteStandard() {
	in := &sched.Instance{N: 2, M: 2, Mach: [][]int{{0, 1}, {1, 0}}, Dur: [][]int{{3, 2}, {4, 1}}}
	_ = sched.WriteStandard(os.Stdout, in)
	// Output:
	// 2 2
	// 0 3 1 2
	// 1 4 0 1
}

func ExampleParseTaillard() {
	text := "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound\n" +
		"2 2 1 1 7 6\nTimes\n3 2\n4 1\nMachines\n1 2\n2 1\n"
	ins, err := sched.ParseTaillard(strings.NewReader(text), "toy")
	fmt.Println(len(ins), ins[0].Name, ins[0].Mach, ins[0].BKS, err)
	// Output:
	// 1 toy-1 [[0 1] [1 0]] 7 <nil>
}

func ExampleDispatcher_Run() {
	in, _ := instances.Load("la01")
	var d sched.Dispatcher // reusable buffers
	for _, r := range []sched.Rule{sched.SPT, sched.MWKR} {
		s, _ := d.Run(in, r)
		c, _ := s.Makespan(in)
		fmt.Println(r, c)
	}
	// Output:
	// SPT 751
	// MWKR 735
}

func ExampleNewSchedule() {
	s, err := sched.NewSchedule(2, 3)
	fmt.Println(s.Start, err)
	// Output:
	// [[-1 -1 -1] [-1 -1 -1]] <nil>
}

// ExampleTabu_workers runs two searches in parallel; the result depends
// only on the seed, the worker count and MaxIter.
func ExampleTabu_workers() {
	in, _ := instances.Load("la02")
	ts := sched.Tabu{Workers: 2}
	res, err := ts.Solve(context.Background(), in, &sched.Settings{MaxIter: 20000, Target: 655, Rand: rand.New(rand.NewPCG(1, 0))})
	fmt.Println(res.Makespan, res.Status, err)
	// Output:
	// 655 TargetReached <nil>
}
