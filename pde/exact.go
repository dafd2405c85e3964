package pde

import (
	"fmt"
	"math"
)

// HeatPeriodic is the diffusion (easy) case of the GPME family:
// u_t = K u_xx on the periodic domain [0, 2π] with u(0, x) = sin x, so
// u = e^{−Kt} sin x and U(t) = 0.
type HeatPeriodic struct {
	K float64
}

// U returns e^{−Kt} sin x.
func (h HeatPeriodic) U(t, x float64) float64 { return math.Exp(-h.K*t) * math.Sin(x) }

// Mass returns 0, the integral over one period.
func (h HeatPeriodic) Mass(float64) float64 { return 0 }

// Front returns false: the solution is smooth.
func (h HeatPeriodic) Front(float64) (float64, bool) { return 0, false }

// PME is the porous medium (medium) case u_t = ∂ₓ(u^M ∂ₓu) on [0, 1],
// u(0, x) = 0, u(t, 0) = (Mt)^{1/M}: u = (M·max(t−x, 0))^{1/M}, with front
// x = t and U(t) = M^{1+1/M} t^{1+1/M}/(M+1) (valid for 0 ≤ t ≤ 1).
type PME struct {
	M float64
}

// U returns (M·max(t−x, 0))^{1/M}.
func (p PME) U(t, x float64) float64 {
	if t <= x {
		return 0
	}
	return math.Pow(p.M*(t-x), 1/p.M)
}

// Mass returns M^{1+1/M} t^{1+1/M}/(M+1).
func (p PME) Mass(t float64) float64 {
	if t <= 0 {
		return 0
	}
	e := 1 + 1/p.M
	return math.Pow(p.M, e) * math.Pow(t, e) / (p.M + 1)
}

// Front returns the front position x = t.
func (p PME) Front(t float64) (float64, bool) { return t, true }

// Stefan is the Stefan (hard, discontinuous) case: k(u) = 1 for u ≥ UStar,
// else 0, on [0, 1] with u(0, x) = 0, u(t, 0) = 1. With z₁ the root of
// u*·erf(z)·z·e^{z²} = (1−u*)/√π, Alpha = 2z₁ and C1 = (1−u*)/erf(z₁):
// u = 1 − C1·erf(x/(2√t)) for x ≤ x*(t) = Alpha√t, else 0 (a jump from u*
// to 0), and U(t) = 2·C1·√(t/π). Build it with [NewStefan].
type Stefan struct {
	UStar, Z1, Alpha, C1 float64
}

// NewStefan solves for z₁ by bisection on the sign-change bracket (0, 10)
// (z·e^{z²} is finite there in float64) to full precision and returns the
// solution. It returns ErrSettings unless 0 < uStar < 1.
func NewStefan(uStar float64) (*Stefan, error) {
	if !(uStar > 0 && uStar < 1) {
		return nil, fmt.Errorf("%w: Stefan u* = %g must be in (0, 1)", ErrSettings, uStar)
	}
	rhs := (1 - uStar) / math.Sqrt(math.Pi)
	f := func(z float64) float64 { return uStar*math.Erf(z)*z*math.Exp(z*z) - rhs }
	lo, hi := 0.0, 10.0 // f(0) < 0 < f(10)
	for range 2000 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if f(mid) < 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	z := lo + (hi-lo)/2
	return &Stefan{UStar: uStar, Z1: z, Alpha: 2 * z, C1: (1 - uStar) / math.Erf(z)}, nil
}

// U returns the Stefan solution; u(t, 0) = 1 for t > 0 and u(0, x) = 0 for
// x > 0.
func (s *Stefan) U(t, x float64) float64 {
	if x <= 0 {
		return 1
	}
	if t <= 0 || x > s.Alpha*math.Sqrt(t) {
		return 0
	}
	return 1 - s.C1*math.Erf(x/(2*math.Sqrt(t)))
}

// Mass returns U(t) = 2·C1·√(t/π).
func (s *Stefan) Mass(t float64) float64 {
	if t <= 0 {
		return 0
	}
	return 2 * s.C1 * math.Sqrt(t/math.Pi)
}

// Front returns x*(t) = Alpha·√t.
func (s *Stefan) Front(t float64) (float64, bool) { return s.Alpha * math.Sqrt(math.Max(t, 0)), true }

// Advection is linear advection u_t + Speed·u_x = 0 on [0, 1] with inflow
// u(t, 0) = 1 and u(0, x) = 1 for x ≤ X0, else 0: a step moving right,
// U(t) = X0 + Speed·t while the front is inside the domain.
type Advection struct {
	Speed, X0 float64
}

// U returns 1 behind the front and 0 ahead of it.
func (a Advection) U(t, x float64) float64 {
	if x <= a.X0+a.Speed*t {
		return 1
	}
	return 0
}

// Mass returns the integral of U over [0, 1].
func (a Advection) Mass(t float64) float64 { return math.Min(math.Max(a.X0+a.Speed*t, 0), 1) }

// Front returns X0 + Speed·t and whether it lies in [0, 1].
func (a Advection) Front(t float64) (float64, bool) {
	f := a.X0 + a.Speed*t
	return f, f >= 0 && f <= 1
}

// Burgers is the inviscid Burgers equation u_t + (u²/2)_x = 0 on [0, 1]
// with Riemann data UL for x < X0 and UR for x > X0 (both ≥ 0, inflow at
// x = 0): a shock of speed (UL+UR)/2 if UL > UR, else a rarefaction fan.
// U(t) = U(0) + t(UL² − UR²)/2 while the waves are inside the domain.
type Burgers struct {
	UL, UR, X0 float64
}

// U returns the entropy solution.
func (b Burgers) U(t, x float64) float64 {
	if b.UL > b.UR {
		if x < b.X0+0.5*(b.UL+b.UR)*t {
			return b.UL
		}
		return b.UR
	}
	switch {
	case x <= b.X0+b.UL*t:
		return b.UL
	case x >= b.X0+b.UR*t:
		return b.UR
	default:
		return (x - b.X0) / t
	}
}

// Mass returns U(0) + t(UL² − UR²)/2.
func (b Burgers) Mass(t float64) float64 {
	return b.UL*b.X0 + b.UR*(1-b.X0) + t*(b.UL*b.UL-b.UR*b.UR)/2
}

// Front returns the shock position, and false for a rarefaction.
func (b Burgers) Front(t float64) (float64, bool) {
	if b.UL > b.UR {
		return b.X0 + 0.5*(b.UL+b.UR)*t, true
	}
	return 0, false
}

var (
	_ ExactSolution = HeatPeriodic{}
	_ ExactSolution = PME{}
	_ ExactSolution = (*Stefan)(nil)
	_ ExactSolution = Advection{}
	_ ExactSolution = Burgers{}
)
