package bilevel

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

const (
	// MinSigma is the smallest accepted penalty weight σ: below it the
	// difference ∇_x g(x,y) − ∇_x g(x,z), divided by σ, loses most of its digits
	// to cancellation (spec pitfall "Cancellation").
	MinSigma = 1e-6

	defaultSigma       = 1e-2
	defaultInner       = 10
	defaultOuter       = 1000
	defaultAlphaDouble = 0.2 // spec prototype value [eng]
	defaultAlphaC      = 2   // single loop α = c·σ·β·L_g [eng]
	defaultMomentum    = 0.1
	defaultDecay       = 100
	defaultTol         = 1e-9
	defaultSeed        = 1
)

// PenaltySettings configures [Penalty]. The zero value gives the spec's
// defaults; a nil *PenaltySettings means the zero value.
//
// Symbols of Kwon et al.: σ = Sigma, α = Alpha, β = Beta, T = Inner, K = MaxIter,
// M = Batch, a = Momentum.
type PenaltySettings struct {
	// Sigma is the penalty weight σ > 0 of h_σ = σf + g. Zero means 1e-2.
	// Values below MinSigma are rejected.
	Sigma float64
	// Alpha is the outer step α. Zero means 0.2 for the double loop and
	// 2σβL_g for the single loop (L_g from LipLower or [Lipschitz]).
	Alpha float64
	// Beta is the inner step β. Zero means 1/(σL_f + L_g) with the Lipschitz
	// constants from LipUpper/LipLower or from the problem's [Lipschitz]
	// method; without either Solve returns an error wrapping [ErrSettings].
	Beta float64
	// LipUpper and LipLower override the Lipschitz constants L_f and L_g of
	// ∇_y f and ∇_y g. Zero means "ask the problem".
	LipUpper, LipLower float64
	// Inner is the number T of inner y- and z-steps per outer step. Zero
	// means 10. It is forced to 1 when SingleLoop is set.
	Inner int
	// MaxIter is the maximum number K of outer iterations (one iteration is
	// T inner steps on y and z followed by one step on x). Zero means 1000.
	MaxIter int
	// Batch is the minibatch size M of stochastic runs. Zero means 1.
	Batch int
	// SingleLoop selects Algorithm B: one y-step and one z-step per x-step,
	// and, in stochastic runs, STORM momentum estimators for all three
	// gradient streams.
	SingleLoop bool
	// Momentum is the STORM weight a ∈ (0, 1] of the stochastic single loop.
	// Zero means 0.1.
	Momentum float64
	// Decay sets the stochastic step schedule α_k = α/√(1 + k/Decay). Zero
	// means 100; a negative value keeps α constant. Deterministic runs
	// always use a constant α.
	Decay float64
	// Tol stops the run (Status [run.Converged]) when the stationarity
	// residual of every block of the penalty Lagrangian
	// f(x,y) + (g(x,y) − g(x,z))/σ is at most Tol: the gradient mappings of
	// x, y and z (Iter.ResX, ResY, ResZ). Zero means 1e-9; a negative value
	// turns the test off, so that the run makes exactly MaxIter iterations.
	Tol float64
	// TimeLimit stops the run (Status [run.TimeLimit]) after this wall time.
	// Zero means none; negative is an error.
	TimeLimit time.Duration
	// ProjX and ProjY project onto X and Y. Nil means the whole space.
	ProjX, ProjY Projector
	// Stochastic makes the run stochastic: the problem must implement
	// [Stochastic] and all gradients are drawn through its samples, with
	// the random source Rand.
	Stochastic bool
	// Rand is the random source of stochastic runs. Nil means
	// rand.New(rand.NewPCG(1, 0)). A non-nil Rand also makes the run
	// stochastic, as Stochastic does.
	Rand *rand.Rand
	// Recorder, if non-nil, receives progress reports.
	Recorder Recorder
	// RecordEvery is the number of outer iterations between reports. Zero
	// means 1.
	RecordEvery int
}

