package ef21

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/optlearn/optlearn/linalg"
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

// Settings configures [Run]. The zero value runs EF21 with γ_AM, full
// gradients, full participation and 1000 rounds.
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
	// Iters is the maximum number of rounds. Zero means 1000.
	Iters int
	// Tol stops the run when ‖∇f(xᵗ)‖² ≤ Tol. Zero means never.
	Tol float64
	// L holds the local smoothness constants Lᵢ. Nil means the Oracle's
	// (it must then implement Smooth) when they are needed: for EF21-W
	// weights or a theory step.
	L []float64
	// LGlobal is the smoothness constant L of f. Zero means the Oracle's.
	LGlobal float64
	// Seed selects the random streams: client i draws from
	// rand.NewPCG(Seed, i), so results do not depend on scheduling.
	Seed uint64
	// Workers is the number of goroutines the clients of a round are
	// spread over (client i on goroutine i mod Workers). Zero means
	// GOMAXPROCS. Results are bit-for-bit the same for any value.
	Workers int
	// Recorder, if not nil, receives the state at the start, after every
	// round and at the end.
	Recorder Recorder
	// DriftEvery is the interval, in rounds, at which the running aggregate
	// g is compared with Σᵢ wᵢgᵢ recomputed from the clients (Result.Drift).
	// Zero means 1000; negative disables the check.
	DriftEvery int
}

// Result is the outcome of [Run].
type Result struct {
	// X is the last iterate (on Failure, the last finite one).
	X []float64
	// F and GradNormSq are f(X) and ‖∇f(X)‖².
	F, GradNormSq float64
	// Rounds is the number of rounds done after the initial one.
	Rounds int
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
	// seen at the checks (see Settings.DriftEvery).
	Drift float64
	// Status tells why the run stopped.
	Status Status
}

// Run minimises f = (1/n) Σᵢ fᵢ with EF21 (Richtárik et al. 2021) or one of
// the variants of Richtárik, Gasanov and Burlachenko (2024) selected by s:
// EF21-W (Weighted), EF21-W-SGD (Batch > 0), EF21-W-PP (P < 1), in any
// combination, starting at x0 and compressing uploads with c.
//
// Each round the [Server] steps x ← x − γg and broadcasts x; every [Client]
// (in parallel) computes cᵢ = C(∇fᵢ(x)/(n wᵢ) − gᵢ), updates gᵢ ← gᵢ + cᵢ and
// uploads cᵢ; the server folds g ← g + Σᵢ wᵢcᵢ in client order. Bits are
// counted per message with [MessageBits] (uplink only; the broadcast of x is
// not counted).
//
// Run stops after s.Iters rounds, when ‖∇f(xᵗ)‖² ≤ s.Tol, when the
// Recorder fails, or when ctx is cancelled (checked once per round; Run then
// returns the current iterate, Status Canceled and ctx.Err()). Invalid input
// gives an error wrapping ErrDimension, ErrSettings or ErrSmoothness and no
// run; a NaN or Inf during the run stops it with Status Failure, an error
// wrapping ErrNotFinite, and the last finite iterate. All goroutines have
// exited when Run returns.
func Run(ctx context.Context, o Oracle, c Compressor, x0 []float64, s *Settings) (Result, error) {
	if s == nil {
		s = &Settings{}
	}
	r, err := newRunner(o, c, x0, s)
	if err != nil {
		return Result{}, err
	}
	defer r.stop()
	return r.run(ctx)
}

type runner struct {
	s       *Settings
	o       Oracle
	n, d    int
	iters   int
	clients []*Client
	server  *Server
	msgs    []linalg.Sparse
	sent    []bool
	errs    []error
	bcast   []float64 // x as received by the clients
	gradSum []float64
	xGood   []float64
	res     Result
	iter    Iter

	// Worker pool: worker k ≥ 1 runs clients k, k+w, ... when signalled;
	// the calling goroutine runs share 0.
	workers int
	start   []chan bool // true = Init, false = Round
	done    chan struct{}
	wg      sync.WaitGroup
	initCmp bool
}

