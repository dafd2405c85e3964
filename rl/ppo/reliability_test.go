package ppo

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/run"
)

// panicEnv panics in Step after a few steps (a bug in a user's Env).
type panicEnv struct {
	envs.CartPole
	n int
}

func (e *panicEnv) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	if e.n++; e.n > 5 {
		panic("user bug")
	}
	return e.CartPole.Step(a, r)
}

func cartPoleAgent(t testing.TB, seed uint64) *Agent {
	rng := rand.New(rand.NewPCG(seed, 0))
	pol, err := NewCategoricalMLP(4, 2, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	cr, err := NewCriticMLP(4, 1, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	return &Agent{Policy: pol, Critic: cr}
}

func newCartPole() rl.MOEnv { return envs.NewCartPole() }
func newDST() rl.MOEnv      { return envs.NewDST() }

// TestBadInputTable feeds every exported entry point of the package bad
// input and expects an error (never a panic), or a documented NaN where the
// rl.Policy interface has no error.
func TestBadInputTable(t *testing.T) {
	defer goleak.VerifyNone(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 0))
	tab := func() *Agent { return &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 2)} }
	newL := func(s *Settings) error { _, err := New(newDST, tab(), s, 1); return err }
	nan := math.NaN()
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		// New: settings, each named.
		{"NumSteps < 0", func() error { return newL(&Settings{NumSteps: -1}) }, ErrSettings},
		{"NumEnvs < 0", func() error { return newL(&Settings{NumEnvs: -2}) }, ErrSettings},
		{"Workers < 0", func() error { return newL(&Settings{Workers: -1}) }, ErrSettings},
		{"Epochs < 0", func() error { return newL(&Settings{Epochs: -1}) }, ErrSettings},
		{"Minibatches < 0", func() error { return newL(&Settings{Minibatches: -1}) }, ErrSettings},
		{"Minibatches > batch", func() error { return newL(&Settings{NumSteps: 4, NumEnvs: 1, Minibatches: 5}) }, ErrSettings},
		{"MaxIter < 0", func() error { return newL(&Settings{MaxIter: -1}) }, ErrSettings},
		{"Gamma NaN", func() error { return newL(&Settings{Gamma: nan}) }, ErrSettings},
		{"Gamma > 1", func() error { return newL(&Settings{Gamma: 1.5}) }, ErrSettings},
		{"Lambda NaN", func() error { return newL(&Settings{Lambda: nan}) }, ErrSettings},
		{"LR NaN", func() error { return newL(&Settings{LR: nan}) }, ErrSettings},
		{"LR < 0", func() error { return newL(&Settings{LR: -1}) }, ErrSettings},
		{"LR Inf", func() error { return newL(&Settings{LR: math.Inf(1)}) }, ErrSettings},
		{"AdamEps < 0", func() error { return newL(&Settings{AdamEps: -1}) }, ErrSettings},
		{"Clip NaN", func() error { return newL(&Settings{Clip: nan}) }, ErrSettings},
		{"ValueCoef NaN", func() error { return newL(&Settings{ValueCoef: nan}) }, ErrSettings},
		{"EntCoef NaN", func() error { return newL(&Settings{EntCoef: nan}) }, ErrSettings},
		{"MaxGradNorm NaN", func() error { return newL(&Settings{MaxGradNorm: nan}) }, ErrSettings},
		{"TimeLimit < 0", func() error { return newL(&Settings{TimeLimit: -time.Second}) }, run.ErrSettings},
		// New: factory and agent.
		{"nil factory", func() error { _, err := New(nil, tab(), nil, 1); return err }, ErrSettings},
		{"factory returns nil", func() error { _, err := New(func() rl.MOEnv { return nil }, tab(), nil, 1); return err }, ErrSettings},
		{"factory panics", func() error { _, err := New(func() rl.MOEnv { panic("boom") }, tab(), nil, 1); return err }, ErrPanic},
		{"nil agent", func() error { _, err := New(newDST, nil, nil, 1); return err }, ErrSettings},
		{"agent without critic", func() error { _, err := New(newDST, &Agent{Policy: NewTabular(121, 4)}, nil, 1); return err }, ErrSettings},
		{"tabular policy smaller than the state space", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(100, 4), Critic: NewTabularCritic(121, 2)}, nil, 1)
			return err
		}, ErrSettings},
		{"tabular critic smaller than the state space", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(120, 2)}, nil, 1)
			return err
		}, ErrSettings},
		{"tabular policy with too few actions", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(121, 3), Critic: NewTabularCritic(121, 2)}, nil, 1)
			return err
		}, ErrSettings},
		{"tabular critic with too few objectives", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 1)}, nil, 1)
			return err
		}, ErrSettings},
		{"NewTabular negative size", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(-1, 4), Critic: NewTabularCritic(121, 2)}, nil, 1)
			return err
		}, ErrSettings},
		{"NewTabularCritic negative size", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, -2)}, nil, 1)
			return err
		}, ErrSettings},
		{"NewTabular 80 GB", func() error {
			_, err := New(newDST, &Agent{Policy: NewTabular(1<<33, 4), Critic: NewTabularCritic(121, 2)}, nil, 1)
			return err
		}, ErrSettings},
		{"NewRunningStat negative size", func() error {
			ag := tab()
			ag.ObsNorm = NewRunningStat(-3)
			_, err := New(newDST, ag, nil, 1)
			return err
		}, ErrSettings},
		{"return normaliser of the wrong size", func() error {
			ag := tab()
			ag.RetNorm = NewRunningStat(3)
			_, err := New(newDST, ag, nil, 1)
			return err
		}, ErrSettings},
		{"network policy of the wrong input width", func() error {
			ag := cartPoleAgent(t, 1)
			ag.Policy, _ = NewCategoricalMLP(5, 2, nil, rng)
			_, err := New(newCartPole, ag, nil, 1)
			return err
		}, ErrSettings},
		{"network critic of the wrong output width", func() error {
			ag := cartPoleAgent(t, 1)
			ag.Critic, _ = NewCriticMLP(4, 2, nil, rng)
			_, err := New(newCartPole, ag, nil, 1)
			return err
		}, ErrSettings},
		{"Gaussian policy on discrete actions", func() error {
			ag := cartPoleAgent(t, 1)
			ag.Policy, _ = NewGaussianMLP(4, 1, nil, rng)
			_, err := New(newCartPole, ag, nil, 1)
			return err
		}, ErrSettings},
		// Network constructors.
		{"NewCategoricalMLP nil rng", func() error { _, err := NewCategoricalMLP(4, 2, nil, nil); return err }, ErrSettings},
		{"NewCategoricalMLP negative size", func() error { _, err := NewCategoricalMLP(-4, 2, nil, rng); return err }, ErrSettings},
		{"NewGaussianMLP zero actions", func() error { _, err := NewGaussianMLP(3, 0, nil, rng); return err }, ErrSettings},
		{"NewGaussianMLP 80 GB", func() error { _, err := NewGaussianMLP(3, 1, []int{1 << 17, 1 << 17}, rng); return err }, ErrSettings},
		{"NewCriticMLP negative hidden", func() error { _, err := NewCriticMLP(3, 1, []int{-1}, rng); return err }, ErrSettings},
		// Batched model methods.
		{"LogProbBatch ragged X", func() error {
			p, _ := NewCategoricalMLP(4, 2, nil, rng)
			return p.LogProbBatch(make([]float64, 2), make([]float64, 2), make([]float64, 7), make([]rl.Action, 2))
		}, ErrDimension},
		{"LogProbBatch empty batch", func() error {
			p, _ := NewCategoricalMLP(4, 2, nil, rng)
			return p.LogProbBatch(nil, nil, nil, nil)
		}, nil},
		{"LogProbBatch NaN row", func() error {
			p, _ := NewCategoricalMLP(2, 2, nil, rng)
			return p.LogProbBatch(make([]float64, 2), make([]float64, 2), []float64{0, 0, nan, 1}, make([]rl.Action, 2))
		}, nil},
		{"LogProbBatch action out of range", func() error {
			p, _ := NewCategoricalMLP(2, 2, nil, rng)
			return p.LogProbBatch(make([]float64, 1), make([]float64, 1), []float64{0, 0}, []rl.Action{{Discrete: 2}})
		}, rl.ErrAction},
		{"Gaussian LogProbBatch wrong action length", func() error {
			p, _ := NewGaussianMLP(2, 2, nil, rng)
			return p.LogProbBatch(make([]float64, 1), make([]float64, 1), []float64{0, 0}, []rl.Action{{Box: []float64{1}}})
		}, rl.ErrAction},
		{"GradBatch before LogProbBatch", func() error {
			p, _ := NewCategoricalMLP(2, 2, nil, rng)
			return p.GradBatch([]float64{1}, 0)
		}, ErrDimension},
		{"Gaussian GradBatch weights length", func() error {
			p, _ := NewGaussianMLP(2, 1, nil, rng)
			p.LogProbBatch(make([]float64, 1), make([]float64, 1), []float64{0, 0}, []rl.Action{{Box: []float64{1}}})
			return p.GradBatch([]float64{1, 2}, 0)
		}, ErrDimension},
		{"ValuesBatch wrong output length", func() error {
			c, _ := NewCriticMLP(2, 1, nil, rng)
			return c.ValuesBatch(make([]float64, 3), []float64{0, 0, 1, 1})
		}, ErrDimension},
		{"ValueGradBatch before ValuesBatch", func() error {
			c, _ := NewCriticMLP(2, 1, nil, rng)
			return c.ValueGradBatch([]float64{1})
		}, nil},
		{"SetLR NaN", func() error {
			l, _ := New(newDST, tab(), &Settings{NumSteps: 8, NumEnvs: 1, Minibatches: 1}, 1)
			return l.SetLR(nan)
		}, ErrSettings},
		{"SetLR negative", func() error {
			l, _ := New(newDST, tab(), &Settings{NumSteps: 8, NumEnvs: 1, Minibatches: 1}, 1)
			return l.SetLR(-1e-3)
		}, ErrSettings},
		// Normaliser.
		{"RunningStat.Update wrong dimension", func() error { return NewRunningStat(2).Update([][]float64{{1}}) }, ErrDimension},
		{"RunningStat.Update NaN", func() error { return NewRunningStat(1).Update([][]float64{{nan}}) }, ErrNotFinite},
		// Update / Run / Rollout.
		{"Update weights of wrong length", func() error {
			l, _ := New(newDST, tab(), &Settings{NumSteps: 8, NumEnvs: 1, Minibatches: 1}, 1)
			_, err := l.Update(ctx, []float64{1})
			return err
		}, rl.ErrWeights},
		{"Update NaN weights", func() error {
			l, _ := New(newDST, tab(), &Settings{NumSteps: 8, NumEnvs: 1, Minibatches: 1}, 1)
			_, err := l.Update(ctx, []float64{nan, 1})
			return err
		}, rl.ErrWeights},
		{"Run NaN weights", func() error {
			l, _ := New(newDST, tab(), &Settings{NumSteps: 8, NumEnvs: 1, Minibatches: 1, MaxIter: 2}, 1)
			_, err := l.Run(ctx, []float64{nan, 1})
			return err
		}, rl.ErrWeights},
		{"Update with a panicking env (Workers 2)", func() error {
			l, err := New(func() rl.MOEnv { return &panicEnv{CartPole: *envs.NewCartPole()} }, cartPoleAgent(t, 1), &Settings{NumSteps: 16, NumEnvs: 2, Workers: 2, Minibatches: 1}, 1)
			if err != nil {
				return err
			}
			_, err = l.Update(ctx, []float64{1})
			return err
		}, ErrPanic},
		{"Rollout with a panicking env", func() error {
			l, err := New(func() rl.MOEnv { return &panicEnv{CartPole: *envs.NewCartPole()} }, cartPoleAgent(t, 1), &Settings{NumSteps: 16, NumEnvs: 1, Minibatches: 1}, 1)
			if err != nil {
				return err
			}
			_, err = l.Rollout(ctx)
			return err
		}, ErrPanic},
		{"Update with a NaN gradient (Inf entropy weight)", func() error {
			l, err := New(newCartPole, cartPoleAgent(t, 1), &Settings{NumSteps: 16, NumEnvs: 1, Minibatches: 1, EntCoef: math.Inf(1)}, 1)
			if err != nil {
				return err
			}
			_, err = l.Update(ctx, []float64{1})
			return err
		}, ErrSettings},
	}
	for _, c := range cases {
		err := c.run()
		if c.want == nil {
			if err == nil {
				t.Errorf("%s: no error", c.name)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if n := len(cases); n < 50 {
		t.Errorf("only %d cases", n)
	}
	t.Logf("%d bad-input cases", len(cases))
	// Policy methods without an error return give NaN.
	g, _ := NewGaussianMLP(3, 2, nil, rng)
	if lp := g.LogProb([]float64{0, 0, 0}, rl.Action{Box: []float64{1}}); !math.IsNaN(lp) {
		t.Errorf("Gaussian.LogProb with a 1-component action for 2: %v, want NaN", lp)
	}
	if lp, _ := g.LogProbGrad([]float64{0, 0, 0}, rl.Action{Box: []float64{1, 2, 3}}, 1, 0); !math.IsNaN(lp) {
		t.Errorf("Gaussian.LogProbGrad with a 3-component action for 2: %v, want NaN", lp)
	}
	tb := NewTabular(3, 2)
	if lp := tb.LogProb([]float64{0, 0, 0, 1}, rl.Action{}); !math.IsNaN(lp) {
		t.Errorf("Tabular.LogProb of state 3 of 3: %v, want NaN", lp)
	}
	if !strings.Contains(newL(&Settings{LR: nan}).Error(), "LR") {
		t.Errorf("the LR error does not name the field")
	}
}

// cancelWithin cancels a run after delay and fails if it does not return
// within 100 ms of the cancel.
func cancelWithin(t *testing.T, delay time.Duration, f func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var canceled time.Time
	go func() { done <- f(ctx) }()
	time.Sleep(delay)
	canceled = time.Now()
	cancel()
	select {
	case err := <-done:
		if lag := time.Since(canceled); lag > 100*time.Millisecond {
			t.Errorf("returned %v after cancel", lag)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("did not return within 5 s of cancel")
	}
}

// Update and Run stop within 100 ms of cancel, in the rollout and in the
// optimisation epochs, and leak no goroutine.
func TestCancelPrompt(t *testing.T) {
	defer goleak.VerifyNone(t)
	// A long rollout: 2 × 200k CartPole steps on two workers.
	l, err := New(newCartPole, cartPoleAgent(t, 1), &Settings{NumSteps: 200_000, NumEnvs: 2, Workers: 2, Minibatches: 100}, 1)
	if err != nil {
		t.Fatal(err)
	}
	cancelWithin(t, 30*time.Millisecond, func(ctx context.Context) error { _, err := l.Update(ctx, []float64{1}); return err })
	// Long optimisation: a short rollout, many epochs of large minibatches.
	l, err = New(newCartPole, cartPoleAgent(t, 2), &Settings{NumSteps: 2048, NumEnvs: 1, Epochs: 10_000, Minibatches: 4}, 1)
	if err != nil {
		t.Fatal(err)
	}
	cancelWithin(t, 50*time.Millisecond, func(ctx context.Context) error { _, err := l.Update(ctx, []float64{1}); return err })
	l, err = New(newCartPole, cartPoleAgent(t, 3), &Settings{NumSteps: 64, NumEnvs: 2, Epochs: 4, Minibatches: 2, MaxIter: 1 << 30}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	cancelWithin(t, 50*time.Millisecond, func(ctx context.Context) error { var err error; res, err = l.Run(ctx, []float64{1}); return err })
	if res.Status != run.Canceled {
		t.Errorf("Run status %v, want Canceled", res.Status)
	}
}

// Run makes MaxIter updates, shows each to the Recorder and stops when it
// asks; the History holds start, updates and end.
func TestRunRecorder(t *testing.T) {
	var h History
	l, err := New(newDST, &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 2)},
		&Settings{NumSteps: 32, NumEnvs: 2, Minibatches: 2, Epochs: 2, MaxIter: 3, Recorder: &h}, 1)
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background(), []float64{0.5, 0.5})
	if err != nil || res.Iterations != 3 || res.Status != run.IterationLimit || res.Steps != 3*64 {
		t.Fatalf("Run = %+v, %v; want 3 updates, IterationLimit, 192 steps", res, err)
	}
	if h.Len() != 4 || h.Status != run.IterationLimit || h.Iters[2].Steps != 128 {
		t.Fatalf("history of %d states: %+v", h.Len(), h.Iters)
	}
	stop := errors.New("enough")
	n := 0
	l2, _ := New(newDST, &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 2)},
		&Settings{NumSteps: 32, NumEnvs: 2, Minibatches: 2, Epochs: 2, MaxIter: 10, Recorder: run.RecorderFunc[*Iter](func(it *Iter) error {
			if it.Event == run.Iteration {
				if n++; n == 2 {
					return stop
				}
			}
			return nil
		})}, 1)
	res, err = l2.Run(context.Background(), []float64{0.5, 0.5})
	if !errors.Is(err, stop) || res.Status != run.RecorderStopped || res.Iterations != 2 {
		t.Fatalf("recorder stop: %+v, %v", res, err)
	}
}

