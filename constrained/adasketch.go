package constrained

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// NormKind selects the matrix norm used in the constants Ψ, Υ and the inner
// stopping test. Any upper bound of the spectral norm keeps the theory valid.
type NormKind int

const (
	// Frobenius norms, as Julia's norm in the official code (the default,
	// O(n²) per outer iteration).
	Frobenius NormKind = iota
	// Spectral norms from symmetric eigenvalue decompositions (O(n³) per
	// outer iteration; the spec's reference runs used them).
	Spectral
)

// Default settings, from Param.jl of the official code.
const (
	defaultMu0      = 1.0
	defaultNu0      = 0.1
	defaultDelta0   = 0.1
	defaultXiB      = 0.1
	defaultBeta     = 0.1
	defaultRho      = 1.5
	defaultEps      = 1e-4
	defaultMaxIter  = 10000
	defaultMaxInner = 100000
	// Safeguards of the official code.
	defaultXiGMin         = 1e-2                  // λmin(G Gᵀ) below which LICQ is declared failed
	defaultReducedHessMin = 1e-6                  // λmin(ZᵀHZ) below which H is shifted
	defaultMuMax          = 1e8                   // μ beyond which any direction is accepted
	defaultNuMin          = 1e-8                  // ν below which any direction is accepted
	defaultDeltaMin       = 1e-6                  // floor of the inner accuracy δ
	defaultMaxBacktrack   = 60                    // 2⁻⁶⁰ ≈ 1e-18: a shorter step cannot change x
	psiFactor             = 20.0                  // Ψ = 20 max(‖B‖²,1)/(min(ξ_G,1) min(ξ_B,1))
	machEps               = 2.220446049250313e-16 // steps below ε‖(x,λ)‖∞ cannot move the iterate
)

// Settings configures [Solve]. The zero value, or a nil *Settings, gives the
// defaults of the official code (Param.jl). Negative or NaN values are
// errors; zero means the default.
type Settings struct {
	// Mu0 is the initial penalty μ on ‖c‖². Zero means 1.
	Mu0 float64
	// Nu0 is the initial penalty ν on ‖∇ₓL‖². Zero means 0.1.
	Nu0 float64
	// Delta0 is the initial inner accuracy δ. Zero means 0.1.
	Delta0 float64
	// XiB is ξ_B, the Hessian shift margin. Zero means 0.1.
	XiB float64
	// Beta is the Armijo constant, in (0, 0.5). Zero means 0.1.
	Beta float64
	// Rho is the penalty factor ρ > 1 (called nu in the code). Zero means 1.5.
	Rho float64
	// Eps is the tolerance on the KKT residual ‖(∇ₓL, c)‖₂. Zero means 1e-4.
	Eps float64
	// MaxIter caps the outer iterations. Zero means 10000.
	MaxIter int
	// MaxInner caps the sketch steps of one inner solve. Zero means 100000.
	MaxInner int
	// Theta returns θₜ, the factor of the inner accuracy test at outer
	// iteration t with KKT residual kkt. Nil means θₜ = 1 (the experiments);
	// [SuperlinearTheta] gives the superlinear variant.
	Theta func(t int, kkt float64) float64
	// Sketcher solves the KKT systems. Nil means a new [RK].
	Sketcher Sketcher
	// Rand drives the sketches. Nil means rand.New(rand.NewPCG(0, 0)).
	Rand *rand.Rand
	// Recorder, if not nil, sees the start, every outer iteration and the end.
	Recorder Recorder
	// Norm selects the matrix norm. Zero means Frobenius.
	Norm NormKind

	// XiGMin: stop with SingularJacobian if λmin(G Gᵀ) < XiGMin. Zero means 1e-2.
	XiGMin float64
	// ReducedHessMin: shift H if λmin(ZᵀHZ) < ReducedHessMin. Zero means 1e-6.
	ReducedHessMin float64
	// MuMax and NuMin: the penalty safeguard accepts any direction once
	// μ > MuMax or ν < NuMin. Zero means 1e8 and 1e-8.
	MuMax, NuMin float64
	// DeltaMin is the floor of δ. Zero means 1e-6.
	DeltaMin float64
	// MaxBacktrack caps the step halvings of one line search. Zero means 60.
	MaxBacktrack int
}

