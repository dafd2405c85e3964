package ef21

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// StepRule selects the theory step size Run uses when Settings.Gamma is 0.
type StepRule int

const (
	// RuleAM is γ_AM = 1/(L + L_AM·√(β/θ)) (the default), valid for EF21
	// and EF21-W by the paper's analysis.
	RuleAM StepRule = iota
	// RuleQM is γ_QM = 1/(L + L_QM·√(β/θ)), the original EF21 step.
	RuleQM
	// RuleRare is the rare-features step 1/(L + √W_c·L_AM·√(β/θ))
	// ([StepsizeRare]), with W_c computed from the Oracle's supports (it
	// must implement Supporter) and the EF21-W weights wᵢ = Lᵢ/ΣLⱼ. It is
	// derived for EF21-W, and covers EF21 with a homogeneous compressor,
	// which then has the same iterates. Not defined for P < 1.
	RuleRare
)

// String returns "AM", "QM" or "Rare".
func (r StepRule) String() string {
	switch r {
	case RuleQM:
		return "QM"
	case RuleRare:
		return "Rare"
	}
	return "AM"
}

// weightSumTol is how far Σwᵢ may be from 1: a few ulps per client for
// weights computed as Lᵢ/ΣLⱼ.
const weightSumTol = 1e-9

// minNorm guards the relative drift against a zero aggregate.
const minNorm = 1e-300

// Defaults of [Settings].
const (
	// DefaultMaxIter is the number of rounds when Settings.MaxIter is 0.
	DefaultMaxIter = 1000
	// DefaultTol is the stopping tolerance on ‖∇f(xᵗ)‖² when Settings.Tol
	// is 0.
	DefaultTol = 1e-8
	// DefaultDriftEvery is the drift-check interval when
	// Settings.DriftEvery is 0.
	DefaultDriftEvery = 1000
	// MaxElements bounds n·d, the entries of the clients' states (each
	// client keeps three d-vectors): larger problems are refused with
	// ErrDimension before anything is allocated.
	MaxElements = 1 << 28
)

// Settings configures [Run]. The zero value runs EF21 with γ_AM, full
// gradients, full participation, at most 1000 rounds and tolerance 1e-8.
// One round (one iteration) is: the server steps and broadcasts x, every
// client computes and uploads its compressed message, the server folds
// them in.
type Settings struct {
	// Weighted selects EF21-W: wᵢ = Lᵢ/Σⱼ Lⱼ and client states gᵢ tracking
	// ∇fᵢ/(n wᵢ). False means EF21 (wᵢ = 1/n).
	Weighted bool
	// Weights, if not nil, are the aggregation weights wᵢ (positive, sum 1
	// within 1e-9), overriding Weighted.
	Weights []float64
	// Gamma is the step size γ. Zero means the theory step selected by Rule
	// (StepsizePP's formula when P < 1), divided by Kappa.
	Gamma float64
	// Rule is the theory step used when Gamma is zero. Zero means RuleAM.
	Rule StepRule
	// Kappa ≥ 1 divides the theory step for EF21-W-SGD (γ = γ_AM/κ).
	// Zero means 1.
	Kappa float64
	// P is the participation probability of each client in each round
	// (EF21-W-PP), in (0, 1]. Zero means 1.
	P float64
	// Batch > 0 selects EF21-W-SGD: clients use minibatch gradients of this
	// size (the Oracle must be a StochOracle). Zero means exact gradients.
	Batch int
	// InitCompressed starts from gᵢ⁰ = C(∇fᵢ(x⁰)/(n wᵢ)) instead of the
	// exact (dense, uncompressed) gradients.
	InitCompressed bool
	// MaxIter is the maximum number of rounds. Zero means DefaultMaxIter
	// (1000); negative is an error.
	MaxIter int
	// Tol stops the run with Status run.Converged when ‖∇f(xᵗ)‖² ≤ Tol.
	// Zero means DefaultTol (1e-8); a negative value turns the test off, so
	// that the run does exactly MaxIter rounds.
	Tol float64
	// TimeLimit stops the run with Status run.TimeLimit after this much wall
	// time (checked after each round). Zero means none; negative is an
	// error.
	TimeLimit time.Duration
	// L holds the local smoothness constants Lᵢ. Nil means the Oracle's
	// (it must then implement Smooth) when they are needed: for EF21-W
	// weights or a theory step.
	L []float64
	// LGlobal is the smoothness constant L of f. Zero means the Oracle's.
	LGlobal float64
	// Rand is the random source of the clients (participation, minibatches,
	// random compressors). Run draws one uint64 s from it before the first
	// round, and client i draws from rand.NewPCG(s, i), so results do not
	// depend on scheduling or Workers. Nil means s = 0 (the fixed streams
	// rand.NewPCG(0, i)).
	Rand *rand.Rand
	// Workers is the number of goroutines the clients of a round are
	// spread over (client i on goroutine i mod Workers). Zero means
	// GOMAXPROCS. Results are bit-for-bit the same for any value. Unused
	// with a Transport.
	Workers int
	// Recorder, if not nil, receives the state at the start, after every
	// round and at the end (run.Printer and History are ready-made ones).
	Recorder Recorder
	// DriftEvery is the interval, in rounds, at which the running aggregate
	// g is compared with Σᵢ wᵢgᵢ recomputed from the clients (Result.Drift).
	// Zero means DefaultDriftEvery (1000); negative disables the check. The
	// check reads the clients' states, so it runs only with the in-process
	// clients (Transport nil).
	DriftEvery int
	// Transport, if not nil, carries the rounds to clients that hold their
	// own oracles and compressors, for example in other processes (see
	// sub-package ef21grpc). Run then uses its Oracle only for N, Dim and
	// the constants (Smooth, Supporter) and never calls its Grad, and its
	// Compressor only for α. Nil means the clients run in this process on
	// Workers goroutines.
	Transport Transport
}

