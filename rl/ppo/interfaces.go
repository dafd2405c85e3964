package ppo

import "github.com/optlearn/optlearn/rl"

// Parameterized exposes a model's parameters and its gradient buffers as
// stable slices in matching layout, so the learner can clip and step them.
type Parameterized interface {
	Params() (params, grads [][]float64)
}

// Differentiable is a policy PPO can train. LogProbGrad returns
// log π(a|obs) and the entropy H(π(·|obs)); when wLogp or wEnt is non-zero
// it also adds wLogp·∇log π(a|obs) + wEnt·∇H(obs) to the gradient buffers
// returned by Params. A Differentiable is not safe for concurrent use
// (models keep scratch space); Clone one per goroutine.
type Differentiable interface {
	rl.Policy
	Parameterized
	LogProbGrad(obs []float64, a rl.Action, wLogp, wEnt float64) (logp, ent float64)
}

// Critic is a trainable vector critic V(s) ∈ Rⁿ. ValueGrad writes V(obs)
// to v and, if dv is non-nil, adds Σ_k dv[k]·∇V_k(obs) to the gradient
// buffers. CloneCritic returns an independent deep copy.
type Critic interface {
	rl.VectorCritic
	Parameterized
	ValueGrad(v, obs, dv []float64)
	CloneCritic() Critic
}

// LossTerm is an extra term added to the PPO objective (which is
// maximised). Grad adds ∂term/∂log π(a_i|s_i) to dst[i] for every sample i
// of the minibatch and returns the term's value. A term may depend on the
// policy only through the probability ratios mb.Ratio (the clipped
// surrogate, KL estimates, the IPO log barrier of C-MORL all do).
type LossTerm interface {
	Grad(dst []float64, mb *Minibatch) float64
}

// Minibatch is what a [LossTerm] sees of one PPO minibatch.
type Minibatch struct {
	// Ratio holds ρ_i = π_θ(a_i|s_i)/π_old(a_i|s_i).
	Ratio []float64
	// Adv holds the scalarised advantages ω·A_i, standardised over the batch
	// unless Settings.RawAdvantage is set.
	Adv []float64
	// AdvVec holds the raw per-objective advantages: sample i, objective k at
	// AdvVec[i*Objectives+k], in the environment's reward units.
	AdvVec     []float64
	Objectives int
	// Clip is the PPO clip range ε.
	Clip float64
	// MeanEpLen is L̄, the mean length of the episodes that ended in the
	// whole rollout batch (the rollout length if none ended).
	MeanEpLen float64
}

// UpdateStarter is an optional interface of a [LossTerm]: the learner
// calls BeginUpdate once per update, after the rollout and before the
// first epoch (θ = θ_old, every ratio 1), with batch-level statistics.
// Terms whose definition involves means over the whole batch (the C-MORL
// barrier decides feasibility once per update from them) implement it.
type UpdateStarter interface {
	BeginUpdate(b *Batch)
}

// Batch is what an [UpdateStarter] sees of a whole rollout batch.
type Batch struct {
	Objectives int
	// MeanEpLen is L̄ as in [Minibatch].
	MeanEpLen float64
	// Episodes is the number of episodes that ended in the batch and
	// MeanReturn their mean undiscounted raw return vector (nil if none).
	Episodes   int
	MeanReturn []float64
	// AdvMean holds mean_i A_{k,i} over the whole batch of the raw
	// per-objective advantages (the units of Minibatch.AdvVec).
	AdvMean []float64
}

// BatchDifferentiable is a [Differentiable] that also evaluates a whole
// minibatch at once (matrix products instead of one sample at a time);
// the learner uses it when the policy implements it. The rows x_i of X
// are observations (row-major, len(acts) rows).
type BatchDifferentiable interface {
	Differentiable
	// LogProbBatch writes log π(a_i|x_i) to logp[i] and H(π(·|x_i)) to
	// ent[i], and keeps what GradBatch needs.
	LogProbBatch(logp, ent, X []float64, acts []rl.Action) error
	// GradBatch adds Σ_i wLogp[i]·∇log π(a_i|x_i) + wEnt·Σ_i ∇H(x_i) to
	// the gradient buffers for the rows of the last LogProbBatch, whose
	// parameters must not have changed since.
	GradBatch(wLogp []float64, wEnt float64) error
}

// BatchCritic is a [Critic] that also evaluates a whole minibatch at
// once; the learner uses it when the critic implements it.
type BatchCritic interface {
	Critic
	// ValuesBatch writes V(x_i) to v[i·n : (i+1)·n] for the rows x_i of X
	// (row-major) and keeps what ValueGradBatch needs.
	ValuesBatch(v, X []float64) error
	// ValueGradBatch adds Σ_i Σ_k dv[i·n+k]·∇V_k(x_i) to the gradient
	// buffers for the rows of the last ValuesBatch.
	ValueGradBatch(dv []float64) error
}
