package learned_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
	"github.com/optlearn/optlearn/sched/learned"
)

// The shipped rule: best of 32 sampled rollouts on ft06.
func ExampleNet_BestOf() {
	net, err := learned.Shipped()
	if err != nil {
		panic(err)
	}
	inst, _ := instances.Load("ft06")
	res, err := net.BestOf(context.Background(), inst, nil) // 32 rollouts, T_e = 0.5 + 1.5e/32
	fmt.Println(len(res.Makespans), res.Schedule.Validate(inst) == nil, res.Makespan >= 55, err)
	// Output: 32 true true <nil>
}

// The sampled-MWKR baseline through the generic BestOf.
func ExampleBestOf() {
	inst, _ := instances.Load("ft06")
	res, err := learned.BestOf(context.Background(), inst, func() sched.Policy { return learned.MWKRSoftmax{} },
		&learned.InferSettings{Rand: rand.New(rand.NewPCG(1, 0))})
	fmt.Println(res.Schedule.Validate(inst) == nil, err)
	// Output: true <nil>
}

// A tiny training run on one small generated instance.
func ExampleTrain() {
	inst, _ := sched.GenerateTaillard(6, 5, 11, 22)
	net, _ := learned.NewNet(rand.New(rand.NewPCG(1, 0)))
	res, err := learned.Train(context.Background(), net, &learned.Settings{
		Updates: 2, Episodes: 4, PerInstance: 4, Epochs: 2, Minibatches: 2, SolverIter: 200,
		Instances: []*sched.Instance{inst}, Rand: rand.New(rand.NewPCG(1, 0)),
		Recorder: run.RecorderFunc[*learned.Iter](func(it *learned.Iter) error { return nil }),
	})
	fmt.Println(res.Iterations, res.Status, err)
	// Output: 2 IterationLimit <nil>
}

// Save and reload a network: same weights, same bytes.
func ExampleLoad() {
	net, _ := learned.NewNet(rand.New(rand.NewPCG(1, 0)))
	var buf bytes.Buffer
	_ = net.Save(&buf)
	back, err := learned.Load(&buf)
	fmt.Println(len(back.W) == learned.NumParams, back.W[0] == net.W[0], err)
	// Output: true true <nil>
}

// The fast pass and the gorgonia graph give the same logits.
func ExampleNet_GraphLogits() {
	inst, _ := instances.Load("ft06")
	env, _ := sched.NewEnv(inst, nil)
	var o sched.Obs
	env.Observe(&o)
	var in learned.Input
	_ = learned.Encode(&o, &in)
	net, _ := learned.NewNet(rand.New(rand.NewPCG(1, 0)))
	fast, _ := net.Policy().Logits(&o, nil)
	graph, err := net.GraphLogits(&in)
	d := 0.0
	for a := range fast {
		if fast[a] != graph[a] {
			d = max(d, abs(fast[a]-graph[a]))
		}
	}
	fmt.Println(d < 1e-12, err)
	// Output: true <nil>
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Play one greedy episode with the policy in the dispatching environment.
func ExamplePolicy_Scores() {
	inst, _ := instances.Load("la01")
	net, _ := learned.Shipped()
	env, _ := sched.NewEnv(inst, nil)
	s, err := sched.Dispatch(context.Background(), env, net.Policy(), 0, nil)
	fmt.Println(s.Validate(inst) == nil, err)
	// Output: true <nil>
}

// The training pool: fresh generator instances, 10×10 and 15×15.
func ExampleTrainingInstances() {
	pool, _ := learned.TrainingInstances(rand.New(rand.NewPCG(0, 0)), 4)
	for _, in := range pool {
		fmt.Print(in.N, "x", in.M, " ")
	}
	fmt.Println()
	// Output: 10x10 15x15 10x10 15x15
}

// The spec's temperatures of the 32 rollouts.
func ExampleTemperature() {
	fmt.Println(learned.Temperature(0, 32), learned.Temperature(16, 32), learned.Temperature(31, 32))
	// Output: 0.5 1.25 1.953125
}
