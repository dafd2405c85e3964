package morl

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/ppo"
)

func dstConfig(seed uint64, total int) *Config {
	return &Config{
		Ref: []float64{0, -25}, Delta: 0.2, Beta: 0.6, UpdateIter: 10, NumSelect: 3,
		TotalSteps: total, InitSteps: total / 2, EvalInterval: 1, EvalGamma: 1, Workers: 2, Seed: seed,
		PPO: ppo.Settings{NumSteps: 256, NumEnvs: 4, Gamma: 0.99, LR: 0.05, EntCoef: 0.01},
		NewAgent: func(*rand.Rand) *ppo.Agent {
			return &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2), RetNorm: ppo.NewRunningStat(2)}
		},
	}
}

func dstEnv() rl.MOEnv { return envs.NewDST() }

// TestCMORLDSTReduced runs C-MORL on Deep Sea Treasure with a reduced budget
// and requires at least 4 true front points and no point off the front.
func TestCMORLDSTReduced(t *testing.T) {
	if testing.Short() {
		t.Skip("RL run")
	}
	defer goleak.VerifyNone(t)
	cfg := dstConfig(1, 150_000)
	var hist RoundHistory
	cfg.Recorder = &hist
	res, err := Run(context.Background(), dstEnv, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist.Rounds) != len(res.Rounds)+1 || hist.Rounds[0].Round != -1 || hist.Rounds[0].HV != res.Stage1HV {
		t.Errorf("recorder saw %+v", hist.Rounds)
	}
	front := envs.DSTFront()
	found := 0
	for _, p := range res.Archive.Points() {
		on := false
		for _, q := range front {
			if p[0] == q[0] && p[1] == q[1] {
				on = true
			}
		}
		if on {
			found++
		}
	}
	t.Logf("archive %v HV %g, stage 1 size %d HV %g, steps %d", res.Archive.Points(), res.Archive.Hypervolume(), res.Stage1Size, res.Stage1HV, res.Steps)
	if found < 4 {
		t.Errorf("found %d true front points, want at least 4", found)
	}
	if res.Status != Done {
		t.Errorf("status %v", res.Status)
	}
}

func TestCMORLBadInput(t *testing.T) {
	defer goleak.VerifyNone(t)
	c := dstConfig(1, 4096)
	c.Ref = []float64{0, -25, 0}
	if _, err := Run(context.Background(), dstEnv, c); !errors.Is(err, ErrDimension) {
		t.Errorf("reference of wrong length: %v", err)
	}
	c = dstConfig(1, 4096)
	c.Ref = []float64{500, 0}
	if _, err := Run(context.Background(), dstEnv, c); !errors.Is(err, ErrReference) {
		t.Errorf("reference not dominated: %v", err)
	}
	c = dstConfig(1, 4096)
	c.Beta = 1.5
	if _, err := Run(context.Background(), dstEnv, c); !errors.Is(err, ErrConfig) {
		t.Errorf("beta 1.5: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, dstEnv, dstConfig(1, 40960))
	if !errors.Is(err, context.Canceled) || res == nil || res.Status != Canceled {
		t.Errorf("cancelled: %v %v", res, err)
	}
	ar, _ := NewArchive([]float64{0, -25}, 0)
	if _, err := ar.Assign([]float64{0.5, 0.6}); !errors.Is(err, rl.ErrWeights) {
		t.Errorf("weights summing to 1.1: %v", err)
	}
	if err := ar.Insert(Entry{G: []float64{1, 2, 3}}); !errors.Is(err, ErrDimension) {
		t.Errorf("insert wrong length: %v", err)
	}
}
