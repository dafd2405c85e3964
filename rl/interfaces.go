package rl

import "math/rand/v2"

// Action is one action: Discrete holds the index for a [Discrete] space and
// Box holds the components for a [Box] space (nil for discrete actions).
type Action struct {
	Discrete int
	Box      []float64
}

// Done says how a step ended an episode.
type Done uint8

const (
	// Running means the episode continues.
	Running Done = iota
	// Terminated means the episode reached a terminal state (no bootstrap).
	Terminated
	// Truncated means the episode hit its time limit (bootstrap from the value).
	Truncated
)

// Spec describes an environment: its observation and action spaces and the
// number of objectives (1 for a single-objective [Env]).
type Spec struct {
	Obs        Space
	Action     Space
	Objectives int
}

// MOEnv is a multi-objective environment with vector rewards.
//
// Reset starts an episode and returns the first observation. Step applies
// action a, writes the reward vector into r (length Spec().Objectives) and
// returns the next observation and whether the episode ended. Step returns
// an error wrapping [ErrAction] for an action outside the action space; the
// environment state is then unchanged. Returned observations are owned by
// the environment and valid until the next Reset or Step: copy them to keep
// them. An MOEnv is not safe for concurrent use.
type MOEnv interface {
	Spec() Spec
	Reset(rng *rand.Rand) (obs []float64)
	Step(a Action, r []float64) (obs []float64, done Done, err error)
}

// Env is a single-objective environment: a [MOEnv] whose Spec reports one
// objective. Use [Scalarize] to turn a multi-objective environment into one.
type Env = MOEnv

// Policy maps observations to actions.
//
// Act returns the most likely action (the mode) when deterministic is true
// and a sample drawn with rng otherwise. LogProb returns log π(a|obs).
// Clone returns an independent deep copy. A Policy need not be safe for
// concurrent use (models keep scratch buffers): Clone one per goroutine.
type Policy interface {
	Act(obs []float64, deterministic bool, rng *rand.Rand) Action
	LogProb(obs []float64, a Action) float64
	Clone() Policy
}

// ActLogProber is an optional [Policy] extension: ActLogProb returns the
// action Act would return (consuming rng exactly as Act does) together
// with its LogProb, from one evaluation of the model. Rollouts use it when
// a policy implements it.
type ActLogProber interface {
	ActLogProb(obs []float64, deterministic bool, rng *rand.Rand) (Action, float64)
}

// VectorCritic estimates the vector of expected discounted returns V(s) ∈ Rⁿ.
// Values writes the n estimates for obs into dst. A VectorCritic need not be
// safe for concurrent use.
type VectorCritic interface {
	Values(dst, obs []float64)
}
