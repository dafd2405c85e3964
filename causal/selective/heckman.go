package selective

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Heckman is the paper's Proposition 3.1 special case: continuous
// Y = X·β_Y + Z, T = 1[X·β_T + u > 0], (Z, u) ~ N(0, [[s², ρ], [ρ, 1]]),
// Y observed when T = 1. Parameters θ = (β_Y [M], β_T [M], log s, η) with
// ρ = s·tanh(η) (keeps ρ² < s²). The expertise constraint on feature j ties
// β_T,j = (ρ/s²)·β_Y,j.
type Heckman struct {
	X *mat.Dense
	T []int
	Y []float64
}

// HeckmanData draws the spec's R2 data: n units, an intercept and
// features standardised to mean 0, sd 1.
func HeckmanData(n int, betaY, betaT []float64, s, rho float64, rng *rand.Rand) (*Heckman, error) {
	m := len(betaY)
	if n < 2*minTested || m < 1 || len(betaT) != m || !(s > 0) || !(rho*rho < s*s) || rng == nil {
		return nil, fmt.Errorf("%w: n %d, %d/%d coefficients, s %v, ρ %v", ErrSettings, n, m, len(betaT), s, rho)
	}
	X := standardFeatures(n, m, rng)
	h := &Heckman{X: X, T: make([]int, n), Y: make([]float64, n)}
	cond := math.Sqrt(1 - rho*rho/(s*s)) // sd of u given Z
	for i := 0; i < n; i++ {
		a, b := 0.0, 0.0
		for j := 0; j < m; j++ {
			a += X.At(i, j) * betaY[j]
			b += X.At(i, j) * betaT[j]
		}
		z := s * rng.NormFloat64()
		u := rho/(s*s)*z + cond*rng.NormFloat64()
		if b+u > 0 {
			h.T[i] = 1
			h.Y[i] = a + z
		}
	}
	return h, nil
}

// LogLik returns the log-likelihood at θ = (β_Y, β_T, log s, η):
// T=1: log N(Y; X·β_Y, s²) + log Φ((X·β_T + (ρ/s²)(Y − X·β_Y)) / √(1 − ρ²/s²)),
// T=0: log Φ(−X·β_T).
func (h *Heckman) LogLik(theta []float64) float64 {
	n, m := h.X.Dims()
	s := math.Exp(theta[2*m])
	rho := s * math.Tanh(theta[2*m+1])
	cond := math.Sqrt(1 - rho*rho/(s*s))
	ll := 0.0
	for i := 0; i < n; i++ {
		a, b := 0.0, 0.0
		for j := 0; j < m; j++ {
			a += h.X.At(i, j) * theta[j]
			b += h.X.At(i, j) * theta[m+j]
		}
		if h.T[i] == 0 {
			ll += logPhi(-b)
			continue
		}
		r := h.Y[i] - a
		ll += -0.5*r*r/(s*s) - math.Log(s) - 0.5*math.Log(2*math.Pi)
		ll += logPhi((b + rho/(s*s)*r) / cond)
	}
	return ll
}

// logPhi is log Φ(x), accurate in the lower tail (erfc, not 1 − erf).
func logPhi(x float64) float64 {
	if x > -30 {
		return math.Log(0.5 * math.Erfc(-x/math.Sqrt2))
	}
	// asymptotic: Φ(x) ≈ φ(x)/|x|·(1 − 1/x² + 3/x⁴)
	return -0.5*x*x - math.Log(-x) - 0.5*math.Log(2*math.Pi) + math.Log1p(-1/(x*x)+3/(x*x*x*x))
}

// HeckmanFit is a maximum-likelihood fit and its covariance.
type HeckmanFit struct {
	// Theta is the full parameter (β_Y, β_T, log s, η) at the MLE.
	Theta []float64
	// Cov is the covariance of Theta: the inverse observed information,
	// or, with a constraint, J (Jᵀ I J)⁻¹ Jᵀ at the constrained MLE (J
	// the Jacobian of the constrained-to-full map, I the unconstrained
	// observed information).
	Cov *mat.Dense
	// Uncon is the inverse unconstrained observed information at Theta
	// (equal to Cov without a constraint).
	Uncon *mat.Dense
}

// Fit returns the MLE without constraint (tied < 0) or with the expertise
// constraint β_T,tied = (ρ/s²)·β_Y,tied, and its covariance.
func (h *Heckman) Fit(tied int, start []float64) (*HeckmanFit, error) {
	_, m := h.X.Dims()
	full := 2*m + 2
	if len(start) != full || tied >= m {
		return nil, fmt.Errorf("%w: start of length %d (want %d), tied feature %d", ErrDimension, len(start), full, tied)
	}
	// constrained coordinates drop β_T,tied
	toFull := func(c []float64) []float64 {
		if tied < 0 {
			return c
		}
		f := make([]float64, full)
		k := 0
		for i := 0; i < full; i++ {
			if i == m+tied {
				continue
			}
			f[i] = c[k]
			k++
		}
		s := math.Exp(f[2*m])
		rho := s * math.Tanh(f[2*m+1])
		f[m+tied] = rho / (s * s) * f[tied]
		return f
	}
	var c0 []float64
	for i := 0; i < full; i++ {
		if tied >= 0 && i == m+tied {
			continue
		}
		c0 = append(c0, start[i])
	}
	obj := func(c []float64) float64 { return -h.LogLik(toFull(c)) }
	p := optimize.Problem{Func: obj, Grad: func(g, c []float64) { fd.Gradient(g, obj, c, &fd.Settings{Formula: fd.Central}) }}
	res, err := optimize.Minimize(p, c0, &optimize.Settings{GradientThreshold: 1e-7}, &optimize.LBFGS{})
	if err != nil && res == nil {
		return nil, fmt.Errorf("selective: Heckman MLE: %w", err)
	}
	theta := toFull(res.X)
	// unconstrained observed information at theta
	info := mat.NewSymDense(full, nil)
	fd.Hessian(info, func(x []float64) float64 { return -h.LogLik(x) }, theta, nil)
	var cov, uncon mat.Dense
	if err := uncon.Inverse(info); err != nil {
		return nil, fmt.Errorf("%w: observed information singular: %w", ErrData, err)
	}
	if tied < 0 {
		return &HeckmanFit{Theta: theta, Cov: &uncon, Uncon: &uncon}, nil
	}
	J := mat.NewDense(full, full-1, nil)
	fd.Jacobian(J, func(y, c []float64) { copy(y, toFull(c)) }, res.X, &fd.JacobianSettings{Formula: fd.Central})
	var JtI, JtIJ, inv, tmp mat.Dense
	JtI.Mul(J.T(), info)
	JtIJ.Mul(&JtI, J)
	if err := inv.Inverse(&JtIJ); err != nil {
		return nil, fmt.Errorf("%w: constrained information singular: %w", ErrData, err)
	}
	tmp.Mul(J, &inv)
	cov.Mul(&tmp, J.T())
	return &HeckmanFit{Theta: theta, Cov: &cov, Uncon: &uncon}, nil
}