// The batched update gives the same bits whatever GOMAXPROCS and Workers.
func TestBatchedDeterministicAcrossProcs(t *testing.T) {
	params := func(procs, workers int) []float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		ag := cartPoleAgent(t, 4)
		l, err := New(newCartPole, ag, &Settings{NumSteps: 64, NumEnvs: 4, Workers: workers, Epochs: 3, Minibatches: 2}, 7)
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := l.Update(context.Background(), []float64{1}); err != nil {
				t.Fatal(err)
			}
		}
		var out []float64
		p, _ := ag.Policy.Params()
		c, _ := ag.Critic.Params()
		for _, s := range append(p, c...) {
			out = append(out, s...)
		}
		return out
	}
	ref := params(1, 1)
	for _, pw := range [][2]int{{2, 2}, {8, 4}, {8, 1}} {
		got := params(pw[0], pw[1])
		for i := range ref {
			if math.Float64bits(ref[i]) != math.Float64bits(got[i]) {
				t.Fatalf("GOMAXPROCS %d, Workers %d: parameter %d is %v, want %v", pw[0], pw[1], i, got[i], ref[i])
			}
		}
	}
}

// advProbe records the advantages of the first minibatch it sees.
type advProbe struct{ first []float64 }

func (p *advProbe) Grad(_ []float64, mb *Minibatch) float64 {
	if p.first == nil {
		p.first = append([]float64(nil), mb.Adv...)
	}
	return 0
}