// Result is the outcome of [Run].
type Result struct {
	// X is the last iterate (on Failure, the last finite one).
	X []float64
	// F and GradNormSq are f(X) and ‖∇f(X)‖².
	F, GradNormSq float64
	// Iterations is the number of rounds done after the initial one.
	Iterations int
	// Bits counts every bit uploaded, initial round included; InitBits is the
	// initial round's share.
	Bits, InitBits int64
	// GradCalls and StochGradCalls count oracle calls over all clients
	// (GradCalls includes the exact gradients evaluated only for monitoring
	// in the SGD and PP variants).
	GradCalls, StochGradCalls int
	// Gamma, Alpha, Theta and Beta are the constants used.
	Gamma, Alpha, Theta, Beta float64
	// L, LAM and LQM are the smoothness constants used (0 if not needed).
	L, LAM, LQM float64
	// Wc is the feature overlap W_c used by RuleRare (0 otherwise).
	Wc float64
	// Weights are the aggregation weights wᵢ.
	Weights []float64
	// Drift is the largest relative gap ‖g − Σᵢwᵢgᵢ‖/Σᵢwᵢ‖gᵢ‖ between the
	// server's running aggregate and the sum recomputed from the clients,
	// seen at the checks (see Settings.DriftEvery; 0 with a Transport,
	// where the server cannot read the clients' states).
	Drift float64
	// Status tells why the run stopped: run.Converged, run.IterationLimit,
	// run.TimeLimit, run.Canceled, run.RecorderStopped or run.Failure.
	Status run.Status
}

// Run minimises f = (1/n) Σᵢ fᵢ with EF21 (Richtárik et al. 2021) or one of
// the variants of Richtárik, Gasanov and Burlachenko (2024) selected by s:
// EF21-W (Weighted), EF21-W-SGD (Batch > 0), EF21-W-PP (P < 1), in any
// combination, starting at x0 and compressing uploads with c. A nil s means
// the defaults.
//
// Each round the [Server] steps x ← x − γg and broadcasts x; every [Client]
// (in parallel) computes cᵢ = C(∇fᵢ(x)/(n wᵢ) − gᵢ), updates gᵢ ← gᵢ + cᵢ and
// uploads cᵢ; the server folds g ← g + Σᵢ wᵢcᵢ in client order. Bits are
// counted per message with [MessageBits] (uplink only; the broadcast of x is
// not counted).
//
// Run stops after s.MaxIter rounds, when ‖∇f(xᵗ)‖² ≤ s.Tol, after
// s.TimeLimit, when the Recorder fails, or when ctx is cancelled (checked
// between clients, so within one client's gradient; Run then returns the
// last complete round's iterate, Status run.Canceled and ctx.Err()).
// Invalid input gives an error wrapping ErrDimension, ErrSettings or
// ErrSmoothness and no run; so does an error from Settings.Transport's
// Start (Status run.Failure, or run.Canceled with ctx.Err() if ctx
// ended); a NaN or Inf during the run stops it with Status
// run.Failure, an error wrapping ErrNotFinite, and the last finite iterate;
// a panic in the Oracle or Compressor is recovered and reported the same
// way with ErrPanic, and an error from Settings.Transport's Round (a lost
// client, say) the same way with that error. All goroutines have exited
// when Run returns.
func Run(ctx context.Context, o Oracle, c Compressor, x0 []float64, s *Settings) (Result, error) {
	if s == nil {
		s = &Settings{}
	}
	if err := validate(o, c, x0, s); err != nil {
		return Result{}, err
	}
	pl := defaults(s)
	r, setup, err := build(o, c, x0, s, pl)
	if err != nil {
		return Result{}, err
	}
	defer r.stop()
	if err := r.tr.Start(ctx, setup); err != nil {
		// No round was run: X stays nil, as for invalid input.
		if cerr := ctx.Err(); cerr != nil {
			return Result{Status: run.Canceled}, cerr
		}
		return Result{Status: run.Failure}, err
	}
	return r.run(ctx)
}