// SuperlinearTheta is θₜ = min(1, ‖Rₜ‖), a choice with θₜ → 0 that gives
// the superlinear variant of the method.
func SuperlinearTheta(t int, kkt float64) float64 { return math.Min(1, kkt) }

func (s *Settings) withDefaults() (Settings, error) {
	var o Settings
	if s != nil {
		o = *s
	}
	type fld struct {
		name string
		p    *float64
		def  float64
	}
	for _, f := range []fld{
		{"Mu0", &o.Mu0, defaultMu0}, {"Nu0", &o.Nu0, defaultNu0}, {"Delta0", &o.Delta0, defaultDelta0},
		{"XiB", &o.XiB, defaultXiB}, {"Beta", &o.Beta, defaultBeta}, {"Rho", &o.Rho, defaultRho},
		{"Eps", &o.Eps, defaultEps}, {"XiGMin", &o.XiGMin, defaultXiGMin},
		{"ReducedHessMin", &o.ReducedHessMin, defaultReducedHessMin},
		{"MuMax", &o.MuMax, defaultMuMax}, {"NuMin", &o.NuMin, defaultNuMin}, {"DeltaMin", &o.DeltaMin, defaultDeltaMin},
	} {
		v := *f.p
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return o, fmt.Errorf("%w: %s = %v must be positive and finite", ErrSettings, f.name, v)
		}
		if v == 0 {
			*f.p = f.def
		}
	}
	if o.Beta >= 0.5 {
		return o, fmt.Errorf("%w: Beta = %v must be < 0.5", ErrSettings, o.Beta)
	}
	if o.Rho <= 1 {
		return o, fmt.Errorf("%w: Rho = %v must be > 1", ErrSettings, o.Rho)
	}
	if o.MaxIter < 0 || o.MaxInner < 0 || o.MaxBacktrack < 0 {
		return o, fmt.Errorf("%w: negative iteration cap", ErrSettings)
	}
	if o.MaxIter == 0 {
		o.MaxIter = defaultMaxIter
	}
	if o.MaxInner == 0 {
		o.MaxInner = defaultMaxInner
	}
	if o.MaxBacktrack == 0 {
		o.MaxBacktrack = defaultMaxBacktrack
	}
	if o.Norm != Frobenius && o.Norm != Spectral {
		return o, fmt.Errorf("%w: unknown Norm %d", ErrSettings, o.Norm)
	}
	if o.Sketcher == nil {
		o.Sketcher = &RK{}
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(0, 0))
	}
	return o, nil
}

// Result is the outcome of [Solve].
type Result struct {
	// X and L are the final primal point and multipliers (the last iterate
	// at which every callback was finite).
	X, L []float64
	// F is f(X) and KKT the residual ‖(∇ₓL, c)‖₂ at (X, L).
	F, KKT float64
	// Iterations counts accepted outer steps.
	Iterations int
	// InnerSteps and RowOps total the sketch steps and the row operations
	// (multiply-adds / (d+m)) of all inner solves, including Factor.
	InnerSteps, RowOps int64
	// InnerCapHits counts inner solves that stopped at MaxInner.
	InnerCapHits int
	// Retries counts descent-test failures (penalty increases).
	Retries int
	// FuncEvals counts evaluations of f and c, GradEvals of ∇f and G,
	// HessEvals of ∇²ₓL.
	FuncEvals, GradEvals, HessEvals int
	// Mu, Nu and Delta are the final μ, ν, δ.
	Mu, Nu, Delta float64
	// Status says why the run stopped.
	Status Status
}

// IterKind says at which point of a run a Recorder is called.
type IterKind int

const (
	// InitIter is the start point, before any step.
	InitIter IterKind = iota
	// MajorIter follows an accepted outer step.
	MajorIter
	// DoneIter is the end of the run; Status is set.
	DoneIter
)