func newRunner(o Oracle, c Compressor, x0 []float64, s *Settings) (*runner, error) {
	if o == nil || c == nil {
		return nil, fmt.Errorf("%w: nil oracle or compressor", ErrSettings)
	}
	n, d := o.N(), o.Dim()
	switch {
	case n < 1:
		return nil, fmt.Errorf("%w: %d clients", ErrDimension, n)
	case d < 1:
		return nil, fmt.Errorf("%w: dimension %d", ErrDimension, d)
	case len(x0) != d:
		return nil, fmt.Errorf("%w: len(x0) = %d, oracle dimension %d", ErrDimension, len(x0), d)
	case !linalg.AllFinite(x0):
		return nil, fmt.Errorf("%w: x0", ErrNotFinite)
	}
	alpha := c.Alpha(d)
	if !(alpha > 0 && alpha <= 1) {
		return nil, fmt.Errorf("%w: compressor constant α = %v for d = %d, want (0,1] (K outside [1,d]?)", ErrSettings, alpha, d)
	}
	p := s.P
	if p == 0 {
		p = 1
	}
	kappa := s.Kappa
	if kappa == 0 {
		kappa = 1
	}
	iters := s.Iters
	if iters == 0 {
		iters = 1000
	}
	switch {
	case !(p > 0 && p <= 1):
		return nil, fmt.Errorf("%w: P = %v outside (0,1]", ErrSettings, s.P)
	case !(kappa >= 1) || math.IsInf(kappa, 0):
		return nil, fmt.Errorf("%w: Kappa = %v, want >= 1", ErrSettings, s.Kappa)
	case s.Batch < 0:
		return nil, fmt.Errorf("%w: Batch = %d", ErrSettings, s.Batch)
	case !(s.Gamma >= 0) || math.IsInf(s.Gamma, 0):
		return nil, fmt.Errorf("%w: Gamma = %v", ErrSettings, s.Gamma)
	case iters < 0:
		return nil, fmt.Errorf("%w: Iters = %d", ErrSettings, s.Iters)
	case !(s.Tol >= 0):
		return nil, fmt.Errorf("%w: Tol = %v", ErrSettings, s.Tol)
	case s.Rule != RuleAM && s.Rule != RuleQM && s.Rule != RuleRare:
		return nil, fmt.Errorf("%w: Rule = %d", ErrSettings, s.Rule)
	case s.Rule == RuleRare && s.Gamma == 0 && p < 1:
		return nil, fmt.Errorf("%w: RuleRare is not derived for P < 1", ErrSettings)
	}
	if _, ok := o.(StochOracle); s.Batch > 0 && !ok {
		return nil, fmt.Errorf("%w: Batch > 0 needs a StochOracle", ErrSettings)
	}
	res := Result{Alpha: alpha, Theta: Theta(alpha), Beta: Beta(alpha)}

	// Smoothness constants, when needed.
	needL := s.Gamma == 0 || (s.Weighted && s.Weights == nil)
	var li []float64
	if needL {
		var err error
		li, res.L, err = smoothness(o, s)
		if err != nil {
			return nil, err
		}
		res.LAM, res.LQM = MeanAM(li), MeanQM(li)
	}

	// Weights.
	w := make([]float64, n)
	switch {
	case s.Weights != nil:
		if len(s.Weights) != n {
			return nil, fmt.Errorf("%w: %d weights for %d clients", ErrDimension, len(s.Weights), n)
		}
		sum := 0.0
		for i, v := range s.Weights {
			if !(v > 0) || !finite(v) {
				return nil, fmt.Errorf("%w: weight %d = %v, want > 0", ErrSettings, i, v)
			}
			sum += v
		}
		if math.Abs(sum-1) > weightSumTol {
			return nil, fmt.Errorf("%w: weights sum to %v, want 1", ErrSettings, sum)
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
	res.Weights = w

	// Step size.
	gamma := s.Gamma
	if gamma == 0 {
		mean := res.LAM
		switch s.Rule {
		case RuleQM:
			mean = res.LQM
		case RuleRare:
			sup, ok := o.(Supporter)
			if !ok {
				return nil, fmt.Errorf("%w: RuleRare needs an oracle implementing Supporter", ErrSettings)
			}
			z := make([][]int, n)
			lw := make([]float64, n)
			for i := range n {
				z[i] = sup.Support(i)
				lw[i] = li[i] / (float64(n) * res.LAM)
			}
			res.Wc = RareOverlap(lw, z, d)
			mean *= math.Sqrt(res.Wc)
		}
		if p < 1 {
			gamma = StepsizePP(res.L, []float64{mean}, alpha, p)
		} else {
			gamma = 1 / (res.L + mean*math.Sqrt(res.Beta/res.Theta))
		}
		gamma /= kappa
	}
	res.Gamma = gamma

	server, err := NewServer(x0, w, gamma)
	if err != nil {
		return nil, err
	}
	r := &runner{s: s, o: o, n: n, d: d, iters: iters, server: server, res: res,
		msgs: make([]linalg.Sparse, n), sent: make([]bool, n), errs: make([]error, n),
		bcast: make([]float64, d), gradSum: make([]float64, d), xGood: make([]float64, d),
		clients: make([]*Client, n), initCmp: s.InitCompressed}
	for i := range n {
		cfg := ClientConfig{Scale: 1 / (float64(n) * w[i]), P: p, Batch: s.Batch}
		rng := rand.New(rand.NewPCG(s.Seed, uint64(i)))
		if r.clients[i], err = NewClient(o, i, c, cfg, rng); err != nil {
			return nil, err
		}
		r.msgs[i].Reset(d)
	}
	r.startPool()
	return r, nil
}

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
	if len(li) != n {
		return nil, 0, fmt.Errorf("%w: %d constants for %d clients", ErrDimension, len(li), n)
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

func (r *runner) startPool() {
	w := r.s.Workers
	if w <= 0 {
		w = runtime.GOMAXPROCS(0)
	}
	w = min(w, r.n)
	r.workers = w
	// Share 0 runs on the calling goroutine; shares 1..w-1 on their own.
	r.done = make(chan struct{}, w)
	for k := 1; k < w; k++ {
		ch := make(chan bool)
		r.start = append(r.start, ch)
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			for init := range ch {
				r.work(init, k)
				r.done <- struct{}{}
			}
		}()
	}
}

// stop ends the worker goroutines and waits for them.
func (r *runner) stop() {
	for _, ch := range r.start {
		close(ch)
	}
	r.wg.Wait()
	r.start = nil
}

// work runs share k of the clients, i = k, k+w, k+2w, ..., on the
// broadcast point. Interleaving balances the load when the clients' costs
// grow with i (as with sorted splits); each client's result depends only on
// its own state, so the assignment never changes the outcome.
func (r *runner) work(init bool, k int) {
	for i := k; i < r.n; i += r.workers {
		if init {
			r.errs[i] = r.clients[i].Init(&r.msgs[i], r.bcast, r.initCmp)
			r.sent[i] = r.errs[i] == nil
		} else {
			r.sent[i], r.errs[i] = r.clients[i].Round(&r.msgs[i], r.bcast)
		}
	}
}

// phase runs every client once, in parallel, and returns the first error in
// client order.
func (r *runner) phase(init bool) error {
	for _, ch := range r.start {
		ch <- init
	}
	r.work(init, 0)
	for range r.start {
		<-r.done
	}
	for _, err := range r.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// fold sends the messages of this phase to the server in client order and
// fills the monitoring fields of r.iter.
func (r *runner) fold() {
	bits := int64(0)
	parts := 0
	fsum, gsum := 0.0, 0.0
	linalg.Zero(r.gradSum)
	for i, cl := range r.clients {
		if r.sent[i] {
			r.server.Fold(i, &r.msgs[i])
			bits += MessageBits(&r.msgs[i])
			parts++
		}
		f, grad, e := cl.Diagnostics()
		fsum += f
		gsum += r.res.Weights[i] * e
		linalg.Axpy(1, grad, r.gradSum)
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
}

// drift returns ‖g − Σᵢwᵢgᵢ‖/Σᵢwᵢ‖gᵢ‖ (in-process check of the running
// sum). The denominator is the scale of the summed terms, which sets the
// rounding error; ‖g‖ itself tends to 0 while the gᵢ do not.
func (r *runner) drift() float64 {
	sum := r.gradSum // reused as scratch; refilled by the next fold
	linalg.Zero(sum)
	scale := 0.0
	for i, cl := range r.clients {
		linalg.Axpy(r.res.Weights[i], cl.State(), sum)
		scale += r.res.Weights[i] * linalg.Nrm2(cl.State())
	}
	return math.Sqrt(linalg.DistSq(sum, r.server.G())) / max(scale, minNorm)
}

func (r *runner) finish(st Status, err error) (Result, error) {
	r.res.Status = st
	r.res.X = append([]float64(nil), r.xGood...)
	for _, cl := range r.clients {
		r.res.GradCalls += cl.calls[0]
		r.res.StochGradCalls += cl.calls[1]
	}
	r.iter.Done = true
	r.iter.X = r.res.X
	r.iter.F, r.iter.GradNormSq = r.res.F, r.res.GradNormSq
	if rec := r.s.Recorder; rec != nil && st != RecorderError {
		if rerr := rec.Record(&r.iter); rerr != nil && err == nil {
			r.res.Status = RecorderError
			err = fmt.Errorf("ef21: recorder: %w", rerr)
		}
	}
	return r.res, err
}

func (r *runner) record() error {
	if rec := r.s.Recorder; rec != nil {
		if err := rec.Record(&r.iter); err != nil {
			return fmt.Errorf("ef21: recorder: %w", err)
		}
	}
	return nil
}

// accept marks the current state as the last good one.
func (r *runner) accept(t int) {
	copy(r.xGood, r.bcast)
	r.res.F, r.res.GradNormSq, r.res.Rounds = r.iter.F, r.iter.GradNormSq, t
}

func (r *runner) run(ctx context.Context) (Result, error) {
	copy(r.bcast, r.server.X())
	copy(r.xGood, r.bcast)
	if err := ctx.Err(); err != nil {
		return r.finish(Canceled, err)
	}
	if err := r.phase(true); err != nil {
		return r.finish(Failure, err)
	}
	r.fold()
	r.res.InitBits = r.res.Bits
	r.iter.X = r.bcast
	r.accept(0)
	if !finite(r.iter.GradNormSq) {
		return r.finish(Failure, fmt.Errorf("%w: ‖∇f(x⁰)‖²", ErrNotFinite))
	}
	if err := r.record(); err != nil {
		return r.finish(RecorderError, err)
	}
	driftEvery := r.s.DriftEvery
	if driftEvery == 0 {
		driftEvery = 1000
	}
	for t := 1; ; t++ {
		if r.iter.GradNormSq <= r.s.Tol {
			return r.finish(Converged, nil)
		}
		if t > r.iters {
			return r.finish(IterationLimit, nil)
		}
		if err := ctx.Err(); err != nil {
			return r.finish(Canceled, err)
		}
		x := r.server.Step()
		if !linalg.AllFinite(x) {
			return r.finish(Failure, fmt.Errorf("%w: iterate at round %d", ErrNotFinite, t))
		}
		copy(r.bcast, x)
		if err := r.phase(false); err != nil {
			return r.finish(Failure, fmt.Errorf("round %d: %w", t, err))
		}
		r.fold()
		if !finite(r.iter.F) || !finite(r.iter.GradNormSq) {
			return r.finish(Failure, fmt.Errorf("%w: f or ‖∇f‖² at round %d", ErrNotFinite, t))
		}
		r.iter.Round = t
		r.accept(t)
		if driftEvery > 0 && t%driftEvery == 0 {
			r.res.Drift = max(r.res.Drift, r.drift())
		}
		if err := r.record(); err != nil {
			return r.finish(RecorderError, err)
		}
	}
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