// plan is Settings with the defaults filled in.
type plan struct {
	p, kappa, tol float64
	maxIter       int
	driftEvery    int
	workers       int
	seed          uint64
}

// validate checks the problem and the settings before anything is
// allocated.
func validate(o Oracle, c Compressor, x0 []float64, s *Settings) error {
	if o == nil || c == nil {
		return fmt.Errorf("%w: nil oracle or compressor", ErrSettings)
	}
	n, d := o.N(), o.Dim()
	switch {
	case n < 1:
		return fmt.Errorf("%w: %d clients", ErrDimension, n)
	case d < 1:
		return fmt.Errorf("%w: dimension %d", ErrDimension, d)
	case n > MaxElements/d:
		return fmt.Errorf("%w: %d clients × dimension %d exceeds %d", ErrDimension, n, d, MaxElements)
	case len(x0) != d:
		return fmt.Errorf("%w: len(x0) = %d, oracle dimension %d", ErrDimension, len(x0), d)
	case !linalg.AllFinite(x0):
		return fmt.Errorf("%w: x0", ErrNotFinite)
	}
	if alpha := c.Alpha(d); !(alpha > 0 && alpha <= 1) {
		return fmt.Errorf("%w: compressor constant α = %v for d = %d, want (0,1] (K outside [1,d]?)", ErrSettings, alpha, d)
	}
	switch {
	case s.P != 0 && !(s.P > 0 && s.P <= 1):
		return fmt.Errorf("%w: P = %v outside (0,1]", ErrSettings, s.P)
	case s.Kappa != 0 && (!(s.Kappa >= 1) || math.IsInf(s.Kappa, 0)):
		return fmt.Errorf("%w: Kappa = %v, want >= 1", ErrSettings, s.Kappa)
	case s.Batch < 0:
		return fmt.Errorf("%w: Batch = %d", ErrSettings, s.Batch)
	case !(s.Gamma >= 0) || math.IsInf(s.Gamma, 0):
		return fmt.Errorf("%w: Gamma = %v", ErrSettings, s.Gamma)
	case s.MaxIter < 0:
		return fmt.Errorf("%w: MaxIter = %d", ErrSettings, s.MaxIter)
	case math.IsNaN(s.Tol) || math.IsInf(s.Tol, 0):
		return fmt.Errorf("%w: Tol = %v", ErrSettings, s.Tol)
	case !(s.LGlobal >= 0) || math.IsInf(s.LGlobal, 0):
		return fmt.Errorf("%w: LGlobal = %v", ErrSmoothness, s.LGlobal)
	case s.Rule != RuleAM && s.Rule != RuleQM && s.Rule != RuleRare:
		return fmt.Errorf("%w: Rule = %d", ErrSettings, s.Rule)
	case s.Rule == RuleRare && s.Gamma == 0 && s.P != 0 && s.P < 1:
		return fmt.Errorf("%w: RuleRare is not derived for P < 1", ErrSettings)
	}
	if err := run.CheckTimeLimit(s.TimeLimit); err != nil {
		return fmt.Errorf("%w: %w", ErrSettings, err)
	}
	if _, ok := o.(StochOracle); s.Batch > 0 && !ok {
		return fmt.Errorf("%w: Batch > 0 needs a StochOracle", ErrSettings)
	}
	if s.Rule == RuleRare && s.Gamma == 0 {
		if _, ok := o.(Supporter); !ok {
			return fmt.Errorf("%w: RuleRare needs an oracle implementing Supporter", ErrSettings)
		}
	}
	if s.Weights != nil && len(s.Weights) != n {
		return fmt.Errorf("%w: %d weights for %d clients", ErrDimension, len(s.Weights), n)
	}
	if s.L != nil && len(s.L) != n {
		return fmt.Errorf("%w: %d constants for %d clients", ErrDimension, len(s.L), n)
	}
	return nil
}

