package bilevel

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"time"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// LVHBASettings configures [LVHBA]. The zero value gives the parameter set
// tested on problem R1 of the specification (α = 0.004, β = 0.02,
// η = 0.003, γ₁ = γ₂ = 10, c̲ = 0.1, p = 0.45, r = 1000);
// [OfficialLVHBASettings] returns the official toy parameters. A nil
// *LVHBASettings means the zero value.
//
// Symbols of Yao et al.: α = Alpha, β = Beta, η = Eta, γ₁ = Gamma1,
// γ₂ = Gamma2, c_k = CLow·(k+1)^P, r = R.
type LVHBASettings struct {
	// Alpha is the step α of the joint (x, y) update. Zero means 0.004.
	Alpha float64
	// Beta is the step β of the z update. Zero means 0.02.
	Beta float64
	// Eta is the step η of the (θ, λ) descent–ascent step. Zero means 0.003.
	// Keep η ≳ 0.75α and η(a² + ω²) < 2a with a = min(1/γ₁, 1/γ₂) and
	// ω ≈ ‖∇_θ g‖ (spec pitfalls), or θ, λ fail to keep up.
	Eta float64
	// Gamma1 and Gamma2 are the proximal parameters γ₁, γ₂ (divisors). Zero
	// means 10.
	Gamma1, Gamma2 float64
	// CLow and P define the penalty schedule c_k = CLow·(k+1)^P. Zero means
	// 0.1 and 0.45. The theory needs P ∈ (0, ½); P must lie in (0, 1).
	CLow, P float64
	// R bounds z (and λ with FreeSign): z ∈ [0, R]ᵖ. Zero means 1000.
	R float64
	// MaxIter is the number of iterations (one iteration is one (θ, λ)
	// step followed by one (x, y, z) step). Zero means 1500. LV-HBA has no
	// stopping test of its own: a run that makes all MaxIter iterations
	// ends with Status [run.Completed].
	MaxIter int
	// TimeLimit stops the run (Status [run.TimeLimit]) after this wall time.
	// Zero means none; negative is an error.
	TimeLimit time.Duration
	// FreeSign makes the multipliers free-signed (equality constraints
	// g(x, y) = 0): λ and z are clipped to [−R, R] instead of λ ≥ 0, z ∈ [0, R].
	// ProjC must then project onto {g = 0} (as the official LLC toy projects
	// onto a hyperplane); without it the iterates diverge.
	FreeSign bool
	// Theta0, Lambda0 and Z0 are the initial θ, λ and z. Nil means θ⁰ = y⁰
	// (after the projection of (x⁰, y⁰) onto C), λ⁰ = 𝟙 and z⁰ = λ⁰.
	Theta0, Lambda0, Z0 []float64
	// ProjC projects the concatenation (x, y) (length nx + ny) onto
	// C = {(x, y) ∈ X×Y : g(x, y) ≤ 0}, or onto a superset the user accepts.
	// Nil means the whole space.
	ProjC Projector
	// ProjY projects θ onto Y. Nil means the whole space.
	ProjY Projector
	// Recorder, if non-nil, receives progress reports.
	Recorder Recorder
	// RecordEvery is the number of iterations between reports. Zero means 1.
	RecordEvery int
}

// OfficialLVHBASettings returns the parameters of the official toy code
// (SUSTech-Optimization/LV-HBA): α = 0.008, β = 0.02, η = 0.01,
// γ₁ = γ₂ = 10, c_k = 0.025(k+1)^0.3, r = 1000, 1500 iterations. On R1 they
// oscillate (spec caveat); the zero [LVHBASettings] is the tested set.
func OfficialLVHBASettings() LVHBASettings {
	return LVHBASettings{Alpha: 0.008, Beta: 0.02, Eta: 0.01, Gamma1: 10, Gamma2: 10,
		CLow: 0.025, P: 0.3, R: 1000, MaxIter: 1500}
}