// Iter is the state a [Recorder] sees.
type Iter struct {
	Kind IterKind
	// Iter is the number of accepted outer steps so far.
	Iter int
	// X and L are the current iterate (read only).
	X, L []float64
	// F = f(X); KKT = ‖(∇ₓL, c)‖₂.
	F, KKT float64
	// Alpha is the step length accepted in this iteration (0 at InitIter).
	Alpha float64
	// Mu, Nu, Delta are the penalty parameters and inner accuracy used in
	// this iteration.
	Mu, Nu, Delta float64
	// InnerSteps and RowOps are this iteration's sketch steps and row
	// operations; Retries its descent-test failures.
	InnerSteps, RowOps int64
	Retries            int
	// InnerCapHit reports that an inner solve of this iteration hit MaxInner.
	InnerCapHit bool
	// Shifted reports that H was shifted (B = H + (ξ_B + ‖H‖) I).
	Shifted bool
	// Status is set at DoneIter.
	Status Status
}

// Solve minimises p from (x0, l0) with AdaSketch-Newton (Hong, Na, Mahoney,
// Kolar, ICML 2023): Newton/SQP steps whose KKT systems are solved
// approximately by the randomized iterative sketch s.Sketcher, stopped by
// the adaptive accuracy test, globalised by backtracking on the exact
// augmented Lagrangian
//
//	L_{μ,ν}(x, λ) = f + λᵀc + (μ/2)‖c‖² + (ν/2)‖∇ₓL‖²
//
// with μ, ν (and δ) adapted so the inexact direction is a descent direction.
// A nil l0 means λ₀ = 0.
//
// Solve returns an error wrapping [ErrDimension] or [ErrSettings] for bad
// input (x0 ≠ d entries, l0 ≠ m entries, m > d, m < 1, non-finite start,
// invalid settings), the context's error on cancellation, the Recorder's
// error, or the sentinel of a failure Status (Status.Err). On failure the
// Result holds the last good iterate.
func Solve(ctx context.Context, p EqProblem, x0, l0 []float64, s *Settings) (Result, error) {
	set, err := s.withDefaults()
	if err != nil {
		return Result{}, err
	}
	d, m := p.Dims()
	switch {
	case d < 1 || m < 1:
		return Result{}, fmt.Errorf("%w: need d >= 1 and m >= 1, have d=%d m=%d", ErrDimension, d, m)
	case m > d:
		return Result{}, fmt.Errorf("%w: m=%d constraints exceed d=%d variables", ErrDimension, m, d)
	case len(x0) != d:
		return Result{}, fmt.Errorf("%w: len(x0)=%d, problem has d=%d", ErrDimension, len(x0), d)
	case l0 != nil && len(l0) != m:
		return Result{}, fmt.Errorf("%w: len(l0)=%d, problem has m=%d", ErrDimension, len(l0), m)
	}
	if !linalg.AllFinite(x0) || (l0 != nil && !linalg.AllFinite(l0)) {
		return Result{}, fmt.Errorf("%w: non-finite start point", ErrNonFinite)
	}
	w := newWork(d, m)
	copy(w.cur.x, x0)
	if l0 != nil {
		copy(w.cur.l, l0)
	}
	sv := solver{p: p, s: set, w: w, d: d, m: m, mu: set.Mu0, nu: set.Nu0, delta: set.Delta0}
	return sv.run(ctx)
}

// point holds an iterate and its first-order information.
type point struct {
	x, l []float64
	f    float64
	g, c []float64
	gl   []float64 // ∇ₓL = g + Gᵀλ
	G    *mat.Dense
}

type work struct {
	cur, trial point
	H          *mat.SymDense
	K          *mat.Dense
	Ksym       *mat.SymDense
	b, z, r    []float64
	gtc, hgl   []float64 // Gᵀc, H ∇ₓL
	ggl        []float64 // G ∇ₓL
	ggt        *mat.SymDense
	eig        mat.EigenSym
	vals       []float64
	gt, q      mat.Dense
	qr         mat.QR
	hz, zhz    mat.Dense
}

