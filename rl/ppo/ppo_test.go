package ppo

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
)

func TestTabularGradient(t *testing.T) {
	p := NewTabular(3, 4)
	rng := rand.New(rand.NewPCG(1, 0))
	for i := range p.Logits {
		p.Logits[i] = rng.NormFloat64()
	}
	obs := []float64{0, 1, 0}
	a := rl.Action{Discrete: 2}
	const wl, we, h = 0.8, -0.4, 1e-6
	p.LogProbGrad(obs, a, wl, we)
	for j := range p.Logits {
		old := p.Logits[j]
		p.Logits[j] = old + h
		lp, e := p.LogProbGrad(obs, a, 0, 0)
		fp := wl*lp + we*e
		p.Logits[j] = old - h
		lp, e = p.LogProbGrad(obs, a, 0, 0)
		fm := wl*lp + we*e
		p.Logits[j] = old
		if fd := (fp - fm) / (2 * h); math.Abs(fd-p.grad[j]) > 1e-6 {
			t.Errorf("logit %d: analytic %g, finite difference %g", j, p.grad[j], fd)
		}
	}
}

func TestClippedSurrogateGrad(t *testing.T) {
	mb := &Minibatch{Ratio: []float64{0.5, 1.1, 1.5, 0.9}, Adv: []float64{-1, 2, 3, 1}, Clip: 0.2}
	w := make([]float64, 4)
	v := clipped{}.Grad(w, mb)
	// Finite differences in log-ratio space.
	for i := range mb.Ratio {
		const h = 1e-7
		r := mb.Ratio[i]
		mb.Ratio[i] = r * math.Exp(h)
		fp := clipped{}.Grad(make([]float64, 4), mb)
		mb.Ratio[i] = r * math.Exp(-h)
		fm := clipped{}.Grad(make([]float64, 4), mb)
		mb.Ratio[i] = r
		if fd := (fp - fm) / (2 * h); math.Abs(fd-w[i]) > 1e-6 {
			t.Errorf("sample %d: analytic %g, finite difference %g", i, w[i], fd)
		}
	}
	want := (math.Min(0.5*-1, 0.8*-1) + 1.1*2 + 1.2*3 + 0.9*1) / 4
	if math.Abs(v-want) > 1e-12 {
		t.Errorf("objective %g, want %g", v, want)
	}
}

func newDSTLearner(t testing.TB, workers int, seed uint64) *Learner {
	ag := &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 2), RetNorm: NewRunningStat(2)}
	l, err := New(func() rl.MOEnv { return envs.NewDST() }, ag, &Settings{NumSteps: 64, NumEnvs: 4, Workers: workers, Epochs: 2, Minibatches: 4, Gamma: 0.99, LR: 0.05, EntCoef: 0.01}, seed)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestDeterministicWorkers checks that the number of rollout goroutines
// does not change the result (run with -race).
func TestDeterministicWorkers(t *testing.T) {
	var logits [][]float64
	for _, w := range []int{1, 2, 4} {
		l := newDSTLearner(t, w, 7)
		for range 3 {
			if _, err := l.Update(context.Background(), []float64{0.5, 0.5}); err != nil {
				t.Fatal(err)
			}
		}
		logits = append(logits, slices.Clone(l.Agent().Policy.(*Tabular).Logits))
	}
	for i := 1; i < len(logits); i++ {
		if !slices.Equal(logits[0], logits[i]) {
			t.Fatalf("workers changed the result")
		}
	}
}

// TestLearnsDST checks that tabular PPO with weights favouring time finds
// the nearest treasure (1, −1).
func TestLearnsDST(t *testing.T) {
	l := newDSTLearner(t, 1, 1)
	for range 30 {
		if _, err := l.Update(context.Background(), []float64{0.2, 0.8}); err != nil {
			t.Fatal(err)
		}
	}
	g, _, err := rl.Evaluate(envs.NewDST(), l.Agent().Actor(), 1, 1, true, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if g[0] != 1 || g[1] != -1 {
		t.Errorf("greedy return %v, want (1, -1)", g)
	}
}

// nanEnv returns a NaN reward on its second step.
type nanEnv struct{ envs.DST }

func (e *nanEnv) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	obs, d, err := e.DST.Step(a, r)
	r[0] = math.NaN()
	return obs, d, err
}

func TestBadInput(t *testing.T) {
	l := newDSTLearner(t, 1, 1)
	if _, err := l.Update(context.Background(), []float64{0.5, 0.6}); !errors.Is(err, rl.ErrWeights) {
		t.Errorf("weights summing to 1.1: %v", err)
	}
	if _, err := l.Update(context.Background(), []float64{1}); !errors.Is(err, rl.ErrWeights) {
		t.Errorf("weights of wrong length: %v", err)
	}
	ag := &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 2)}
	ln, err := New(func() rl.MOEnv { e := &nanEnv{*envs.NewDST()}; return e }, ag, &Settings{NumSteps: 8, NumEnvs: 1, Minibatches: 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ln.Update(context.Background(), []float64{0.5, 0.5}); !errors.Is(err, rl.ErrReward) {
		t.Errorf("NaN reward: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Update(ctx, []float64{0.5, 0.5}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if _, err := New(func() rl.MOEnv { return envs.NewDST() }, &Agent{}, nil, 1); !errors.Is(err, ErrSettings) {
		t.Errorf("empty agent: %v", err)
	}
}

// batchProbe records what the learner shows an UpdateStarter and the
// minibatches of the first epoch.
type batchProbe struct {
	begins  int
	batch   Batch
	sum     []float64
	samples int
	inFirst bool
}

func (p *batchProbe) BeginUpdate(b *Batch) {
	p.begins++
	p.batch = *b
	p.sum = make([]float64, b.Objectives)
	p.samples = 0
	p.inFirst = true
}

func (p *batchProbe) Grad(_ []float64, mb *Minibatch) float64 {
	if p.inFirst && p.samples < 64*4 {
		for i := range mb.Ratio {
			for k := range mb.Objectives {
				p.sum[k] += mb.AdvVec[i*mb.Objectives+k]
			}
		}
		p.samples += len(mb.Ratio)
	}
	return 0
}

// TestUpdateStarter checks that a loss term implementing UpdateStarter is
// told the whole-batch statistics once per update, before the epochs: L̄ as
// in the minibatches and AdvMean equal to the mean of every sample's raw
// advantage (the first epoch's minibatches partition the batch).
func TestUpdateStarter(t *testing.T) {
	l := newDSTLearner(t, 1, 3)
	p := &batchProbe{}
	for u := 1; u <= 3; u++ {
		st, err := l.Update(context.Background(), []float64{0.5, 0.5}, p)
		if err != nil {
			t.Fatal(err)
		}
		if p.begins != u {
			t.Fatalf("update %d: BeginUpdate called %d times", u, p.begins)
		}
		if p.batch.Objectives != 2 || p.batch.MeanEpLen != st.MeanEpLen || p.batch.Episodes != st.Episodes {
			t.Errorf("update %d: batch %+v, stats %+v", u, p.batch, st)
		}
		if p.samples != 64*4 {
			t.Fatalf("first epoch saw %d samples", p.samples)
		}
		for k := range 2 {
			if m := p.sum[k] / float64(p.samples); math.Abs(m-p.batch.AdvMean[k]) > 1e-9*(1+math.Abs(m)) {
				t.Errorf("update %d objective %d: AdvMean %g, minibatch mean %g", u, k, p.batch.AdvMean[k], m)
			}
		}
	}
}
