package constrained

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// ErrSubproblem: the augmented Lagrangian method did not solve a
// subproblem within ALSettings.MaxSub Newton steps.
var ErrSubproblem = errors.New("constrained: augmented Lagrangian subproblem not solved")

// ALSettings configures [SolveAL], the augmented Lagrangian baseline of the
// paper's comparison (AL of the official code). A nil *ALSettings, or zero
// fields, give the official code's parameters; NaN, infinite or negative
// values are errors naming the field, except Tol (negative: test off).
type ALSettings struct {
	// Mu0 is the initial penalty μ of L_A = f + λᵀc + (μ/2)‖c‖². Zero means 1.
	Mu0 float64
	// Beta is the Armijo constant of the subproblem line search. Zero
	// means 0.1.
	Beta float64
	// Tau0 is the initial subproblem tolerance τ on ‖∇ₓL_A‖₂. Zero means 0.1.
	Tau0 float64
	// MuFactor (> 1) multiplies μ after each multiplier update. Zero means 1.5.
	MuFactor float64
	// TauFactor (< 1) multiplies τ after each multiplier update. Zero means 0.1.
	TauFactor float64
	// InnerTol is the relative GMRES residual of each Newton system,
	// ‖r‖₂ ≤ InnerTol ‖b‖₂. Zero means 1e-4.
	InnerTol float64
	// MaxSub caps the Newton steps of one subproblem. Zero means 100.
	MaxSub int
	// Tol is the tolerance on the KKT residual ‖(∇ₓL, c)‖₂. Zero means
	// 1e-4; negative turns the test off.
	Tol float64
	// MaxIter caps the outer iterations (one multiplier update). Zero
	// means 10000.
	MaxIter int
	// MaxInner caps the GMRES calls of one Newton system (each of Restart
	// steps). Zero means 100000.
	MaxInner int
	// Restart is the number of GMRES steps per call (maxiter = 2 in the
	// official code). Zero means 2.
	Restart int
	// MaxBacktrack caps the step halvings of one line search. Zero means 60.
	MaxBacktrack int
	// TimeLimit caps the wall time. Zero means none; negative is an error.
	TimeLimit time.Duration
	// Recorder, if not nil, sees the start, every multiplier update and the
	// end. Iter.Mu is μ, Iter.Delta the subproblem tolerance τ, and
	// Iter.Retries the Newton steps of the subproblem.
	Recorder Recorder
}

