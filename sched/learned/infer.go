package learned

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/optlearn/optlearn/sched"
)

// InferSettings configure [BestOf]. The zero value (or nil) is the spec's
// inference: 32 rollouts at temperatures T_e = 0.5 + 1.5·e/32.
type InferSettings struct {
	// Rollouts is the number of sampled episodes. Zero means 32.
	Rollouts int
	// Greedy plays one episode at T = 0 (the arg-max ordering) instead.
	Greedy bool
	// NonDelay gives No-Op the logit −Inf, so that the policy only ranks
	// the legal jobs (non-delay dispatching). This departs from the spec,
	// whose policy may wait; it is a diagnostic of what the job ranking
	// alone is worth.
	NonDelay bool
	// Workers is the number of goroutines. Zero means GOMAXPROCS; the
	// result does not depend on it.
	Workers int
	// Rand is the source of randomness; rollout e draws its stream from it
	// in index order. Nil means rand.New(rand.NewPCG(0, 0)).
	Rand *rand.Rand
}

// InferResult is the outcome of [BestOf].
type InferResult struct {
	// Schedule is the best schedule found and Makespan its makespan.
	Schedule sched.Schedule
	Makespan int
	// Makespans holds every rollout's makespan, in rollout order.
	Makespans []int
	// Decisions counts the policy evaluations (one per environment step).
	Decisions int
	// Elapsed is the wall time of the batch.
	Elapsed time.Duration
}

// Temperature returns the spec's temperature of rollout e of n:
// 0.5 + 1.5·e/n.
func Temperature(e, n int) float64 { return 0.5 + 1.5*float64(e)/float64(n) }

// counting wraps a policy and counts its evaluations; with nonDelay it
// masks No-Op.
type counting struct {
	p        sched.Policy
	n        int
	nonDelay bool
}

func (c *counting) Scores(o *sched.Obs, dst []float64) {
	c.n++
	c.p.Scores(o, dst)
	if c.nonDelay && o != nil && o.Inst != nil && len(dst) > o.Inst.N {
		dst[o.Inst.N] = negInf
	}
}