// defaults fills in the zero settings; it draws the stream seed from
// s.Rand.
func defaults(s *Settings) plan {
	pl := plan{p: s.P, kappa: s.Kappa, tol: s.Tol, maxIter: s.MaxIter, driftEvery: s.DriftEvery, workers: s.Workers}
	pl.p = cmp.Or(pl.p, 1)
	pl.kappa = cmp.Or(pl.kappa, 1)
	pl.tol = cmp.Or(pl.tol, DefaultTol)
	pl.maxIter = cmp.Or(pl.maxIter, DefaultMaxIter)
	pl.driftEvery = cmp.Or(pl.driftEvery, DefaultDriftEvery)
	if pl.workers <= 0 {
		pl.workers = runtime.GOMAXPROCS(0)
	}
	if s.Rand != nil {
		pl.seed = s.Rand.Uint64()
	}
	return pl
}

// build computes the constants (α, Lᵢ, weights, γ), then the server, the
// clients' Setup and the transport (not started).
func build(o Oracle, c Compressor, x0 []float64, s *Settings, pl plan) (*runner, *Setup, error) {
	n, d := o.N(), o.Dim()
	alpha := c.Alpha(d)
	res := Result{Alpha: alpha, Theta: Theta(alpha), Beta: Beta(alpha)}
	var li []float64
	if s.Gamma == 0 || (s.Weighted && s.Weights == nil) {
		var err error
		if li, res.L, err = smoothness(o, s); err != nil {
			return nil, nil, err
		}
		res.LAM, res.LQM = MeanAM(li), MeanQM(li)
	}
	var err error
	if res.Weights, err = weights(s, li, n); err != nil {
		return nil, nil, err
	}
	if res.Gamma, res.Wc, err = stepsize(o, s, pl, li, res.L, alpha); err != nil {
		return nil, nil, err
	}
	server, err := NewServer(x0, res.Weights, res.Gamma)
	if err != nil {
		return nil, nil, err
	}
	r := &runner{s: s, pl: pl, n: n, d: d, server: server, res: res,
		up: make([]Upload, n), bcast: make([]float64, d), gradSum: make([]float64, d),
		xGood: make([]float64, d), tr: s.Transport}
	if r.tr == nil {
		r.local = &local{o: o, c: c, workers: pl.workers}
		r.tr = r.local
	}
	setup := &Setup{N: n, Dim: d, Clients: make([]ClientSettings, n), Seed: pl.seed,
		InitCompressed: s.InitCompressed, Alpha: alpha}
	for i := range n {
		setup.Clients[i] = ClientSettings{Scale: 1 / (float64(n) * res.Weights[i]), P: pl.p, Batch: s.Batch}
		r.up[i].Msg.Reset(d)
	}
	return r, setup, nil
}

// weights returns the aggregation weights: s.Weights (validated), Lᵢ/ΣLⱼ
// for EF21-W, or 1/n.
func weights(s *Settings, li []float64, n int) ([]float64, error) {
	w := make([]float64, n)
	switch {
	case s.Weights != nil:
		sum := 0.0
		for i, v := range s.Weights {
			if !(v > 0) || !finite(v) {
				return nil, fmt.Errorf("%w: Weights[%d] = %v, want > 0", ErrSettings, i, v)
			}
			sum += v
		}
		if math.Abs(sum-1) > weightSumTol {
			return nil, fmt.Errorf("%w: Weights sum to %v, want 1", ErrSettings, sum)
		}
		copy(w, s.Weights)
	case s.Weighted:
		sum := 0.0
		for _, v := range li {
			sum += v
		}
		for i, v := range li {
			w[i] = v / sum
		}
	default:
		for i := range w {
			w[i] = 1 / float64(n)
		}
	}
	return w, nil
}