// LVHBAResult is the outcome of [LVHBA.Solve].
type LVHBAResult struct {
	// X and Y are the last iterate; Theta, Lambda and Z the proximal
	// Lagrangian iterates θ, λ and z.
	X, Y, Theta, Lambda, Z []float64
	// F is the upper objective F(X, Y), NaN without [UpperValuer].
	F float64
	// Ck is the last penalty parameter c_k.
	Ck float64
	// Violation is max_i g_i(X, Y)₊.
	Violation float64
	// DX and DY are the directions d_x and d_y of the last iteration.
	DX, DY []float64
	// Iterations is the number of completed iterations.
	Iterations int
	// Status says why the run stopped: [run.Completed] after MaxIter
	// iterations.
	Status run.Status
}

// LVHBA is the Hessian-free single-loop algorithm of Yao et al. for bilevel
// problems with lower-level constraints g(x, y) ≤ 0 that may couple x and y.
// It replaces the lower level by the proximal Lagrangian value function
//
//	v_γ(x,y,z) = min_{θ∈Y} max_{λ≥0} f(x,θ) + λᵀg(x,θ) + ‖θ − y‖²/(2γ₁) − ‖λ − z‖²/(2γ₂)
//
// and decreases φ_k = F/c_k + f − v_γ over (x, y) ∈ C, z ∈ [0, r]ᵖ, with
// c_k = c̲(k+1)^p, tracking the saddle point (θ, λ) by one projected
// gradient descent–ascent step per iteration:
//
//	θ⁺ = Proj_Y(θ − η(∇_y f(x,θ) + Σλᵢ∇_y gᵢ(x,θ) + (θ − y)/γ₁))
//	λ⁺ = max(0, λ − η(−g(x,θ) + (λ − z)/γ₂))
//	d_x = ∇ₓF(x,y)/c_k + ∇ₓf(x,y) − ∇ₓf(x,θ⁺) − Σλ⁺ᵢ∇ₓgᵢ(x,θ⁺)
//	d_y = ∇_y F(x,y)/c_k + ∇_y f(x,y) − (y − θ⁺)/γ₁
//	(x, y)⁺ = Proj_C((x, y) − α(d_x, d_y)),  z⁺ = clip(z − β(z − λ⁺)/γ₂, 0, r)
//
// exactly as in the official code, with F/c_k and γ as divisor. The
// penalty bias decreases like 1/c_k.
//
// The zero value is ready to use; an LVHBA keeps work buffers between calls
// and is not safe for concurrent use.
type LVHBA struct {
	buf []float64
}

// Solve runs LV-HBA from (x0, y0). The problem's UpperGrad is ∇F and its
// LowerGrad ∇f. It returns an error wrapping [ErrDimension] for vectors that
// do not match p.Dims() or p.NumConstraints(), [ErrSettings] for invalid
// settings (the message names the field), [ErrNotFinite] for non-finite
// inputs or oracle outputs (the result then holds the last finite iterate,
// Status [run.Failure]), a projector's error, the recorder's error wrapped
// (Status [run.RecorderStopped]), or ctx.Err() (Status [run.Canceled]).
// [LVHBAOracle] evaluates v_γ, its saddle point and (d_x, d_y) at a given
// point, to check a result against.
func (m *LVHBA) Solve(ctx context.Context, p ConstrainedProblem, x0, y0 []float64, settings *LVHBASettings) (LVHBAResult, error) {
	r, err := m.setup(p, x0, y0, settings)
	if err != nil {
		return LVHBAResult{Status: run.Failure}, err
	}
	err = r.run(ctx)
	return r.result(), err
}