// BestOf plays set.Rollouts episodes of the policies made by newPolicy (one
// per rollout, so they need not be safe for concurrent use) in
// [sched.CPEnv] with [sched.Dispatch], rollout e at temperature
// [Temperature](e, Rollouts), and returns the best. Errors: ErrSettings for
// nil arguments or negative fields; the errors of [sched.NewEnv] and
// [sched.Dispatch] (a [Policy] failing reports its own error); ctx.Err()
// when the context ends (checked before every step).
func BestOf(ctx context.Context, inst *sched.Instance, newPolicy func() sched.Policy, set *InferSettings) (InferResult, error) {
	var s InferSettings
	if set != nil {
		s = *set
	}
	if newPolicy == nil {
		return InferResult{}, fmt.Errorf("%w: nil newPolicy", ErrSettings)
	}
	if s.Rollouts < 0 || s.Workers < 0 {
		return InferResult{}, fmt.Errorf("%w: Rollouts %d and Workers %d must not be negative", ErrSettings, s.Rollouts, s.Workers)
	}
	s.Rollouts = cmp.Or(s.Rollouts, 32)
	if s.Greedy {
		s.Rollouts = 1
	}
	s.Workers = cmp.Or(s.Workers, runtime.GOMAXPROCS(0))
	if s.Rand == nil {
		s.Rand = rand.New(rand.NewPCG(0, 0))
	}
	if inst == nil {
		return InferResult{}, fmt.Errorf("%w: nil instance", ErrSettings)
	}
	if err := inst.Validate(); err != nil {
		return InferResult{}, err
	}
	start := time.Now()
	seeds := make([]uint64, s.Rollouts)
	for e := range seeds {
		seeds[e] = s.Rand.Uint64()
	}
	scheds := make([]sched.Schedule, s.Rollouts)
	counts := make([]int, s.Rollouts)
	err := parallel(s.Rollouts, s.Workers, func(e, _ int) error {
		env, err := sched.NewEnv(inst, nil)
		if err != nil {
			return err
		}
		pol := &counting{p: newPolicy(), nonDelay: s.NonDelay}
		if pol.p == nil {
			return fmt.Errorf("%w: newPolicy returned nil", ErrSettings)
		}
		T := Temperature(e, s.Rollouts)
		if s.Greedy {
			T = 0
		}
		sc, err := sched.Dispatch(ctx, env, pol, T, rand.New(rand.NewPCG(seeds[e], uint64(e))))
		if err != nil {
			if p, ok := pol.p.(*Policy); ok && p.Err() != nil {
				return p.Err()
			}
			return err
		}
		scheds[e], counts[e] = sc, pol.n
		return nil
	})
	if err != nil {
		return InferResult{}, err
	}
	res := InferResult{Makespans: make([]int, s.Rollouts), Makespan: math.MaxInt}
	for e, sc := range scheds {
		c, err := sc.Makespan(inst)
		if err != nil {
			return InferResult{}, err
		}
		res.Makespans[e] = c
		res.Decisions += counts[e]
		if c < res.Makespan {
			res.Makespan, res.Schedule = c, sc
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// BestOf runs [BestOf] with n's inference policy; before any rollout it
// returns an error wrapping ErrDimension if inst has more than MaxPos
// operations per job.
func (n *Net) BestOf(ctx context.Context, inst *sched.Instance, set *InferSettings) (InferResult, error) {
	if n == nil || len(n.W) != NumParams {
		return InferResult{}, fmt.Errorf("%w: network does not have %d weights", ErrWeights, NumParams)
	}
	if inst != nil && inst.M > MaxPos {
		return InferResult{}, fmt.Errorf("%w: %d operations per job; the positional encoding supports at most %d", ErrDimension, inst.M, MaxPos)
	}
	return BestOf(ctx, inst, func() sched.Policy { return n.Policy() }, set)
}

// MWKRSoftmax is the sampled-MWKR baseline of the spec: the logit of a
// legal job is the z-score of its remaining work W_j (current operation
// included) over the legal jobs (0 if only one is legal); finished jobs,
// illegal jobs and No-Op get −Inf (so it dispatches non-delay). Sampled by
// [sched.Dispatch] at temperature T it is softmax(z/T).
type MWKRSoftmax struct{}

// Scores implements [sched.Policy]; it writes −Inf everywhere when o or dst
// does not fit.
func (MWKRSoftmax) Scores(o *sched.Obs, dst []float64) {
	if o == nil || o.Inst == nil || len(dst) < o.Inst.N+1 || len(o.Legal) != o.Inst.N+1 || len(o.Rem) != o.Inst.N {
		for i := range dst {
			dst[i] = negInf
		}
		return
	}
	n := o.Inst.N
	var s, s2, c float64
	for j := 0; j < n; j++ {
		if o.Legal[j] {
			w := float64(o.Rem[j])
			s += w
			s2 += w * w
			c++
		}
	}
	mean := s / max(c, 1)
	std := math.Sqrt(max(0, s2/max(c, 1)-mean*mean))
	for j := 0; j < n; j++ {
		switch {
		case !o.Legal[j]:
			dst[j] = negInf
		case c <= 1:
			dst[j] = 0
		default:
			dst[j] = (float64(o.Rem[j]) - mean) / (std + 1e-8)
		}
	}
	dst[n] = negInf
}

// UniformPolicy is the random baseline: every legal job gets logit 0 and
// No-Op −Inf, so sampling at any temperature is uniform over the legal
// jobs (non-delay).
type UniformPolicy struct{}

// Scores implements [sched.Policy].
func (UniformPolicy) Scores(o *sched.Obs, dst []float64) {
	if o == nil || o.Inst == nil || len(dst) < o.Inst.N+1 || len(o.Legal) != o.Inst.N+1 {
		for i := range dst {
			dst[i] = negInf
		}
		return
	}
	for j := 0; j < o.Inst.N; j++ {
		dst[j] = negInf
		if o.Legal[j] {
			dst[j] = 0
		}
	}
	dst[o.Inst.N] = negInf
}
