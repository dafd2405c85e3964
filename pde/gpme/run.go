package gpme

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/run"
)

// Method names, in the order of [Instance.Results].
const (
	// GP is the step-1 Gaussian process alone (latent marginal variances).
	GP = "GP"
	// PC is ProbConserv-GP: the O(n) diagonal update of the GP prediction.
	PC = "GP+ProbConserv"
	// HardC is the Euclidean projection of the GP mean, variance unchanged.
	HardC = "HardC"
	// PCFull is ProbConserv on the full GP posterior covariance.
	PCFull = "GP+ProbConserv(full)"
	// PCDiff is ProbConserv with the second-difference rows stacked before
	// the mass row (diagonal GP input).
	PCDiff = "GP+ProbConserv+diff"
	// Ens is an ensemble of five GPs (length scales 0.7..1.4 × the
	// default) aggregated as a latent mixture, unconstrained.
	Ens = "GPens"
	// PCEns constrains each ensemble member, then aggregates
	// ([pde.AggregateLatent]).
	PCEns = "GPens+ProbConserv"
	// PCNonNeg adds the post-hoc inequality step u ≥ 0
	// ([pde.ProjectNonNegative]) to [PC]; only for NonNegative cases.
	PCNonNeg = "GP+ProbConserv+nonneg"
)

// ensembleScales are the length-scale multipliers of the [Ens] members.
var ensembleScales = []float64{0.7, 0.85, 1, 1.2, 1.4}

// Settings configures [Run] and [RunCases]. The zero value (or nil) is the
// spec's setting.
type Settings struct {
	// Nodes is the number of uniform prediction nodes. Zero means 201;
	// negative is an error; at most 1<<20, and at most 4096 with Full or
	// Diffusion (their covariances have n² entries).
	Nodes int
	// Draws is the number of samples for the shock position. Zero means
	// 200; negative is an error; Draws·Nodes is at most 1<<26.
	Draws int
	// Tensor selects the tensor-grid contexts of the official data.
	Tensor bool
	// Full also runs [PCFull].
	Full bool
	// Diffusion also runs [PCDiff].
	Diffusion bool
	// Latent also runs [Ens] and [PCEns].
	Latent bool
	// NonNeg also runs [PCNonNeg] on the NonNegative cases.
	NonNeg bool
	// GP configures the step-1 model; its length scales are in normalised
	// units (multiplied by T and L). Zero values are the spec's defaults.
	GP pde.GPSettings
	// Rand, if not nil, is the random source of the contexts, and two
	// uint64 drawn from it up front seed the shock-draw stream. Nil means
	// the fixed streams of the instance: contexts from
	// rand.NewPCG(InstanceSeed(i), 0), shock draws from
	// rand.NewPCG(InstanceSeed(i), 1) (the spec's fixed instances).
	Rand *rand.Rand
	// Recorder, if not nil, receives the progress of [RunCases]: Start,
	// one Iteration per finished instance, End. An error from it stops the
	// run with the error wrapped.
	Recorder Recorder
}

// Size limits of [Settings], checked before anything is allocated.
const (
	maxNodes      = 1 << 20
	maxDenseNodes = 4096
	maxDrawValues = 1 << 26
)

// withDefaults validates s and returns a copy with the defaults filled in.
func (s *Settings) withDefaults() (Settings, error) {
	var o Settings
	if s != nil {
		o = *s
	}
	if o.Nodes < 0 || o.Draws < 0 {
		return o, fmt.Errorf("%w: Nodes %d and Draws %d must be ≥ 0 (zero means the default)", pde.ErrSettings, o.Nodes, o.Draws)
	}
	o.Nodes = cmp.Or(o.Nodes, 201)
	o.Draws = cmp.Or(o.Draws, 200)
	if o.Nodes < 3 || o.Nodes > maxNodes || ((o.Full || o.Diffusion) && o.Nodes > maxDenseNodes) {
		return o, fmt.Errorf("%w: Nodes %d outside [3, %d] (%d with Full or Diffusion)", pde.ErrSettings, o.Nodes, maxNodes, maxDenseNodes)
	}
	if o.Draws > maxDrawValues/o.Nodes {
		return o, fmt.Errorf("%w: Draws·Nodes = %d·%d exceeds %d", pde.ErrSettings, o.Draws, o.Nodes, maxDrawValues)
	}
	return o, nil
}