func (s *ALSettings) withDefaults() (ALSettings, error) {
	var o ALSettings
	if s != nil {
		o = *s
	}
	err := defaultFloats([]floatField{
		{"Mu0", &o.Mu0, 1}, {"Beta", &o.Beta, 0.1}, {"Tau0", &o.Tau0, 0.1},
		{"MuFactor", &o.MuFactor, 1.5}, {"TauFactor", &o.TauFactor, 0.1},
		{"InnerTol", &o.InnerTol, 1e-4}, {"Tol", &o.Tol, defaultTol},
	}, map[string]bool{"Tol": true})
	if err != nil {
		return o, err
	}
	switch {
	case o.Beta >= 0.5:
		return o, fmt.Errorf("%w: Beta = %v must be < 0.5", ErrSettings, o.Beta)
	case o.MuFactor < 1:
		return o, fmt.Errorf("%w: MuFactor = %v must be >= 1", ErrSettings, o.MuFactor)
	case o.TauFactor > 1:
		return o, fmt.Errorf("%w: TauFactor = %v must be <= 1", ErrSettings, o.TauFactor)
	}
	if err := defaultInts([]string{"MaxSub", "MaxIter", "MaxInner", "Restart", "MaxBacktrack"},
		[]*int{&o.MaxSub, &o.MaxIter, &o.MaxInner, &o.Restart, &o.MaxBacktrack},
		[]int{100, defaultMaxIter, defaultMaxInner, 2, defaultMaxBacktrack}); err != nil {
		return o, err
	}
	if err := run.CheckTimeLimit(o.TimeLimit); err != nil {
		return o, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	return o, nil
}

// SolveAL minimises p from (x0, l0) with the augmented Lagrangian method of
// the paper's comparison: each outer iteration approximately minimises
// L_A(x) = f + λᵀc + (μ/2)‖c‖² over x, to ‖∇ₓL_A‖₂ ≤ τ, by inexact Newton
// steps (Hessian ∇²ₓL(x, λ + μc) + μ GᵀG shifted by 1 − λmin so its least
// eigenvalue is 1, system solved by [GMRES] to a relative residual
// InnerTol, Armijo backtracking on L_A), then updates λ ← λ + μ c,
// μ ← MuFactor μ, τ ← TauFactor τ. A nil l0 means λ₀ = 0. One iteration is
// one multiplier update; Result.Retries counts the Newton steps. Errors and
// the Result are as for [Solve]; a subproblem that needs more than MaxSub
// Newton steps is a Failure wrapping [ErrSubproblem].
func SolveAL(ctx context.Context, p EqProblem, x0, l0 []float64, s *ALSettings) (Result, error) {
	set, err := s.withDefaults()
	if err != nil {
		return Result{}, err
	}
	w, d, m, err := startWork(p, x0, l0)
	if err != nil {
		return Result{}, err
	}
	a := &al{set: set, tau: set.Tau0,
		A: mat.NewDense(d, d, nil), hs: mat.NewSymDense(d, nil), gtg: mat.NewSymDense(d, nil), lam: make([]float64, m),
		grad: make([]float64, d), b: make([]float64, d), z: make([]float64, d),
	}
	a.sv = solver{p: p, w: w, d: d, m: m, mu: set.Mu0, s: Settings{
		Tol: set.Tol, MaxIter: set.MaxIter, TimeLimit: set.TimeLimit, Recorder: set.Recorder, MaxBacktrack: set.MaxBacktrack,
	}}
	return a.sv.outer(ctx, a.step, func() { a.sv.delta = a.tau })
}

// al is the state of one SolveAL run on top of the shared solver.
type al struct {
	sv    solver
	set   ALSettings
	tau   float64
	A     *mat.Dense    // modified Hessian of L_A
	hs    *mat.SymDense // ∇²ₓL(x, λ + μc)
	gtg   *mat.SymDense // μ GᵀG
	lam   []float64     // λ + μ c
	grad  []float64     // ∇ₓL_A = ∇f + Gᵀ(λ + μc)
	b, z  []float64
	gm    GMRES
	eig   mat.EigenSym
	evals []float64
}

// step solves one subproblem and updates the multipliers and parameters.
func (a *al) step(ctx context.Context) (run.Status, error) {
	sv, cur := &a.sv, &a.sv.w.cur
	linalg.Zero(a.z) // warm start across the Newton steps of one subproblem
	for j := 0; ; j++ {
		if a.alGrad() <= a.tau {
			break
		}
		if j >= a.set.MaxSub {
			return failure(ErrSubproblem, "‖∇L_A‖ = %.3g > τ = %.3g after %d Newton steps", linalg.Nrm2(a.grad), a.tau, j)
		}
		if st, err := a.newton(ctx); st != run.NotTerminated {
			return st, err
		}
		sv.it.Retries++
		sv.res.Retries++
	}
	linalg.Axpy(sv.mu, cur.c, cur.l)
	linalg.Copy(cur.gl, cur.g)
	linalg.Gemv(true, 1, cur.G.RawMatrix(), cur.l, 1, cur.gl)
	sv.mu *= a.set.MuFactor
	a.tau *= a.set.TauFactor
	sv.delta = a.tau
	return run.NotTerminated, nil
}

// alGrad sets a.lam = λ + μc and a.grad = ∇ₓL_A and returns ‖∇ₓL_A‖₂.
func (a *al) alGrad() float64 {
	sv, cur := &a.sv, &a.sv.w.cur
	linalg.AxpyTo(a.lam, sv.mu, cur.c, cur.l)
	linalg.Copy(a.grad, cur.g)
	linalg.Gemv(true, 1, cur.G.RawMatrix(), a.lam, 1, a.grad)
	return linalg.Nrm2(a.grad)
}

// newton does one inexact Newton step on L_A with Armijo backtracking.
func (a *al) newton(ctx context.Context) (run.Status, error) {
	sv, cur, d := &a.sv, &a.sv.w.cur, a.sv.d
	if err := ctx.Err(); err != nil { // the O(d³) eigendecomposition below is not interruptible
		return run.Canceled, err
	}
	sv.p.HessLag(a.hs, cur.x, a.lam)
	sv.res.HessEvals++
	if !linalg.AllFinite(a.hs.RawSymmetric().Data) {
		return failure(ErrNotFinite, "Hessian of the Lagrangian")
	}
	// H_A = ∇²ₓL(x, λ+μc) + μ GᵀG, then shifted to λmin = 1.
	a.gtg.SymOuterK(sv.mu, cur.G.T())
	a.hs.AddSym(a.hs, a.gtg)
	if !a.eig.Factorize(a.hs, false) {
		return failure(ErrNotFinite, "eigendecomposition of the AL Hessian failed")
	}
	a.evals = resize(a.evals, d)
	a.eig.Values(a.evals)
	if err := ctx.Err(); err != nil {
		return run.Canceled, err
	}
	shift := 1 - a.evals[0]
	raw, hr := a.A.RawMatrix(), a.hs.RawSymmetric()
	for i := range d {
		for j := i; j < d; j++ {
			v := hr.Data[i*hr.Stride+j]
			raw.Data[i*raw.Stride+j], raw.Data[j*raw.Stride+i] = v, v
		}
		raw.Data[i*raw.Stride+i] += shift
	}
	linalg.ScaleTo(a.b, -1, a.grad)
	tolAbs := a.set.InnerTol * linalg.Nrm2(a.b)
	for t := 0; ; t++ {
		res, err := a.gm.Solve(ctx, a.A, a.z, a.b, &GMRESSettings{MaxIter: a.set.Restart, Restart: a.set.Restart})
		sv.it.InnerSteps += int64(res.Iterations)
		sv.it.RowOps += res.RowOps
		sv.res.InnerSteps += int64(res.Iterations)
		sv.res.RowOps += res.RowOps
		if err != nil && !errors.Is(err, ErrBreakdown) { // the context ended
			return run.Canceled, err
		}
		if res.Residual <= tolAbs {
			break
		}
		if t+1 >= a.set.MaxInner || res.Iterations == 0 || res.Status == run.Failure {
			sv.it.InnerCapHit = true
			sv.res.InnerCapHits++
			break
		}
	}
	la := func(pt *point) float64 {
		return pt.f + linalg.Dot(pt.l, pt.c) + 0.5*sv.mu*linalg.SqNorm(pt.c)
	}
	return sv.backtrack(la(cur), linalg.Dot(a.grad, a.z), a.set.Beta, a.z, la)
}
