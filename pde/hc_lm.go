package pde

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// ErrSingular reports normal equations JᵀJ + μI that could not be
// factorised (a Failure of the nonlinear least-squares solve).
var ErrSingular = errors.New("pde: singular normal equations")

// NLLS is a nonlinear least-squares problem min_ω ½‖r(ω)‖² with m
// residuals and n unknowns.
type NLLS interface {
	// Dims returns m and n.
	Dims() (m, n int)
	// Residual writes r(ω) (length m) and, if jac is not nil, the m×n
	// Jacobian ∂r/∂ω into jac.
	Residual(r []float64, jac *mat.Dense, w []float64) error
}

// NLLSResult is the outcome of an [NLLSSolver].
type NLLSResult struct {
	// Iterations counts the solver's outer iterations (trial steps).
	Iterations int
	// Status is Converged, IterationLimit, Canceled or Failure.
	Status run.Status
	// Norm0 and Norm are ‖r‖ at the start and at the returned ω.
	Norm0, Norm float64
	// GradInf is ‖Jᵀr‖∞ at the returned ω.
	GradInf float64
}

// NLLSSolver solves an [NLLS] in place, starting from w. Non-convergence
// is reported in the Status (with a nil error): the caller decides.
type NLLSSolver interface {
	Solve(ctx context.Context, p NLLS, w []float64) (NLLSResult, error)
}

// LevenbergMarquardt is the Levenberg–Marquardt method with Nielsen's
// damping update (the solver cited by PI-HC-MoE): μ₀ = Tau·max diag(JᵀJ),
// ν = 2; each iteration solves (JᵀJ + μI)δ = −Jᵀr by Cholesky, computes the
// gain ratio ρ = (‖r‖² − ‖r(ω+δ)‖²)/(δᵀ(μδ − Jᵀr)) and accepts the step if
// ρ > 0 (μ ← μ·max(1/3, 1 − (2ρ − 1)³), ν ← 2), else μ ← μν, ν ← 2ν. It
// stops when ‖Jᵀr‖∞ ≤ Tol or ‖δ‖ ≤ Tol(‖ω‖ + Tol). One iteration is one
// trial step. The zero value is the spec's setting for diffusion–sorption.
type LevenbergMarquardt struct {
	// Tol is the stopping tolerance of both tests. Zero means 1e-6;
	// negative turns both tests off (exactly MaxIter iterations).
	Tol float64
	// MaxIter caps the iterations. Zero means 50; negative is an error.
	MaxIter int
	// Tau scales the initial damping. Zero means 1e-3.
	Tau float64
}

func (lm LevenbergMarquardt) settings() (tol float64, maxIter int, tau float64, err error) {
	tol, maxIter, tau = lm.Tol, lm.MaxIter, lm.Tau
	if math.IsNaN(tol) || math.IsNaN(tau) || tau < 0 || math.IsInf(tau, 0) || maxIter < 0 {
		return 0, 0, 0, fmt.Errorf("%w: LevenbergMarquardt Tol %g, MaxIter %d, Tau %g", ErrSettings, tol, maxIter, tau)
	}
	tol = cmp.Or(tol, 1e-6)
	maxIter = cmp.Or(maxIter, 50)
	tau = cmp.Or(tau, 1e-3)
	return tol, maxIter, tau, nil
}