func newPoint(d, m int) point {
	return point{
		x: make([]float64, d), l: make([]float64, m),
		g: make([]float64, d), c: make([]float64, m), gl: make([]float64, d),
		G: mat.NewDense(m, d, nil),
	}
}

func newWork(d, m int) *work {
	n := d + m
	K := mat.NewDense(n, n, nil)
	return &work{
		cur: newPoint(d, m), trial: newPoint(d, m),
		H: mat.NewSymDense(d, nil), K: K, Ksym: mat.NewSymDense(n, K.RawMatrix().Data),
		b: make([]float64, n), z: make([]float64, n), r: make([]float64, n),
		gtc: make([]float64, d), hgl: make([]float64, d), ggl: make([]float64, m),
		ggt: mat.NewSymDense(m, nil),
	}
}

type solver struct {
	p             EqProblem
	s             Settings
	w             *work
	d, m          int
	mu, nu, delta float64
	res           Result
	it            Iter
}

// eval fills pt.f, g, c, G, gl at (pt.x, pt.l). It reports whether all are finite.
func (sv *solver) eval(pt *point) bool {
	pt.f = sv.p.Func(pt.x)
	sv.p.Grad(pt.g, pt.x)
	sv.p.Cons(pt.c, pt.x)
	sv.p.Jac(pt.G, pt.x)
	sv.res.FuncEvals++
	sv.res.GradEvals++
	linalg.Copy(pt.gl, pt.g)
	linalg.Gemv(true, 1, pt.G.RawMatrix(), pt.l, 1, pt.gl)
	return !math.IsNaN(pt.f) && !math.IsInf(pt.f, 0) && linalg.AllFinite(pt.g) &&
		linalg.AllFinite(pt.c) && linalg.AllFinite(pt.G.RawMatrix().Data)
}

