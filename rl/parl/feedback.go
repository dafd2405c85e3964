package parl

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Feedback is the upper level of PARL: what a human (or a designer) says
// about trajectories drawn from the current aligned policy π*(ν).
//
// Arity is how many trajectories one query shows: 1 for a utility score,
// 2 for a preference between a pair. Eval returns U_ν for the query ts
// (len(ts) = Arity) and adds ∇_ν U_ν (term 1 of the hypergradient; zero
// for feedback that does not depend on ν) into grad. rng is the run's
// random stream, for noisy feedback. An error stops the run.
type Feedback interface {
	Arity() int
	Eval(m *MDP, nu []float64, ts []Trajectory, grad []float64, rng *rand.Rand) (float64, error)
}

// TrueReturn is utility feedback: U(τ) = Σ_h γ^h TrueReward(s_{h+1}) + ε
// with ε ~ N(0, Noise²). It does not depend on ν, so term 1 is zero.
type TrueReturn struct {
	// Noise is the standard deviation of the score noise (≥ 0). The spec's
	// main experiment uses 0.1.
	Noise float64
}

var _ Feedback = TrueReturn{}

// Arity returns 1.
func (TrueReturn) Arity() int { return 1 }

// Eval returns the noisy true return of ts[0].
func (f TrueReturn) Eval(m *MDP, _ []float64, ts []Trajectory, _ []float64, rng *rand.Rand) (float64, error) {
	if !(f.Noise >= 0) || math.IsInf(f.Noise, 0) {
		return 0, fmt.Errorf("%w: TrueReturn.Noise = %v", ErrSettings, f.Noise)
	}
	u := m.Return(&ts[0], m.TrueReward0())
	if f.Noise > 0 {
		u += f.Noise * rng.NormFloat64()
	}
	return u, nil
}

// TrueReward0 returns TrueReward, or zeros when it is nil.
func (m *MDP) TrueReward0() []float64 {
	if m.TrueReward == nil {
		return make([]float64, m.States)
	}
	return m.TrueReward
}

// Teacher labels a pair of trajectories: 1 if it prefers τ⁰, 0 if τ¹.
// Labels outside {0, 1} are an error ([ErrFeedback]).
type Teacher interface {
	Prefer(m *MDP, t0, t1 *Trajectory, rng *rand.Rand) int
}

// BradleyTerry is a simulated teacher: y ~ Bernoulli(σ(R*(τ⁰) − R*(τ¹)))
// with R*(τ) = Σ_h γ^h Reward(s_{h+1}).
type BradleyTerry struct {
	// Reward is the teacher's reward on entering each state.
	Reward []float64
}

// Prefer draws the teacher's label.
func (b BradleyTerry) Prefer(m *MDP, t0, t1 *Trajectory, rng *rand.Rand) int {
	if rng.Float64() < sigmoid(m.Return(t0, b.Reward)-m.Return(t1, b.Reward)) {
		return 1
	}
	return 0
}

// Preference is preference feedback in the Bradley–Terry model: for a pair
// (τ⁰, τ¹) drawn from π*(ν) and the teacher's label y,
//
//	U_ν = y log σ(R_ν(τ⁰) − R_ν(τ¹)) + (1−y) log σ(R_ν(τ¹) − R_ν(τ⁰)),
//
// with R_ν(τ) = ν·Φ(τ); ∇_ν U_ν = (y − σ(Δ))(Φ(τ⁰) − Φ(τ¹)), Δ = R_ν(τ⁰) −
// R_ν(τ¹) (term 1: reward learning on on-policy pairs).
type Preference struct {
	// Teacher labels the pairs.
	Teacher Teacher

	phi0, phi1 []float64
}

var _ Feedback = (*Preference)(nil)

// Arity returns 2.
func (*Preference) Arity() int { return 2 }

// Eval asks the teacher for a label and returns U_ν, adding ∇_ν U_ν into grad.
func (f *Preference) Eval(m *MDP, nu []float64, ts []Trajectory, grad []float64, rng *rand.Rand) (float64, error) {
	if f.Teacher == nil {
		return 0, fmt.Errorf("%w: Preference.Teacher is nil", ErrSettings)
	}
	y := f.Teacher.Prefer(m, &ts[0], &ts[1], rng)
	if y != 0 && y != 1 {
		return 0, fmt.Errorf("%w: label %d outside {0, 1}", ErrFeedback, y)
	}
	d := len(nu)
	if len(f.phi0) != d {
		f.phi0, f.phi1 = make([]float64, d), make([]float64, d)
	}
	clear(f.phi0)
	clear(f.phi1)
	m.FeatureSum(f.phi0, &ts[0])
	m.FeatureSum(f.phi1, &ts[1])
	return btTerm(nu, f.phi0, f.phi1, float64(y), grad), nil
}

// btTerm returns q log σ(Δ) + (1−q) log σ(−Δ) for Δ = ν·(φ0−φ1) and adds
// its gradient (q − σ(Δ))(φ0 − φ1) into grad.
func btTerm(nu, phi0, phi1 []float64, q float64, grad []float64) float64 {
	delta := 0.0
	for k := range nu {
		delta += nu[k] * (phi0[k] - phi1[k])
	}
	sg := sigmoid(delta)
	for k := range grad {
		grad[k] += (q - sg) * (phi0[k] - phi1[k])
	}
	return q*logSigmoid(delta) + (1-q)*logSigmoid(-delta)
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// logSigmoid returns log σ(x) without overflow.
func logSigmoid(x float64) float64 {
	if x >= 0 {
		return -math.Log1p(math.Exp(-x))
	}
	return x - math.Log1p(math.Exp(x))
}

// ExactPreference returns, by enumerating every pair of trajectories of
// p (a small MDP such as [PreferenceTree]), the exact upper objective of
// preference feedback with a Bradley–Terry teacher of reward rstar,
// F(ν) = E_{τ⁰,τ¹ ~ π*(ν), y}[U_ν], its exact gradient (terms 1 + 2), and
// term 1 alone. It returns an error if p has more than 2¹² trajectories or
// len(rstar) is not the number of states.
func ExactPreference(p *Policy, rstar []float64) (F float64, grad, term1 []float64, err error) {
	m := p.MDP
	if len(rstar) != m.States {
		return 0, nil, nil, fmt.Errorf("%w: len(rstar) = %d, want States = %d", ErrDimension, len(rstar), m.States)
	}
	ts, ps, err := p.Enumerate(1 << 12)
	if err != nil {
		return 0, nil, nil, err
	}
	d := m.Dim()
	phis := make([][]float64, len(ts))
	scores := make([][]float64, len(ts))
	for i := range ts {
		phis[i] = make([]float64, d)
		m.FeatureSum(phis[i], &ts[i])
		scores[i] = make([]float64, d)
		p.AddScore(scores[i], &ts[i], 1)
	}
	grad, term1 = make([]float64, d), make([]float64, d)
	g1 := make([]float64, d)
	for i := range ts {
		for j := range ts {
			w := ps[i] * ps[j]
			q := sigmoid(m.Return(&ts[i], rstar) - m.Return(&ts[j], rstar))
			clear(g1)
			u := btTerm(p.Nu, phis[i], phis[j], q, g1)
			F += w * u
			for k := 0; k < d; k++ {
				term1[k] += w * g1[k]
				grad[k] += w * (g1[k] + u*(scores[i][k]+scores[j][k]))
			}
		}
	}
	return F, grad, term1, nil
}