// PenaltyResult is the outcome of [Penalty.Solve].
type PenaltyResult struct {
	// X is the last upper-level iterate; Y and Z the lower-level trackers of
	// T(x, σ) and T(x, 0) at X.
	X, Y, Z []float64
	// F is the upper objective f(X, Y), NaN if the problem is not an
	// [UpperValuer].
	F float64
	// GradNorm is ‖G‖ at the last outer iteration.
	GradNorm float64
	// ResX, ResY and ResZ are the block stationarity residuals of the last
	// outer iteration (see [Iter]); Stationarity is their maximum, the
	// quantity compared with Tol.
	ResX, ResY, ResZ, Stationarity float64
	// Iterations is the number of outer iterations, InnerSteps the total
	// number of inner (y, z) steps.
	Iterations, InnerSteps int
	// UpperGrads and LowerGrads count oracle calls (one per sample).
	UpperGrads, LowerGrads int
	// Status says why the run stopped.
	Status run.Status
}

// Penalty is the penalty method of Kwon et al. for bilevel problems whose
// lower level may be nonconvex but satisfies a proximal error bound. It
// minimises the surrogate
//
//	ψσ(x) = min_y [f(x,y) + (g(x,y) − g*(x))/σ],
//	∇ψσ(x) = ∇ₓf(x,yσ) + (∇ₓg(x,yσ) − ∇ₓg(x,y₀))/σ,
//
// where yσ minimises h_σ = σf + g and y₀ minimises g, both over Y. The two
// minimisers are tracked by projected gradient steps on y and z, warm
// started across outer iterations:
//
//	repeat T times: y ← Proj_Y(y − β(σ∇_y f + ∇_y g)(x,y)),  z ← Proj_Y(z − β∇_y g(x,z))
//	G = ∇ₓf(x,y) + (∇ₓg(x,y) − ∇ₓg(x,z))/σ,  x ← Proj_X(x − α_k G)
//
// (Algorithm A; Algorithm B is T = 1). Stochastic runs average M samples,
// reuse one sample ξ in both ∇ₓg terms, decay α_k = α/√(1+k/100) and, in the
// single loop, replace each estimate by the STORM recursion
// d_k = ∇φ(p_k;ξ_k) + (1 − a)(d_{k−1} − ∇φ(p_{k−1};ξ_k)).
//
// The bias of ψσ is O(σ/μ) in value and O(σ/μ³) in gradient, where μ is the
// error-bound modulus; without the error bound the y- and z-iterations may
// stop at spurious stationary points and no guarantee holds.
//
// The zero value is ready to use. A Penalty keeps work buffers between
// calls (so repeated Solve calls do not allocate per iteration) and is not
// safe for concurrent use.
type Penalty struct {
	buf []float64
	smp [3]Sample
}

type penaltyRun struct {
	p      Problem
	s      PenaltySettings
	nx, ny int
	sigma  float64
	beta   float64
	alpha  float64
	stoch  bool
	rng    *rand.Rand
	projX  Projector
	projY  Projector
	res    PenaltyResult
	it     Iter
	loop   run.Loop[*Iter]

	x, y, z, dy, dz, g, xt []float64
	xp, yp, zp, yOld, zOld []float64 // previous points (STORM)
	tx, tx2, ty            []float64
	yPrev, zPrev           []float64 // iterates before the last inner step
	smp                    [3]Sample
}

func (m *Penalty) alloc(n int) []float64 {
	if cap(m.buf) < n {
		m.buf = make([]float64, n)
	}
	m.buf = m.buf[:n]
	clear(m.buf)
	return m.buf
}