// merit returns L_{μ,ν} at pt, +Inf if it is not finite.
func (sv *solver) merit(pt *point) float64 {
	v := pt.f + linalg.Dot(pt.l, pt.c) + 0.5*sv.mu*linalg.SqNorm(pt.c) + 0.5*sv.nu*linalg.SqNorm(pt.gl)
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

func kktNorm(pt *point) float64 { return math.Hypot(linalg.Nrm2(pt.gl), linalg.Nrm2(pt.c)) }

func (sv *solver) record(kind IterKind) error {
	if sv.s.Recorder == nil {
		return nil
	}
	c := &sv.w.cur
	sv.it.Kind = kind
	sv.it.Iter = sv.res.Iterations
	sv.it.X, sv.it.L, sv.it.F, sv.it.KKT = c.x, c.l, c.f, kktNorm(c)
	sv.it.Mu, sv.it.Nu, sv.it.Delta = sv.mu, sv.nu, sv.delta
	sv.it.Status = sv.res.Status
	return sv.s.Recorder.Record(&sv.it)
}

func (sv *solver) finish(st Status, err error) (Result, error) {
	c := &sv.w.cur
	sv.res.Status = st
	sv.res.X = append([]float64(nil), c.x...)
	sv.res.L = append([]float64(nil), c.l...)
	sv.res.F = c.f
	sv.res.KKT = kktNorm(c)
	sv.res.Mu, sv.res.Nu, sv.res.Delta = sv.mu, sv.nu, sv.delta
	if err == nil {
		err = st.Err()
	}
	if rerr := sv.record(DoneIter); rerr != nil && err == nil {
		sv.res.Status = RecorderStop
		err = rerr
	}
	return sv.res, err
}

func (sv *solver) run(ctx context.Context) (Result, error) {
	w, s := sv.w, &sv.s
	d, m := sv.d, sv.m
	cur := &w.cur
	if !sv.eval(cur) {
		return sv.finish(NonFinite, fmt.Errorf("%w: at the start point", ErrNonFinite))
	}
	if err := sv.record(InitIter); err != nil {
		return sv.finish(RecorderStop, err)
	}
	for {
		kkt := kktNorm(cur)
		if kkt <= s.Eps {
			return sv.finish(Converged, nil)
		}
		if sv.res.Iterations >= s.MaxIter {
			return sv.finish(IterationLimit, nil)
		}
		if err := ctx.Err(); err != nil {
			return sv.finish(Canceled, err)
		}
		sv.it = Iter{}

		// Step 1: Hessian of the Lagrangian.
		sv.p.HessLag(w.H, cur.x, cur.l)
		sv.res.HessEvals++
		if !linalg.AllFinite(w.H.RawSymmetric().Data) {
			return sv.finish(NonFinite, fmt.Errorf("%w: Hessian of the Lagrangian", ErrNonFinite))
		}

		// Step 2: ξ_G = λmin(G Gᵀ).
		w.ggt.SymOuterK(1, cur.G)
		if !w.eig.Factorize(w.ggt, false) {
			return sv.finish(SingularJacobian, fmt.Errorf("%w: eigendecomposition of G Gᵀ failed", ErrSingularJacobian))
		}
		w.vals = resize(w.vals, m)
		w.eig.Values(w.vals)
		xiG := w.vals[0]
		if !(xiG >= s.XiGMin) {
			return sv.finish(SingularJacobian, fmt.Errorf("%w: λmin(G Gᵀ) = %.3g < %g", ErrSingularJacobian, xiG, s.XiGMin))
		}

		// Step 3: Hessian modification and norms.
		normH, eigLo, eigHi, spectral := sv.hessNorm()
		shift := 0.0
		if m < d && sv.reducedHessSmall() {
			shift = s.XiB + normH
		}
		sv.it.Shifted = shift != 0
		var normB, normG float64
		if spectral {
			normB = math.Max(math.Abs(eigLo+shift), math.Abs(eigHi+shift))
			normG = math.Sqrt(w.vals[m-1])
		} else {
			normB = frobShifted(w.H, shift)
			normG = mat.Norm(cur.G, 2)
		}

		// Step 4: Ψ, Υ, δ.
		psi := psiFactor * math.Max(normB*normB, 1) / (math.Min(xiG, 1) * math.Min(s.XiB, 1))
		ups := math.Max(math.Max(normG, normH), 1)
		deltaTrial := func(mu, nu float64) float64 {
			return (0.5 - s.Beta) * nu / ((1 + mu + nu) * ups * ups * psi * psi)
		}
		sv.delta = math.Max(math.Min(sv.delta, deltaTrial(sv.mu, sv.nu)), s.DeltaMin)

		// Step 5: K, b and the sketch.
		sv.buildK(shift)
		for i := range d {
			w.b[i] = -cur.gl[i]
		}
		for j := range m {
			w.b[d+j] = -cur.c[j]
		}
		normb := linalg.Nrm2(w.b)
		normK := sv.kNorm()
		ops, err := s.Sketcher.Factor(w.K)
		sv.it.RowOps += ops
		if err != nil {
			sv.res.RowOps += sv.it.RowOps
			return sv.finish(SingularKKT, err)
		}
		linalg.Zero(w.z)
		linalg.ScaleTo(w.r, -1, w.b)
		theta := 1.0
		if s.Theta != nil {
			theta = s.Theta(sv.res.Iterations, kkt)
		}
		sv.meritGradParts()
		var q float64
		safeguard := false
		for {
			tol := theta * sv.delta * normb / (normK * psi)
			steps, ops := s.Sketcher.Solve(w.z, w.r, w.b, tol, s.MaxInner, s.Rand)
			sv.it.InnerSteps += int64(steps)
			sv.it.RowOps += ops
			if steps >= s.MaxInner && linalg.Nrm2(w.r) > tol {
				sv.it.InnerCapHit = true
				sv.res.InnerCapHits++
			}
			q = sv.dirDeriv(w.z)
			// Step 6: descent test with penalty updates.
			if sv.mu > s.MuMax || sv.nu < s.NuMin {
				safeguard = true
				break
			}
			if q > -(sv.nu/2)*normb*normb {
				sv.mu *= s.Rho * s.Rho
				sv.nu /= s.Rho
				sv.delta = math.Max(math.Min(sv.delta/math.Pow(s.Rho, 4), deltaTrial(sv.mu, sv.nu)), s.DeltaMin)
				sv.it.Retries++
				sv.res.Retries++
				continue
			}
			break
		}
		sv.res.InnerSteps += sv.it.InnerSteps
		sv.res.RowOps += sv.it.RowOps
		if safeguard && !(q < 0) {
			return sv.finish(PenaltyBlowUp, fmt.Errorf("%w: μ=%.3g ν=%.3g, directional derivative %.3g", ErrPenaltyBlowUp, sv.mu, sv.nu, q))
		}

		// Step 7: Armijo backtracking on the exact augmented Lagrangian.
		la := sv.merit(cur)
		tr := &w.trial
		alpha := 1.0
		sawNonFinite := false
		zInf := linalg.MaxAbs(w.z)
		iterScale := math.Max(1, math.Max(linalg.MaxAbs(cur.x), linalg.MaxAbs(cur.l)))
		for k := 0; ; k++ {
			linalg.AxpyTo(tr.x, alpha, w.z[:d], cur.x)
			linalg.AxpyTo(tr.l, alpha, w.z[d:], cur.l)
			// A step below the rounding level of the iterate is a failure.
			stalled := alpha*zInf <= machEps*iterScale
			lat := math.Inf(1)
			if !stalled {
				if sv.eval(tr) {
					lat = sv.merit(tr)
				} else {
					sawNonFinite = true
				}
				if lat <= la+alpha*s.Beta*q {
					break
				}
			}
			if stalled || k >= s.MaxBacktrack {
				if sawNonFinite {
					return sv.finish(NonFinite, fmt.Errorf("%w: the line search failed with non-finite trial points", ErrNonFinite))
				}
				if sv.it.InnerCapHit {
					return sv.finish(InnerCap, fmt.Errorf("%w: after %d halvings", ErrInnerCap, k))
				}
				return sv.finish(LineSearchFailure, fmt.Errorf("%w: after %d halvings, directional derivative %.3g", ErrLineSearch, k, q))
			}
			alpha /= 2
		}
		// Step 8: accept.
		w.cur, w.trial = w.trial, w.cur
		cur = &w.cur
		sv.res.Iterations++
		sv.it.Alpha = alpha
		if err := sv.record(MajorIter); err != nil {
			return sv.finish(RecorderStop, err)
		}
	}
}

// meritGradParts stores Gᵀc, H∇ₓL and G∇ₓL at the current point, the parts
// of the merit gradient
//
//	∇ₓL_{μ,ν} = ∇ₓL + μ Gᵀc + ν H∇ₓL,   ∇_λL_{μ,ν} = c + ν G∇ₓL,
//
// with H the Hessian of the Lagrangian (not of f, as in the official code).
func (sv *solver) meritGradParts() {
	w, cur := sv.w, &sv.w.cur
	Graw := cur.G.RawMatrix()
	linalg.Gemv(true, 1, Graw, cur.c, 0, w.gtc)
	mat.NewVecDense(sv.d, w.hgl).MulVec(w.H, mat.NewVecDense(sv.d, cur.gl))
	linalg.Gemv(false, 1, Graw, cur.gl, 0, w.ggl)
}

// dirDeriv returns ∇L_{μ,ν}ᵀz for z = (Δx, Δλ), after meritGradParts.
func (sv *solver) dirDeriv(z []float64) float64 {
	w, cur := sv.w, &sv.w.cur
	dx, dl := z[:sv.d], z[sv.d:]
	q0 := linalg.Dot(dx, cur.gl) + linalg.Dot(dl, cur.c)
	q1 := linalg.Dot(dx, w.gtc)
	q2 := linalg.Dot(dx, w.hgl) + linalg.Dot(dl, w.ggl)
	return q0 + sv.mu*q1 + sv.nu*q2
}

// hessNorm returns ‖H‖ in the selected norm and, for Spectral, the extreme
// eigenvalues of H and spectral = true. If the eigendecomposition fails it
// falls back to Frobenius norms (spectral = false).
func (sv *solver) hessNorm() (norm, lo, hi float64, spectral bool) {
	H := sv.w.H
	if sv.s.Norm == Spectral {
		var e mat.EigenSym
		if e.Factorize(H, false) {
			v := e.Values(nil)
			lo, hi = v[0], v[len(v)-1]
			return math.Max(math.Abs(lo), math.Abs(hi)), lo, hi, true
		}
	}
	return frobShifted(H, 0), 0, 0, false
}

// frobShifted returns ‖H + shift I‖_F.
func frobShifted(H *mat.SymDense, shift float64) float64 {
	raw := H.RawSymmetric()
	s := 0.0
	for i := range raw.N {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.N]
		v := row[i] + shift
		s += v * v
		for j := i + 1; j < raw.N; j++ {
			s += 2 * row[j] * row[j]
		}
	}
	return math.Sqrt(s)
}