// stepsize returns s.Gamma, or the theory step of s.Rule ([StepsizeAM],
// [StepsizeQM], [StepsizeRare], or [StepsizePP] when P < 1) divided by κ,
// and the overlap W_c for RuleRare.
func stepsize(o Oracle, s *Settings, pl plan, li []float64, l, alpha float64) (gamma, wc float64, err error) {
	if s.Gamma != 0 {
		return s.Gamma, 0, nil
	}
	switch {
	case s.Rule == RuleRare:
		sup := o.(Supporter) // checked by validate
		n, d := len(li), o.Dim()
		z := make([][]int, n)
		lw := make([]float64, n)
		lam := MeanAM(li)
		for i := range n {
			z[i] = sup.Support(i)
			lw[i] = li[i] / (float64(n) * lam)
		}
		wc = RareOverlap(lw, z, d)
		gamma = StepsizeRare(l, li, alpha, wc)
	case pl.p < 1 && s.Rule == RuleQM:
		gamma = StepsizePP(l, []float64{MeanQM(li)}, alpha, pl.p)
	case pl.p < 1:
		gamma = StepsizePP(l, li, alpha, pl.p)
	case s.Rule == RuleQM:
		gamma = StepsizeQM(l, li, alpha)
	default:
		gamma = StepsizeAM(l, li, alpha)
	}
	return gamma / pl.kappa, wc, nil
}

type runner struct {
	s       *Settings
	pl      plan
	n, d    int
	server  *Server
	tr      Transport
	local   *local // tr when it is the in-process default, else nil
	up      []Upload
	bcast   []float64 // x as received by the clients
	gradSum []float64
	xGood   []float64
	res     Result
	iter    Iter
}

// errStopped marks the clients skipped because the context ended; the run
// then returns ctx.Err().
var errStopped = errors.New("ef21: context ended")

// smoothness returns the Lᵢ and L from s or the oracle, validated.
func smoothness(o Oracle, s *Settings) ([]float64, float64, error) {
	n := o.N()
	sm, ok := o.(Smooth)
	li := s.L
	if li == nil {
		if !ok {
			return nil, 0, fmt.Errorf("%w: Settings.L not set and the oracle does not implement Smooth", ErrSmoothness)
		}
		li = make([]float64, n)
		for i := range li {
			li[i] = sm.LocalSmoothness(i)
		}
	}
	for i, v := range li {
		if !(v > 0) || !finite(v) {
			return nil, 0, fmt.Errorf("%w: L[%d] = %v, want > 0", ErrSmoothness, i, v)
		}
	}
	l := s.LGlobal
	if l == 0 {
		if !ok {
			return nil, 0, fmt.Errorf("%w: Settings.LGlobal not set and the oracle does not implement Smooth", ErrSmoothness)
		}
		l = sm.Smoothness()
	}
	if !(l > 0) || !finite(l) {
		return nil, 0, fmt.Errorf("%w: L = %v, want > 0", ErrSmoothness, l)
	}
	return li, l, nil
}

// stop ends the in-process clients' goroutines, if any, and waits for
// them.
func (r *runner) stop() {
	if r.local != nil {
		r.local.stop()
	}
}

// fold sends the uploads of this round to the server in client order and
// fills the monitoring fields of r.iter.
func (r *runner) fold() error {
	bits := int64(0)
	parts := 0
	fsum, gsum := 0.0, 0.0
	linalg.Zero(r.gradSum)
	for i := range r.up {
		u := &r.up[i]
		if u.Sent {
			if err := r.server.Fold(i, &u.Msg); err != nil {
				return err
			}
			bits += MessageBits(&u.Msg)
			parts++
		}
		if len(u.Grad) != r.d {
			return fmt.Errorf("%w: client %d: gradient of length %d, dimension %d", ErrDimension, i, len(u.Grad), r.d)
		}
		fsum += u.F
		gsum += r.res.Weights[i] * u.ErrSq
		linalg.Axpy(1, u.Grad, r.gradSum)
	}
	inv := 1 / float64(r.n)
	r.res.Bits += bits
	it := &r.iter
	it.F = fsum * inv
	it.GradNormSq = linalg.SqNorm(r.gradSum) * inv * inv
	it.G = gsum
	it.Lyapunov = it.F + r.res.Gamma/(2*r.res.Theta)*gsum
	it.Bits = r.res.Bits
	it.Participants = parts
	return nil
}

