package pde

import (
	"cmp"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// GPSettings configures [FitGP]. The zero value gives the spec's step-1
// model on a unit-normalised domain.
type GPSettings struct {
	// Variance is the signal variance σ_f². Zero means 0.25.
	Variance float64
	// LengthT is the RBF length scale in t (in the units of t). Zero means
	// 0.1 (0.1·T for t normalised by the horizon T).
	LengthT float64
	// LengthX is the RBF length scale in x. Zero means 0.1.
	LengthX float64
	// Noise is the observation noise variance. Zero means 1e-4.
	Noise float64
	// VarFloor is the floor on predicted latent variances. Zero means 1e-8.
	VarFloor float64
}

func (s *GPSettings) withDefaults() GPSettings {
	var o GPSettings
	if s != nil {
		o = *s
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Variance, 0.25)
	def(&o.LengthT, 0.1)
	def(&o.LengthX, 0.1)
	def(&o.Noise, 1e-4)
	def(&o.VarFloor, 1e-8)
	return o
}

// GP is zero-mean Gaussian-process regression on (t, x) with the kernel
// k = σ_f² exp(−½(Δt/ℓ_t)² − ½(Δx/ℓ_x)²), fitted by a Cholesky factorisation
// of K + σ_n² I. It is the step-1 [ProbModel] used to reproduce ProbConserv
// on CPU (the paper uses an attentive neural process; the method is
// model-agnostic).
type GP struct {
	s     GPSettings
	t, x  []float64
	chol  mat.Cholesky
	alpha *mat.VecDense
}

var _ ProbModel = (*GP)(nil)

// MaxGPPoints is the largest number of observations [FitGP] accepts (its
// kernel matrix has n² entries: 512 MiB at this size).
const MaxGPPoints = 8192

// FitGP fits a GP to the observations y at the points (t[i], x[i]). It
// returns ErrEmpty, ErrDimension (also for more than [MaxGPPoints]
// observations), ErrNotFinite, ErrSettings (a negative or non-finite
// setting) or ErrNotPSD (the kernel matrix is not positive definite, e.g.
// duplicate points with zero noise).
func FitGP(t, x, y []float64, s *GPSettings) (*GP, error) {
	n := len(y)
	if n == 0 {
		return nil, fmt.Errorf("%w: no observations", ErrEmpty)
	}
	if n > MaxGPPoints {
		return nil, fmt.Errorf("%w: %d observations, at most %d", ErrDimension, n, MaxGPPoints)
	}
	if len(t) != n || len(x) != n {
		return nil, fmt.Errorf("%w: %d times, %d positions, %d values", ErrDimension, len(t), len(x), n)
	}
	if !linalg.AllFinite(t) || !linalg.AllFinite(x) || !linalg.AllFinite(y) {
		return nil, fmt.Errorf("%w: in the observations", ErrNotFinite)
	}
	o := s.withDefaults()
	for _, v := range []float64{o.Variance, o.LengthT, o.LengthX, o.Noise, o.VarFloor} {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: GP setting %g must be positive and finite", ErrSettings, v)
		}
	}
	g := &GP{s: o, t: append([]float64(nil), t...), x: append([]float64(nil), x...)}
	k := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			k.SetSym(i, j, g.kernel(t[i], x[i], t[j], x[j]))
		}
		k.SetSym(i, i, k.At(i, i)+o.Noise)
	}
	if !g.chol.Factorize(k) {
		return nil, fmt.Errorf("%w: GP kernel matrix", ErrNotPSD)
	}
	g.alpha = mat.NewVecDense(n, nil)
	if err := g.chol.SolveVecTo(g.alpha, mat.NewVecDense(n, append([]float64(nil), y...))); err != nil && !isCondition(err) {
		return nil, fmt.Errorf("%w: GP solve: %v", ErrNotPSD, err)
	}
	return g, nil
}

func (g *GP) kernel(t1, x1, t2, x2 float64) float64 {
	dt := (t1 - t2) / g.s.LengthT
	dx := (x1 - x2) / g.s.LengthX
	return g.s.Variance * math.Exp(-0.5*(dt*dt+dx*dx))
}

