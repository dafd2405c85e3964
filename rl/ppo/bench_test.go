package ppo_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/ppo"
)

func cartPoleLearner(b *testing.B, s *ppo.Settings) *ppo.Learner {
	rng := rand.New(rand.NewPCG(1, 0))
	pol, err := ppo.NewCategoricalMLP(4, 2, nil, rng)
	if err != nil {
		b.Fatal(err)
	}
	cr, err := ppo.NewCriticMLP(4, 1, nil, rng)
	if err != nil {
		b.Fatal(err)
	}
	l, err := ppo.New(func() rl.MOEnv { return envs.NewCartPole() }, &ppo.Agent{Policy: pol, Critic: cr}, s, 1)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkRollout measures parallel rollouts with the MLP policy on
// CartPole (4 × 512 steps per op); workers=1 is the baseline.
func BenchmarkRollout(b *testing.B) {
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			l := cartPoleLearner(b, &ppo.Settings{NumEnvs: 4, NumSteps: 512, Workers: w})
			for b.Loop() {
				if _, err := l.Rollout(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*l.BatchSize())/b.Elapsed().Seconds(), "steps/s")
		})
	}
}

// BenchmarkUpdate measures PPO updates per second with the MLP policy
// (batch 8×32, 20 epochs, the example's CartPole setting) against the
// tabular policy on Deep Sea Treasure with the same batch and epochs.
func BenchmarkUpdate(b *testing.B) {
	s := ppo.Settings{NumEnvs: 8, NumSteps: 32, Minibatches: 1, Epochs: 20, GAE: true, LR: 1e-3}
	b.Run("mlp-cartpole", func(b *testing.B) {
		l := cartPoleLearner(b, &s)
		for b.Loop() {
			if _, err := l.Update(context.Background(), []float64{1}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	})
	b.Run("tabular-dst", func(b *testing.B) {
		ag := &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2)}
		l, err := ppo.New(func() rl.MOEnv { return envs.NewDST() }, ag, &s, 1)
		if err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			if _, err := l.Update(context.Background(), []float64{0.5, 0.5}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
	})
}
