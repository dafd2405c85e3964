package famo2o

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/rl"
)

// Policy is a trained acting policy: the universal policy π_u(a|s, enc β)
// (or IQL's unconditioned policy) with the rule that picks β per state.
// It implements [rl.Policy]. It keeps scratch buffers, so it is not safe
// for concurrent use: Clone one per goroutine.
type Policy struct {
	method                 Method
	betaMin, betaMax, beta float64
	u, b                   *nn.MLP
	uLogStd, mid, half     []float64
	space                  rl.Space
	od, ad, uIn            int
	in, out                []float64
	_                      struct{}
}

var _ rl.Policy = (*Policy)(nil)

func (p *Policy) clone() *Policy {
	c := *p
	c.u = p.u.Clone()
	if p.b != nil {
		c.b = p.b.Clone()
	}
	c.uLogStd = slices.Clone(p.uLogStd)
	c.mid, c.half = slices.Clone(p.mid), slices.Clone(p.half)
	c.space = rl.Box(p.space.Low, p.space.High)
	c.in, c.out = make([]float64, len(p.in)), make([]float64, len(p.out))
	return &c
}

// Clone returns an independent deep copy.
func (p *Policy) Clone() rl.Policy { return p.clone() }

func (p *Policy) std(j int) float64 {
	return math.Exp(math.Max(logStdMin, math.Min(logStdMax, p.uLogStd[j])))
}

// Beta returns the balance coefficient at obs: the balance model's
// deterministic β(s) = β_min + (tanh(mean_z(s)) + 1)/2·(β_max − β_min) for
// FamO2O, Settings.Beta for IQL, and a uniform draw from rng for
// RandomBeta (the midpoint when rng is nil). It panics if obs does not
// have the environment's observation dimension (a programmer error).
func (p *Policy) Beta(obs []float64, rng *rand.Rand) float64 {
	switch p.method {
	case IQL:
		return p.beta
	case RandomBeta:
		if rng == nil {
			return (p.betaMin + p.betaMax) / 2
		}
		return p.betaMin + (p.betaMax-p.betaMin)*rng.Float64()
	}
	var o [1]float64
	p.b.Predict(o[:], obs)
	return p.betaMin + (math.Tanh(o[0])+1)/2*(p.betaMax-p.betaMin)
}

// ActBeta writes the mean action μ_u(s, β) at obs (environment units,
// clipped to the action box) to dst (grown if short) and returns it.
func (p *Policy) ActBeta(dst, obs []float64, beta float64) []float64 {
	return p.actBeta(dst, obs, beta, false, nil)
}

func (p *Policy) actBeta(dst, obs []float64, beta float64, sample bool, rng *rand.Rand) []float64 {
	if len(obs) != p.od {
		panic(fmt.Sprintf("famo2o: observation of length %d, want %d", len(obs), p.od))
	}
	if cap(dst) < p.ad {
		dst = make([]float64, p.ad)
	}
	dst = dst[:p.ad]
	copy(p.in, obs)
	if p.uIn > p.od {
		Encode(p.in[p.od:], beta)
	}
	p.u.Predict(p.out, p.in)
	for j := range dst {
		a := math.Tanh(p.out[j])
		if sample {
			a += p.std(j) * rng.NormFloat64()
		}
		dst[j] = math.Max(p.space.Low[j], math.Min(p.space.High[j], p.mid[j]+p.half[j]*a))
	}
	return dst
}

// Act returns the action at obs: β from [Policy.Beta] and the universal
// policy's mean action (deterministic) or a Gaussian sample (otherwise),
// clipped to the action box. rng is needed when deterministic is false or
// the method is RandomBeta. The returned slice is new.
func (p *Policy) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	b := p.Beta(obs, rng)
	return rl.Action{Box: p.actBeta(nil, obs, b, !deterministic, rng)}
}

// LogProb returns the log-density of the Gaussian the policy samples from
// at obs (before clipping to the box), with β from [Policy.Beta] (the
// midpoint for RandomBeta, whose mixture over β has no closed form). It
// returns −Inf for an action of the wrong length.
func (p *Policy) LogProb(obs []float64, a rl.Action) float64 {
	if len(a.Box) != p.ad {
		return math.Inf(-1)
	}
	b := p.Beta(obs, nil)
	mu := p.actBeta(nil, obs, b, false, nil)
	lp := 0.0
	for j := range mu {
		m := math.Tanh(p.out[j])
		sd := p.std(j) * p.half[j]
		e := (a.Box[j] - (p.mid[j] + p.half[j]*m)) / sd
		lp += -0.5*e*e - math.Log(sd) - 0.5*log2Pi
	}
	return lp
}
