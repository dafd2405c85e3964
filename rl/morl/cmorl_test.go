package morl

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/ppo"
	"github.com/optlearn/optlearn/run"
)

func dstSettings(seed uint64, total int) *Settings {
	return &Settings{
		Ref: []float64{0, -25}, Delta: 0.2, Beta: 0.6, UpdateIter: 10, NumSelect: 3,
		TotalSteps: total, InitSteps: total / 2, EvalInterval: 1, EvalGamma: 1, Workers: 2,
		Rand: rand.New(rand.NewPCG(seed, 0)),
		PPO:  ppo.Settings{NumSteps: 256, NumEnvs: 4, Gamma: 0.99, LR: 0.05, EntCoef: 0.01},
		NewAgent: func(*rand.Rand) *ppo.Agent {
			return &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2), RetNorm: ppo.NewRunningStat(2)}
		},
	}
}

func dstEnv() rl.MOEnv { return envs.NewDST() }

// TestCMORLDSTReduced runs C-MORL on Deep Sea Treasure with a reduced budget
// and requires at least 4 true front points; a History sees Start, every
// archive update and the end.
func TestCMORLDSTReduced(t *testing.T) {
	if testing.Short() {
		t.Skip("RL run")
	}
	defer goleak.VerifyNone(t)
	s := dstSettings(1, 150_000)
	var hist History
	var buf bytes.Buffer
	s.Recorder = run.Tee[*Iter](&hist, &Printer{W: &buf, Interval: -1})
	res, err := Run(context.Background(), dstEnv, s)
	if err != nil {
		t.Fatal(err)
	}
	if hist.Len() != res.Iterations+1 || hist.Iters[1].Stage != 1 || hist.Iters[1].HV != res.Stage1HV || hist.Status != res.Status {
		t.Errorf("history: %d states for %d iterations, status %v/%v", hist.Len(), res.Iterations, hist.Status, res.Status)
	}
	if res.Iterations != len(res.Rounds)+1 {
		t.Errorf("%d iterations for %d rounds", res.Iterations, len(res.Rounds))
	}
	if !strings.Contains(buf.String(), "end "+res.Status.String()) {
		t.Errorf("printer output:\n%s", buf.String())
	}
	front := envs.DSTFront()
	found := 0
	for _, p := range res.Archive.Points() {
		for _, q := range front {
			if p[0] == q[0] && p[1] == q[1] {
				found++
			}
		}
	}
	t.Logf("archive %v HV %g, stage 1 size %d HV %g, steps %d unused %d, status %v", res.Archive.Points(), res.Archive.Hypervolume(), res.Stage1Size, res.Stage1HV, res.Steps, res.UnusedSteps, res.Status)
	if found < 4 {
		t.Errorf("found %d true front points, want at least 4", found)
	}
	if res.Status != run.Completed && res.Status != run.Converged {
		t.Errorf("status %v", res.Status)
	}
	if res.Steps+res.UnusedSteps != s.TotalSteps {
		t.Errorf("steps %d + unused %d ≠ TotalSteps %d", res.Steps, res.UnusedSteps, s.TotalSteps)
	}
}

// TestExhaustedBudget is the defect of issue 13: with final-only archiving
// the Stage-1 archive holds at most 6 vectors, so N_s = 6 selects them all
// in the first round and, when no new vector appears, Stage 2 used to end
// silently with most of its budget unspent. The run must report it
// (Status Converged, Exhausted, UnusedSteps), and Reselect must spend the
// rest.
func TestExhaustedBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("RL run")
	}
	defer goleak.VerifyNone(t)
	base := func() *Settings {
		s := dstSettings(3, 60_000)
		s.ArchiveFinal, s.NumSelect, s.UpdateIter = true, 6, 2
		return s
	}
	res, err := Run(context.Background(), dstEnv, base())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("stop: %d rounds, steps %d, unused %d, exhausted %v, status %v", len(res.Rounds), res.Steps, res.UnusedSteps, res.Exhausted, res.Status)
	if res.Steps+res.UnusedSteps != 60_000 {
		t.Errorf("steps %d + unused %d ≠ 60000", res.Steps, res.UnusedSteps)
	}
	if res.Exhausted != (res.Status == run.Converged) {
		t.Errorf("Exhausted %v with status %v", res.Exhausted, res.Status)
	}
	if !res.Exhausted || res.UnusedSteps < 1024*2*2 {
		t.Fatalf("this seed should exhaust the archive with budget left: exhausted %v, unused %d", res.Exhausted, res.UnusedSteps)
	}
	s := base()
	s.Reselect = true
	res2, err := Run(context.Background(), dstEnv, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("reselect: %d rounds, steps %d, unused %d, status %v", len(res2.Rounds), res2.Steps, res2.UnusedSteps, res2.Status)
	if res2.Exhausted || res2.Status != run.Completed || res2.Steps <= res.Steps {
		t.Errorf("reselect: exhausted %v, status %v, steps %d (without: %d)", res2.Exhausted, res2.Status, res2.Steps, res.Steps)
	}
	// What is left cannot fund one update of each of the round's 2·m
	// extensions (m ≤ 6 selected entries).
	if res2.UnusedSteps >= 1024*2*6 {
		t.Errorf("reselect left %d steps unused", res2.UnusedSteps)
	}
}

func TestCMORLBadInput(t *testing.T) {
	defer goleak.VerifyNone(t)
	s := dstSettings(1, 4096)
	s.Ref = []float64{0, -25, 0}
	if _, err := Run(context.Background(), dstEnv, s); !errors.Is(err, ErrDimension) {
		t.Errorf("reference of wrong length: %v", err)
	}
	s = dstSettings(1, 8192)
	s.Ref = []float64{500, 0}
	if _, err := Run(context.Background(), dstEnv, s); !errors.Is(err, ErrReference) {
		t.Errorf("reference not dominated: %v", err)
	}
	s = dstSettings(1, 4096)
	s.Beta = 1.5
	if _, err := Run(context.Background(), dstEnv, s); !errors.Is(err, ErrSettings) {
		t.Errorf("beta 1.5: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, dstEnv, dstSettings(1, 40960))
	if !errors.Is(err, context.Canceled) || res == nil || res.Status != run.Canceled {
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
