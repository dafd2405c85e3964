package causal

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// RFFRidge is ridge regression on random Fourier features of a Gaussian
// kernel (Rahimi & Recht, 2007): φ_k(x) = √(2/D)·cos(ω_kᵀx + b_k) with
// ω_k ~ N(0, σ⁻²I), b_k ~ U(0, 2π), optionally together with the raw inputs.
type RFFRidge struct {
	// Features is D. Zero means 200.
	Features int
	// Bandwidth is σ. Zero means the median pairwise distance of (up to
	// 500 of) the training rows.
	Bandwidth float64
	// Lambda is the penalty per sample. Zero means 1e-4.
	Lambda float64
	// Linear also feeds the raw inputs to the ridge when true.
	Linear bool
	// Rand draws the features at Fit. Nil means the fixed seed PCG(1, 0).
	Rand *rand.Rand

	omega []float64 // D×d row-major
	phase []float64
	w     []float64 // D (+d) weights
	b     float64
	d     int
	buf   []float64
}

var _ Differentiable = (*RFFRidge)(nil)

// NewRFFLearner returns a [Learner] of [RFFRidge] models with the given
// settings (features, bandwidth, lambda; zeros mean defaults).
func NewRFFLearner(features int, bandwidth, lambda float64, linear bool) Learner {
	return func(rng *rand.Rand) Regressor {
		return &RFFRidge{Features: features, Bandwidth: bandwidth, Lambda: lambda, Linear: linear, Rand: rng}
	}
}

// maxFeatures and maxDesign bound the random-feature design matrix (its
// columns, and its entries: 10⁸ float64 are 800 MB).
const (
	maxFeatures = 100_000
	maxDesign   = 100_000_000
)

// Fit draws the features and solves the ridge problem. Errors wrap
// [ErrData], [ErrNotFinite] or [ErrSettings] (negative or non-finite
// fields, a design matrix beyond 10⁸ entries).
func (r *RFFRidge) Fit(X *mat.Dense, y []float64) error {
	n, d, err := checkXY(X, y)
	if err != nil {
		return err
	}
	D, sig, lam := r.Features, r.Bandwidth, r.Lambda
	D = cmp.Or(D, 200)
	lam = cmp.Or(lam, 1e-4)
	if math.IsNaN(sig) || math.IsInf(sig, 0) || math.IsNaN(lam) || math.IsInf(lam, 0) {
		return fmt.Errorf("%w: %w: RFFRidge Bandwidth %v, Lambda %v", ErrSettings, ErrNotFinite, sig, lam)
	}
	if D < 0 || sig < 0 || lam < 0 {
		return fmt.Errorf("%w: RFFRidge negative setting", ErrSettings)
	}
	if w := D + d; w > maxFeatures || n > maxDesign/max(1, w) {
		return fmt.Errorf("%w: RFFRidge design %d×%d is too large (at most %d features, %d entries)", ErrSettings, n, w, maxFeatures, maxDesign)
	}
	if sig == 0 {
		sig = medianDistance(X) // only when needed: it costs up to 500² distances
	}
	rng := orDefault(r.Rand)
	r.d = d
	r.omega = make([]float64, D*d)
	r.phase = make([]float64, D)
	for k := 0; k < D; k++ {
		for j := 0; j < d; j++ {
			r.omega[k*d+j] = rng.NormFloat64() / sig
		}
		r.phase[k] = 2 * math.Pi * rng.Float64()
	}
	width := D
	if r.Linear {
		width += d
	}
	Phi := mat.NewDense(n, width, nil)
	row := make([]float64, d)
	for i := 0; i < n; i++ {
		mat.Row(row, i, X)
		r.features(Phi.RawRowView(i), row)
	}
	w, b, err := solveCentred(Phi, y, lam)
	if err != nil {
		return err
	}
	r.w, r.b = w, b
	r.buf = make([]float64, width)
	return nil
}

func (r *RFFRidge) features(dst, x []float64) {
	D := len(r.phase)
	s := math.Sqrt(2 / float64(D))
	for k := 0; k < D; k++ {
		z := r.phase[k]
		om := r.omega[k*r.d : (k+1)*r.d]
		for j, v := range x {
			z += om[j] * v
		}
		dst[k] = s * math.Cos(z)
	}
	if r.Linear {
		copy(dst[D:], x)
	}
}

// medianDistance returns the median Euclidean distance between pairs of the
// first 500 rows (1 if all coincide).
func medianDistance(X *mat.Dense) float64 {
	n, d := X.Dims()
	if n > 500 {
		n = 500
	}
	var ds []float64
	for i := 0; i < n; i++ {
		for k := i + 1; k < n; k++ {
			s := 0.0
			for j := 0; j < d; j++ {
				t := X.At(i, j) - X.At(k, j)
				s += t * t
			}
			ds = append(ds, math.Sqrt(s))
		}
	}
	if len(ds) == 0 {
		return 1
	}
	slices.Sort(ds)
	if m := ds[len(ds)/2]; m > 0 {
		return m
	}
	return 1
}

// Predict evaluates the fitted model; it panics before Fit or on a length
// mismatch. It is not safe for concurrent use (scratch buffer).
func (r *RFFRidge) Predict(x []float64) float64 {
	if r.w == nil || len(x) != r.d {
		panic("causal: RFFRidge not fitted or input length mismatch")
	}
	r.features(r.buf, x)
	s := r.b
	for k, v := range r.buf {
		s += r.w[k] * v
	}
	return s
}

// PredictGrad writes ∂f/∂x to grad and returns f(x).
func (r *RFFRidge) PredictGrad(grad, x []float64) float64 {
	if r.w == nil || len(x) != r.d || len(grad) != r.d {
		panic("causal: RFFRidge not fitted or input length mismatch")
	}
	D := len(r.phase)
	s := math.Sqrt(2 / float64(D))
	f := r.b
	for j := range grad {
		grad[j] = 0
	}
	for k := 0; k < D; k++ {
		z := r.phase[k]
		om := r.omega[k*r.d : (k+1)*r.d]
		for j, v := range x {
			z += om[j] * v
		}
		sn, cs := math.Sincos(z)
		f += r.w[k] * s * cs
		c := -r.w[k] * s * sn
		for j := range grad {
			grad[j] += c * om[j]
		}
	}
	if r.Linear {
		for j, v := range x {
			f += r.w[D+j] * v
			grad[j] += r.w[D+j]
		}
	}
	return f
}
