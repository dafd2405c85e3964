package morl_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/morl"
	"github.com/optlearn/optlearn/rl/ppo"
)

func ExampleHypervolume() {
	front := envs.DSTFront()
	hv, _ := morl.Hypervolume(front, []float64{0, -25})
	hull, _ := morl.Hypervolume([][]float64{{1, -1}, {124, -19}}, []float64{0, -25})
	W, _ := morl.SimplexGrid(2, 0.01)
	eu, _ := morl.ExpectedUtility(front, W)
	sp, _ := morl.Sparsity(front)
	fmt.Printf("HV %.4g, hull HV %.4g, EU %.6g, SP %.6g\n", hv, hull, eu, sp)
	// Output: HV 1155, hull HV 762, EU 53.7279, SP 437.667
}

func ExampleArchive_Select() {
	ar, _ := morl.NewArchive([]float64{0, -25}, 0)
	_ = ar.Insert(morl.Entry{G: []float64{1, -1}}, morl.Entry{G: []float64{124, -19}},
		morl.Entry{G: []float64{16, -9}}, morl.Entry{G: []float64{10, -12}}) // the last is dominated
	var h morl.SelectionHistory
	fmt.Println(ar.Len(), ar.Select(2, &h)[0].G, ar.Select(2, &h)[0].G)
	// Output: 3 [1 -1] [16 -9]
}

func ExampleRun() {
	res, err := morl.Run(context.Background(), func() rl.MOEnv { return envs.NewDST() }, &morl.Settings{
		Ref: []float64{0, -25}, Delta: 0.5, Beta: 0.6, NumSelect: 2, UpdateIter: 5,
		TotalSteps: 40_960, InitSteps: 20_480, EvalInterval: 1, Rand: rand.New(rand.NewPCG(1, 0)),
		PPO: ppo.Settings{NumSteps: 256, NumEnvs: 4, Epochs: 4, Minibatches: 4, Gamma: 0.99, LR: 0.05, EntCoef: 0.01},
		NewAgent: func(*rand.Rand) *ppo.Agent {
			return &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2), RetNorm: ppo.NewRunningStat(2)}
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	best, _ := res.Archive.Assign([]float64{0, 1})
	fmt.Println(res.Status, best.G)
	// Output: Completed [1 -1]
}
