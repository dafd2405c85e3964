package parl

import (
	"fmt"
	"math"
)

// Policy is the entropy-regularised optimal policy π*(ν) of an [MDP] for
// the reward r_ν = ν·φ, found by [SoftValueIteration], with what A-PARL
// needs from it: the time-indexed action probabilities, the soft values
// and the successor features ψ that give ∂θ*/∂ν in closed form.
type Policy struct {
	// MDP is the process the policy was solved for (not copied).
	MDP *MDP
	// Nu is the reward parameter ν (a copy).
	Nu []float64
	// Lambda is the entropy temperature λ.
	Lambda float64

	pi  []float64 // π_h(a|s) at [(h*S+s)*A+a]
	q   []float64 // Q_h(s,a), same layout
	v   []float64 // V_h(s) at [h*S+s], h = 0..H
	psi []float64 // ψ_h(s,a) at [((h*S+s)*A+a)*d : +d]
	// mpsi holds Σ_b π_h(b|s) ψ_h(s,b) at [(h*S+s)*d : +d].
	mpsi []float64
}

// SoftValueIteration solves the lower level of PARL exactly for a tabular
// MDP: with θ_h(s,a) the logits of a time-indexed softmax policy and the
// entropy-regularised return
//
//	Q_h(s,a) = Σ_{s'} P(s'|s,a) (ν·φ(s') + γ V_{h+1}(s')),   V_H ≡ 0, V(terminal) = 0,
//	V_h(s)   = λ log Σ_a exp(Q_h(s,a)/λ),
//	π_h(a|s) = exp((Q_h(s,a) − V_h(s))/λ),
//
// it returns π* with θ* = Q/λ, together with the successor features
//
//	ψ_h(s,a) = Σ_{s'} P(s'|s,a) (φ(s') + γ Σ_b π_{h+1}(b|s') ψ_{h+1}(s',b)),
//
// so that ∂θ*_h(s,a)/∂ν = ψ_h(s,a)/λ. It returns an error wrapping
// [ErrMDP] for an invalid MDP, [ErrDimension] if len(nu) is not the
// feature dimension, and [ErrSettings] for λ ≤ 0, NaN or Inf, or a
// non-finite ν.
func SoftValueIteration(m *MDP, nu []float64, lambda float64) (*Policy, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if len(nu) != m.Dim() {
		return nil, fmt.Errorf("%w: len(nu) = %d, feature dimension %d", ErrDimension, len(nu), m.Dim())
	}
	if err := checkFinite("nu", nu); err != nil {
		return nil, err
	}
	if !(lambda > 0) || math.IsInf(lambda, 0) {
		return nil, fmt.Errorf("%w: temperature λ = %v must be positive and finite", ErrSettings, lambda)
	}
	p := newPolicy(m, nu, lambda)
	p.solve()
	return p, nil
}

func newPolicy(m *MDP, nu []float64, lambda float64) *Policy {
	S, A, H, d := m.States, m.Actions, m.Horizon, m.Dim()
	return &Policy{
		MDP: m, Nu: append([]float64(nil), nu...), Lambda: lambda,
		pi:   make([]float64, H*S*A),
		q:    make([]float64, H*S*A),
		v:    make([]float64, (H+1)*S),
		psi:  make([]float64, H*S*A*d),
		mpsi: make([]float64, (H+1)*S*d),
	}
}

// solve runs the backward recursion for Q, V, π and ψ.
func (p *Policy) solve() {
	m := p.MDP
	S, A, H, d := m.States, m.Actions, m.Horizon, m.Dim()
	g, lam := m.gamma(), p.Lambda
	r := make([]float64, S)
	for s := range r {
		r[s] = dot(p.Nu, m.Features[s])
	}
	for h := H - 1; h >= 0; h-- {
		for s := 0; s < S; s++ {
			if m.terminal(s) {
				continue // V, ψ stay 0: the episode has ended
			}
			base := (h*S + s) * A
			qmax := math.Inf(-1)
			for a := 0; a < A; a++ {
				q := 0.0
				psi := p.psi[(base+a)*d : (base+a+1)*d]
				for _, t := range m.Next[s][a] {
					q += t.P * (r[t.To] + g*p.v[(h+1)*S+t.To])
					next := p.mpsi[((h+1)*S+t.To)*d : ((h+1)*S+t.To+1)*d]
					for k := range psi {
						psi[k] += t.P * (m.Features[t.To][k] + g*next[k])
					}
				}
				p.q[base+a] = q
				qmax = max(qmax, q)
			}
			// log-sum-exp shifted by the largest Q
			sum := 0.0
			for a := 0; a < A; a++ {
				sum += math.Exp((p.q[base+a] - qmax) / lam)
			}
			v := qmax + lam*math.Log(sum)
			p.v[h*S+s] = v
			mpsi := p.mpsi[(h*S+s)*d : (h*S+s+1)*d]
			for a := 0; a < A; a++ {
				pa := math.Exp((p.q[base+a] - v) / lam)
				p.pi[base+a] = pa
				psi := p.psi[(base+a)*d : (base+a+1)*d]
				for k := range mpsi {
					mpsi[k] += pa * psi[k]
				}
			}
		}
	}
}