// Metrics are the spec's per-instance metrics of one method.
type Metrics struct {
	// MSE is the mean squared error over the grid.
	MSE float64
	// CE is the signed conservation error gᵀμ − U(t).
	CE float64
	// LL is the mean Gaussian log-likelihood of the truth.
	LL float64
	// ShockErr is |median sampled front − x*(t)|; NaN if the case has no
	// front or the method was not sampled.
	ShockErr float64
	// Ahead is the trapezoid integral of |mean| over the nodes ahead of
	// the front (x > x*(t)), where the exact solution is 0: the mass a
	// method pushes into the zero region. NaN if the case has no front.
	Ahead float64
}

// Result is one method's prediction on one instance.
type Result struct {
	Method string
	// Mean and Var are the predicted mean and marginal variances.
	Mean, Var []float64
	// Cov is the predicted covariance.
	Cov pde.Covariance
	Metrics
}

// Instance is one run of every method on one context draw.
type Instance struct {
	Case string
	// Index is the instance number i given to [Run]; Seed is
	// InstanceSeed(i), or 0 when Settings.Rand supplied the randomness.
	Index int
	Seed  uint64
	// X is the prediction grid and Truth the exact solution on it.
	X, Truth []float64
	// W holds the trapezoid weights of X (the constraint row).
	W []float64
	// Mass is U(TEval).
	Mass float64
	// Results holds GP, PC, then PCNonNeg, HardC, PCFull, PCDiff, Ens and
	// PCEns when enabled; use [Instance.Get].
	Results []Result
}

// Get returns the result of the named method, or false.
func (in *Instance) Get(method string) (Result, bool) {
	for _, r := range in.Results {
		if r.Method == method {
			return r, true
		}
	}
	return Result{}, false
}