// Solve runs the penalty method from (x0, y0, z0); z0 nil means z0 = y0. The
// inputs are not modified. It returns an error wrapping [ErrDimension] if the
// vectors do not match p.Dims(), [ErrSettings] for invalid settings (σ ≤ 0 or
// σ < MinSigma, negative steps, no way to choose β), [ErrNotFinite] if an
// input or an oracle's output is not finite (the result then holds the last
// finite iterate, Status [run.Failure]), the projector's error, the
// recorder's error wrapped (Status [run.RecorderStopped]), or ctx.Err()
// (Status [run.Canceled], last iterate). Status [run.Converged] means that
// every block's stationarity residual fell to Tol; [run.IterationLimit] and
// [run.TimeLimit] are reported in the result with a nil error.
func (m *Penalty) Solve(ctx context.Context, p Problem, x0, y0, z0 []float64, settings *PenaltySettings) (PenaltyResult, error) {
	r, err := m.setup(p, x0, y0, z0, settings)
	if err != nil {
		return PenaltyResult{Status: run.Failure}, err
	}
	err = r.run(ctx)
	return r.result(), err
}

func (m *Penalty) setup(p Problem, x0, y0, z0 []float64, settings *PenaltySettings) (*penaltyRun, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil problem", ErrSettings)
	}
	var s PenaltySettings
	if settings != nil {
		s = *settings
	}
	nx, ny := p.Dims()
	if nx <= 0 || ny <= 0 || nx > MaxDim || ny > MaxDim {
		return nil, fmt.Errorf("%w: problem dimensions (%d, %d) outside [1, MaxDim = %d]", ErrDimension, nx, ny, MaxDim)
	}
	if z0 == nil {
		z0 = y0
	}
	if len(x0) != nx || len(y0) != ny || len(z0) != ny {
		return nil, fmt.Errorf("%w: problem has (nx, ny) = (%d, %d), got len(x0)=%d len(y0)=%d len(z0)=%d",
			ErrDimension, nx, ny, len(x0), len(y0), len(z0))
	}
	if !linalg.AllFinite(x0) || !linalg.AllFinite(y0) || !linalg.AllFinite(z0) {
		return nil, fmt.Errorf("%w: starting point", ErrNotFinite)
	}
	r := &penaltyRun{p: p, nx: nx, ny: ny}
	s.Sigma = cmp.Or(s.Sigma, defaultSigma)
	if err := checkSigma(s.Sigma); err != nil {
		return nil, err
	}
	if err := firstErr(
		nonNeg("Alpha", s.Alpha), nonNeg("Beta", s.Beta), nonNeg("LipUpper", s.LipUpper), nonNeg("LipLower", s.LipLower),
		nonNeg("Momentum", s.Momentum), finite("Decay", s.Decay), finite("Tol", s.Tol),
		nonNegInt("Inner", s.Inner), nonNegInt("MaxIter", s.MaxIter), nonNegInt("Batch", s.Batch), nonNegInt("RecordEvery", s.RecordEvery),
		run.CheckTimeLimit(s.TimeLimit),
	); err != nil {
		return nil, err
	}
	if s.Momentum > 1 {
		return nil, fmt.Errorf("%w: Momentum = %g must be in (0, 1]", ErrSettings, s.Momentum)
	}
	lf, lg := s.LipUpper, s.LipLower
	if lp, ok := p.(Lipschitz); ok {
		pf, pg := lp.Lipschitz()
		lf = cmp.Or(lf, pf)
		lg = cmp.Or(lg, pg)
	}
	if s.Beta == 0 {
		if !(s.Sigma*lf+lg > 0) {
			return nil, fmt.Errorf("%w: Beta is zero and no Lipschitz constants are known", ErrSettings)
		}
		s.Beta = 1 / (s.Sigma*lf + lg)
	}
	if s.SingleLoop {
		s.Inner = 1
	} else if s.Inner == 0 {
		s.Inner = defaultInner
	}
	if s.Alpha == 0 {
		if s.SingleLoop {
			if !(lg > 0) {
				return nil, fmt.Errorf("%w: single loop needs Alpha or the Lipschitz constant L_g", ErrSettings)
			}
			s.Alpha = defaultAlphaC * s.Sigma * s.Beta * lg
		} else {
			s.Alpha = defaultAlphaDouble
		}
	}
	s.MaxIter = cmp.Or(s.MaxIter, defaultOuter)
	s.Batch = cmp.Or(s.Batch, 1)
	s.Momentum = cmp.Or(s.Momentum, defaultMomentum)
	s.Decay = cmp.Or(s.Decay, defaultDecay)
	s.Tol = cmp.Or(s.Tol, defaultTol)
	s.RecordEvery = cmp.Or(s.RecordEvery, 1)
	r.projX, r.projY = s.ProjX, s.ProjY
	if r.projX == nil {
		r.projX = Identity{}
	}
	if r.projY == nil {
		r.projY = Identity{}
	}
	if s.Stochastic || s.Rand != nil {
		sp, ok := p.(Stochastic)
		if !ok {
			return nil, fmt.Errorf("%w: Stochastic or Rand is set but the problem does not implement Stochastic", ErrSettings)
		}
		if s.Rand == nil {
			s.Rand = rand.New(rand.NewPCG(defaultSeed, 0))
		}
		r.stoch, r.rng = true, s.Rand
		for i := range m.smp {
			if m.smp[i] == nil {
				m.smp[i] = sp.NewSample()
			}
		}
		r.smp = m.smp
	}
	r.s, r.sigma, r.beta, r.alpha = s, s.Sigma, s.Beta, s.Alpha

	buf := m.alloc(6*nx + 11*ny)
	take := func(n int) []float64 { v := buf[:n:n]; buf = buf[n:]; return v }
	r.x, r.g, r.xt, r.xp, r.tx, r.tx2 = take(nx), take(nx), take(nx), take(nx), take(nx), take(nx)
	r.y, r.z, r.dy, r.dz, r.yp, r.zp, r.yOld, r.zOld, r.ty = take(ny), take(ny), take(ny), take(ny), take(ny), take(ny), take(ny), take(ny), take(ny)
	r.yPrev, r.zPrev = take(ny), take(ny)
	copy(r.x, x0)
	copy(r.y, y0)
	copy(r.z, z0)
	for _, pr := range []struct {
		proj Projector
		v    []float64
		name string
	}{{r.projX, r.x, "x0"}, {r.projY, r.y, "y0"}, {r.projY, r.z, "z0"}} {
		if err := pr.proj.Project(pr.v); err != nil {
			return nil, fmt.Errorf("bilevel: projecting %s: %w", pr.name, err)
		}
	}
	r.res.F = math.NaN()
	r.res.GradNorm, r.res.Stationarity = math.NaN(), math.NaN()
	r.res.ResX, r.res.ResY, r.res.ResZ = math.NaN(), math.NaN(), math.NaN()
	r.it = Iter{Method: "penalty", Ck: math.NaN(), Violation: math.NaN(), Stationarity: math.NaN(),
		ResX: math.NaN(), ResY: math.NaN(), ResZ: math.NaN(), GradNorm: math.NaN()}
	r.loop = run.Loop[*Iter]{Recorder: everyNth(s.Recorder, s.RecordEvery), MaxIter: s.MaxIter, TimeLimit: s.TimeLimit}
	return r, nil
}