// lvhbaDefaults fills the zero fields of s with the documented defaults and
// checks every field.
func lvhbaDefaults(s *LVHBASettings) error {
	if err := firstErr(
		nonNeg("Alpha", s.Alpha), nonNeg("Beta", s.Beta), nonNeg("Eta", s.Eta), nonNeg("Gamma1", s.Gamma1),
		nonNeg("Gamma2", s.Gamma2), nonNeg("CLow", s.CLow), nonNeg("P", s.P), nonNeg("R", s.R),
		nonNegInt("MaxIter", s.MaxIter), nonNegInt("RecordEvery", s.RecordEvery), run.CheckTimeLimit(s.TimeLimit),
	); err != nil {
		return err
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&s.Alpha, 0.004)
	def(&s.Beta, 0.02)
	def(&s.Eta, 0.003)
	def(&s.Gamma1, 10)
	def(&s.Gamma2, 10)
	def(&s.CLow, 0.1)
	def(&s.P, 0.45)
	def(&s.R, 1000)
	s.MaxIter = cmp.Or(s.MaxIter, 1500)
	s.RecordEvery = cmp.Or(s.RecordEvery, 1)
	if !(s.P < 1) {
		return fmt.Errorf("%w: P = %g must be in (0, 1)", ErrSettings, s.P)
	}
	return nil
}

func (m *LVHBA) setup(p ConstrainedProblem, x0, y0 []float64, settings *LVHBASettings) (*lvhbaRun, error) {
	if p == nil {
		return nil, fmt.Errorf("%w: nil problem", ErrSettings)
	}
	var s LVHBASettings
	if settings != nil {
		s = *settings
	}
	if err := lvhbaDefaults(&s); err != nil {
		return nil, err
	}
	nx, ny := p.Dims()
	np := p.NumConstraints()
	if nx <= 0 || ny <= 0 || np < 0 || nx > MaxDim || ny > MaxDim || np > MaxDim {
		return nil, fmt.Errorf("%w: problem dimensions (%d, %d, %d) outside [1, MaxDim = %d] (constraints from 0)", ErrDimension, nx, ny, np, MaxDim)
	}
	if len(x0) != nx || len(y0) != ny {
		return nil, fmt.Errorf("%w: problem has (nx, ny) = (%d, %d), got len(x0)=%d len(y0)=%d", ErrDimension, nx, ny, len(x0), len(y0))
	}
	if (s.Theta0 != nil && len(s.Theta0) != ny) || (s.Lambda0 != nil && len(s.Lambda0) != np) || (s.Z0 != nil && len(s.Z0) != np) {
		return nil, fmt.Errorf("%w: Theta0, Lambda0 or Z0 length (want %d, %d, %d)", ErrDimension, ny, np, np)
	}
	for _, v := range [][]float64{x0, y0, s.Theta0, s.Lambda0, s.Z0} {
		if !linalg.AllFinite(v) {
			return nil, fmt.Errorf("%w: starting point", ErrNotFinite)
		}
	}
	n := nx + ny
	need := 3*n + 2*ny + 4*np
	if cap(m.buf) < need {
		m.buf = make([]float64, need)
	}
	buf := m.buf[:need]
	clear(buf)
	take := func(k int) []float64 { v := buf[:k:k]; buf = buf[k:]; return v }
	r := &lvhbaRun{p: p, s: s, nx: nx, ny: ny, np: np}
	r.v, r.d, r.t = take(n), take(n), take(n)
	r.theta, r.dth = take(ny), take(ny)
	r.lam, r.z, r.gv, r.dlam = take(np), take(np), take(np), take(np)
	copy(r.v, x0)
	copy(r.v[nx:], y0)
	if s.Lambda0 != nil {
		copy(r.lam, s.Lambda0)
	} else {
		for i := range r.lam {
			r.lam[i] = 1
		}
	}
	if s.Z0 != nil {
		copy(r.z, s.Z0)
	} else {
		copy(r.z, r.lam)
	}
	r.lo = 0
	if s.FreeSign {
		r.lo = -s.R
	}
	for i := range r.lam {
		if !s.FreeSign {
			r.lam[i] = math.Max(r.lam[i], 0)
		}
		r.z[i] = math.Min(math.Max(r.z[i], r.lo), s.R)
	}
	r.projC, r.projY = s.ProjC, s.ProjY
	if r.projC == nil {
		r.projC = Identity{}
	}
	if r.projY == nil {
		r.projY = Identity{}
	}
	if err := r.projC.Project(r.v); err != nil {
		return nil, fmt.Errorf("bilevel: projecting (x0, y0): %w", err)
	}
	if s.Theta0 != nil {
		copy(r.theta, s.Theta0)
	} else {
		copy(r.theta, r.v[nx:])
	}
	if err := r.projY.Project(r.theta); err != nil {
		return nil, fmt.Errorf("bilevel: projecting θ0: %w", err)
	}
	r.ck = s.CLow
	r.gnorm = math.NaN()
	r.it = Iter{Method: "lvhba", YZDist: math.NaN(), Stationarity: math.NaN(), ResX: math.NaN(), ResY: math.NaN(), ResZ: math.NaN()}
	r.loop = run.Loop[*Iter]{Recorder: everyNth(s.Recorder, s.RecordEvery), MaxIter: s.MaxIter, TimeLimit: s.TimeLimit}
	return r, nil
}

