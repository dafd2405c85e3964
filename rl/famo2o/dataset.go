package famo2o

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"

	"github.com/optlearn/optlearn/rl"
)

// Dataset is an offline data set of transitions (s, a, r, s') stored as
// flat row-major slices, with per-transition end flags and the returns of
// the episodes it was cut from.
type Dataset struct {
	// ObsDim and ActDim are the observation and action dimensions.
	ObsDim, ActDim int
	// Obs and Next are Len()×ObsDim; Act is Len()×ActDim (raw actions in
	// the environment's units); Rew has Len() entries.
	Obs, Act, Rew, Next []float64
	// Terminal marks true terminal states (no bootstrap); Timeout marks the
	// last transition of an episode cut by a time limit (bootstrapped: the
	// learners use mask 1 there).
	Terminal, Timeout []bool
	// Returns are the undiscounted returns of the complete episodes.
	Returns []float64
}

// Len returns the number of transitions.
func (d *Dataset) Len() int { return len(d.Rew) }

// Check returns nil for a consistent data set and otherwise an error
// wrapping [ErrEmpty] (no transitions), [ErrDimension] (a dimension below
// 1 or a slice whose length does not match) or [ErrNotFinite] (naming the
// first NaN or Inf observation, action, reward or return).
func (d *Dataset) Check() error {
	if d == nil || d.Len() == 0 {
		return fmt.Errorf("%w: no transitions", ErrEmpty)
	}
	n := d.Len()
	if d.ObsDim < 1 || d.ActDim < 1 {
		return fmt.Errorf("%w: ObsDim %d, ActDim %d", ErrDimension, d.ObsDim, d.ActDim)
	}
	if n > math.MaxInt/d.ObsDim || n > math.MaxInt/d.ActDim {
		return fmt.Errorf("%w: %d transitions overflow the sizes", ErrDimension, n)
	}
	for _, c := range []struct {
		name      string
		got, want int
	}{
		{"Obs", len(d.Obs), n * d.ObsDim}, {"Next", len(d.Next), n * d.ObsDim},
		{"Act", len(d.Act), n * d.ActDim}, {"Terminal", len(d.Terminal), n}, {"Timeout", len(d.Timeout), n},
	} {
		if c.got != c.want {
			return fmt.Errorf("%w: %s has %d values, want %d for %d transitions", ErrDimension, c.name, c.got, c.want, n)
		}
	}
	for _, c := range []struct {
		name string
		v    []float64
		dim  int
	}{{"Obs", d.Obs, d.ObsDim}, {"Next", d.Next, d.ObsDim}, {"Act", d.Act, d.ActDim}, {"Rew", d.Rew, 1}, {"Returns", d.Returns, 1}} {
		for i, v := range c.v {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %s of transition %d is %v", ErrNotFinite, c.name, i/c.dim, v)
			}
		}
	}
	return nil
}

// MeanReturn returns the mean of Returns (NaN if there are none).
func (d *Dataset) MeanReturn() float64 {
	if len(d.Returns) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, r := range d.Returns {
		s += r
	}
	return s / float64(len(d.Returns))
}

// Append adds the transitions and returns of o to d (same dimensions). It
// returns an error wrapping [ErrDimension] if the dimensions differ, or
// the error of o.Check.
func (d *Dataset) Append(o *Dataset) error {
	if err := o.Check(); err != nil {
		return err
	}
	if d.Len() > 0 && (d.ObsDim != o.ObsDim || d.ActDim != o.ActDim) {
		return fmt.Errorf("%w: appending (%d, %d) data to (%d, %d) data", ErrDimension, o.ObsDim, o.ActDim, d.ObsDim, d.ActDim)
	}
	d.ObsDim, d.ActDim = o.ObsDim, o.ActDim
	d.Obs = append(d.Obs, o.Obs...)
	d.Act = append(d.Act, o.Act...)
	d.Rew = append(d.Rew, o.Rew...)
	d.Next = append(d.Next, o.Next...)
	d.Terminal = append(d.Terminal, o.Terminal...)
	d.Timeout = append(d.Timeout, o.Timeout...)
	d.Returns = append(d.Returns, o.Returns...)
	return nil
}