// Prob returns π_h(a|s).
func (p *Policy) Prob(h, s, a int) float64 {
	return p.pi[(h*p.MDP.States+s)*p.MDP.Actions+a]
}

// SoftValue returns the soft value V_h(s) of the entropy-regularised
// return under r_ν (V_H = 0).
func (p *Policy) SoftValue(h, s int) float64 { return p.v[h*p.MDP.States+s] }

// SuccessorFeatures writes ψ_h(s,a) into dst (allocated when nil) and
// returns it. It returns an error wrapping [ErrDimension] for a non-nil dst
// whose length is not the feature dimension.
func (p *Policy) SuccessorFeatures(dst []float64, h, s, a int) ([]float64, error) {
	d := p.MDP.Dim()
	if dst == nil {
		dst = make([]float64, d)
	}
	if len(dst) != d {
		return nil, fmt.Errorf("%w: len(dst) = %d, want %d", ErrDimension, len(dst), d)
	}
	i := (h*p.MDP.States+s)*p.MDP.Actions + a
	copy(dst, p.psi[i*d:(i+1)*d])
	return dst, nil
}

// addScore adds ∇_ν log π_h(a|s) = (ψ_h(s,a) − Σ_b π_h(b|s) ψ_h(s,b))/λ,
// times w, into dst.
func (p *Policy) addScore(dst []float64, h, s, a int, w float64) {
	m := p.MDP
	d := len(dst)
	i := (h*m.States+s)*m.Actions + a
	psi := p.psi[i*d : (i+1)*d]
	mp := p.mpsi[(h*m.States+s)*d : (h*m.States+s+1)*d]
	c := w / p.Lambda
	for k := range dst {
		dst[k] += c * (psi[k] - mp[k])
	}
}

// occupancy returns d_h(s), the probability of being in non-terminal state
// s at step h (h = 0..H-1), at [h*S+s].
func (p *Policy) occupancy() []float64 {
	m := p.MDP
	S, A, H := m.States, m.Actions, m.Horizon
	occ := make([]float64, H*S)
	copy(occ, m.Start)
	for s := 0; s < S; s++ {
		if m.terminal(s) {
			occ[s] = 0
		}
	}
	for h := 0; h+1 < H; h++ {
		for s := 0; s < S; s++ {
			ds := occ[h*S+s]
			if ds == 0 {
				continue
			}
			for a := 0; a < A; a++ {
				w := ds * p.pi[(h*S+s)*A+a]
				for _, t := range m.Next[s][a] {
					if !m.terminal(t.To) {
						occ[(h+1)*S+t.To] += w * t.P
					}
				}
			}
		}
	}
	return occ
}

// Value returns the exact upper objective for utility feedback without
// noise, F(ν) = E_{π*(ν)}[Σ_h γ^h TrueReward(s_{h+1})], and its exact
// gradient
//
//	∇F(ν) = Σ_h γ^h Σ_s d_h(s) Σ_a π_h(a|s) ∇_ν log π_h(a|s) Q^true_h(s,a),
//
// with d_h the state occupancy and Q^true the true return-to-go under
// π*(ν), computed by dynamic programming (no sampling). grad is allocated
// when nil; a non-nil grad of the wrong length is an error wrapping
// [ErrDimension].
func (p *Policy) Value(grad []float64) (float64, []float64, error) {
	m := p.MDP
	S, A, H, d := m.States, m.Actions, m.Horizon, m.Dim()
	if grad == nil {
		grad = make([]float64, d)
	}
	if len(grad) != d {
		return 0, nil, fmt.Errorf("%w: len(grad) = %d, want %d", ErrDimension, len(grad), d)
	}
	clear(grad)
	g := m.gamma()
	// true return-to-go, backward
	vt := make([]float64, (H+1)*S)
	qt := make([]float64, H*S*A)
	for h := H - 1; h >= 0; h-- {
		for s := 0; s < S; s++ {
			if m.terminal(s) {
				continue
			}
			v := 0.0
			for a := 0; a < A; a++ {
				q := 0.0
				for _, t := range m.Next[s][a] {
					q += t.P * (m.trueReward(t.To) + g*vt[(h+1)*S+t.To])
				}
				qt[(h*S+s)*A+a] = q
				v += p.pi[(h*S+s)*A+a] * q
			}
			vt[h*S+s] = v
		}
	}
	occ := p.occupancy()
	F := 0.0
	for s := 0; s < S; s++ {
		F += m.Start[s] * vt[s]
	}
	disc := 1.0
	for h := 0; h < H; h++ {
		for s := 0; s < S; s++ {
			ds := occ[h*S+s]
			if ds == 0 {
				continue
			}
			for a := 0; a < A; a++ {
				i := (h*S+s)*A + a
				p.addScore(grad, h, s, a, disc*ds*p.pi[i]*qt[i])
			}
		}
		disc *= g
	}
	return F, grad, nil
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

func checkFinite(name string, x []float64) error {
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s[%d] = %v", ErrNotFinite, name, i, v)
		}
	}
	return nil
}