// checkSigma returns an error naming the field unless σ is finite and at
// least MinSigma.
func checkSigma(sigma float64) error {
	if !(sigma > 0) || math.IsInf(sigma, 0) {
		return fmt.Errorf("%w: Sigma = %g must be positive and finite", ErrSettings, sigma)
	}
	if sigma < MinSigma {
		return fmt.Errorf("%w: Sigma = %g < MinSigma = %g (cancellation in (∇ₓg(y) − ∇ₓg(z))/σ)", ErrSettings, sigma, MinSigma)
	}
	return nil
}

// oracle is what Problem and Sample have in common.
type oracle interface {
	UpperGrad(gx, gy, x, y []float64)
	LowerGrad(gx, gy, x, y []float64)
}

// addHY computes dst += w·(σ∇_y f + ∇_y g)(x, y).
func (r *penaltyRun) addHY(dst []float64, w float64, o oracle, x, y []float64) {
	o.UpperGrad(r.tx, r.ty, x, y)
	linalg.Axpy(w*r.sigma, r.ty, dst)
	o.LowerGrad(r.tx, r.ty, x, y)
	linalg.Axpy(w, r.ty, dst)
	r.res.UpperGrads++
	r.res.LowerGrads++
}

// addGZ computes dst += w·∇_y g(x, z).
func (r *penaltyRun) addGZ(dst []float64, w float64, o oracle, x, z []float64) {
	o.LowerGrad(r.tx, r.ty, x, z)
	linalg.Axpy(w, r.ty, dst)
	r.res.LowerGrads++
}

