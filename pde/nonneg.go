package pde

import (
	"fmt"
	"math"
)

// ProjectNonNegative is the paper's optional post-hoc inequality step for
// a diagonal step-1 covariance D = diag(d) and one conservation row g > 0,
// in the σ_G → 0 limit. It returns
//
//	u* = argmin_u (u − μ̃)ᵀ Σ̃⁺ (u − μ̃)  subject to  gᵀu = b, u ≥ 0,
//
// the limit of the official "whiten with the Cholesky factor of Σ̃, then
// NNLS" step as the jitter on the singular Σ̃ = D − (Dg)(Dg)ᵀ/den goes to 0.
// On {gᵀu = b} the Σ̃⁺ norm is the D⁻¹ norm, so mu may be either the step-1
// mean μ or the updated mean μ̃ (the answer is the same), and
// u*ᵢ = max(0, μᵢ + λ dᵢ gᵢ) with the scalar λ found by bisection on the
// monotone map λ ↦ gᵀu(λ) and then solved exactly on the final active set.
// The result conserves (gᵀu* = b to rounding) and is non-negative; the
// covariance is left to the caller (the paper's step changes the mean only).
//
// It returns ErrDimension, ErrNotFinite, ErrSettings if some gᵢ ≤ 0 or
// dᵢ < 0, and ErrInfeasible if b < 0 or a zero-variance point
// has a negative mean.
func ProjectNonNegative(mu, d, g []float64, b float64) ([]float64, error) {
	n := len(mu)
	if n == 0 {
		return nil, fmt.Errorf("%w: empty mean", ErrEmpty)
	}
	if len(d) != n || len(g) != n {
		return nil, fmt.Errorf("%w: %d means, %d variances, %d weights", ErrDimension, n, len(d), len(g))
	}
	if math.IsNaN(b) || math.IsInf(b, 0) {
		return nil, fmt.Errorf("%w: target b", ErrNotFinite)
	}
	for i := range mu {
		if math.IsNaN(mu[i]+d[i]+g[i]) || math.IsInf(mu[i]+d[i]+g[i], 0) {
			return nil, fmt.Errorf("%w: at point %d", ErrNotFinite, i)
		}
		if !(g[i] > 0) || d[i] < 0 {
			return nil, fmt.Errorf("%w: need g > 0 and d ≥ 0, point %d has g = %g, d = %g", ErrSettings, i, g[i], d[i])
		}
		if d[i] == 0 && mu[i] < 0 {
			return nil, fmt.Errorf("%w: zero-variance point %d has mean %g < 0", ErrInfeasible, i, mu[i])
		}
	}
	if b < 0 {
		return nil, fmt.Errorf("%w: b = %g < 0 with u ≥ 0 and g > 0", ErrInfeasible, b)
	}
	u := make([]float64, n)
	h := func(lam float64) float64 {
		var s float64
		for i := range mu {
			s += g[i] * math.Max(0, mu[i]+lam*d[i]*g[i])
		}
		return s
	}
	// Bracket the root of h(λ) = b; h is continuous and non-decreasing.
	lo, hi := -1.0, 1.0
	for k := 0; h(hi) < b; k++ {
		if k > 2100 {
			return nil, fmt.Errorf("%w: cannot reach b = %g (zero variances)", ErrInfeasible, b)
		}
		lo, hi = hi, 2*hi
	}
	for k := 0; h(lo) > b; k++ {
		if k > 2100 {
			return nil, fmt.Errorf("%w: cannot reach b = %g", ErrInfeasible, b)
		}
		hi, lo = lo, 2*lo
	}
	for range 2000 {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if h(mid) < b {
			lo = mid
		} else {
			hi = mid
		}
	}
	lam := lo + (hi-lo)/2
	// Exact λ on the active set {i : μᵢ + λdᵢgᵢ > 0}.
	var num, den float64
	for i := range mu {
		if mu[i]+lam*d[i]*g[i] > 0 {
			num += g[i] * mu[i]
			den += d[i] * g[i] * g[i]
		}
	}
	if den > 0 {
		exact := (b - num) / den
		if math.Abs(exact-lam) <= 1e-6*math.Max(1, math.Abs(lam)) {
			lam = exact
		}
	}
	for i := range mu {
		u[i] = math.Max(0, mu[i]+lam*d[i]*g[i])
	}
	return u, nil
}
