package constrained

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// SQPSettings configures [SolveSQP], the inexact SQP baseline of the paper's
// comparison (GmresL1SQP and GmresL1AdapSQP of the official code). A nil
// *SQPSettings, or zero fields, give the official code's parameters
// (Param.jl); NaN, infinite or negative values are errors naming the field,
// except Tol, where a negative value turns the convergence test off.
type SQPSettings struct {
	// Adaptive selects GmresL1AdapSQP: the residual factor κ and the merit
	// parameter μ are adapted together until the model-reduction test
	// holds. False selects GmresL1SQP, the fixed-accuracy termination tests
	// of Byrd, Curtis and Nocedal (2008).
	Adaptive bool
	// Mu0 is the initial ℓ1 merit parameter μ. Zero means 1.
	Mu0 float64
	// Kappa is κ of the residual test ‖r‖₁ ≤ κ‖(∇ₓL, c)‖₁. Zero means 1
	// (fixed) or 0.1 (adaptive).
	Kappa float64
	// Kappa1 is κ₁ of the fixed variant's dual-residual test
	// ‖r_c‖₁ ≤ max(κ₁‖∇ₓL‖₁, κ₂‖c‖₁). Zero means 0.1.
	Kappa1 float64
	// Epsilon is ε of the fixed variant's second test ‖r_x‖₁ ≤ ε‖c‖₁. Zero
	// means 0.1.
	Epsilon float64
	// Tau is τ ∈ (0, 1) of the merit update and the model-reduction factor
	// σ = τ(1 − ε) (fixed) or 0.09 (adaptive). Zero means 0.1.
	Tau float64
	// Eta is the Armijo constant of the ℓ1 merit line search. Zero means 1e-8.
	Eta float64
	// XiB is ξ_B of the Hessian modification. Zero means 0.1.
	XiB float64
	// Rho is the adaptive variant's factor: μ ← ρ μ and κ ← κ/ρ² after a
	// failed model-reduction test. Zero means 1.5.
	Rho float64
	// MuMax: the adaptive variant accepts the direction once μ > MuMax; a
	// fixed-variant update beyond it is a failure (ErrPenaltyBlowUp). Zero
	// means 1e8.
	MuMax float64
	// Tol is the tolerance on the KKT residual ‖(∇ₓL, c)‖₂. Zero means
	// 1e-4; negative turns the test off.
	Tol float64
	// MaxIter caps the outer iterations (one accepted SQP step). Zero
	// means 10000.
	MaxIter int
	// MaxInner caps the GMRES calls of one KKT solve (each of Restart
	// steps, followed by the termination tests). Zero means 100000.
	MaxInner int
	// Restart is the number of GMRES steps between two termination tests
	// (maxiter = 2 in the official code). Zero means 2.
	Restart int
	// XiGMin: fail with ErrSingularJacobian if λmin(G Gᵀ) < XiGMin. Zero
	// means 1e-6 (the official code's value for the baselines).
	XiGMin float64
	// ReducedHessMin: shift H if λmin(ZᵀHZ) < ReducedHessMin. Zero means 1e-6.
	ReducedHessMin float64
	// MaxBacktrack caps the step halvings of one line search. Zero means 60.
	MaxBacktrack int
	// TimeLimit caps the wall time (checked inside GMRES too). Zero means
	// none; negative is an error.
	TimeLimit time.Duration
	// Recorder, if not nil, sees the start, every outer iteration and the
	// end. Iter.Mu is the merit parameter μ and Iter.Delta the factor κ.
	Recorder Recorder
}