type lvhbaRun struct {
	p            ConstrainedProblem
	s            LVHBASettings
	nx, ny, np   int
	projC, projY Projector
	lo           float64
	ck           float64
	res          LVHBAResult
	it           Iter
	loop         run.Loop[*Iter]
	gnorm        float64

	v, d, t    []float64 // (x, y), (d_x, d_y), scratch of length nx+ny
	theta, dth []float64
	lam, z, gv []float64
	dlam       []float64
}

// run is the iteration loop; the bookkeeping (recorder, ctx, limits) is
// r.loop's.
func (r *lvhbaRun) run(ctx context.Context) error {
	r.fillIter()
	if err := r.loop.Start(&r.it); err != nil {
		return r.end(run.RecorderStopped, err)
	}
	for k := 0; ; k++ {
		if err := r.step(k); err != nil {
			return r.end(run.Failure, err)
		}
		r.res.Iterations = k + 1
		if r.s.Recorder != nil && (k+1)%r.s.RecordEvery == 0 {
			r.fillIter()
		}
		st, err := r.loop.Next(ctx, &r.it, false)
		if st == run.IterationLimit {
			st = run.Completed // LV-HBA has no stopping test: the budget is the run
		}
		if st != run.NotTerminated {
			return r.end(st, err)
		}
	}
}

// step makes iteration k: one descent–ascent step on (θ, λ), the
// directions (d_x, d_y), and the projected steps on (x, y) and z.
func (r *lvhbaRun) step(k int) error {
	s := &r.s
	nx := r.nx
	ig1, ig2 := 1/s.Gamma1, 1/s.Gamma2
	x, y := r.v[:nx], r.v[nx:]
	dx, dy := r.d[:nx], r.d[nx:]
	tx, ty := r.t[:nx], r.t[nx:]
	r.ck = s.CLow * math.Pow(float64(k+1), s.P)
	// Step 2: descent–ascent step on (θ, λ) at (x^k, y^k, z^k).
	r.p.LowerGrad(tx, r.dth, x, r.theta)
	r.p.ConstraintVJP(tx, ty, x, r.theta, r.lam)
	r.p.Constraint(r.gv, x, r.theta)
	for i, th := range r.theta {
		r.dth[i] += ty[i] + (th-y[i])*ig1
	}
	for i, l := range r.lam {
		r.dlam[i] = -r.gv[i] + (l-r.z[i])*ig2
	}
	if !linalg.AllFinite(r.dth) || !linalg.AllFinite(r.dlam) {
		return fmt.Errorf("%w: (θ, λ) direction at iteration %d", ErrNotFinite, k)
	}
	linalg.Axpy(-s.Eta, r.dth, r.theta)
	if err := r.projY.Project(r.theta); err != nil {
		return fmt.Errorf("bilevel: projecting θ: %w", err)
	}
	for i, dl := range r.dlam {
		l := r.lam[i] - s.Eta*dl
		if s.FreeSign {
			l = math.Min(math.Max(l, -s.R), s.R)
		} else {
			l = math.Max(l, 0)
		}
		r.lam[i] = l
	}
	// Step 3: directions with the new θ, λ.
	lvhbaDirection(r.p, dx, dy, tx, ty, x, y, r.theta, r.lam, r.ck, ig1)
	if !linalg.AllFinite(r.d) {
		return fmt.Errorf("%w: (x, y) direction at iteration %d", ErrNotFinite, k)
	}
	if s.Recorder != nil {
		r.gnorm = linalg.Nrm2(r.d)
	}
	// Step 4: joint projected step on (x, y), clipped step on z.
	linalg.Axpy(-s.Alpha, r.d, r.v)
	if err := r.projC.Project(r.v); err != nil {
		return fmt.Errorf("bilevel: projecting (x, y): %w", err)
	}
	for i, l := range r.lam {
		zi := r.z[i] - s.Beta*(r.z[i]-l)*ig2
		r.z[i] = math.Min(math.Max(zi, r.lo), s.R)
	}
	return nil
}

