package rl

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// weightSumTol is the tolerance on |Σω − 1| accepted for preference vectors
// (grids built by repeated addition of a step carry rounding error).
const weightSumTol = 1e-9

// CheckWeights returns nil if w has length n, finite non-negative entries
// and sums to 1 (within 1e-9), and an error wrapping [ErrWeights] otherwise.
func CheckWeights(w []float64, n int) error {
	if len(w) != n {
		return fmt.Errorf("%w: length %d, want %d", ErrWeights, len(w), n)
	}
	s := 0.0
	for i, v := range w {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return fmt.Errorf("%w: w[%d] = %g", ErrWeights, i, v)
		}
		s += v
	}
	if math.Abs(s-1) > weightSumTol {
		return fmt.Errorf("%w: sum %g, want 1", ErrWeights, s)
	}
	return nil
}

// Scalarized is a single-objective view ω·r of a multi-objective environment.
type Scalarized struct {
	env MOEnv
	w   []float64
	buf []float64
}

var _ Env = (*Scalarized)(nil)

// Scalarize returns the single-objective environment with reward ω·r. It
// returns an error wrapping [ErrWeights] if w is not a preference vector for
// env's number of objectives.
func Scalarize(env MOEnv, w []float64) (*Scalarized, error) {
	if env == nil {
		return nil, fmt.Errorf("%w: nil environment", ErrSettings)
	}
	n := env.Spec().Objectives
	if err := CheckWeights(w, n); err != nil {
		return nil, err
	}
	return &Scalarized{env: env, w: append([]float64(nil), w...), buf: make([]float64, n)}, nil
}

// Spec returns the wrapped spec with one objective (the zero Spec for a
// Scalarized not made by [Scalarize]).
func (s *Scalarized) Spec() Spec {
	if s == nil || s.env == nil {
		return Spec{}
	}
	sp := s.env.Spec()
	sp.Objectives = 1
	return sp
}

// Reset resets the wrapped environment (nil for a Scalarized not made by
// [Scalarize]).
func (s *Scalarized) Reset(rng *rand.Rand) []float64 {
	if s == nil || s.env == nil {
		return nil
	}
	return s.env.Reset(rng)
}

// Step steps the wrapped environment and writes ω·r into r[0]. It returns
// an error wrapping [ErrSettings] if r is empty.
func (s *Scalarized) Step(a Action, r []float64) ([]float64, Done, error) {
	if s == nil || s.env == nil {
		return nil, Running, fmt.Errorf("%w: Scalarized not made by Scalarize", ErrSettings)
	}
	if len(r) != 1 {
		return nil, Running, fmt.Errorf("%w: reward slice of length %d, want 1", ErrDimension, len(r))
	}
	obs, done, err := s.env.Step(a, s.buf)
	if err != nil {
		return obs, done, err
	}
	v := 0.0
	for i, x := range s.buf {
		v += s.w[i] * x
	}
	r[0] = v
	return obs, done, nil
}

// Evaluate runs the given number of episodes of p in env, acting with the
// policy's mode when deterministic is true and by sampling from rng
// otherwise, and returns the mean discounted return vector Σ_t γ^t r_t and
// the mean episode length. Box actions are clipped into the action space. maxSteps > 0 caps
// each episode (the environments of package envs truncate on their own);
// episodes zero means 1. It returns an error wrapping [ErrSettings] for a
// nil env or policy, a negative episode count, a discount outside [0, 1]
// (NaN included), a nil rng when deterministic is false or an environment
// with no objectives or more than [MaxObjectives]; and the environment's
// error if an action leaves the action space, or [ErrReward] if a reward
// is not finite.
func Evaluate(env MOEnv, p Policy, episodes int, gamma float64, deterministic bool, maxSteps int, rng *rand.Rand) (ret []float64, meanLen float64, err error) {
	switch {
	case env == nil || p == nil:
		return nil, 0, fmt.Errorf("%w: Evaluate needs an environment and a policy", ErrSettings)
	case episodes < 0:
		return nil, 0, fmt.Errorf("%w: %d episodes", ErrSettings, episodes)
	case !(gamma >= 0 && gamma <= 1):
		return nil, 0, fmt.Errorf("%w: discount %g outside [0, 1]", ErrSettings, gamma)
	case !deterministic && rng == nil:
		return nil, 0, fmt.Errorf("%w: sampling actions needs a *rand.Rand", ErrSettings)
	}
	sp := env.Spec()
	if sp.Objectives < 1 || sp.Objectives > MaxObjectives {
		return nil, 0, fmt.Errorf("%w: environment has %d objectives", ErrSettings, sp.Objectives)
	}
	if err := sp.Action.Check(); err != nil {
		return nil, 0, err
	}
	ret = make([]float64, sp.Objectives)
	r := make([]float64, sp.Objectives)
	episodes = max(episodes, 1)
	steps := 0
	for range episodes {
		obs := env.Reset(rng)
		disc := 1.0
		for t := 0; maxSteps <= 0 || t < maxSteps; t++ {
			a := p.Act(obs, deterministic, rng)
			if !sp.Action.IsDiscrete() {
				a = sp.Action.Clip(a)
			}
			var done Done
			obs, done, err = env.Step(a, r)
			if err != nil {
				return ret, 0, err
			}
			steps++
			for i, v := range r {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return ret, 0, fmt.Errorf("%w: objective %d = %g", ErrReward, i, v)
				}
				ret[i] += disc * v
			}
			disc *= gamma
			if done != Running {
				break
			}
		}
	}
	for i := range ret {
		ret[i] /= float64(episodes)
	}
	return ret, float64(steps) / float64(episodes), nil
}

// OneHotIndex returns the index of the largest entry of a one-hot
// observation (the first on ties; 0 for an empty slice).
//
// A true one-hot vector (one positive entry, every other ±0) is found in
// one branch-light pass; any other input takes the general argmax.
func OneHotIndex(obs []float64) int {
	k := firstNonzero(obs, 0)
	if k == len(obs) {
		return 0
	}
	if obs[k] > 0 && firstNonzero(obs, k+1) == len(obs) {
		return k
	}
	best := 0
	for i, v := range obs {
		if v > obs[best] {
			best = i
		}
	}
	return best
}

// firstNonzero returns the index of the first entry of x[from:] that is
// not ±0 (NaN counts as nonzero), or len(x).
func firstNonzero(x []float64, from int) int {
	i := from
	for ; i+8 <= len(x); i += 8 {
		y := x[i : i+8 : i+8]
		if (math.Float64bits(y[0])|math.Float64bits(y[1])|math.Float64bits(y[2])|math.Float64bits(y[3])|
			math.Float64bits(y[4])|math.Float64bits(y[5])|math.Float64bits(y[6])|math.Float64bits(y[7]))<<1 != 0 {
			break
		}
	}
	for ; i+4 <= len(x); i += 4 {
		if (math.Float64bits(x[i])|math.Float64bits(x[i+1])|math.Float64bits(x[i+2])|math.Float64bits(x[i+3]))<<1 != 0 {
			break
		}
	}
	for ; i < len(x); i++ {
		if math.Float64bits(x[i])<<1 != 0 {
			return i
		}
	}
	return i
}
