package parl

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/run"
)

// Settings configures [Run] (A-PARL). The zero value is the spec's main
// experiment: λ = 0.1, 100 iterations of 32 queries, Adam with learning
// rate 0.05, the batch-mean baseline, both hypergradient terms.
type Settings struct {
	// Lambda is the entropy temperature λ of the lower level. Zero means
	// 0.1.
	Lambda float64
	// MaxIter is the number of outer iterations T (one iteration: solve the
	// lower level, draw a batch, one Adam step on ν). Zero means 100.
	MaxIter int
	// Batch is the number of queries N per iteration (trajectories for
	// utility feedback, pairs for preferences). Zero means 32.
	Batch int
	// LR is Adam's learning rate α (β₁ = 0.9, β₂ = 0.999). Zero means 0.05.
	LR float64
	// NoBaseline drops the baseline b (the batch mean of U) from term 2.
	// The estimate stays unbiased but its variance grows.
	NoBaseline bool
	// TermOneOnly drops term 2, the correction for the dependence of the
	// data distribution on ν: the "reward learning on on-policy data"
	// baseline. With utility feedback the gradient is then zero.
	TermOneOnly bool
	// Rand draws the trajectories and noisy feedback. Nil means
	// rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
	// TimeLimit bounds the wall time; zero means none, negative is an error.
	TimeLimit time.Duration
	// Recorder, if not nil, receives the state at the start, after each
	// iteration and at the end.
	Recorder Recorder
	// Ridge is the ridge weight of [Decoupled]'s regression. Zero means
	// 1e-3 (the spec's λ_ridge).
	Ridge float64
	// Exact, when true, records the exact F(ν) (utility feedback without
	// noise, [Policy.Value]) in every Iter; it costs one more dynamic
	// programme per iteration.
	Exact bool
}

// Iter is the state of a run passed to a [Recorder].
type Iter struct {
	run.Progress
	// Nu is the current ν (read only, valid during the call).
	Nu []float64
	// Grad is the hypergradient estimate used by the last step (nil at Start).
	Grad []float64
	// Queries is the number of feedback queries so far.
	Queries int
	// MeanU is the mean feedback value of the last batch.
	MeanU float64
	// F is the exact upper objective at Nu when Settings.Exact, else NaN.
	F float64
}

// Clone returns a copy of it whose slices are its own.
func (it *Iter) Clone() Iter {
	c := *it
	c.Nu = append([]float64(nil), it.Nu...)
	c.Grad = append([]float64(nil), it.Grad...)
	return c
}

// Summary says the iteration's quantities in a few words.
func (it *Iter) Summary() string {
	return fmt.Sprintf("F %.4f  mean U %.4f  queries %d  ν %.3f", it.F, it.MeanU, it.Queries, it.Nu)
}

// Recorder receives the state of a run (see package run for the contract).
type Recorder = run.Recorder[*Iter]

// History keeps every state of a run, for plots.
type History = run.History[Iter, *Iter]

// Printer writes progress lines.
type Printer = run.Printer[*Iter]

// Result is the outcome of [Run] or [Decoupled].
type Result struct {
	// Nu is the final reward parameter ν_T.
	Nu []float64
	// Policy is π*(ν_T).
	Policy *Policy
	// Iterations is the number of outer iterations done.
	Iterations int
	// Queries is the number of feedback queries made.
	Queries int
	// Status says why the run stopped: Completed after MaxIter iterations.
	Status run.Status
}

func (s *Settings) defaults() (Settings, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	c.Lambda = cmpOr(c.Lambda, 0.1)
	c.LR = cmpOr(c.LR, 0.05)
	c.Ridge = cmpOr(c.Ridge, 1e-3)
	c.MaxIter = cmp.Or(c.MaxIter, 100)
	c.Batch = cmp.Or(c.Batch, 32)
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(1, 0))
	}
	switch {
	case !(c.Lambda > 0) || math.IsInf(c.Lambda, 0):
		return c, fmt.Errorf("%w: Lambda = %v", ErrSettings, c.Lambda)
	case !(c.LR > 0) || math.IsInf(c.LR, 0):
		return c, fmt.Errorf("%w: LR = %v", ErrSettings, c.LR)
	case !(c.Ridge > 0) || math.IsInf(c.Ridge, 0):
		return c, fmt.Errorf("%w: Ridge = %v", ErrSettings, c.Ridge)
	case c.MaxIter < 0:
		return c, fmt.Errorf("%w: MaxIter = %d", ErrSettings, c.MaxIter)
	case c.Batch < 1:
		return c, fmt.Errorf("%w: Batch = %d", ErrSettings, c.Batch)
	}
	return c, run.CheckTimeLimit(c.TimeLimit)
}

