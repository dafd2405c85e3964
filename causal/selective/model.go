package selective

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"
)

// Errors; errors returned by the package wrap one of them with detail.
var (
	// ErrData: outcomes recorded for untested units, labels outside {0, 1},
	// non-finite features, a first column that is not the intercept, or
	// too few tested units to identify the model.
	ErrData = errors.New("selective: invalid data")
	// ErrSettings: a prevalence outside (0, 1), a negative weight, an
	// expertise set without the intercept, a fixed α or s that is not
	// positive.
	ErrSettings = errors.New("selective: invalid settings")
	// ErrDimension: a parameter vector of the wrong length.
	ErrDimension = errors.New("selective: dimension mismatch")
)

// Noise is the distribution of the unobservable Z.
type Noise int

// Noises.
const (
	// Uniform: Z ~ Uniform(0, s) with α = 1 (the paper's synthetic model).
	Uniform Noise = iota
	// Normal: Z ~ N(0, s²); α and s are not jointly identified, so one of
	// them is fixed (Model.FixAlpha or Model.FixSigma).
	Normal
)

// Untested marks the outcome of a unit that was not tested.
const Untested = -1

// Model is the Bayesian model of selective labels with domain
// constraints (Balachandar, Garg, Pierson, ICLR 2024):
//
//	r_i = X_i·β_Y + Z_i,  Y_i ~ Bernoulli(σ(r_i)) observed only if T_i = 1,
//	T_i ~ Bernoulli(σ(α r_i + X_i·β_D)),
//
// with priors β ~ N(0, 3²) and s, α ~ N⁺(0, 3²), Z integrated out (closed
// forms for uniform Z, 64-node Gauss–Hermite for normal Z), and the two
// domain constraints: prevalence (a penalty −λ(π(θ) − π*)² on the implied
// prevalence π(θ) = mean_i P(Y_i = 1 | X_i)) and expertise (β_D,j = 0 off
// the set Free).
//
// The parameter vector θ is (β_Y [M], β_D on Free [|Free|], log s) for
// uniform Z and for normal Z with α fixed, and (β_Y, β_D, log α) for normal
// Z with s fixed. Build it with [New].
type Model struct {
	// X (N × M, intercept first), T and Y are the data (read only).
	X    *mat.Dense
	T, Y []int
	// Noise, Free, Prevalence, Lambda, FixAlpha and FixSigma are the
	// checked settings (see [Settings]; Free sorted, FixAlpha = 1 for
	// uniform noise).
	Noise              Noise
	Free               []int
	Prevalence, Lambda float64
	FixAlpha, FixSigma float64

	n, m  int
	xs    []float64 // X row-major (a copy)
	nodes []float64 // Gauss–Hermite nodes (normal Z)
	wts   []float64 // their weights / √π
}

// ghNodes is the Gauss–Hermite rule size: 32 nodes are accurate to 1e-6
// only while s·max(α, 1) ≤ 2 (the sigmoid's poles at ±iπ come close in node
// space as s grows), 64 keep the error small over the prior's range.
const ghNodes = 64

// minTested is the fewest tested units (and of each outcome) the model
// accepts: with fewer the likelihood cannot identify β_Y.
const minTested = 10

// Settings configures a [Model]. The zero value is the uniform-noise model
// without constraints.
type Settings struct {
	// Noise is the distribution of Z. Zero means Uniform.
	Noise Noise
	// Free lists the features on which testing may deviate from risk (the
	// expertise constraint); it must contain the intercept 0. Nil means
	// every feature (no expertise constraint).
	Free []int
	// Prevalence is π*, the known P(Y = 1) over everyone, and Lambda the
	// weight of the penalty −Lambda·(π(θ) − π*)². Zero Lambda turns the
	// prevalence constraint off; the spec uses 1.25e5 (a posterior sd of the
	// implied prevalence of about 0.002).
	Prevalence, Lambda float64
	// FixAlpha or FixSigma fixes α or s for normal noise (exactly one of
	// them positive); both are ignored for uniform noise (α = 1).
	FixAlpha, FixSigma float64
}