// Run fits the GP to the contexts of instance i of case c, predicts at
// TEval on the grid, applies every enabled method and computes the
// metrics. The contexts are drawn from rand.NewPCG(InstanceSeed(i), 0) and
// the shock draws from rand.NewPCG(InstanceSeed(i), 1), the same stream for
// every method (or from Settings.Rand, see there). The steps: validate and
// fill the settings, draw the contexts and fit the GP, predict, then the
// methods in the order of [Instance.Results]; ctx is checked between the
// steps (one instance takes tens of milliseconds). It returns an error
// wrapping pde.ErrSettings for bad settings or a negative i, the error of
// the failing pde call, or ctx's error.
func Run(ctx context.Context, c Case, i int, s *Settings) (*Instance, error) {
	o, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	if i < 0 {
		return nil, fmt.Errorf("%w: instance %d is negative", pde.ErrSettings, i)
	}
	if c.Solution == nil || !(c.L > 0) || !(c.T > 0) || math.IsInf(c.L, 0) || math.IsInf(c.X0, 0) || math.IsNaN(c.X0) || !(c.TEval >= 0) || math.IsInf(c.TEval, 0) {
		return nil, fmt.Errorf("%w: case %q needs a solution, L > 0, T > 0 and a finite X0 and TEval ≥ 0", pde.ErrSettings, c.Name)
	}
	r := &runner{c: c, o: o}
	if err := r.setup(i); err != nil {
		return nil, err
	}
	for _, step := range []func(context.Context) error{r.base, r.full, r.diffusion, r.latent} {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return r.in, nil
}

// runner holds the state of one [Run] between its steps.
type runner struct {
	c    Case
	o    Settings
	gs   pde.GPSettings
	cx   Contexts
	gp   *pde.GP
	in   *Instance
	mass pde.LinearConstraint
	mu   []float64
	d    pde.Diagonal
	// drawSeed seeds the shock-draw stream of every method.
	drawSeed [2]uint64
	front    float64
	hasFront bool
}

// setup draws the contexts, fits the GP, builds the grid, the truth and the
// mass constraint, and predicts the diagonal GP.
func (r *runner) setup(i int) error {
	c, o := r.c, r.o
	r.gs = o.GP
	r.gs.LengthT = cmp.Or(r.gs.LengthT, 0.1)
	r.gs.LengthX = cmp.Or(r.gs.LengthX, 0.1)
	r.gs.LengthT *= c.T
	r.gs.LengthX *= c.L
	seed := InstanceSeed(i)
	ctxRng := rand.New(rand.NewPCG(seed, 0))
	r.drawSeed = [2]uint64{seed, 1}
	if o.Rand != nil {
		seed = 0
		r.drawSeed = [2]uint64{o.Rand.Uint64(), o.Rand.Uint64()}
		ctxRng = o.Rand
	}
	cx, err := SampleContexts(c, ctxRng, o.Tensor)
	if err != nil {
		return err
	}
	r.cx = cx
	if r.gp, err = pde.FitGP(cx.T, cx.X, cx.Y, &r.gs); err != nil {
		return fmt.Errorf("gpme: %s: %w", c.Name, err)
	}
	x, err := pde.UniformGrid(c.X0, c.X0+c.L, o.Nodes)
	if err != nil {
		return err
	}
	w, err := pde.TrapezoidWeights(x)
	if err != nil {
		return err
	}
	t := c.TEval
	in := &Instance{Case: c.Name, Index: i, Seed: seed, X: x, W: w, Truth: make([]float64, len(x)), Mass: c.Solution.Mass(t)}
	for k, xk := range x {
		in.Truth[k] = c.Solution.U(t, xk)
	}
	if !linalg.AllFinite(in.Truth) || math.IsNaN(in.Mass) || math.IsInf(in.Mass, 0) {
		return fmt.Errorf("%w: case %s: exact solution or mass at t = %g", pde.ErrNotFinite, c.Name, t)
	}
	r.in = in
	r.mass = pde.MassConstraint(w, in.Mass)
	r.front, r.hasFront = c.Solution.Front(t)
	mu, dcov, err := pde.DiagModel{Model: r.gp}.Predict(t, x)
	if err != nil {
		return err
	}
	r.mu, r.d = mu, dcov.(pde.Diagonal)
	return nil
}

// add computes the metrics of one method's prediction and appends it;
// sample says whether to draw shock positions (cases with a front only).
func (r *runner) add(ctx context.Context, method string, mean, variance []float64, cov pde.Covariance, sample bool) error {
	in := r.in
	if variance == nil {
		variance = cov.Diag()
	}
	res := Result{Method: method, Mean: mean, Var: variance, Cov: cov}
	var err error
	if res.MSE, err = pde.MSE(mean, in.Truth); err != nil {
		return err
	}
	if res.CE, err = pde.ConservationError(mean, in.W, in.Mass); err != nil {
		return err
	}
	if res.LL, err = pde.GaussianLogLik(in.Truth, mean, res.Var); err != nil {
		return err
	}
	res.ShockErr = math.NaN()
	res.Ahead = math.NaN()
	if r.hasFront {
		res.Ahead = 0
		for i, xi := range in.X {
			if xi > r.front {
				res.Ahead += in.W[i] * math.Abs(mean[i])
			}
		}
	}
	if sample && r.hasFront {
		if res.ShockErr, err = r.shockError(ctx, method, mean, cov); err != nil {
			return err
		}
	}
	in.Results = append(in.Results, res)
	return nil
}

// shockError returns |median sampled front − x*(t)| over Settings.Draws
// draws from N(mean, cov), on the shared shock-draw stream.
func (r *runner) shockError(ctx context.Context, method string, mean []float64, cov pde.Covariance) (float64, error) {
	smp, err := pde.NewSampler(cov)
	if err != nil {
		return 0, fmt.Errorf("gpme: %s %s: %w", r.c.Name, method, err)
	}
	rng := rand.New(rand.NewPCG(r.drawSeed[0], r.drawSeed[1]))
	draws := make([][]float64, r.o.Draws)
	for k := range draws {
		if k%64 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if draws[k], err = smp.Sample(nil, mean, rng); err != nil {
			return 0, err
		}
	}
	med, err := pde.MedianShock(r.in.X, draws)
	if err != nil {
		return 0, err
	}
	return math.Abs(med - r.front), nil
}

// base runs GP, PC, PCNonNeg (if enabled) and HardC.
func (r *runner) base(ctx context.Context) error {
	if err := r.add(ctx, GP, r.mu, nil, r.d, true); err != nil {
		return err
	}
	muPC, covPC, err := pde.ConservationUpdate(r.mu, r.d, r.mass)
	if err != nil {
		return fmt.Errorf("gpme: %s PC: %w", r.c.Name, err)
	}
	if err := r.add(ctx, PC, muPC, nil, covPC, true); err != nil {
		return err
	}
	if r.o.NonNeg && r.c.NonNegative {
		muN, err := pde.ProjectNonNegative(muPC, r.d, r.in.W, r.in.Mass)
		if err != nil {
			return fmt.Errorf("gpme: %s nonneg: %w", r.c.Name, err)
		}
		if err := r.add(ctx, PCNonNeg, muN, nil, covPC, false); err != nil {
			return err
		}
	}
	muH, err := pde.ProjectHardC(r.mu, r.mass)
	if err != nil {
		return err
	}
	return r.add(ctx, HardC, muH, nil, r.d, true)
}

// full runs PCFull if enabled.
func (r *runner) full(ctx context.Context) error {
	if !r.o.Full {
		return nil
	}
	_, full, err := r.gp.Predict(r.c.TEval, r.in.X)
	if err != nil {
		return err
	}
	muF, covF, err := pde.ConservationUpdate(r.mu, full, r.mass)
	if err != nil {
		return fmt.Errorf("gpme: %s PC full: %w", r.c.Name, err)
	}
	return r.add(ctx, PCFull, muF, nil, covF, false)
}

// diffusion runs PCDiff if enabled.
func (r *runner) diffusion(ctx context.Context) error {
	if !r.o.Diffusion {
		return nil
	}
	diff, err := pde.DiffusionRows(r.d, pde.DefaultDiffusionAlpha)
	if err != nil {
		return err
	}
	both, err := pde.Stack(diff, r.mass)
	if err != nil {
		return err
	}
	muD, covD, err := pde.ConservationUpdate(r.mu, r.d, both)
	if err != nil {
		return fmt.Errorf("gpme: %s PC diffusion: %w", r.c.Name, err)
	}
	return r.add(ctx, PCDiff, muD, nil, covD, false)
}

// latent runs Ens and PCEns if enabled.
func (r *runner) latent(ctx context.Context) error {
	if !r.o.Latent {
		return nil
	}
	var ens pde.Ensemble
	for _, f := range ensembleScales {
		es := r.gs
		es.LengthT *= f
		es.LengthX *= f
		m, err := pde.FitGP(r.cx.T, r.cx.X, r.cx.Y, &es)
		if err != nil {
			return fmt.Errorf("gpme: %s ensemble: %w", r.c.Name, err)
		}
		ens = append(ens, pde.DiagModel{Model: m})
	}
	mus, covs, err := ens.PredictLatent(r.c.TEval, r.in.X)
	if err != nil {
		return err
	}
	plain, err := pde.AggregateLatent(mus, covs, nil)
	if err != nil {
		return err
	}
	if err := r.add(ctx, Ens, plain.Mean, plain.Var, plain.Cov, true); err != nil {
		return err
	}
	agg, err := pde.AggregateLatent(mus, covs, &r.mass)
	if err != nil {
		return fmt.Errorf("gpme: %s ensemble PC: %w", r.c.Name, err)
	}
	return r.add(ctx, PCEns, agg.Mean, agg.Var, agg.Cov, true)
}

// Iter is the progress of [RunCases]: one iteration is one finished
// instance.
type Iter struct {
	run.Progress
	// Case and Index identify the instance just finished (at Start, the
	// first one to run).
	Case  string
	Index int
}

// Summary returns "case Stefan0.6 instance 3", for run.Printer.
func (it *Iter) Summary() string { return fmt.Sprintf("case %s instance %d", it.Case, it.Index) }

// Recorder receives the progress of [RunCases].
type Recorder = run.Recorder[*Iter]

// History keeps every state of a [RunCases] run.
type History = run.History[Iter, *Iter]

// RunCases runs instances 0..n−1 of every case with [Run] and returns them
// per case, in order. Settings.Recorder sees one iteration per instance
// (MaxIter = len(cases)·n, so run.Printer shows an estimate of the time
// left). It returns the first error of Run, an error wrapping
// pde.ErrSettings for n < 1 or no cases, ctx's error when canceled, or the
// Recorder's error wrapped.
func RunCases(ctx context.Context, cases []Case, n int, s *Settings) ([][]*Instance, error) {
	if n < 1 || len(cases) == 0 {
		return nil, fmt.Errorf("%w: RunCases needs cases and n ≥ 1 (got %d cases, n = %d)", pde.ErrSettings, len(cases), n)
	}
	if _, err := s.withDefaults(); err != nil {
		return nil, err
	}
	var rec Recorder
	if s != nil {
		rec = s.Recorder
	}
	loop := run.Loop[*Iter]{Recorder: rec, MaxIter: len(cases) * n}
	it := &Iter{Case: cases[0].Name}
	if err := loop.Start(it); err != nil {
		return nil, loop.End(it, run.RecorderStopped, err)
	}
	out := make([][]*Instance, len(cases))
	for k, c := range cases {
		for i := 0; i < n; i++ {
			in, err := Run(ctx, c, i, s)
			if err != nil {
				st := run.Failure
				if ctx.Err() != nil {
					st = run.Canceled
				}
				return nil, loop.End(it, st, err)
			}
			out[k] = append(out[k], in)
			it.Case, it.Index = c.Name, i
			if st, err := loop.Next(ctx, it, false); st != run.NotTerminated && st != run.IterationLimit {
				return nil, loop.End(it, st, err)
			}
		}
	}
	return out, loop.End(it, run.Completed, nil)
}
