package famo2o

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
)

// TestBadInput covers every exported entry point with bad data or
// settings: each case must return an error wrapping the named sentinel,
// never panic.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(1, 1)) }
	good := tinyData(t, D2Medium, 1) // 200 transitions
	mod := func(f func(d *Dataset)) *Dataset {
		d := *good
		d.Obs = append([]float64(nil), good.Obs...)
		d.Rew = append([]float64(nil), good.Rew...)
		d.Act = append([]float64(nil), good.Act...)
		f(&d)
		return &d
	}
	newWith := func(d *Dataset, s *Settings) error { _, err := New(NewPendulum, d, s); return err }
	cases := []struct {
		name string
		want error
		call func() error
	}{
		{"empty data set", ErrEmpty, func() error { return newWith(&Dataset{ObsDim: 3, ActDim: 1}, nil) }},
		{"nil data set", ErrEmpty, func() error { return newWith(nil, nil) }},
		{"mismatched obs length", ErrDimension, func() error { return newWith(mod(func(d *Dataset) { d.Obs = d.Obs[1:] }), nil) }},
		{"mismatched next length", ErrDimension, func() error { return newWith(mod(func(d *Dataset) { d.Next = d.Next[:3] }), nil) }},
		{"mismatched flags", ErrDimension, func() error { return newWith(mod(func(d *Dataset) { d.Timeout = nil }), nil) }},
		{"zero ObsDim", ErrDimension, func() error { return newWith(mod(func(d *Dataset) { d.ObsDim = 0 }), nil) }},
		{"data dims differ from env", ErrDimension, func() error {
			return newWith(mod(func(d *Dataset) { d.ObsDim, d.Obs, d.Next = 1, d.Obs[:200], d.Next[:200] }), &Settings{BatchSize: 8})
		}},
		{"NaN reward", ErrNotFinite, func() error { return newWith(mod(func(d *Dataset) { d.Rew[7] = math.NaN() }), nil) }},
		{"Inf observation", ErrNotFinite, func() error { return newWith(mod(func(d *Dataset) { d.Obs[4] = math.Inf(1) }), nil) }},
		{"NaN action", ErrNotFinite, func() error { return newWith(mod(func(d *Dataset) { d.Act[0] = math.NaN() }), nil) }},
		{"empty beta range", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, BetaMin: 3, BetaMax: 3}) }},
		{"reversed beta range", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, BetaMin: 5, BetaMax: 1}) }},
		{"negative BetaMin", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, BetaMin: -1, BetaMax: 1}) }},
		{"NaN BetaMax", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, BetaMin: 1, BetaMax: math.NaN()}) }},
		{"batch larger than data set", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 256}) }},
		{"negative batch", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: -1}) }},
		{"negative LR", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, LR: -1}) }},
		{"Inf LR", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, LR: math.Inf(1)}) }},
		{"Gamma above 1", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Gamma: 1.5}) }},
		{"Expectile 1", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Expectile: 1}) }},
		{"Tau above 1", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Tau: 2}) }},
		{"negative Beta", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Method: IQL, Beta: -3}) }},
		{"NaN TargetEntropy", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, TargetEntropy: math.NaN()}) }},
		{"negative WeightCap", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, WeightCap: -1}) }},
		{"negative RewardScale", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, RewardScale: -1}) }},
		{"negative EvalEvery", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, EvalEvery: -1}) }},
		{"negative EvalEpisodes", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, EvalEpisodes: -1}) }},
		{"capacity below data", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Capacity: 10}) }},
		{"empty Hidden", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Hidden: []int{}}) }},
		{"zero hidden width", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Hidden: []int{0}}) }},
		{"unknown Method", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, Method: 9}) }},
		{"negative TimeLimit", ErrSettings, func() error { return newWith(good, &Settings{BatchSize: 8, TimeLimit: -1}) }},
		{"nil env constructor", ErrSettings, func() error { _, err := New(nil, good, &Settings{BatchSize: 8}); return err }},
		{"env constructor returns nil", ErrSettings, func() error {
			_, err := New(func() rl.Env { return nil }, good, &Settings{BatchSize: 8})
			return err
		}},
		{"two-objective env", ErrSettings, func() error {
			_, err := New(func() rl.Env { return envs.NewPendulum(true) }, good, &Settings{BatchSize: 8})
			return err
		}},
		{"discrete-action env", ErrSettings, func() error {
			_, err := New(func() rl.Env { return envs.NewCartPole() }, good, &Settings{BatchSize: 8})
			return err
		}},
		{"Generate: zero episodes", ErrSettings, func() error { _, err := Generate(ctx, NewPendulum(), PendulumRandom, 0, rng()); return err }},
		{"Generate: nil rng", ErrSettings, func() error { _, err := Generate(ctx, NewPendulum(), PendulumRandom, 1, nil); return err }},
		{"Generate: nil env", ErrSettings, func() error { _, err := Generate(ctx, nil, PendulumRandom, 1, rng()); return err }},
		{"Generate: nil behaviour", ErrSettings, func() error { _, err := Generate(ctx, NewPendulum(), nil, 1, rng()); return err }},
		{"Generate: discrete env", ErrSettings, func() error { _, err := Generate(ctx, envs.NewCartPole(), PendulumRandom, 1, rng()); return err }},
		{"Generate: panicking behaviour", ErrPanic, func() error {
			_, err := Generate(ctx, NewPendulum(), func(dst, _ []float64, _ *rand.Rand) { dst[5] = 1 }, 1, rng())
			return err
		}},
		{"Evaluate: NaN reward", ErrNotFinite, func() error {
			l, err := New(func() rl.Env { return nanEnv{envs.NewPendulum(false)} }, good, &Settings{Hidden: []int{4}, BatchSize: 8, EvalEpisodes: 1})
			if err != nil {
				return err
			}
			_, err = l.Evaluate(ctx, nil)
			return err
		}},
		{"PendulumDataset: unknown kind", ErrSettings, func() error { _, err := PendulumDataset(ctx, 9, 2, rng()); return err }},
		{"PendulumDataset: D4 with 1 episode", ErrSettings, func() error { _, err := PendulumDataset(ctx, D4MediumExpert, 1, rng()); return err }},
		{"PendulumReference: zero episodes", ErrSettings, func() error { _, _, err := PendulumReference(ctx, 0, rng()); return err }},
		{"Append: dims differ", ErrDimension, func() error {
			d := mod(func(*Dataset) {})
			o := &Dataset{ObsDim: 1, ActDim: 1, Obs: []float64{0}, Next: []float64{0}, Act: []float64{0}, Rew: []float64{0}, Terminal: []bool{false}, Timeout: []bool{false}}
			return d.Append(o)
		}},
		{"Append: NaN reward", ErrNotFinite, func() error {
			d := mod(func(*Dataset) {})
			return d.Append(mod(func(d *Dataset) { d.Rew[0] = math.NaN() }))
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				err = c.call()
			}()
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
		})
	}
	t.Logf("%d bad-input cases", len(cases))
}

// TestRunFailure: an environment that returns NaN rewards online ends Run
// with Failure and an error, not a panic or a silent NaN.
func TestRunFailure(t *testing.T) {
	d := tinyData(t, D2Medium, 1)
	l, err := New(func() rl.Env { return nanEnv{envs.NewPendulum(false)} }, d, &Settings{Hidden: []int{8}, BatchSize: 8, OfflineSteps: 2, OnlineSteps: 5, EvalEpisodes: 1})
	if err != nil {
		t.Fatal(err)
	}
	res, err := l.Run(context.Background())
	if !errors.Is(err, ErrNotFinite) || res.Status.String() != "Failure" {
		t.Fatalf("status %v, err %v", res.Status, err)
	}
}

type nanEnv struct{ *envs.Pendulum }

func (e nanEnv) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	o, dn, err := e.Pendulum.Step(a, r)
	r[0] = math.NaN()
	return o, dn, err
}