// New checks the data and returns the model. y[i] must be Untested when
// t[i] = 0 and 0 or 1 when t[i] = 1. s nil means the zero Settings.
func New(X *mat.Dense, t, y []int, s *Settings) (*Model, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	noise, free, prevalence, lambda, fixAlpha, fixSigma := set.Noise, set.Free, set.Prevalence, set.Lambda, set.FixAlpha, set.FixSigma
	if X == nil {
		return nil, fmt.Errorf("%w: nil features", ErrData)
	}
	n, m := X.Dims()
	if len(t) != n || len(y) != n {
		return nil, fmt.Errorf("%w: %d rows, %d decisions, %d outcomes", ErrData, n, len(t), len(y))
	}
	tested, pos := 0, 0
	for i := 0; i < n; i++ {
		if X.At(i, 0) != 1 {
			return nil, fmt.Errorf("%w: row %d: the first column must be the intercept 1", ErrData, i)
		}
		for j := 0; j < m; j++ {
			if v := X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: X[%d][%d] = %v", ErrData, i, j, v)
			}
		}
		switch {
		case t[i] == 0 && y[i] != Untested:
			return nil, fmt.Errorf("%w: unit %d was not tested but has outcome %d", ErrData, i, y[i])
		case t[i] == 1 && y[i] != 0 && y[i] != 1:
			return nil, fmt.Errorf("%w: unit %d was tested but has outcome %d", ErrData, i, y[i])
		case t[i] != 0 && t[i] != 1:
			return nil, fmt.Errorf("%w: unit %d has decision %d", ErrData, i, t[i])
		}
		if t[i] == 1 {
			tested++
			pos += y[i]
		}
	}
	if tested < minTested || pos < 1 || tested-pos < 1 {
		return nil, fmt.Errorf("%w: %d tested units (%d positive) cannot identify the model", ErrData, tested, pos)
	}
	if free == nil {
		for j := 0; j < m; j++ {
			free = append(free, j)
		}
	}
	free = slices.Clone(free)
	slices.Sort(free)
	dup := false
	for k := 1; k < len(free); k++ {
		dup = dup || free[k] == free[k-1]
	}
	if len(free) == 0 || free[0] != 0 || free[len(free)-1] >= m || dup {
		return nil, fmt.Errorf("%w: expertise set %v must contain the intercept 0 and features below %d", ErrSettings, free, m)
	}
	if lambda < 0 || math.IsNaN(lambda) || (lambda > 0 && !(prevalence > 0 && prevalence < 1)) {
		return nil, fmt.Errorf("%w: prevalence %v with weight %v (prevalence must be in (0, 1))", ErrSettings, prevalence, lambda)
	}
	md := &Model{X: X, T: t, Y: y, Noise: noise, Free: free, Prevalence: prevalence, Lambda: lambda, n: n, m: m, xs: mat.DenseCopyOf(X).RawMatrix().Data}
	switch noise {
	case Uniform:
		md.FixAlpha = 1
	case Normal:
		if (fixAlpha > 0) == (fixSigma > 0) || math.IsInf(fixAlpha, 0) || math.IsInf(fixSigma, 0) {
			return nil, fmt.Errorf("%w: normal noise needs exactly one of FixAlpha (%v) and FixSigma (%v) positive", ErrSettings, fixAlpha, fixSigma)
		}
		md.FixAlpha, md.FixSigma = fixAlpha, fixSigma
		md.nodes, md.wts = make([]float64, ghNodes), make([]float64, ghNodes)
		quad.Hermite{}.FixedLocations(md.nodes, md.wts, math.Inf(-1), math.Inf(1))
		for k := range md.wts {
			md.wts[k] /= math.Sqrt(math.Pi)
		}
	default:
		return nil, fmt.Errorf("%w: noise %d", ErrSettings, noise)
	}
	return md, nil
}

// Dim returns the length of θ.
func (md *Model) Dim() int { return md.m + len(md.Free) + 1 }

// params unpacks θ.
func (md *Model) params(theta []float64) (betaY, betaD []float64, s, alpha float64) {
	m := md.m
	betaY = theta[:m]
	betaD = make([]float64, m)
	for k, j := range md.Free {
		betaD[j] = theta[m+k]
	}
	last := math.Exp(theta[m+len(md.Free)])
	switch {
	case md.Noise == Uniform:
		return betaY, betaD, last, 1
	case md.FixAlpha > 0:
		return betaY, betaD, last, md.FixAlpha
	}
	return betaY, betaD, md.FixSigma, last
}