// reducedHessSmall reports λmin(ZᵀHZ) < ReducedHessMin, where the columns of
// Z span null(G). A Gershgorin lower bound of λmin(H) ≤ λmin(ZᵀHZ) settles
// the test in O(d²) when H is safely positive definite.
func (sv *solver) reducedHessSmall() bool {
	w := sv.w
	raw := w.H.RawSymmetric()
	d, m := sv.d, sv.m
	lower := math.Inf(1)
	for i := range d {
		off := 0.0
		for j := range d {
			if j != i {
				off += math.Abs(w.H.At(i, j))
			}
		}
		lower = math.Min(lower, raw.Data[i*raw.Stride+i]-off)
	}
	if lower >= sv.s.ReducedHessMin {
		return false
	}
	w.gt.Reset()
	w.gt.CloneFrom(w.cur.G.T())
	w.qr.Factorize(&w.gt)
	w.q.Reset()
	w.qr.QTo(&w.q)
	Z := w.q.Slice(0, d, m, d)
	w.hz.Reset()
	w.hz.Mul(w.H, Z)
	w.zhz.Reset()
	w.zhz.Mul(Z.T(), &w.hz)
	k := d - m
	sym := mat.NewSymDense(k, nil)
	for i := range k {
		for j := i; j < k; j++ {
			sym.SetSym(i, j, 0.5*(w.zhz.At(i, j)+w.zhz.At(j, i)))
		}
	}
	var e mat.EigenSym
	if !e.Factorize(sym, false) {
		return true
	}
	return e.Values(nil)[0] < sv.s.ReducedHessMin
}

// buildK fills K = [[H + shift I, Gᵀ], [G, 0]].
func (sv *solver) buildK(shift float64) {
	d, m, n := sv.d, sv.m, sv.d+sv.m
	K := sv.w.K.RawMatrix()
	G := sv.w.cur.G.RawMatrix()
	for i := range d {
		row := K.Data[i*K.Stride : i*K.Stride+n]
		for j := range d {
			row[j] = sv.w.H.At(i, j)
		}
		row[i] += shift
		for j := range m {
			row[d+j] = G.Data[j*G.Stride+i]
		}
	}
	for j := range m {
		row := K.Data[(d+j)*K.Stride : (d+j)*K.Stride+n]
		copy(row[:d], G.Data[j*G.Stride:j*G.Stride+d])
		linalg.Zero(row[d:])
	}
}

// kNorm returns ‖K‖ in the selected norm.
func (sv *solver) kNorm() float64 {
	if sv.s.Norm == Spectral {
		var e mat.EigenSym
		if e.Factorize(sv.w.Ksym, false) {
			v := e.Values(nil)
			return math.Max(math.Abs(v[0]), math.Abs(v[len(v)-1]))
		}
	}
	return mat.Norm(sv.w.K, 2)
}
