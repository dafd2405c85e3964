package constrained

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// NormKind selects the matrix norm used in the constants Ψ, Υ and the inner
// stopping test. Any upper bound of the spectral norm keeps the theory valid.
type NormKind int

const (
	// Spectral norms from symmetric eigenvalue decompositions: the ‖·‖ of
	// the paper's analysis and of the spec's reference runs (the default).
	// They cost O((d+m)³) per outer iteration, an eigendecomposition of K.
	Spectral NormKind = iota
	// Frobenius norms, as Julia's norm in the official code: O((d+m)²) per
	// outer iteration, but larger than the spectral norm, so the inner
	// accuracy test is tighter (more sketch steps) and the outer trajectory
	// may differ by an iteration or two. Choose it for large KKT systems,
	// where the eigendecomposition of K would dominate the run.
	Frobenius
)

// Default settings, from Param.jl of the official code.
const (
	defaultMu0      = 1.0
	defaultNu0      = 0.1
	defaultDelta0   = 0.1
	defaultXiB      = 0.1
	defaultBeta     = 0.1
	defaultRho      = 1.5
	defaultTol      = 1e-4
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

// Settings configures [Solve]. A nil *Settings, or zero fields, give the
// defaults of the official code (Param.jl). NaN, infinite or negative
// values are errors naming the field, except Tol, where a negative value
// turns the convergence test off (the run then does exactly MaxIter outer
// iterations unless it fails).
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
	// Tol is ε, the tolerance on the KKT residual ‖(∇ₓL, c)‖₂. Zero means
	// 1e-4 (the paper's); negative turns the test off.
	Tol float64
	// MaxIter caps the outer iterations (one iteration = one accepted
	// Newton/SQP step). Zero means 10000.
	MaxIter int
	// MaxInner caps the sketch steps of one inner solve. Zero means 100000.
	MaxInner int
	// TimeLimit caps the wall time of the run (checked in the inner solves
	// too). Zero means none; negative is an error.
	TimeLimit time.Duration
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
	// Norm selects the matrix norm. Zero means Spectral (see [NormKind]).
	Norm NormKind

	// XiGMin: fail with ErrSingularJacobian if λmin(G Gᵀ) < XiGMin. Zero means 1e-2.
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

// floatField is one float64 setting: its name, where it lives, its default.
type floatField struct {
	name string
	p    *float64
	def  float64
}

// defaultFloats replaces zero fields by their defaults and rejects NaN,
// infinite or negative values (negative is allowed for fields in neg).
func defaultFloats(fields []floatField, neg map[string]bool) error {
	for _, f := range fields {
		v := *f.p
		if math.IsNaN(v) || math.IsInf(v, 0) || (v < 0 && !neg[f.name]) {
			return fmt.Errorf("%w: %s = %v must be positive and finite (zero means the default %g)", ErrSettings, f.name, v, f.def)
		}
		if v == 0 {
			*f.p = f.def
		}
	}
	return nil
}

// defaultInts does the same for int caps; negative values are errors.
func defaultInts(names []string, ps []*int, defs []int) error {
	for i, p := range ps {
		if *p < 0 {
			return fmt.Errorf("%w: %s = %d is negative (zero means the default %d)", ErrSettings, names[i], *p, defs[i])
		}
		if *p == 0 {
			*p = defs[i]
		}
	}
	return nil
}

func (s *Settings) withDefaults() (Settings, error) {
	var o Settings
	if s != nil {
		o = *s
	}
	err := defaultFloats([]floatField{
		{"Mu0", &o.Mu0, defaultMu0}, {"Nu0", &o.Nu0, defaultNu0}, {"Delta0", &o.Delta0, defaultDelta0},
		{"XiB", &o.XiB, defaultXiB}, {"Beta", &o.Beta, defaultBeta}, {"Rho", &o.Rho, defaultRho},
		{"Tol", &o.Tol, defaultTol}, {"XiGMin", &o.XiGMin, defaultXiGMin},
		{"ReducedHessMin", &o.ReducedHessMin, defaultReducedHessMin},
		{"MuMax", &o.MuMax, defaultMuMax}, {"NuMin", &o.NuMin, defaultNuMin}, {"DeltaMin", &o.DeltaMin, defaultDeltaMin},
	}, map[string]bool{"Tol": true})
	if err != nil {
		return o, err
	}
	if o.Beta >= 0.5 {
		return o, fmt.Errorf("%w: Beta = %v must be < 0.5", ErrSettings, o.Beta)
	}
	if o.Rho <= 1 {
		return o, fmt.Errorf("%w: Rho = %v must be > 1", ErrSettings, o.Rho)
	}
	if err := defaultInts([]string{"MaxIter", "MaxInner", "MaxBacktrack"},
		[]*int{&o.MaxIter, &o.MaxInner, &o.MaxBacktrack},
		[]int{defaultMaxIter, defaultMaxInner, defaultMaxBacktrack}); err != nil {
		return o, err
	}
	if err := run.CheckTimeLimit(o.TimeLimit); err != nil {
		return o, fmt.Errorf("%w: %w", ErrSettings, err)
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

// Result is the outcome of [Solve] (and of the baselines [SQP] and [AL]).
type Result struct {
	// X and L are the final primal point and multipliers (the last iterate
	// at which every callback was finite).
	X, L []float64
	// F is f(X) and KKT the residual ‖(∇ₓL, c)‖₂ at (X, L).
	F, KKT float64
	// Iterations counts accepted outer steps.
	Iterations int
	// InnerSteps and RowOps total the inner-solver steps and the row
	// operations (multiply-adds / (d+m)) of all inner solves, including
	// Factor.
	InnerSteps, RowOps int64
	// InnerCapHits counts inner solves that stopped at their cap.
	InnerCapHits int
	// Retries counts descent-test failures (penalty increases); for
	// SolveSQP the merit-parameter increases, for SolveAL the Newton steps
	// on the subproblems.
	Retries int
	// FuncEvals counts evaluations of f and c (one count for the pair),
	// GradEvals of ∇f and G, HessEvals of ∇²ₓL.
	FuncEvals, GradEvals, HessEvals int
	// Mu, Nu and Delta are the final μ, ν, δ (SolveSQP: the ℓ1 merit
	// parameter in Mu and the residual factor κ in Delta; SolveAL: the penalty in Mu and the subproblem
	// tolerance τ in Delta).
	Mu, Nu, Delta float64
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
	// Status says why the run stopped; for run.Failure the returned error
	// says what failed.
	Status run.Status
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
// A nil l0 means λ₀ = 0. One iteration is one accepted outer step.
//
// Solve returns an error wrapping [ErrSettings] for a nil problem or invalid
// settings, [ErrDimension] for sizes that disagree (x0 ≠ d entries, l0 ≠ m
// entries, m > d, m < 1), [ErrNotFinite] for a non-finite start; the
// context's error on cancellation (also inside an inner solve); the
// Recorder's error; or, with Status run.Failure, an error wrapping the
// sentinel of what failed. IterationLimit and TimeLimit are reported in the
// Result with a nil error. The Result always holds the last good iterate.
func Solve(ctx context.Context, p EqProblem, x0, l0 []float64, s *Settings) (Result, error) {
	set, err := s.withDefaults()
	if err != nil {
		return Result{}, err
	}
	w, d, m, err := startWork(p, x0, l0)
	if err != nil {
		return Result{}, err
	}
	sv := solver{p: p, s: set, w: w, d: d, m: m, mu: set.Mu0, nu: set.Nu0, delta: set.Delta0}
	return sv.outer(ctx, sv.step, func() {})
}

// maxDim bounds d+m so that the dense (d+m)² KKT matrix stays allocatable.
const maxDim = 1 << 14

// checkStart validates the problem and the start point and returns (d, m).
func checkStart(p EqProblem, x0, l0 []float64) (d, m int, err error) {
	if p == nil {
		return 0, 0, fmt.Errorf("%w: the problem p is nil", ErrSettings)
	}
	d, m = p.Dims()
	switch {
	case d < 1 || m < 1:
		return d, m, fmt.Errorf("%w: need d >= 1 and m >= 1, have d=%d m=%d", ErrDimension, d, m)
	case m > d:
		return d, m, fmt.Errorf("%w: m=%d constraints exceed d=%d variables", ErrDimension, m, d)
	case d+m > maxDim:
		return d, m, fmt.Errorf("%w: d+m=%d exceeds %d (the dense KKT matrix would need %d GB)", ErrDimension, d+m, maxDim, 8*(d+m)*(d+m)>>30)
	case len(x0) != d:
		return d, m, fmt.Errorf("%w: len(x0)=%d, problem has d=%d", ErrDimension, len(x0), d)
	case l0 != nil && len(l0) != m:
		return d, m, fmt.Errorf("%w: len(l0)=%d, problem has m=%d", ErrDimension, len(l0), m)
	}
	if !linalg.AllFinite(x0) {
		return d, m, fmt.Errorf("%w: x0", ErrNotFinite)
	}
	if l0 != nil && !linalg.AllFinite(l0) {
		return d, m, fmt.Errorf("%w: l0", ErrNotFinite)
	}
	return d, m, nil
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
	loop          run.Loop[*Iter]

	// Per-iteration quantities set by prepare and used by direction.
	shift, psi, ups, xiG float64
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

// fillIter copies the current state into sv.it (the Progress part is the
// Loop's).
func (sv *solver) fillIter() *Iter {
	c := &sv.w.cur
	sv.it.X, sv.it.L, sv.it.F, sv.it.KKT = c.x, c.l, c.f, kktNorm(c)
	sv.it.Mu, sv.it.Nu, sv.it.Delta = sv.mu, sv.nu, sv.delta
	return &sv.it
}

// finish fills the Result and records the end of the run.
func (sv *solver) finish(st run.Status, err error) (Result, error) {
	c := &sv.w.cur
	sv.res.Status = st
	sv.res.X = append([]float64(nil), c.x...)
	sv.res.L = append([]float64(nil), c.l...)
	sv.res.F = c.f
	sv.res.KKT = kktNorm(c)
	sv.res.Mu, sv.res.Nu, sv.res.Delta = sv.mu, sv.nu, sv.delta
	sv.res.Elapsed = sv.loop.Elapsed()
	out := sv.loop.End(sv.fillIter(), st, err)
	if err == nil && out != nil && st != run.Failure {
		sv.res.Status = run.RecorderStopped
	}
	return sv.res, out
}

// failure returns the Status and error of a failed run: the error wraps
// sentinel with the detail.
func failure(sentinel error, format string, args ...any) (run.Status, error) {
	return run.Failure, fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)
}

// step does one AdaSketch-Newton iteration (prepare, direction, line
// search) and leaves the accepted point in w.cur. It returns NotTerminated,
// Canceled when ctx (the run's context with its time limit) ended, or the
// Status and error that end the run.
func (sv *solver) step(ctx context.Context) (run.Status, error) {
	if st, err := sv.prepare(); st != run.NotTerminated {
		return st, err
	}
	// prepare and Factor are O((d+m)³) on large systems: check between them.
	if err := ctx.Err(); err != nil {
		return run.Canceled, err
	}
	q, st, err := sv.direction(ctx)
	if st != run.NotTerminated {
		return st, err
	}
	return sv.lineSearch(q)
}

// interrupted maps an inner solve stopped by its context to Canceled (the
// caller's ctx ended) or TimeLimit (the run's own deadline).
func (sv *solver) interrupted(ctx context.Context, err error) (run.Status, error) {
	if st, cerr := sv.loop.Check(ctx); st != run.NotTerminated {
		return st, cerr
	}
	if ctx.Err() == nil && sv.s.TimeLimit > 0 {
		return run.TimeLimit, nil
	}
	return run.Canceled, err
}

// prepare evaluates the Hessian of the Lagrangian, checks LICQ, decides
// the Hessian shift and computes Ψ, Υ and the accuracy δ (steps 1-4).
func (sv *solver) prepare() (run.Status, error) {
	w, s, cur, m := sv.w, &sv.s, &sv.w.cur, sv.m
	if st, err := sv.hessianAndLICQ(s.XiGMin); st != run.NotTerminated {
		return st, err
	}
	// Hessian modification and norms.
	normH, eigLo, eigHi, spectral := sv.hessNorm()
	sv.shift = 0
	if m < sv.d && sv.reducedHessSmall() {
		sv.shift = s.XiB + normH
	}
	sv.it.Shifted = sv.shift != 0
	var normB, normG float64
	if spectral {
		normB = math.Max(math.Abs(eigLo+sv.shift), math.Abs(eigHi+sv.shift))
		normG = math.Sqrt(w.vals[m-1])
	} else {
		normB = frobShifted(w.H, sv.shift)
		normG = mat.Norm(cur.G, 2)
	}
	// Ψ, Υ, δ.
	sv.psi = psiFactor * math.Max(normB*normB, 1) / (math.Min(sv.xiG, 1) * math.Min(s.XiB, 1))
	sv.ups = math.Max(math.Max(normG, normH), 1)
	sv.delta = math.Max(math.Min(sv.delta, sv.deltaTrial(sv.mu, sv.nu)), s.DeltaMin)
	return run.NotTerminated, nil
}

// hessianAndLICQ evaluates ∇²ₓL into w.H and ξ_G = λmin(G Gᵀ) into sv.xiG
// (the eigenvalues of G Gᵀ into w.vals), and fails if H is not finite or
// ξ_G < xiGMin.
func (sv *solver) hessianAndLICQ(xiGMin float64) (run.Status, error) {
	w, cur := sv.w, &sv.w.cur
	sv.p.HessLag(w.H, cur.x, cur.l)
	sv.res.HessEvals++
	if !linalg.AllFinite(w.H.RawSymmetric().Data) {
		return failure(ErrNotFinite, "Hessian of the Lagrangian")
	}
	w.ggt.SymOuterK(1, cur.G)
	if !w.eig.Factorize(w.ggt, false) {
		return failure(ErrSingularJacobian, "eigendecomposition of G Gᵀ failed")
	}
	w.vals = resize(w.vals, sv.m)
	w.eig.Values(w.vals)
	sv.xiG = w.vals[0]
	if !(sv.xiG >= xiGMin) {
		return failure(ErrSingularJacobian, "λmin(G Gᵀ) = %.3g < XiGMin = %g", sv.xiG, xiGMin)
	}
	return run.NotTerminated, nil
}

// deltaTrial is the largest δ the theory allows for penalties (μ, ν).
func (sv *solver) deltaTrial(mu, nu float64) float64 {
	return (0.5 - sv.s.Beta) * nu / ((1 + mu + nu) * sv.ups * sv.ups * sv.psi * sv.psi)
}

// direction builds the KKT system, solves it with the sketcher to the
// adaptive accuracy and adapts μ, ν, δ until the direction w.z is a
// descent direction of the merit function (steps 5-6). It returns the
// directional derivative q.
func (sv *solver) direction(ctx context.Context) (float64, run.Status, error) {
	w, s, cur, d := sv.w, &sv.s, &sv.w.cur, sv.d
	sv.buildK(sv.shift)
	for i := range d {
		w.b[i] = -cur.gl[i]
	}
	for j := range sv.m {
		w.b[d+j] = -cur.c[j]
	}
	normb := linalg.Nrm2(w.b)
	normK := sv.kNorm()
	ops, err := s.Sketcher.Factor(w.K)
	sv.it.RowOps += ops
	sv.res.RowOps += ops
	if err != nil {
		return 0, run.Failure, err
	}
	if err := ctx.Err(); err != nil {
		return 0, run.Canceled, err
	}
	linalg.Zero(w.z)
	linalg.ScaleTo(w.r, -1, w.b)
	theta := 1.0
	if s.Theta != nil {
		theta = s.Theta(sv.res.Iterations, kktNorm(cur))
	}
	sv.meritGradParts()
	for {
		tol := theta * sv.delta * normb / (normK * sv.psi)
		steps, ops, err := s.Sketcher.Solve(ctx, w.z, w.r, w.b, tol, s.MaxInner, s.Rand)
		sv.it.InnerSteps += int64(steps)
		sv.it.RowOps += ops
		sv.res.InnerSteps += int64(steps)
		sv.res.RowOps += ops
		if err != nil {
			if ctx.Err() != nil {
				return 0, run.Canceled, err
			}
			return 0, run.Failure, fmt.Errorf("inner solve: %w", err)
		}
		if steps >= s.MaxInner && linalg.Nrm2(w.r) > tol {
			sv.it.InnerCapHit = true
			sv.res.InnerCapHits++
		}
		q := sv.dirDeriv(w.z)
		if sv.mu > s.MuMax || sv.nu < s.NuMin {
			// The safeguard accepts any descent direction as it is.
			if !(q < 0) {
				st, err := failure(ErrPenaltyBlowUp, "μ=%.3g ν=%.3g, directional derivative %.3g", sv.mu, sv.nu, q)
				return q, st, err
			}
			return q, run.NotTerminated, nil
		}
		if q <= -(sv.nu/2)*normb*normb {
			return q, run.NotTerminated, nil
		}
		sv.mu *= s.Rho * s.Rho
		sv.nu /= s.Rho
		sv.delta = math.Max(math.Min(sv.delta/math.Pow(s.Rho, 4), sv.deltaTrial(sv.mu, sv.nu)), s.DeltaMin)
		sv.it.Retries++
		sv.res.Retries++
	}
}

// lineSearch backtracks from α = 1 on the exact augmented Lagrangian along
// w.z until the Armijo test holds, and accepts the trial point (steps 7-8).
func (sv *solver) lineSearch(q float64) (run.Status, error) {
	w, s, d := sv.w, &sv.s, sv.d
	cur, tr := &w.cur, &w.trial
	la := sv.merit(cur)
	alpha := 1.0
	sawNonFinite := false
	zInf := linalg.MaxAbs(w.z)
	iterScale := math.Max(1, math.Max(linalg.MaxAbs(cur.x), linalg.MaxAbs(cur.l)))
	for k := 0; ; k++ {
		linalg.AxpyTo(tr.x, alpha, w.z[:d], cur.x)
		linalg.AxpyTo(tr.l, alpha, w.z[d:], cur.l)
		// A step below the rounding level of the iterate is a failure.
		stalled := alpha*zInf <= machEps*iterScale
		if !stalled {
			lat := math.Inf(1)
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
			switch {
			case sawNonFinite:
				return failure(ErrNotFinite, "the line search failed with non-finite trial points")
			case sv.it.InnerCapHit:
				return failure(ErrInnerCap, "after %d halvings", k)
			}
			return failure(ErrLineSearch, "after %d halvings, directional derivative %.3g", k, q)
		}
		alpha /= 2
	}
	w.cur, w.trial = w.trial, w.cur
	sv.it.Alpha = alpha
	return run.NotTerminated, nil
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

// startWork checks the start (x0, l0) against p and returns the work space
// of a run positioned there (a nil l0 means λ₀ = 0), with d and m.
func startWork(p EqProblem, x0, l0 []float64) (*work, int, int, error) {
	d, m, err := checkStart(p, x0, l0)
	if err != nil {
		return nil, 0, 0, err
	}
	w := newWork(d, m)
	copy(w.cur.x, x0)
	if l0 != nil {
		copy(w.cur.l, l0)
	}
	return w, d, m, nil
}
