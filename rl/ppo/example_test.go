package ppo_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/ppo"
)

func ExampleLearner_Update() {
	ag := &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2)}
	l, err := ppo.New(func() rl.MOEnv { return envs.NewDST() }, ag,
		&ppo.Settings{NumSteps: 128, NumEnvs: 2, Epochs: 4, Minibatches: 4, Gamma: 0.99, LR: 0.05}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 20 {
		if _, err := l.Update(context.Background(), []float64{0.1, 0.9}); err != nil {
			fmt.Println(err)
			return
		}
	}
	g, _, _ := rl.Evaluate(envs.NewDST(), ag.Actor(), 1, 1, true, 0, rand.New(rand.NewPCG(1, 0)))
	fmt.Println(g)
	// Output: [1 -1]
}

// ratioPenalty is an extra loss term −c·mean_i (ρ_i − 1)², a simple trust
// region. Its derivative with respect to log π_i is −2c(ρ_i − 1)ρ_i/|mb|.
type ratioPenalty struct{ c float64 }

func (p ratioPenalty) Grad(dst []float64, mb *ppo.Minibatch) float64 {
	v := 0.0
	n := float64(len(mb.Ratio))
	for i, r := range mb.Ratio {
		v -= p.c * (r - 1) * (r - 1) / n
		dst[i] -= 2 * p.c * (r - 1) * r / n
	}
	return v
}

func ExampleLossTerm() {
	ag := &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2)}
	l, err := ppo.New(func() rl.MOEnv { return envs.NewDST() }, ag,
		&ppo.Settings{NumSteps: 128, NumEnvs: 2, Epochs: 4, Minibatches: 4, Gamma: 0.99, LR: 0.05}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 20 {
		if _, err := l.Update(context.Background(), []float64{0.1, 0.9}, ratioPenalty{c: 1}); err != nil {
			fmt.Println(err)
			return
		}
	}
	g, _, _ := rl.Evaluate(envs.NewDST(), ag.Actor(), 1, 1, true, 0, nil)
	fmt.Println(g)
	// Output: [1 -1]
}

// PPO with the network policy and critic on CartPole, run for a fixed
// number of updates with a History recorder.
func ExampleLearner_Run() {
	rng := rand.New(rand.NewPCG(1, 0))
	pol, _ := ppo.NewCategoricalMLP(4, 2, nil, rng)
	cr, _ := ppo.NewCriticMLP(4, 1, nil, rng)
	var h ppo.History
	l, err := ppo.New(func() rl.MOEnv { return envs.NewCartPole() }, &ppo.Agent{Policy: pol, Critic: cr},
		&ppo.Settings{NumEnvs: 4, NumSteps: 32, Minibatches: 2, Epochs: 4, GAE: true, LR: 1e-3, MaxIter: 5, Recorder: &h}, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := l.Run(context.Background(), []float64{1})
	fmt.Println(res.Iterations, res.Steps, res.Status, err, h.Len())
	// Output: 5 640 IterationLimit <nil> 6
}

// A softmax policy on a 4-64-64-2 tanh network; its 0.01-scaled output
// layer makes the initial policy nearly uniform.
func ExampleNewCategoricalMLP() {
	p, _ := ppo.NewCategoricalMLP(4, 2, nil, rand.New(rand.NewPCG(1, 0)))
	fmt.Printf("%.2f\n", p.LogProb([]float64{0.1, 0, -0.2, 0}, rl.Action{Discrete: 1}))
	// Output: -0.69
}

// A Gaussian policy for box actions and a two-objective critic, evaluated
// on a whole minibatch at once.
func ExampleNewGaussianMLP() {
	rng := rand.New(rand.NewPCG(1, 0))
	pol, _ := ppo.NewGaussianMLP(3, 1, []int{16}, rng)
	cr, _ := ppo.NewCriticMLP(3, 2, []int{16}, rng)
	X := []float64{0.1, 0.2, 0.3, -1, 0, 1} // two observations
	acts := []rl.Action{{Box: []float64{0}}, {Box: []float64{0.5}}}
	logp, ent := make([]float64, 2), make([]float64, 2)
	if err := pol.LogProbBatch(logp, ent, X, acts); err != nil {
		fmt.Println(err)
		return
	}
	v := make([]float64, 2*2)
	if err := cr.ValuesBatch(v, X); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("entropy %.4f (σ = 1), %d values\n", ent[0], len(v))
	// Output: entropy 1.4189 (σ = 1), 4 values
}

// A linearly decaying step size; a NaN rate is refused.
func ExampleLearner_SetLR() {
	ag := &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2)}
	l, _ := ppo.New(func() rl.MOEnv { return envs.NewDST() }, ag, &ppo.Settings{NumSteps: 64, NumEnvs: 1, Minibatches: 2, LR: 0.05}, 1)
	for u := range 3 {
		if err := l.SetLR(0.05 * (1 - float64(u)/3)); err != nil {
			fmt.Println(err)
		}
		l.Update(context.Background(), []float64{0.5, 0.5})
	}
	fmt.Println(l.SetLR(math.NaN()))
	// Output: ppo: invalid settings: SetLR(NaN)
}