// Behaviour is a behaviour policy: it writes an action for obs into dst
// (length ActDim), drawing any randomness from rng.
type Behaviour func(dst, obs []float64, rng *rand.Rand)

// MaxEpisodeSteps bounds the length of one generated episode (an
// environment that never ends an episode is an error, not a hang).
const MaxEpisodeSteps = 1 << 20

// Generate runs episodes complete episodes of env (a single-objective
// box-action environment) with the behaviour policy and returns them as a
// Dataset. Resets and the behaviour draw from rng. Actions are clipped to
// the action box. It returns an error wrapping [ErrSettings] for
// episodes < 1, a nil env, behaviour or rng, or an environment with a
// discrete action space or several objectives; an environment error, a
// non-finite reward ([ErrNotFinite]) or a panic in env or behaviour
// ([ErrPanic]); and ctx.Err() if ctx ends (checked every episode).
func Generate(ctx context.Context, env rl.Env, behaviour Behaviour, episodes int, rng *rand.Rand) (d *Dataset, err error) {
	switch {
	case env == nil || behaviour == nil:
		return nil, fmt.Errorf("%w: nil environment or behaviour", ErrSettings)
	case rng == nil:
		return nil, fmt.Errorf("%w: nil *rand.Rand", ErrSettings)
	case episodes < 1:
		return nil, fmt.Errorf("%w: episodes = %d", ErrSettings, episodes)
	}
	defer func() {
		if r := recover(); r != nil {
			d, err = nil, fmt.Errorf("%w: generating data: %v\n%s", ErrPanic, r, debug.Stack())
		}
	}()
	spec := env.Spec()
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	od, ad := spec.Obs.Dim, spec.Action.Dim
	d = &Dataset{ObsDim: od, ActDim: ad}
	act := make([]float64, ad)
	r := make([]float64, 1)
	for range episodes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		obs := env.Reset(rng)
		ret := 0.0
		for t := 0; ; t++ {
			if t >= MaxEpisodeSteps {
				return nil, fmt.Errorf("%w: an episode ran for %d steps", ErrSettings, t)
			}
			if len(obs) != od {
				return nil, fmt.Errorf("%w: observation has %d components, the spec says %d", ErrDimension, len(obs), od)
			}
			d.Obs = append(d.Obs, obs...)
			behaviour(act, obs, rng)
			a := spec.Action.Clip(rl.Action{Box: act})
			next, done, err := env.Step(a, r)
			if err != nil {
				return nil, err
			}
			if math.IsNaN(r[0]) || math.IsInf(r[0], 0) {
				return nil, fmt.Errorf("%w: reward %v", ErrNotFinite, r[0])
			}
			d.Act = append(d.Act, a.Box...)
			d.Rew = append(d.Rew, r[0])
			d.Next = append(d.Next, next...)
			d.Terminal = append(d.Terminal, done == rl.Terminated)
			d.Timeout = append(d.Timeout, done == rl.Truncated)
			ret += r[0]
			obs = next
			if done != rl.Running {
				break
			}
		}
		d.Returns = append(d.Returns, ret)
	}
	return d, d.Check()
}

func checkSpec(spec rl.Spec) error {
	if spec.Objectives != 1 {
		return fmt.Errorf("%w: environment has %d objectives, want 1", ErrSettings, spec.Objectives)
	}
	if spec.Action.IsDiscrete() || spec.Obs.IsDiscrete() {
		return fmt.Errorf("%w: need box observation and action spaces", ErrSettings)
	}
	if err := spec.Action.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrSettings, err)
	}
	for i := range spec.Action.Dim {
		lo, hi := spec.Action.Low[i], spec.Action.High[i]
		if math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(hi > lo) {
			return fmt.Errorf("%w: action component %d has bounds [%g, %g]; need finite, non-empty bounds", ErrSettings, i, lo, hi)
		}
	}
	if spec.Obs.Dim < 1 {
		return fmt.Errorf("%w: observation dimension %d", ErrSettings, spec.Obs.Dim)
	}
	return nil
}

// Score is the normalised score 100·(ret − randomRet)/(expertRet − randomRet).
func Score(ret, randomRet, expertRet float64) float64 {
	return 100 * (ret - randomRet) / (expertRet - randomRet)
}