// lvhbaDirection writes LV-HBA's directions
//
//	d_x = ∇ₓF(x,y)/c + ∇ₓf(x,y) − ∇ₓf(x,θ) − Σλᵢ∇ₓgᵢ(x,θ)
//	d_y = ∇_y F(x,y)/c + ∇_y f(x,y) − (y − θ)/γ₁
//
// into dx, dy, using tx, ty as scratch.
func lvhbaDirection(p ConstrainedProblem, dx, dy, tx, ty, x, y, theta, lam []float64, c, ig1 float64) {
	p.UpperGrad(dx, dy, x, y)
	linalg.Scal(1/c, dx)
	linalg.Scal(1/c, dy)
	p.LowerGrad(tx, ty, x, y)
	linalg.Axpy(1, tx, dx)
	linalg.Axpy(1, ty, dy)
	p.LowerGrad(tx, ty, x, theta)
	linalg.Axpy(-1, tx, dx)
	p.ConstraintVJP(tx, ty, x, theta, lam)
	linalg.Axpy(-1, tx, dx)
	for i, th := range theta {
		dy[i] -= (y[i] - th) * ig1
	}
}

// violation returns max_i g_i(x, y)₊ using r.gv as scratch.
func (r *lvhbaRun) violation() float64 {
	x, y := r.v[:r.nx], r.v[r.nx:]
	r.p.Constraint(r.gv, x, y)
	viol := 0.0
	for _, g := range r.gv {
		if r.s.FreeSign {
			g = math.Abs(g)
		}
		viol = math.Max(viol, g)
	}
	return viol
}

// end finishes the run with status st: the final values, the last report
// and the error to return.
func (r *lvhbaRun) end(st run.Status, err error) error {
	r.res.Status = st
	r.res.Violation = r.violation()
	r.res.Ck = r.ck
	r.res.F = math.NaN()
	if uv, ok := r.p.(UpperValuer); ok {
		r.res.F = uv.UpperValue(r.v[:r.nx], r.v[r.nx:])
	}
	r.fillIter()
	return r.loop.End(&r.it, st, err)
}

// fillIter copies the current state into r.it for the Recorder.
func (r *lvhbaRun) fillIter() {
	if r.s.Recorder == nil {
		return
	}
	it := &r.it
	x, y := r.v[:r.nx], r.v[r.nx:]
	it.X, it.Y, it.Z, it.Theta, it.Lambda = x, y, r.z, r.theta, r.lam
	it.DX, it.DY = r.d[:r.nx], r.d[r.nx:]
	if r.res.Iterations == 0 {
		it.DX, it.DY = nil, nil
	}
	it.Step = r.s.Alpha
	it.GradNorm = r.gnorm
	it.Ck = r.ck
	it.Violation = r.violation()
	it.LowerGap = math.NaN()
	if lv, ok := r.p.(LowerValuer); ok {
		it.LowerGap = lv.LowerValue(x, y) - lv.LowerValue(x, r.theta)
	}
}

func (r *lvhbaRun) result() LVHBAResult {
	res := r.res
	res.X = append([]float64(nil), r.v[:r.nx]...)
	res.Y = append([]float64(nil), r.v[r.nx:]...)
	res.Theta = append([]float64(nil), r.theta...)
	res.Lambda = append([]float64(nil), r.lam...)
	res.Z = append([]float64(nil), r.z...)
	res.DX = append([]float64(nil), r.d[:r.nx]...)
	res.DY = append([]float64(nil), r.d[r.nx:]...)
	return res
}