func (s *SQPSettings) withDefaults() (SQPSettings, error) {
	var o SQPSettings
	if s != nil {
		o = *s
	}
	kappa := 1.0
	if o.Adaptive {
		kappa = 0.1
	}
	err := defaultFloats([]floatField{
		{"Mu0", &o.Mu0, 1}, {"Kappa", &o.Kappa, kappa}, {"Kappa1", &o.Kappa1, 0.1},
		{"Epsilon", &o.Epsilon, 0.1}, {"Tau", &o.Tau, 0.1}, {"Eta", &o.Eta, 1e-8},
		{"XiB", &o.XiB, 0.1}, {"Rho", &o.Rho, 1.5}, {"MuMax", &o.MuMax, defaultMuMax},
		{"Tol", &o.Tol, defaultTol}, {"XiGMin", &o.XiGMin, 1e-6},
		{"ReducedHessMin", &o.ReducedHessMin, defaultReducedHessMin},
	}, map[string]bool{"Tol": true})
	if err != nil {
		return o, err
	}
	switch {
	case o.Epsilon >= 1:
		return o, fmt.Errorf("%w: Epsilon = %v must be < 1", ErrSettings, o.Epsilon)
	case o.Tau >= 1:
		return o, fmt.Errorf("%w: Tau = %v must be < 1", ErrSettings, o.Tau)
	case o.Eta >= 0.5:
		return o, fmt.Errorf("%w: Eta = %v must be < 0.5", ErrSettings, o.Eta)
	case o.Rho <= 1:
		return o, fmt.Errorf("%w: Rho = %v must be > 1", ErrSettings, o.Rho)
	}
	if err := defaultInts([]string{"MaxIter", "MaxInner", "Restart", "MaxBacktrack"},
		[]*int{&o.MaxIter, &o.MaxInner, &o.Restart, &o.MaxBacktrack},
		[]int{defaultMaxIter, defaultMaxInner, 2, defaultMaxBacktrack}); err != nil {
		return o, err
	}
	if err := run.CheckTimeLimit(o.TimeLimit); err != nil {
		return o, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	return o, nil
}

// SolveSQP minimises p from (x0, l0) with the inexact SQP method that the
// paper compares against: Newton/SQP steps on the KKT system (with the same
// Hessian modification as [Solve]) solved by [GMRES] until the
// Byrd–Curtis–Nocedal termination tests hold, the ℓ1 merit parameter μ
// updated so that the model reduction is sufficient, and Armijo
// backtracking on φ(x) = f(x) + μ‖c(x)‖₁ (both x and λ move with the
// step). s.Adaptive selects the adaptive variant. A nil l0 means λ₀ = 0.
// One iteration is one accepted step. Errors and the Result are as for
// [Solve]; FuncEvals counts (f, c) pairs (every trial point), GradEvals
// (∇f, G) pairs (every accepted point), InnerSteps GMRES steps.
func SolveSQP(ctx context.Context, p EqProblem, x0, l0 []float64, s *SQPSettings) (Result, error) {
	set, err := s.withDefaults()
	if err != nil {
		return Result{}, err
	}
	w, d, m, err := startWork(p, x0, l0)
	if err != nil {
		return Result{}, err
	}
	sq := &sqp{set: set, kappa: set.Kappa}
	sq.sv = solver{p: p, w: w, d: d, m: m, mu: set.Mu0, s: Settings{
		Tol: set.Tol, MaxIter: set.MaxIter, TimeLimit: set.TimeLimit, Recorder: set.Recorder,
		ReducedHessMin: set.ReducedHessMin, XiB: set.XiB, Norm: Frobenius, MaxBacktrack: set.MaxBacktrack,
	}}
	return sq.run(ctx)
}

// sqp is the state of one SolveSQP run on top of the shared solver.
type sqp struct {
	sv    solver
	set   SQPSettings
	kappa float64 // κ (adapted in the adaptive variant)
	beta  float64 // κ₂ = β = max(‖∇ₓL₀‖₁/(‖c₀‖₁+1), 1) of the fixed variant
	gm    GMRES
	bx    []float64 // B Δx
	gx    []float64 // c + G Δx
}

func (sq *sqp) run(ctx context.Context) (Result, error) {
	sv := &sq.sv
	sq.bx, sq.gx = make([]float64, sv.d), make([]float64, sv.m)
	return sv.outer(ctx, func(ctx context.Context) (run.Status, error) { return sq.step(ctx) }, func() {
		c := &sv.w.cur
		sq.beta = math.Max(linalg.Asum(c.gl)/(linalg.Asum(c.c)+1), 1)
		sv.delta = sq.kappa
	})
}

// step does one SQP iteration: Hessian modification, inexact KKT solve
// under the termination tests, merit update, line search.
func (sq *sqp) step(ctx context.Context) (run.Status, error) {
	sv, w := &sq.sv, sq.sv.w
	if st, err := sv.modifiedHessian(sq.set.XiGMin); st != run.NotTerminated {
		return st, err
	}
	sv.buildK(sv.shift)
	sv.rhs()
	linalg.Zero(w.z)
	linalg.ScaleTo(w.r, -1, w.b)
	var err error
	if sq.set.Adaptive {
		err = sq.solveAdaptive(ctx)
	} else {
		err = sq.solveFixed(ctx)
	}
	if err != nil {
		return run.Canceled, err
	}
	if st, err := sq.updateMerit(); st != run.NotTerminated {
		return st, err
	}
	sv.delta = sq.kappa // reported as Iter.Delta and Result.Delta
	return sq.lineSearch()
}

// gmresCall runs one GMRES call of Restart steps from w.z and refreshes
// w.r = K z − b. It reports whether GMRES can make no further progress.
func (sq *sqp) gmresCall(ctx context.Context) (stuck bool, err error) {
	sv, w := &sq.sv, sq.sv.w
	res, err := sq.gm.Solve(ctx, w.K, w.z, w.b, &GMRESSettings{MaxIter: sq.set.Restart, Restart: sq.set.Restart})
	sv.it.InnerSteps += int64(res.Iterations)
	sv.it.RowOps += res.RowOps
	sv.res.InnerSteps += int64(res.Iterations)
	sv.res.RowOps += res.RowOps
	if err != nil && !errors.Is(err, ErrBreakdown) { // the context ended
		return true, err
	}
	linalg.Copy(w.r, sq.gm.Residual())
	return res.Iterations == 0 || res.Status == run.Failure, nil
}

// model returns the model reduction
// −∇fᵀΔx − max(½ΔxᵀBΔx, 0) + μ(‖c‖₁ − ‖c + GΔx‖₁) and its threshold
// σ μ max(‖c‖₁, ‖c + GΔx‖₁ − ‖c‖₁) for the current w.z.
func (sq *sqp) model(sigma float64) (red, thresh float64) {
	sv, w, d := &sq.sv, sq.sv.w, sq.sv.d
	cur := &w.cur
	dx := w.z[:d]
	K := w.K.RawMatrix()
	B := blas64.General{Rows: d, Cols: d, Stride: K.Stride, Data: K.Data}
	linalg.Gemv(false, 1, B, dx, 0, sq.bx)
	linalg.Copy(sq.gx, cur.c)
	linalg.Gemv(false, 1, cur.G.RawMatrix(), dx, 1, sq.gx)
	c1, cn := linalg.Asum(cur.c), linalg.Asum(sq.gx)
	red = -linalg.Dot(cur.g, dx) - math.Max(0.5*linalg.Dot(dx, sq.bx), 0) + sv.mu*(c1-cn)
	return red, sigma * sv.mu * math.Max(c1, cn-c1)
}

// solveFixed runs GMRES until termination test 1 (residual, dual residual
// and model reduction) or test 2 (residuals against ‖c‖₁) holds.
func (sq *sqp) solveFixed(ctx context.Context) error {
	sv, w, d, set := &sq.sv, sq.sv.w, sq.sv.d, &sq.set
	sigma := set.Tau * (1 - set.Epsilon)
	c1 := linalg.Asum(w.cur.c)
	q2 := sq.kappa * linalg.Asum(w.b)
	q3 := math.Max(set.Kappa1*linalg.Asum(w.b[:d]), sq.beta*linalg.Asum(w.b[d:]))
	for range set.MaxInner {
		stuck, err := sq.gmresCall(ctx)
		if err != nil {
			return err
		}
		rx, rc := linalg.Asum(w.r[:d]), linalg.Asum(w.r[d:])
		red, thresh := sq.model(sigma)
		if (rx+rc <= q2 && rc <= q3 && red >= thresh) || (rx <= set.Epsilon*c1 && rc <= sq.beta*c1) {
			return nil
		}
		if stuck {
			break
		}
	}
	sv.it.InnerCapHit = true
	sv.res.InnerCapHits++
	return nil
}

// solveAdaptive runs GMRES to ‖r‖₁ ≤ κ‖b‖₁, then raises μ and tightens κ
// until the model-reduction test holds (or μ > MuMax).
func (sq *sqp) solveAdaptive(ctx context.Context) error {
	sv, w, set := &sq.sv, sq.sv.w, &sq.set
	const sigma = 0.1 * 0.9 // σ of the official adaptive code
	for {
		q2 := sq.kappa * linalg.Asum(w.b)
		for t := 0; linalg.Asum(w.r) > q2; t++ {
			if t >= set.MaxInner {
				sv.it.InnerCapHit = true
				sv.res.InnerCapHits++
				break
			}
			stuck, err := sq.gmresCall(ctx)
			if err != nil {
				return err
			}
			if stuck {
				break
			}
		}
		red, thresh := sq.model(sigma)
		if sv.mu > set.MuMax || red >= thresh {
			return nil
		}
		sv.mu *= set.Rho
		sq.kappa /= set.Rho * set.Rho
		sv.it.Retries++
		sv.res.Retries++
	}
}

// updateMerit raises μ in the fixed variant when only test 2 held:
// μ ← max((∇fᵀΔx + max(½ΔxᵀBΔx, 0)) / ((1−τ)(‖c‖₁ − ‖c+GΔx‖₁)), μ) + 1e-4.
func (sq *sqp) updateMerit() (run.Status, error) {
	sv, set := &sq.sv, &sq.set
	if !set.Adaptive {
		red, thresh := sq.model(set.Tau * (1 - set.Epsilon))
		if red < thresh {
			dx := sv.w.z[:sv.d]
			num := linalg.Dot(sv.w.cur.g, dx) + math.Max(0.5*linalg.Dot(dx, sq.bx), 0)
			den := (1 - set.Tau) * (linalg.Asum(sv.w.cur.c) - linalg.Asum(sq.gx))
			if den > 0 {
				sv.mu = math.Max(num/den, sv.mu)
			}
			sv.mu += 1e-4
			sv.it.Retries++
			sv.res.Retries++
			if !(sv.mu <= set.MuMax) {
				return failure(ErrPenaltyBlowUp, "ℓ1 merit parameter μ = %.3g exceeds MuMax = %g", sv.mu, set.MuMax)
			}
		}
	}
	return run.NotTerminated, nil
}

// lineSearch backtracks on φ = f + μ‖c‖₁ along w.z with the directional
// derivative ∇fᵀΔx − μ(‖c‖₁ − ‖c + GΔx‖₁), then evaluates the gradients at
// the accepted point.
func (sq *sqp) lineSearch() (run.Status, error) {
	sv, w, d := &sq.sv, sq.sv.w, sq.sv.d
	cur := &w.cur
	sq.model(0) // refresh bx, gx for the final z
	q := linalg.Dot(cur.g, w.z[:d]) - sv.mu*(linalg.Asum(cur.c)-linalg.Asum(sq.gx))
	phi := func(pt *point) float64 { return pt.f + sv.mu*linalg.Asum(pt.c) }
	return sv.backtrack(phi(cur), q, sq.set.Eta, w.z, phi)
}