func cmpOr(v, def float64) float64 {
	if v == 0 {
		return def
	}
	return v
}

// Run is A-PARL (Chakraborty et al., ICLR 2024): it maximises
// F(ν) = E_{τ ~ π*(ν)}[U_ν(τ)] over the reward parameters ν, where π*(ν)
// is the entropy-regularised optimal policy for r_ν = ν·φ (the lower
// level, solved exactly by [SoftValueIteration]) and U_ν the feedback fb.
// Each iteration draws Batch queries from π*(ν_t), estimates
//
//	∇F(ν) ≈ mean ∇_ν U_ν  +  mean (U_ν − b) Σ_h ∇_ν log π*_h(a_h|s_h)
//
// (term 1, reward learning; term 2, the distribution-dependence correction,
// with ∇_ν log π* from the successor features and b the batch mean of U),
// and takes one Adam ascent step. ctx is checked between queries.
//
// It returns an error wrapping [ErrMDP], [ErrDimension], [ErrSettings],
// [ErrNotFinite] or [ErrFeedback] for bad input, the context's error when
// canceled (with the last ν in the Result), and the Recorder's error.
func Run(ctx context.Context, m *MDP, nu0 []float64, fb Feedback, s *Settings) (Result, error) {
	set, err := s.defaults()
	if err != nil {
		return Result{}, err
	}
	if fb == nil {
		return Result{}, fmt.Errorf("%w: nil Feedback", ErrSettings)
	}
	if k := fb.Arity(); k < 1 || k > 2 {
		return Result{}, fmt.Errorf("%w: Feedback.Arity() = %d, want 1 or 2", ErrFeedback, k)
	}
	ss, err := newSession(m, nu0, set)
	if err != nil {
		return Result{}, err
	}
	if ss.done {
		return ss.end(run.Completed, nil)
	}
	nu, pol := ss.res.Nu, ss.res.Policy
	est := newEstimator(m, fb, set, m.Dim())
	adam := optim.Adam{LR: set.LR, Ascent: true}
	for {
		g, meanU, err := est.estimate(ctx, pol)
		if err != nil {
			if ctx.Err() != nil {
				return ss.end(run.Canceled, err)
			}
			return ss.end(run.Failure, err)
		}
		if err := adam.Step([][]float64{nu}, [][]float64{g}); err != nil {
			return ss.end(run.Failure, fmt.Errorf("%w: %w", ErrNotFinite, err))
		}
		if err := checkFinite("nu", nu); err != nil {
			return ss.end(run.Failure, err)
		}
		if pol, err = SoftValueIteration(m, nu, set.Lambda); err != nil {
			return ss.end(run.Failure, err)
		}
		ss.it.Grad = g
		if st, err := ss.next(ctx, pol, meanU); st != run.NotTerminated {
			return ss.end(st, err)
		}
	}
}

// session is the bookkeeping that Run and Decoupled share: the initial
// lower-level solve, the Recorder calls, and the Result.
type session struct {
	set  Settings
	res  Result
	it   *Iter
	loop run.Loop[*Iter]
	done bool // MaxIter is 0: nothing to iterate
}

// newSession solves the lower level at ν₀ and records the start.
func newSession(m *MDP, nu0 []float64, set Settings) (*session, error) {
	pol, err := SoftValueIteration(m, nu0, set.Lambda)
	if err != nil {
		return nil, err
	}
	nu := append([]float64(nil), nu0...)
	ss := &session{set: set, res: Result{Nu: nu, Policy: pol}, it: &Iter{Nu: nu, F: math.NaN()},
		loop: run.Loop[*Iter]{Recorder: set.Recorder, MaxIter: set.MaxIter, TimeLimit: set.TimeLimit}}
	if set.Exact {
		ss.it.F, _, _ = pol.Value(nil)
	}
	if err := ss.loop.Start(ss.it); err != nil {
		ss.res.Status = run.RecorderStopped
		return nil, ss.loop.End(ss.it, run.RecorderStopped, err)
	}
	ss.done = set.MaxIter == 0
	return ss, nil
}