// drift returns ‖g − Σᵢwᵢgᵢ‖/Σᵢwᵢ‖gᵢ‖ (in-process check of the running
// sum). The denominator is the scale of the summed terms, which sets the
// rounding error; ‖g‖ itself tends to 0 while the gᵢ do not.
func (r *runner) drift() float64 {
	sum := r.gradSum // reused as scratch; refilled by the next fold
	linalg.Zero(sum)
	scale := 0.0
	for i, cl := range r.local.clients {
		linalg.Axpy(r.res.Weights[i], cl.State(), sum)
		scale += r.res.Weights[i] * linalg.Nrm2(cl.State())
	}
	return math.Sqrt(linalg.DistSq(sum, r.server.G())) / max(scale, minNorm)
}

// finish fills the Result, records the final state and returns the error
// of the run.
func (r *runner) finish(loop *run.Loop[*Iter], st run.Status, err error) (Result, error) {
	r.res.Status = st
	r.res.X = append([]float64(nil), r.xGood...)
	for i := range r.up {
		r.res.GradCalls += r.up[i].GradCalls
		r.res.StochGradCalls += r.up[i].StochGradCalls
	}
	r.iter.X = r.res.X
	r.iter.F, r.iter.GradNormSq = r.res.F, r.res.GradNormSq
	if st == run.RecorderStopped {
		loop.Recorder = nil // it already said stop
	}
	if rerr := loop.End(&r.iter, st, err); rerr != nil && err == nil {
		r.res.Status, err = run.RecorderStopped, rerr
	}
	return r.res, err
}

// accept marks the current state as the last good one.
func (r *runner) accept(t int) {
	copy(r.xGood, r.bcast)
	r.res.F, r.res.GradNormSq, r.res.Iterations = r.iter.F, r.iter.GradNormSq, t
}

// failed returns the status and error of a phase that returned err: the
// run was canceled if ctx ended, else it failed.
func failed(ctx context.Context, err error) (run.Status, error) {
	if cerr := ctx.Err(); cerr != nil {
		return run.Canceled, cerr
	}
	return run.Failure, err
}

func (r *runner) run(ctx context.Context) (Result, error) {
	loop := &run.Loop[*Iter]{Recorder: r.s.Recorder, MaxIter: r.pl.maxIter, TimeLimit: r.s.TimeLimit}
	copy(r.bcast, r.server.X())
	copy(r.xGood, r.bcast)
	r.iter.X = r.bcast
	if err := ctx.Err(); err != nil {
		return r.finish(loop, run.Canceled, err)
	}
	if err := r.tr.Round(ctx, 0, r.bcast, r.up); err != nil {
		st, err := failed(ctx, err)
		return r.finish(loop, st, err)
	}
	if err := r.fold(); err != nil {
		return r.finish(loop, run.Failure, err)
	}
	r.res.InitBits = r.res.Bits
	r.accept(0)
	if !finite(r.iter.GradNormSq) {
		return r.finish(loop, run.Failure, fmt.Errorf("%w: ‖∇f(x⁰)‖²", ErrNotFinite))
	}
	if err := loop.Start(&r.iter); err != nil {
		return r.finish(loop, run.RecorderStopped, err)
	}
	if r.converged() {
		return r.finish(loop, run.Converged, nil)
	}
	for t := 1; ; t++ {
		x := r.server.Step()
		if !linalg.AllFinite(x) {
			return r.finish(loop, run.Failure, fmt.Errorf("%w: iterate at round %d", ErrNotFinite, t))
		}
		copy(r.bcast, x)
		if err := r.tr.Round(ctx, t, r.bcast, r.up); err != nil {
			st, err := failed(ctx, err)
			if st == run.Failure {
				err = fmt.Errorf("round %d: %w", t, err)
			}
			return r.finish(loop, st, err)
		}
		if err := r.fold(); err != nil {
			return r.finish(loop, run.Failure, fmt.Errorf("round %d: %w", t, err))
		}
		if !finite(r.iter.F) || !finite(r.iter.GradNormSq) {
			return r.finish(loop, run.Failure, fmt.Errorf("%w: f or ‖∇f‖² at round %d", ErrNotFinite, t))
		}
		r.accept(t)
		if r.local != nil && r.pl.driftEvery > 0 && t%r.pl.driftEvery == 0 {
			r.res.Drift = max(r.res.Drift, r.drift())
		}
		if st, err := loop.Next(ctx, &r.iter, r.converged()); st != run.NotTerminated {
			return r.finish(loop, st, err)
		}
	}
}

// converged reports whether the stopping test ‖∇f(xᵗ)‖² ≤ Tol holds (never
// when Tol is negative).
func (r *runner) converged() bool {
	return r.pl.tol >= 0 && r.iter.GradNormSq <= r.pl.tol
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
