package ppo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/rl"
)

// normEps guards the square root in running normalisation (as in
// baselines' VecNormalize).
const normEps = 1e-8

// normClip bounds normalised observations and rewards (VecNormalize's 10).
const normClip = 10.0

// RunningStat tracks the running mean and variance of vectors with the
// parallel (Chan et al.) update, as baselines' RunningMeanStd does.
type RunningStat struct {
	Mean, Var []float64
	Count     float64
}

// NewRunningStat returns a statistic of dimension d with mean 0, variance 1
// and a tiny prior count. For a negative or too large d it allocates
// nothing and returns a statistic of dimension 0, which [New] rejects as
// a normaliser of the wrong dimension.
func NewRunningStat(d int) *RunningStat {
	if d < 0 || d > MaxTable {
		return &RunningStat{Count: 1e-4}
	}
	v := make([]float64, d)
	for i := range v {
		v[i] = 1
	}
	return &RunningStat{Mean: make([]float64, d), Var: v, Count: 1e-4}
}

// Update merges the batch xs (each of dimension d) into the statistic. It
// returns an error wrapping [ErrDimension] and changes nothing if a
// vector has another dimension, and one wrapping [ErrNotFinite] if one
// holds NaN or Inf.
func (s *RunningStat) Update(xs [][]float64) error {
	d := len(s.Mean)
	if len(s.Var) != d {
		return fmt.Errorf("%w: running statistic with %d means and %d variances", ErrDimension, d, len(s.Var))
	}
	for i, x := range xs {
		if len(x) != d {
			return fmt.Errorf("%w: vector %d has dimension %d, want %d", ErrDimension, i, len(x), d)
		}
		for k, v := range x {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: vector %d, component %d is %v", ErrNotFinite, i, k, v)
			}
		}
	}
	if len(xs) == 0 {
		return nil
	}
	bm := make([]float64, d)
	bv := make([]float64, d)
	for _, x := range xs {
		for k := range d {
			bm[k] += x[k]
		}
	}
	n := float64(len(xs))
	for k := range d {
		bm[k] /= n
	}
	for _, x := range xs {
		for k := range d {
			bv[k] += (x[k] - bm[k]) * (x[k] - bm[k])
		}
	}
	tot := s.Count + n
	for k := range d {
		bv[k] /= n
		delta := bm[k] - s.Mean[k]
		m2 := s.Var[k]*s.Count + bv[k]*n + delta*delta*s.Count*n/tot
		s.Mean[k] += delta * n / tot
		s.Var[k] = m2 / tot
	}
	s.Count = tot
	return nil
}

func (s *RunningStat) clone() *RunningStat {
	if s == nil {
		return nil
	}
	return &RunningStat{Mean: slices.Clone(s.Mean), Var: slices.Clone(s.Var), Count: s.Count}
}

// normalize writes clip((x − mean)/√(var+ε), ±10) to dst.
func (s *RunningStat) normalize(dst, x []float64) {
	for k := range x {
		v := (x[k] - s.Mean[k]) / math.Sqrt(s.Var[k]+normEps)
		dst[k] = math.Max(-normClip, math.Min(normClip, v))
	}
}

// Agent is what PPO trains: a policy, a vector critic and optional running
// normalisers of observations (ObsNorm) and of rewards by the running
// standard deviation of the discounted return per objective (RetNorm).
// Nil normalisers are off.
type Agent struct {
	Policy  Differentiable
	Critic  Critic
	ObsNorm *RunningStat
	RetNorm *RunningStat
}

// Clone returns an independent deep copy.
func (a *Agent) Clone() *Agent {
	return &Agent{
		Policy:  a.Policy.Clone().(Differentiable),
		Critic:  a.Critic.CloneCritic(),
		ObsNorm: a.ObsNorm.clone(),
		RetNorm: a.RetNorm.clone(),
	}
}

// Actor returns the agent's policy acting on raw observations: a snapshot
// (deep copy) with the current observation normalisation frozen in.
func (a *Agent) Actor() rl.Policy {
	p := a.Policy.Clone()
	if a.ObsNorm == nil {
		return p
	}
	return &normalized{p: p, s: a.ObsNorm.clone(), buf: make([]float64, len(a.ObsNorm.Mean))}
}

// normalized applies frozen observation normalisation before its policy.
type normalized struct {
	p   rl.Policy
	s   *RunningStat
	buf []float64
}

func (n *normalized) Act(obs []float64, det bool, rng *rand.Rand) rl.Action {
	n.s.normalize(n.buf, obs)
	return n.p.Act(n.buf, det, rng)
}

func (n *normalized) LogProb(obs []float64, a rl.Action) float64 {
	n.s.normalize(n.buf, obs)
	return n.p.LogProb(n.buf, a)
}

// ActLogProb normalises once and uses the policy's own ActLogProb when it
// has one.
func (n *normalized) ActLogProb(obs []float64, det bool, rng *rand.Rand) (rl.Action, float64) {
	n.s.normalize(n.buf, obs)
	if alp, ok := n.p.(rl.ActLogProber); ok {
		return alp.ActLogProb(n.buf, det, rng)
	}
	a := n.p.Act(n.buf, det, rng)
	return a, n.p.LogProb(n.buf, a)
}

func (n *normalized) Clone() rl.Policy {
	return &normalized{p: n.p.Clone(), s: n.s.clone(), buf: make([]float64, len(n.buf))}
}
