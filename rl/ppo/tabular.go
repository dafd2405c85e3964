package ppo

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/rl"
)

// Tabular is a softmax policy over a table of logits: for a one-hot
// observation of state s (see [rl.OneHotIndex]) π(a|s) ∝ exp(Logits[s·A+a]).
// The deterministic action is the argmax (lowest index on ties).
type Tabular struct {
	S, A   int
	Logits []float64
	grad   []float64
	prob   []float64
	logp   []float64 // log prob, scratch of LogProbGrad
}

var _ Differentiable = (*Tabular)(nil)

// NewTabular returns a uniform (all-zero logits) tabular policy over s
// states and a actions. For negative or too large sizes it allocates
// nothing and returns a policy that [New] rejects with an error.
func NewTabular(s, a int) *Tabular {
	if !tableSize(s, a) {
		return &Tabular{S: s, A: a}
	}
	return &Tabular{S: s, A: a, Logits: make([]float64, s*a), grad: make([]float64, s*a), prob: make([]float64, a), logp: make([]float64, a)}
}

// probs fills t.prob with π(·|s) and returns log Σ exp.
func (t *Tabular) probs(s int) []float64 {
	z := t.Logits[s*t.A : (s+1)*t.A]
	m := slices.Max(z)
	sum := 0.0
	for a, v := range z {
		t.prob[a] = math.Exp(v - m)
		sum += t.prob[a]
	}
	for a := range t.prob {
		t.prob[a] /= sum
	}
	return t.prob
}

// Act returns the argmax action (deterministic) or a sample from π(·|s).
func (t *Tabular) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	s := rl.OneHotIndex(obs)
	if deterministic {
		z := t.Logits[s*t.A : (s+1)*t.A]
		best := 0
		for a, v := range z {
			if v > z[best] {
				best = a
			}
		}
		return rl.Action{Discrete: best}
	}
	p := t.probs(s)
	u := rng.Float64()
	for a, q := range p {
		u -= q
		if u < 0 {
			return rl.Action{Discrete: a}
		}
	}
	return rl.Action{Discrete: t.A - 1}
}

// LogProb returns log π(a|s), or NaN for a state or action out of range.
func (t *Tabular) LogProb(obs []float64, a rl.Action) float64 {
	s := rl.OneHotIndex(obs)
	if s >= t.S || a.Discrete < 0 || a.Discrete >= t.A || len(t.Logits) != t.S*t.A {
		return math.NaN()
	}
	p := t.probs(s)
	return math.Log(p[a.Discrete])
}

// Clone returns a deep copy.
func (t *Tabular) Clone() rl.Policy {
	return &Tabular{S: t.S, A: t.A, Logits: slices.Clone(t.Logits), grad: make([]float64, len(t.grad)), prob: make([]float64, t.A), logp: make([]float64, t.A)}
}

// Params returns the logits and their gradient buffer.
func (t *Tabular) Params() (params, grads [][]float64) {
	return [][]float64{t.Logits}, [][]float64{t.grad}
}

// LogProbGrad returns log π(a|s) and H(π(·|s)), adding
// wLogp·∇log π + wEnt·∇H to the gradient: ∂log π(a)/∂z_b = 1[a=b] − π_b and
// ∂H/∂z_b = −π_b (log π_b + H).
//
// For a state or action out of range it returns NaN and adds nothing.
func (t *Tabular) LogProbGrad(obs []float64, a rl.Action, wLogp, wEnt float64) (logp, ent float64) {
	s := rl.OneHotIndex(obs)
	if s >= t.S || a.Discrete < 0 || a.Discrete >= t.A || len(t.Logits) != t.S*t.A {
		return math.NaN(), math.NaN()
	}
	p := t.probs(s)
	lp := t.logp
	for b, q := range p {
		lp[b] = math.Log(q) // each log once: the entropy, log π(a) and ∇H reuse it
		if q > 0 {
			ent -= q * lp[b]
		}
	}
	logp = lp[a.Discrete]
	if wLogp == 0 && wEnt == 0 {
		return logp, ent
	}
	g := t.grad[s*t.A : (s+1)*t.A]
	for b, q := range p {
		d := -q
		if b == a.Discrete {
			d++
		}
		g[b] += wLogp * d
		if q > 0 {
			g[b] += wEnt * (-q * (lp[b] + ent))
		}
	}
	return logp, ent
}

// TabularCritic is a table of value vectors: V(s) = V[s·N : (s+1)·N] for a
// one-hot observation of state s.
type TabularCritic struct {
	S, N int
	V    []float64
	grad []float64
}

var _ Critic = (*TabularCritic)(nil)

// NewTabularCritic returns a zero critic over s states and n objectives.
// For negative or too large sizes it allocates nothing and returns a
// critic that [New] rejects with an error.
func NewTabularCritic(s, n int) *TabularCritic {
	if !tableSize(s, n) {
		return &TabularCritic{S: s, N: n}
	}
	return &TabularCritic{S: s, N: n, V: make([]float64, s*n), grad: make([]float64, s*n)}
}

// Values writes V(s) into dst.
func (c *TabularCritic) Values(dst, obs []float64) {
	s := rl.OneHotIndex(obs)
	copy(dst, c.V[s*c.N:(s+1)*c.N])
}

// ValueGrad writes V(s) to v and adds dv to the gradient of row s.
func (c *TabularCritic) ValueGrad(v, obs, dv []float64) {
	s := rl.OneHotIndex(obs)
	copy(v, c.V[s*c.N:(s+1)*c.N])
	if dv != nil {
		g := c.grad[s*c.N : (s+1)*c.N]
		for k, d := range dv {
			g[k] += d
		}
	}
}

// Params returns the table and its gradient buffer.
func (c *TabularCritic) Params() (params, grads [][]float64) {
	return [][]float64{c.V}, [][]float64{c.grad}
}

// CloneCritic returns a deep copy.
func (c *TabularCritic) CloneCritic() Critic {
	return &TabularCritic{S: c.S, N: c.N, V: slices.Clone(c.V), grad: make([]float64, len(c.grad))}
}

// MaxTable is the largest number of entries [NewTabular] and
// [NewTabularCritic] allocate (2²⁸ float64 values, 2 GiB per table).
const MaxTable = 1 << 28

// tableSize reports whether an s×a table is allowed.
func tableSize(s, a int) bool {
	return s > 0 && a > 0 && s <= MaxTable/a
}