// next records an iteration that ended at policy pol after a batch with
// mean feedback meanU, and says whether to stop (Completed after MaxIter:
// the methods have no convergence test).
func (ss *session) next(ctx context.Context, pol *Policy, meanU float64) (run.Status, error) {
	ss.res.Policy = pol
	ss.res.Queries += ss.set.Batch
	ss.it.Queries, ss.it.MeanU = ss.res.Queries, meanU
	if ss.set.Exact {
		ss.it.F, _, _ = pol.Value(nil)
	}
	st, err := ss.loop.Next(ctx, ss.it, false)
	if st == run.IterationLimit {
		st = run.Completed
	}
	return st, err
}

func (ss *session) end(st run.Status, err error) (Result, error) {
	ss.res.Status, ss.res.Iterations = st, ss.loop.Iterations()
	return ss.res, ss.loop.End(ss.it, st, err)
}

// estimator draws a batch and forms the hypergradient estimate; its
// buffers are reused across iterations.
type estimator struct {
	m    *MDP
	fb   Feedback
	set  Settings
	ts   []Trajectory
	u    []float64
	sc   []float64 // per-query score Σ over the query's trajectories, Batch×d
	g, t []float64
}

func newEstimator(m *MDP, fb Feedback, set Settings, d int) *estimator {
	return &estimator{m: m, fb: fb, set: set, ts: make([]Trajectory, fb.Arity()),
		u: make([]float64, set.Batch), sc: make([]float64, set.Batch*d),
		g: make([]float64, d), t: make([]float64, d)}
}

func (e *estimator) estimate(ctx context.Context, pol *Policy) (g []float64, meanU float64, err error) {
	n := e.set.Batch
	clear(e.g)
	for i := 0; i < n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		for k := range e.ts {
			pol.Sample(&e.ts[k], e.set.Rand)
		}
		clear(e.t)
		u, err := e.fb.Eval(e.m, pol.Nu, e.ts, e.t, e.set.Rand)
		if err != nil {
			return nil, 0, err
		}
		if math.IsNaN(u) || math.IsInf(u, 0) {
			return nil, 0, fmt.Errorf("%w: feedback value %v", ErrNotFinite, u)
		}
		e.u[i] = u
		meanU += u / float64(n)
		for k := range e.g {
			e.g[k] += e.t[k] / float64(n)
		}
		sc := e.sc[i*len(e.g) : (i+1)*len(e.g)]
		clear(sc)
		for k := range e.ts {
			pol.AddScore(sc, &e.ts[k], 1)
		}
	}
	if e.set.TermOneOnly {
		return e.g, meanU, nil
	}
	b := meanU
	if e.set.NoBaseline {
		b = 0
	}
	for i := 0; i < n; i++ {
		w := (e.u[i] - b) / float64(n)
		sc := e.sc[i*len(e.g) : (i+1)*len(e.g)]
		for k := range e.g {
			e.g[k] += w * sc[k]
		}
	}
	return e.g, meanU, nil
}

// Estimate returns one A-PARL hypergradient estimate at the policy p (the
// lower-level solution for p.Nu) from s.Batch queries of fb, with the
// baseline and terms selected by s: the quantity [Run] steps along, for
// checking it against an exact reference ([Policy.Value],
// [ExactPreference]). Errors are those of [Run].
func Estimate(ctx context.Context, p *Policy, fb Feedback, s *Settings) ([]float64, error) {
	set, err := s.defaults()
	if err != nil {
		return nil, err
	}
	if p == nil || fb == nil {
		return nil, fmt.Errorf("%w: nil Policy or Feedback", ErrSettings)
	}
	if k := fb.Arity(); k < 1 || k > 2 {
		return nil, fmt.Errorf("%w: Feedback.Arity() = %d, want 1 or 2", ErrFeedback, k)
	}
	e := newEstimator(p.MDP, fb, set, p.MDP.Dim())
	g, _, err := e.estimate(ctx, p)
	if err != nil {
		return nil, err
	}
	return append([]float64(nil), g...), nil
}
