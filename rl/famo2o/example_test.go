package famo2o_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/famo2o"
)

// A tiny FamO2O run on the mixed-quality Pendulum data set: a few offline
// updates, a few online steps, then the family's members at one state.
func Example() {
	ctx := context.Background()
	d, err := famo2o.PendulumDataset(ctx, famo2o.D3Mixed, 2, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := famo2o.New(famo2o.NewPendulum, d, &famo2o.Settings{
		Hidden: []int{16, 16}, BatchSize: 32, OfflineSteps: 20, OnlineSteps: 10, EvalEvery: 10, EvalEpisodes: 1,
		Rand: rand.New(rand.NewPCG(2, 2)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := l.Run(ctx)
	fmt.Println(res.Status, res.Iterations, res.EnvSteps, len(res.Evals), err)
	obs := []float64{1, 0, 0}
	b := l.Beta(obs, nil)
	fmt.Println(b >= 1 && b <= 5, len(l.ActBeta(nil, obs, 2)))
	// Output:
	// IterationLimit 30 10 2 <nil>
	// true 1
}

func ExampleGenerate() {
	d, err := famo2o.Generate(context.Background(), famo2o.NewPendulum(), famo2o.PendulumExpert, 3, rand.New(rand.NewPCG(1, 1)))
	fmt.Println(d.Len(), len(d.Returns), d.Check(), err)
	// Output: 600 3 <nil> <nil>
}

func ExampleScore() {
	fmt.Println(famo2o.Score(-690.35, -1230.5, -150.2))
	// Output: 50
}

func ExampleEncode() {
	e := famo2o.Encode(nil, 0)
	fmt.Println(e)
	// Output: [0 1 0 1 0 1]
}

func ExamplePendulumDataset() {
	d, _ := famo2o.PendulumDataset(context.Background(), famo2o.D4MediumExpert, 4, rand.New(rand.NewPCG(1, 1)))
	fmt.Println(d.Len(), len(d.Returns))
	// Output: 800 4
}

func ExamplePendulumReference() {
	r, e, _ := famo2o.PendulumReference(context.Background(), 200, rand.New(rand.NewPCG(1, 1)))
	fmt.Println(r < -1000, e > -200)
	// Output: true true
}

func ExampleLearner_Update() {
	d, _ := famo2o.PendulumDataset(context.Background(), famo2o.D2Medium, 1, rand.New(rand.NewPCG(1, 1)))
	l, _ := famo2o.New(famo2o.NewPendulum, d, &famo2o.Settings{Method: famo2o.IQL, Hidden: []int{8}, BatchSize: 16})
	ls, err := l.Update(famo2o.Offline)
	fmt.Println(ls.MeanBeta, err)
	// Output: 3 <nil>
}

func ExampleLearner_Evaluate() {
	d, _ := famo2o.PendulumDataset(context.Background(), famo2o.D2Medium, 1, rand.New(rand.NewPCG(1, 1)))
	l, _ := famo2o.New(famo2o.NewPendulum, d, &famo2o.Settings{Hidden: []int{8}, BatchSize: 16, EvalEpisodes: 2})
	// Return of the family member with β = 5 everywhere.
	r, err := l.Evaluate(context.Background(), func([]float64) float64 { return 5 })
	fmt.Println(r < 0, err)
	// Output: true <nil>
}

func ExampleDataset_Check() {
	d := &famo2o.Dataset{ObsDim: 3, ActDim: 1}
	fmt.Println(d.Check())
	// Output: famo2o: empty data set: no transitions
}

func ExampleLearner_Policy() {
	d, _ := famo2o.PendulumDataset(context.Background(), famo2o.D2Medium, 1, rand.New(rand.NewPCG(1, 1)))
	l, _ := famo2o.New(famo2o.NewPendulum, d, &famo2o.Settings{Hidden: []int{8}, BatchSize: 16})
	p := l.Policy() // an rl.Policy, e.g. for rl.Evaluate
	a := p.Act([]float64{1, 0, 0}, true, nil)
	fmt.Println(len(a.Box), p.Beta([]float64{1, 0, 0}, nil) > 1)
	// Output: 1 true
}