// cross returns K* (n_train × len(xq)) and V = L⁻¹K* with K + σ²I = LLᵀ.
func (g *GP) cross(tq float64, xq []float64) (*mat.Dense, *mat.Dense, error) {
	if g == nil || g.alpha == nil {
		return nil, nil, fmt.Errorf("%w: GP not fitted (use FitGP)", ErrSettings)
	}
	if len(xq) == 0 {
		return nil, nil, fmt.Errorf("%w: no query points", ErrEmpty)
	}
	if math.IsNaN(tq) || math.IsInf(tq, 0) || !linalg.AllFinite(xq) {
		return nil, nil, fmt.Errorf("%w: in the query", ErrNotFinite)
	}
	n := len(g.t)
	ks := mat.NewDense(n, len(xq), nil)
	for i := 0; i < n; i++ {
		for j, xj := range xq {
			ks.Set(i, j, g.kernel(g.t[i], g.x[i], tq, xj))
		}
	}
	var l mat.TriDense
	g.chol.LTo(&l)
	var v mat.Dense
	if err := v.Solve(&l, ks); err != nil && !isCondition(err) {
		return nil, nil, fmt.Errorf("%w: GP triangular solve: %v", ErrNotPSD, err)
	}
	return ks, &v, nil
}

// Predict returns the posterior mean and the full latent (noise-free)
// posterior covariance K** − K*ᵀ(K+σ_n²I)⁻¹K* at (tq, xq) as a [Full], with
// each diagonal entry raised to at least VarFloor. It returns ErrEmpty or
// ErrNotFinite for a bad query.
func (g *GP) Predict(tq float64, xq []float64) ([]float64, Covariance, error) {
	ks, v, err := g.cross(tq, xq)
	if err != nil {
		return nil, nil, err
	}
	q := len(xq)
	mean := make([]float64, q)
	mat.NewVecDense(q, mean).MulVec(ks.T(), g.alpha)
	cov := mat.NewSymDense(q, nil)
	for i := 0; i < q; i++ {
		for j := i; j < q; j++ {
			cov.SetSym(i, j, g.kernel(tq, xq[i], tq, xq[j]))
		}
	}
	cov.SymRankK(cov, -1, v.T())
	for i := 0; i < q; i++ {
		cov.SetSym(i, i, math.Max(cov.At(i, i), g.s.VarFloor))
	}
	return mean, &Full{Sigma: cov}, nil
}

// PredictDiag returns the posterior mean and the latent marginal variances
// floored at VarFloor (the ANP-like diagonal input of ProbConserv-GP), in
// O(n_train²·len(xq)) without forming the q×q covariance.
func (g *GP) PredictDiag(tq float64, xq []float64) ([]float64, Diagonal, error) {
	ks, v, err := g.cross(tq, xq)
	if err != nil {
		return nil, nil, err
	}
	q := len(xq)
	mean := make([]float64, q)
	mat.NewVecDense(q, mean).MulVec(ks.T(), g.alpha)
	d := make(Diagonal, q)
	for j := range d {
		col := mat.Col(nil, j, v)
		d[j] = math.Max(g.s.Variance-linalg.SqNorm(col), g.s.VarFloor)
	}
	return mean, d, nil
}

// DiagModel turns any [ProbModel] into one with a [Diagonal] covariance:
// the marginal variances of Model, floored at Floor (zero means 1e-8).
// This is the ANP-like input for which [ConservationUpdate] is O(n).
type DiagModel struct {
	Model ProbModel
	Floor float64
}

// Predict returns Model's mean and its floored marginal variances. It
// returns an error wrapping ErrSettings for a nil Model or a negative or
// non-finite Floor, ErrDimension or ErrNotFinite for a bad prediction of
// Model, and Model's errors.
func (d DiagModel) Predict(t float64, x []float64) ([]float64, Covariance, error) {
	if d.Model == nil {
		return nil, nil, fmt.Errorf("%w: DiagModel has no Model", ErrSettings)
	}
	if math.IsNaN(d.Floor) || d.Floor < 0 || math.IsInf(d.Floor, 0) {
		return nil, nil, fmt.Errorf("%w: DiagModel.Floor = %g", ErrSettings, d.Floor)
	}
	floor := d.Floor
	floor = cmp.Or(floor, 1e-8)
	var mean, v []float64
	if g, ok := d.Model.(*GP); ok {
		m, dv, err := g.PredictDiag(t, x)
		if err != nil {
			return nil, nil, err
		}
		mean, v = m, dv
	} else {
		m, c, err := d.Model.Predict(t, x)
		if err != nil {
			return nil, nil, err
		}
		if c == nil || c.Dim() != len(m) {
			return nil, nil, fmt.Errorf("%w: the model's covariance does not match its %d-point mean", ErrDimension, len(m))
		}
		mean, v = m, c.Diag()
		if !linalg.AllFinite(mean) || !linalg.AllFinite(v) {
			return nil, nil, fmt.Errorf("%w: in the model's prediction", ErrNotFinite)
		}
	}
	out := make(Diagonal, len(v))
	for i, vi := range v {
		out[i] = math.Max(vi, floor)
	}
	return mean, out, nil
}