// Solve minimises ½‖r(ω)‖² from w, which it overwrites with the result. It
// returns an error wrapping ErrSettings for bad settings, ErrDimension if
// len(w) is not n, ErrNotFinite for a non-finite start, ctx's error when
// canceled (checked every iteration), and ErrSingular (Status Failure) if
// the damped normal equations cannot be factorised even with a damping
// that overflows. A non-finite residual at a trial point, or a
// factorisation that fails in rounding, rejects the step (the damping
// grows).
func (lm LevenbergMarquardt) Solve(ctx context.Context, p NLLS, w []float64) (NLLSResult, error) {
	tol, maxIter, tau, err := lm.settings()
	if err != nil {
		return NLLSResult{Status: run.Failure}, err
	}
	if p == nil {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: nil problem", ErrSettings)
	}
	m, n := p.Dims()
	if m < 1 || n < 1 || len(w) != n {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: problem %d×%d, start of %d values", ErrDimension, m, n, len(w))
	}
	if !linalg.AllFinite(w) {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: start point", ErrNotFinite)
	}
	ws := newLMWork(p, m, n)
	if err := ws.eval(p, w); err != nil {
		return NLLSResult{Status: run.Failure}, err
	}
	if !linalg.AllFinite(ws.r) || !linalg.AllFinite(ws.g) || !linalg.AllFinite(ws.jtj.RawSymmetric().Data) {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: residual or Jacobian at the start", ErrNotFinite)
	}
	res := NLLSResult{Norm0: linalg.Nrm2(ws.r)}
	f := linalg.SqNorm(ws.r)
	mu := 0.0
	for i := 0; i < n; i++ {
		mu = math.Max(mu, ws.jtj.At(i, i))
	}
	mu *= tau
	mu = cmp.Or(mu, tau)
	nu := 2.0
	res.Status = run.IterationLimit
	for res.Iterations < maxIter {
		if linalg.MaxAbs(ws.g) <= tol {
			res.Status = run.Converged
			break
		}
		if err := ctx.Err(); err != nil {
			res.Status = run.Canceled
			res.Norm, res.GradInf = math.Sqrt(f), linalg.MaxAbs(ws.g)
			return res, err
		}
		res.Iterations++
		if err := ws.step(mu); err != nil {
			// JᵀJ + μI lost positive definiteness in rounding (a huge
			// condition number): treat as a rejected step and damp more.
			// Only a damping that overflows is a failure.
			mu *= nu
			nu *= 2
			if math.IsInf(mu, 0) || math.IsInf(nu, 0) {
				res.Status = run.Failure
				res.Norm, res.GradInf = math.Sqrt(f), linalg.MaxAbs(ws.g)
				return res, err
			}
			continue
		}
		if tol > 0 && linalg.Nrm2(ws.delta) <= tol*(linalg.Nrm2(w)+tol) {
			res.Status = run.Converged
			break
		}
		linalg.AxpyTo(ws.wNew, 1, ws.delta, w)
		if err := p.Residual(ws.rNew, nil, ws.wNew); err != nil {
			return res, err
		}
		fNew := linalg.SqNorm(ws.rNew)
		// Predicted decrease δᵀ(μδ − Jᵀr) (positive for a solved system).
		pred := mu*linalg.SqNorm(ws.delta) - linalg.Dot(ws.delta, ws.g)
		rho := (f - fNew) / pred
		if !(rho > 0) || math.IsNaN(fNew) || math.IsInf(fNew, 0) {
			mu *= nu
			nu *= 2
			continue
		}
		copy(w, ws.wNew)
		if err := ws.eval(p, w); err != nil {
			return res, err
		}
		f = linalg.SqNorm(ws.r)
		mu *= math.Max(1.0/3, 1-math.Pow(2*rho-1, 3))
		nu = 2
	}
	res.Norm, res.GradInf = math.Sqrt(f), linalg.MaxAbs(ws.g)
	return res, nil
}

// lmWork holds the buffers of one LM solve.
type lmWork struct {
	r, rNew, g, delta, wNew []float64
	jac                     *mat.Dense
	jtj, damped             *mat.SymDense
	chol                    mat.Cholesky
}

func newLMWork(p NLLS, m, n int) *lmWork {
	ws := &lmWork{
		r: make([]float64, m), rNew: make([]float64, m), g: make([]float64, n),
		delta: make([]float64, n), wNew: make([]float64, n),
		jtj: mat.NewSymDense(n, nil), damped: mat.NewSymDense(n, nil),
	}
	if _, ok := p.(normalFormer); !ok {
		ws.jac = mat.NewDense(m, n, nil)
	}
	return ws
}

// normalFormer is implemented by the package's own problems that form JᵀJ
// and Jᵀr without the full Jacobian (the hard constraint precomputes the
// constant Gram matrix of its linear rows).
type normalFormer interface {
	normal(r []float64, jtj *mat.SymDense, g, w []float64) error
}

// eval sets r = r(w), JᵀJ and g = Jᵀr.
func (ws *lmWork) eval(p NLLS, w []float64) error {
	if nf, ok := p.(normalFormer); ok {
		return nf.normal(ws.r, ws.jtj, ws.g, w)
	}
	if err := p.Residual(ws.r, ws.jac, w); err != nil {
		return err
	}
	ws.jtj.SymOuterK(1, ws.jac.T())
	mat.NewVecDense(len(ws.g), ws.g).MulVec(ws.jac.T(), mat.NewVecDense(len(ws.r), ws.r))
	return nil
}

