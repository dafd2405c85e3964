package famo2o

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
)

// PendulumData names the spec's offline Pendulum data sets.
type PendulumData int

const (
	// D1Random takes uniform actions in [−2, 2] (return about −1232).
	D1Random PendulumData = iota + 1
	// D2Medium takes the expert action with probability 0.5, else a
	// uniform one (about −492).
	D2Medium
	// D3Mixed is state-dependent quality: expert + N(0, 0.1²) where
	// cos θ ≥ 0, uniform where cos θ < 0 (about −760).
	D3Mixed
	// D4MediumExpert is half expert + N(0, 0.1²) episodes (about −154),
	// half D2 episodes.
	D4MediumExpert
)

// String returns "D1-random", "D2-medium", "D3-mixed" or "D4-medium-expert".
func (k PendulumData) String() string {
	switch k {
	case D1Random:
		return "D1-random"
	case D2Medium:
		return "D2-medium"
	case D3Mixed:
		return "D3-mixed"
	case D4MediumExpert:
		return "D4-medium-expert"
	}
	return fmt.Sprintf("PendulumData(%d)", int(k))
}

// NewPendulum returns the single-objective Pendulum-v1 environment.
func NewPendulum() rl.Env { return envs.NewPendulum(false) }

// PendulumRandom is the uniform-random behaviour on Pendulum.
func PendulumRandom(dst, _ []float64, rng *rand.Rand) { dst[0] = -2 + 4*rng.Float64() }

// PendulumExpert is [envs.PendulumExpert] as a behaviour.
func PendulumExpert(dst, obs []float64, _ *rand.Rand) { dst[0] = envs.PendulumExpert(obs) }

// PendulumNoisyExpert is the expert plus N(0, 0.1²) (clipped to the box
// by [Generate]).
func PendulumNoisyExpert(dst, obs []float64, rng *rand.Rand) {
	dst[0] = envs.PendulumExpert(obs) + 0.1*rng.NormFloat64()
}

// PendulumMedium takes the expert action with probability 0.5 and a
// uniform action otherwise.
func PendulumMedium(dst, obs []float64, rng *rand.Rand) {
	if rng.Float64() < 0.5 {
		dst[0] = envs.PendulumExpert(obs)
		return
	}
	dst[0] = -2 + 4*rng.Float64()
}

// PendulumMixed is the noisy expert where cos θ ≥ 0 (upper half) and
// uniform where cos θ < 0.
func PendulumMixed(dst, obs []float64, rng *rand.Rand) {
	if obs[0] >= 0 {
		PendulumNoisyExpert(dst, obs, rng)
		return
	}
	PendulumRandom(dst, obs, rng)
}

// PendulumDataset generates data set k with the given number of episodes
// of 200 steps (the spec uses 100: 20k transitions). D4 is
// episodes/2 noisy-expert episodes followed by the rest from D2's
// behaviour. Errors are those of [Generate], or one wrapping [ErrSettings]
// for an unknown k.
func PendulumDataset(ctx context.Context, k PendulumData, episodes int, rng *rand.Rand) (*Dataset, error) {
	env := NewPendulum()
	switch k {
	case D1Random:
		return Generate(ctx, env, PendulumRandom, episodes, rng)
	case D2Medium:
		return Generate(ctx, env, PendulumMedium, episodes, rng)
	case D3Mixed:
		return Generate(ctx, env, PendulumMixed, episodes, rng)
	case D4MediumExpert:
		if episodes < 2 {
			return nil, fmt.Errorf("%w: D4 needs at least 2 episodes, got %d", ErrSettings, episodes)
		}
		d, err := Generate(ctx, env, PendulumNoisyExpert, episodes/2, rng)
		if err != nil {
			return nil, err
		}
		m, err := Generate(ctx, env, PendulumMedium, episodes-episodes/2, rng)
		if err != nil {
			return nil, err
		}
		return d, d.Append(m)
	}
	return nil, fmt.Errorf("%w: unknown data set %d", ErrSettings, int(k))
}

// PendulumReference returns the mean returns of the uniform-random and
// the expert behaviour over episodes episodes each (the spec uses 2000),
// the reference points of [Score]. Errors are those of [Generate].
func PendulumReference(ctx context.Context, episodes int, rng *rand.Rand) (randomRet, expertRet float64, err error) {
	r, err := Generate(ctx, NewPendulum(), PendulumRandom, episodes, rng)
	if err != nil {
		return 0, 0, err
	}
	e, err := Generate(ctx, NewPendulum(), PendulumExpert, episodes, rng)
	if err != nil {
		return 0, 0, err
	}
	return r.MeanReturn(), e.MeanReturn(), nil
}