// Every update shuffles its minibatches from the identity permutation,
// whatever the earlier updates did (a reused buffer once kept the previous
// update's order, which changed every tabular C-MORL figure).
func TestUpdateShufflesFromIdentity(t *testing.T) {
	l, err := New(newDST, &Agent{Policy: NewTabular(121, 4), Critic: NewTabularCritic(121, 2)},
		&Settings{NumSteps: 32, NumEnvs: 2, Minibatches: 4, Epochs: 2}, 3)
	if err != nil {
		t.Fatal(err)
	}
	w := []float64{0.5, 0.5}
	if _, err := l.Update(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	if err := l.rollout(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := l.summarize()
	l.advantages(w)
	pcg := rand.NewPCG(11, 12)
	l.rng = rand.New(pcg)
	twin := *pcg
	B := l.BatchSize()
	want := make([]int, B)
	for i := range want {
		want[i] = i
	}
	rand.New(&twin).Shuffle(B, func(i, j int) { want[i], want[j] = want[j], want[i] })
	var p advProbe
	if err := l.optimize(context.Background(), []LossTerm{&p}, &st); err != nil {
		t.Fatal(err)
	}
	for j, a := range p.first {
		if a != l.adv[want[j]] {
			t.Fatalf("first minibatch sample %d has advantage %v, want %v (sample %d of the identity shuffled)", j, a, l.adv[want[j]], want[j])
		}
	}
}

// The agents the library's examples build pass New's size checks: the
// C-MORL Pendulum agent (Gaussian policy, two-objective critic,
// normalisers) and the CartPole one.
func TestExampleAgentsPassNew(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	p, err := NewGaussianMLP(3, 1, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCriticMLP(3, 2, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	ag := &Agent{Policy: p, Critic: c, ObsNorm: NewRunningStat(3), RetNorm: NewRunningStat(2)}
	l, err := New(func() rl.MOEnv { return envs.NewPendulum(true) }, ag, &Settings{NumSteps: 64, NumEnvs: 2, Minibatches: 2, Epochs: 2}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Update(context.Background(), []float64{0.5, 0.5}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(newCartPole, cartPoleAgent(t, 1), nil, 1); err != nil {
		t.Fatal(err)
	}
}
