package problems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/linalg"
)

// SineTarget is the target t of problems P2 and P3.
var SineTarget = []float64{2, -1, 0.5, 3, -2}

// SinePL is problem P2 of the penalty specification, a lower level that is
// nonconvex in y but satisfies the Polyak–Łojasiewicz condition:
//
//	g(x, y) = Σᵢ [(yᵢ − xᵢ)² + 3 sin²(yᵢ − xᵢ)],   f(x, y) = ½‖y − t‖² + ½‖x‖².
//
// g” = 2 + 6cos(2u) < 0 near u = π/2, yet u = 0 is its only stationary
// point, so S(x) = {x} and the solution is x* = t/2. The Lipschitz constants
// are L_f = 1 and L_g = 8.
//
// With Noise = s > 0 it is also problem P3 (a [bilevel.Stochastic] problem):
// each sample draws ξ, ζ ~ N(0, s²I), the lower level becomes
// Σᵢ [(1 + ξᵢ)(yᵢ − xᵢ)² + 3 sin²(yᵢ − xᵢ)] (minimiser still y = x) and
// ∇_y f uses the target t + ζ. The Problem methods return the noise-free
// gradients.
type SinePL struct {
	T     []float64
	Noise float64
}

var (
	_ bilevel.Stochastic  = (*SinePL)(nil)
	_ bilevel.UpperValuer = (*SinePL)(nil)
	_ bilevel.LowerValuer = (*SinePL)(nil)
	_ bilevel.Lipschitz   = (*SinePL)(nil)
)

// NewSinePL returns P2 (noise = 0) or P3 (noise = s) with the target t
// (copied); nil t means [SineTarget]. It returns an error wrapping
// [bilevel.ErrSettings] for a negative or non-finite noise and
// [bilevel.ErrNotFinite] for a non-finite target.
func NewSinePL(t []float64, noise float64) (*SinePL, error) {
	if t == nil {
		t = SineTarget
	}
	if !(noise >= 0) || math.IsInf(noise, 0) {
		return nil, fmt.Errorf("problems: SinePL noise = %g must be finite and non-negative: %w", noise, bilevel.ErrSettings)
	}
	if !linalg.AllFinite(t) {
		return nil, fmt.Errorf("problems: SinePL target: %w", bilevel.ErrNotFinite)
	}
	return &SinePL{T: append([]float64(nil), t...), Noise: noise}, nil
}

// Dims returns (d, d) with d = len(T).
func (p *SinePL) Dims() (int, int) { return len(p.T), len(p.T) }

// Lipschitz returns L_f = 1 and L_g = 8.
func (p *SinePL) Lipschitz() (float64, float64) { return 1, 8 }

// XStar returns the solution x* = t/2.
func (p *SinePL) XStar() []float64 {
	x := make([]float64, len(p.T))
	return linalg.ScaleTo(x, 0.5, p.T)
}

// UpperGrad writes ∇ₓf = x and ∇_y f = y − t.
func (p *SinePL) UpperGrad(gx, gy, x, y []float64) {
	copy(gx, x)
	linalg.Sub(gy, y, p.T)
}

// LowerGrad writes ∇_y g = 2u + 3 sin 2u (u = y − x) and ∇ₓg = −∇_y g.
func (p *SinePL) LowerGrad(gx, gy, x, y []float64) {
	for i := range x {
		u := y[i] - x[i]
		d := 2*u + 3*math.Sin(2*u)
		gy[i], gx[i] = d, -d
	}
}

// UpperValue returns f(x, y).
func (p *SinePL) UpperValue(x, y []float64) float64 {
	return 0.5*linalg.DistSq(y, p.T) + 0.5*linalg.SqNorm(x)
}

// LowerValue returns g(x, y).
func (p *SinePL) LowerValue(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		u := y[i] - x[i]
		su := math.Sin(u)
		s += u*u + 3*su*su
	}
	return s
}

// NewSample returns a sample handle for the noise of P3.
func (p *SinePL) NewSample() bilevel.Sample {
	d := len(p.T)
	return &sineSample{p: p, xi: make([]float64, d), zeta: make([]float64, d)}
}

type sineSample struct {
	p        *SinePL
	xi, zeta []float64
}

func (s *sineSample) Draw(rng *rand.Rand) {
	for i := range s.xi {
		s.xi[i] = s.p.Noise * rng.NormFloat64()
	}
	for i := range s.zeta {
		s.zeta[i] = s.p.Noise * rng.NormFloat64()
	}
}

func (s *sineSample) UpperGrad(gx, gy, x, y []float64) {
	copy(gx, x)
	for i, t := range s.p.T {
		gy[i] = y[i] - t - s.zeta[i]
	}
}

func (s *sineSample) LowerGrad(gx, gy, x, y []float64) {
	for i := range x {
		u := y[i] - x[i]
		d := 2*(1+s.xi[i])*u + 3*math.Sin(2*u)
		gy[i], gx[i] = d, -d
	}
}