// step solves (JᵀJ + μI)δ = −g.
func (ws *lmWork) step(mu float64) error {
	n := len(ws.g)
	ws.damped.CopySym(ws.jtj)
	for i := 0; i < n; i++ {
		ws.damped.SetSym(i, i, ws.damped.At(i, i)+mu)
	}
	if !ws.chol.Factorize(ws.damped) {
		return fmt.Errorf("%w: JᵀJ + %gI (keep the ridge rows)", ErrSingular, mu)
	}
	d := mat.NewVecDense(n, ws.delta)
	if err := ws.chol.SolveVecTo(d, mat.NewVecDense(n, ws.g)); err != nil && !isCondition(err) {
		return fmt.Errorf("%w: %v", ErrSingular, err)
	}
	linalg.Scal(-1, ws.delta)
	if !linalg.AllFinite(ws.delta) {
		return fmt.Errorf("%w: non-finite step", ErrSingular)
	}
	return nil
}

// GaussNewton is the undamped Gauss–Newton method: each iteration solves
// the linear least-squares problem min ‖Jδ + r‖ by a QR factorisation of J
// (no normal equations, so its accuracy is limited by cond(J), not
// cond(J)²) and sets ω ← ω + δ. It stops when ‖δ‖ ≤ Tol(‖ω‖ + Tol). For a
// residual affine in ω one iteration is exact; the spec lists it as the
// solver of linear PDEs. One iteration is one step.
type GaussNewton struct {
	// Tol is the step tolerance. Zero means 1e-10; negative turns the test
	// off (exactly MaxIter iterations).
	Tol float64
	// MaxIter caps the iterations. Zero means 20; negative is an error.
	MaxIter int
}

// Solve minimises ½‖r(ω)‖² from w, which it overwrites. Errors are those
// of [LevenbergMarquardt.Solve]; ErrSingular if J is rank deficient.
func (gn GaussNewton) Solve(ctx context.Context, p NLLS, w []float64) (NLLSResult, error) {
	tol, maxIter := gn.Tol, gn.MaxIter
	if math.IsNaN(tol) || maxIter < 0 {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: GaussNewton Tol %g, MaxIter %d", ErrSettings, tol, maxIter)
	}
	tol = cmp.Or(tol, 1e-10)
	maxIter = cmp.Or(maxIter, 20)
	if p == nil {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: nil problem", ErrSettings)
	}
	m, n := p.Dims()
	if m < n || n < 1 || len(w) != n {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: problem %d×%d (need m ≥ n), start of %d values", ErrDimension, m, n, len(w))
	}
	if !linalg.AllFinite(w) {
		return NLLSResult{Status: run.Failure}, fmt.Errorf("%w: start point", ErrNotFinite)
	}
	r := make([]float64, m)
	jac := mat.NewDense(m, n, nil)
	res := NLLSResult{Status: run.IterationLimit}
	var qr mat.QR
	delta := mat.NewVecDense(n, nil)
	for {
		if err := p.Residual(r, jac, w); err != nil {
			return res, err
		}
		if !linalg.AllFinite(r) || !linalg.AllFinite(jac.RawMatrix().Data) {
			res.Status = run.Failure
			return res, fmt.Errorf("%w: residual or Jacobian", ErrNotFinite)
		}
		g := mat.NewVecDense(n, nil)
		g.MulVec(jac.T(), mat.NewVecDense(m, r))
		res.Norm, res.GradInf = linalg.Nrm2(r), linalg.MaxAbs(g.RawVector().Data)
		if res.Iterations == 0 {
			res.Norm0 = res.Norm
		}
		if res.Iterations >= maxIter || res.Status == run.Converged {
			return res, nil
		}
		if err := ctx.Err(); err != nil {
			res.Status = run.Canceled
			return res, err
		}
		res.Iterations++
		qr.Factorize(jac)
		if err := qr.SolveVecTo(delta, false, mat.NewVecDense(m, r)); err != nil && !isCondition(err) {
			res.Status = run.Failure
			return res, fmt.Errorf("%w: %v", ErrSingular, err)
		}
		d := delta.RawVector().Data
		linalg.Axpy(-1, d, w)
		if tol > 0 && linalg.Nrm2(d) <= tol*(linalg.Nrm2(w)+tol) {
			res.Status = run.Converged
		}
	}
}
