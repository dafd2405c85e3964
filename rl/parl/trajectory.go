package parl

import (
	"fmt"
	"math/rand/v2"
)

// Trajectory is one episode: States[0] is s₀ and States[h+1] the state
// entered by Actions[h]. It ends at the horizon or on entering a terminal
// state, so len(States) = len(Actions)+1 ≤ Horizon+1.
type Trajectory struct {
	States  []int
	Actions []int
}

// Sample draws one trajectory from the policy into t (reusing its slices)
// with rng. It panics if rng is nil (a programmer error: every caller in
// the package checks it).
func (p *Policy) Sample(t *Trajectory, rng *rand.Rand) {
	m := p.MDP
	t.States = append(t.States[:0], pick(m.Start, rng))
	t.Actions = t.Actions[:0]
	s := t.States[0]
	for h := 0; h < m.Horizon && !m.terminal(s); h++ {
		base := (h*m.States + s) * m.Actions
		a := pick(p.pi[base:base+m.Actions], rng)
		ts := m.Next[s][a]
		u := rng.Float64()
		next := ts[len(ts)-1].To
		for _, tr := range ts {
			if u < tr.P {
				next = tr.To
				break
			}
			u -= tr.P
		}
		t.Actions = append(t.Actions, a)
		t.States = append(t.States, next)
		s = next
	}
}

// pick draws an index from the probability vector p.
func pick(p []float64, rng *rand.Rand) int {
	u := rng.Float64()
	last := 0
	for i, pi := range p {
		if pi == 0 {
			continue
		}
		last = i
		if u < pi {
			return i
		}
		u -= pi
	}
	return last
}

// Return returns Σ_h γ^h w(s_{h+1}) along t for a per-state reward w.
func (m *MDP) Return(t *Trajectory, w []float64) float64 {
	g, disc, sum := m.gamma(), 1.0, 0.0
	for _, s := range t.States[1:] {
		sum += disc * w[s]
		disc *= g
	}
	return sum
}

// FeatureSum adds Φ(τ) = Σ_h γ^h φ(s_{h+1}) into dst (of the feature
// dimension).
func (m *MDP) FeatureSum(dst []float64, t *Trajectory) {
	g, disc := m.gamma(), 1.0
	for _, s := range t.States[1:] {
		for k, f := range m.Features[s] {
			dst[k] += disc * f
		}
		disc *= g
	}
}

// AddScore adds w·∇_ν log ρ(τ; θ*(ν)) = w·Σ_h ∇_ν log π_h(a_h|s_h) into dst
// (of the feature dimension): the score of the trajectory with respect to
// the reward parameters, through the successor features.
func (p *Policy) AddScore(dst []float64, t *Trajectory, w float64) {
	for h, a := range t.Actions {
		p.addScore(dst, h, t.States[h], a, w)
	}
}

// maxEnumerate bounds the number of trajectories Enumerate lists.
const maxEnumerate = 1 << 20

// Enumerate lists every trajectory with positive probability under p, with
// its probability. It returns an error wrapping [ErrSettings] if there are
// more than limit (limit ≤ 0 means 2²⁰): it is meant for small problems
// such as [PreferenceTree], for exact references.
func (p *Policy) Enumerate(limit int) ([]Trajectory, []float64, error) {
	if limit <= 0 || limit > maxEnumerate {
		limit = maxEnumerate
	}
	m := p.MDP
	var ts []Trajectory
	var ps []float64
	var walk func(h int, states, actions []int, prob float64) error
	walk = func(h int, states, actions []int, prob float64) error {
		s := states[len(states)-1]
		if h == m.Horizon || m.terminal(s) {
			if len(ts) == limit {
				return fmt.Errorf("%w: more than %d trajectories", ErrSettings, limit)
			}
			ts = append(ts, Trajectory{States: append([]int(nil), states...), Actions: append([]int(nil), actions...)})
			ps = append(ps, prob)
			return nil
		}
		for a := 0; a < m.Actions; a++ {
			pa := p.Prob(h, s, a)
			if pa == 0 {
				continue
			}
			for _, tr := range m.Next[s][a] {
				if err := walk(h+1, append(states, tr.To), append(actions, a), prob*pa*tr.P); err != nil {
					return err
				}
			}
		}
		return nil
	}
	for s, mu := range m.Start {
		if mu == 0 {
			continue
		}
		if err := walk(0, []int{s}, nil, mu); err != nil {
			return nil, nil, err
		}
	}
	return ts, ps, nil
}