// addG computes dst += w·(∇ₓf(x,y) + (∇ₓg(x,y) − ∇ₓg(x,z))/σ), both ∇ₓg with o.
func (r *penaltyRun) addG(dst []float64, w float64, o oracle, x, y, z []float64) {
	o.LowerGrad(r.tx, r.ty, x, y)
	o.LowerGrad(r.tx2, r.ty, x, z)
	c := w / r.sigma
	for i, a := range r.tx {
		dst[i] += c * (a - r.tx2[i])
	}
	o.UpperGrad(r.tx, r.ty, x, y)
	linalg.Axpy(w, r.tx, dst)
	r.res.UpperGrads++
	r.res.LowerGrads += 2
}

// estimate sets dst to the (minibatch) estimate of one gradient stream, or,
// with storm, to the STORM update of dst using points (x, y, z) and the old
// points (xo, yo, zo).
func (r *penaltyRun) estimate(stream int, dst []float64, x, y, z []float64, storm bool, xo, yo, zo []float64) {
	add := func(dst []float64, w float64, o oracle, x, y, z []float64) {
		switch stream {
		case 0:
			r.addHY(dst, w, o, x, y)
		case 1:
			r.addGZ(dst, w, o, x, z)
		default:
			r.addG(dst, w, o, x, y, z)
		}
	}
	if !r.stoch {
		linalg.Zero(dst)
		add(dst, 1, r.p, x, y, z)
		return
	}
	a := r.s.Momentum
	if storm {
		linalg.Scal(1-a, dst)
	} else {
		linalg.Zero(dst)
	}
	smp := r.smp[stream]
	w := 1 / float64(r.s.Batch)
	for range r.s.Batch {
		smp.Draw(r.rng)
		add(dst, w, smp, x, y, z)
		if storm {
			add(dst, -(1-a)*w, smp, xo, yo, zo)
		}
	}
}

func (r *penaltyRun) nonFinite(what string, k int) error {
	return fmt.Errorf("%w: %s at outer iteration %d", ErrNotFinite, what, k)
}

// run is the outer loop; the run's bookkeeping (recorder, ctx, limits) is
// r.loop's.
func (r *penaltyRun) run(ctx context.Context) error {
	r.fillIter()
	if err := r.loop.Start(&r.it); err != nil {
		return r.end(run.RecorderStopped, err)
	}
	for k := 0; ; k++ {
		converged, err := r.step(ctx, k)
		if err != nil {
			if st, cerr := r.loop.Check(ctx); st == run.Canceled {
				return r.end(st, cerr)
			}
			return r.end(run.Failure, err)
		}
		r.res.Iterations = k + 1
		if r.due(k + 1) {
			r.fillIter()
		}
		if st, err := r.loop.Next(ctx, &r.it, converged); st != run.NotTerminated {
			return r.end(st, err)
		}
	}
}

// step makes outer iteration k: T inner steps on y and z, then, unless
// every block residual is at most Tol, one step on x.
func (r *penaltyRun) step(ctx context.Context, k int) (converged bool, err error) {
	s := &r.s
	storm := r.stoch && s.SingleLoop
	alpha := r.alpha
	if r.stoch && s.Decay > 0 {
		alpha = r.alpha / math.Sqrt(1+float64(k)/s.Decay)
	}
	r.it.Step = alpha
	useStorm := storm && k > 0
	if storm {
		copy(r.yOld, r.y)
		copy(r.zOld, r.z)
	}
	for i := range s.Inner {
		r.estimate(0, r.dy, r.x, r.y, nil, useStorm, r.xp, r.yp, nil)
		r.estimate(1, r.dz, r.x, nil, r.z, useStorm, r.xp, nil, r.zp)
		if !linalg.AllFinite(r.dy) || !linalg.AllFinite(r.dz) {
			return false, r.nonFinite("inner gradient", k)
		}
		if storm {
			copy(r.yp, r.y)
			copy(r.zp, r.z)
		}
		last := i == s.Inner-1
		if last {
			copy(r.yPrev, r.y)
			copy(r.zPrev, r.z)
		}
		linalg.Axpy(-r.beta, r.dy, r.y)
		if err := r.projY.Project(r.y); err != nil {
			return false, fmt.Errorf("bilevel: projecting y: %w", err)
		}
		linalg.Axpy(-r.beta, r.dz, r.z)
		if err := r.projY.Project(r.z); err != nil {
			return false, fmt.Errorf("bilevel: projecting z: %w", err)
		}
		r.res.InnerSteps++
		if i%64 == 63 && ctx.Err() != nil {
			return false, ctx.Err()
		}
	}
	r.res.ResY = math.Sqrt(linalg.DistSq(r.y, r.yPrev)) / (r.beta * r.sigma)
	r.res.ResZ = math.Sqrt(linalg.DistSq(r.z, r.zPrev)) / (r.beta * r.sigma)
	r.estimate(2, r.g, r.x, r.y, r.z, useStorm, r.xp, r.yOld, r.zOld)
	if !linalg.AllFinite(r.g) {
		return false, r.nonFinite("outer gradient G", k)
	}
	linalg.AxpyTo(r.xt, -alpha, r.g, r.x)
	if err := r.projX.Project(r.xt); err != nil {
		return false, fmt.Errorf("bilevel: projecting x: %w", err)
	}
	r.res.GradNorm = linalg.Nrm2(r.g)
	r.res.ResX = math.Sqrt(linalg.DistSq(r.x, r.xt)) / alpha
	r.res.Stationarity = max(r.res.ResX, r.res.ResY, r.res.ResZ)
	if s.Tol > 0 && r.res.Stationarity <= s.Tol {
		return true, nil
	}
	if storm {
		copy(r.xp, r.x)
	}
	copy(r.x, r.xt)
	return false, nil
}

// due says whether the state after iteration k is reported.
func (r *penaltyRun) due(k int) bool {
	return r.s.Recorder != nil && k%r.s.RecordEvery == 0
}

// end finishes the run with status st: the final objective, the last
// report and the error to return.
func (r *penaltyRun) end(st run.Status, err error) error {
	r.res.Status = st
	if uv, ok := r.p.(UpperValuer); ok {
		r.res.F = uv.UpperValue(r.x, r.y)
	}
	if r.s.Recorder != nil {
		r.fillIter()
	}
	return r.loop.End(&r.it, st, err)
}

// fillIter copies the current state into r.it for the Recorder.
func (r *penaltyRun) fillIter() {
	if r.s.Recorder == nil {
		return
	}
	it := &r.it
	it.X, it.Y, it.Z, it.DX = r.x, r.y, r.z, r.g
	it.GradNorm, it.Stationarity = r.res.GradNorm, r.res.Stationarity
	it.ResX, it.ResY, it.ResZ = r.res.ResX, r.res.ResY, r.res.ResZ
	if r.res.Iterations == 0 {
		it.DX = nil
		it.GradNorm, it.Stationarity, it.ResX, it.ResY, it.ResZ = math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
	}
	it.YZDist = math.Sqrt(linalg.DistSq(r.y, r.z))
	it.LowerGap = math.NaN()
	if lv, ok := r.p.(LowerValuer); ok {
		it.LowerGap = lv.LowerValue(r.x, r.y) - lv.LowerValue(r.x, r.z)
	}
}

func (r *penaltyRun) result() PenaltyResult {
	res := r.res
	res.X = append([]float64(nil), r.x...)
	res.Y = append([]float64(nil), r.y...)
	res.Z = append([]float64(nil), r.z...)
	return res
}
