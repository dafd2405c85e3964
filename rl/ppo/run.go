package ppo

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/optlearn/optlearn/run"
)

// Iter is the state [Learner.Run] shows its Recorder after each update.
type Iter struct {
	run.Progress
	// Steps is the number of environment steps taken so far.
	Steps int
	// Stats are those of the update just made (zero at Start).
	Stats Stats
}

// Clone returns a copy that shares no slices with it.
func (it *Iter) Clone() Iter {
	c := *it
	c.Stats.MeanReturn = append([]float64(nil), it.Stats.MeanReturn...)
	return c
}

// Summary is a one-line digest for [run.Printer].
func (it *Iter) Summary() string {
	return fmt.Sprintf("steps %d  episodes %d  mean length %.1f  mean return %.4g", it.Steps, it.Stats.Episodes, it.Stats.MeanEpLen, it.Stats.MeanReturn)
}

// Recorder receives the state of a [Learner.Run].
type Recorder = run.Recorder[*Iter]

// History records every state of a run (for plots).
type History = run.History[Iter, *Iter]

// Result reports a [Learner.Run].
type Result struct {
	// Iterations is the number of updates made.
	Iterations int
	// Steps is the learner's total number of environment steps.
	Steps int
	// Stats are those of the last update.
	Stats Stats
	// Status is IterationLimit after MaxIter updates, TimeLimit,
	// Canceled, RecorderStopped or Failure (see the error).
	Status run.Status
}

// Run makes Settings.MaxIter updates (each one [Learner.Update] with
// weights w and the extra terms), showing each to Settings.Recorder and
// stopping early when ctx ends (within milliseconds, see Update), the
// TimeLimit elapses or the Recorder returns an error. The error is that of
// the failing Update, ctx.Err() or the Recorder's, wrapped.
func (l *Learner) Run(ctx context.Context, w []float64, extra ...LossTerm) (Result, error) {
	loop := run.Loop[*Iter]{Recorder: l.s.Recorder, MaxIter: l.s.MaxIter, TimeLimit: l.s.TimeLimit}
	it := &Iter{Steps: l.steps}
	var res Result
	end := func(st run.Status, err error) (Result, error) {
		res.Iterations, res.Steps, res.Status = loop.Iterations(), l.steps, st
		it.Steps = l.steps
		return res, loop.End(it, st, err)
	}
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	for {
		stats, err := l.Update(ctx, w, extra...)
		if err != nil {
			if ctx.Err() != nil {
				return end(run.Canceled, err)
			}
			return end(run.Failure, err)
		}
		res.Stats = stats
		it.Steps, it.Stats = l.steps, stats
		if st, err := loop.Next(ctx, it, false); st != run.NotTerminated {
			return end(st, err)
		}
	}
}

// recoverInto turns a panic in the calling function into an error wrapping
// [ErrPanic] stored in *err (the caller's process survives a bug in a
// user's environment or policy).
func recoverInto(err *error, where string) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %s: %v\n%s", ErrPanic, where, r, debug.Stack())
	}
}

// checkAgent checks the sizes of this package's models and of the
// normalisers against the environment, so that a mismatch is an error at
// New and not a panic inside a rollout.
func (l *Learner) checkAgent() error {
	ag := l.agent
	if l.nobj < 1 {
		return fmt.Errorf("%w: environment has %d objectives", ErrSettings, l.nobj)
	}
	if l.odim < 1 {
		return fmt.Errorf("%w: environment has observation dimension %d", ErrSettings, l.odim)
	}
	if ag.ObsNorm != nil && (len(ag.ObsNorm.Mean) != l.odim || len(ag.ObsNorm.Var) != l.odim) {
		return fmt.Errorf("%w: observation normaliser has dimension %d, observations %d", ErrSettings, len(ag.ObsNorm.Mean), l.odim)
	}
	if ag.RetNorm != nil && (len(ag.RetNorm.Mean) != l.nobj || len(ag.RetNorm.Var) != l.nobj) {
		return fmt.Errorf("%w: return normaliser has dimension %d, objectives %d", ErrSettings, len(ag.RetNorm.Mean), l.nobj)
	}
	nact := l.space.N // discrete actions (0 for a box)
	if !l.space.IsDiscrete() {
		nact = l.space.Dim
	}
	check := func(what string, in, out, wantOut int) error {
		if in < l.odim {
			return fmt.Errorf("%w: %s has %d inputs (states), the environment's observations have %d components", ErrSettings, what, in, l.odim)
		}
		if out != wantOut {
			return fmt.Errorf("%w: %s has %d outputs, the environment needs %d", ErrSettings, what, out, wantOut)
		}
		return nil
	}
	exact := func(what string, in, out, wantOut int) error {
		if in != l.odim {
			return fmt.Errorf("%w: %s has %d inputs, the environment's observations have %d components", ErrSettings, what, in, l.odim)
		}
		return check(what, in, out, wantOut)
	}
	var err error
	switch p := ag.Policy.(type) {
	case *Tabular:
		if !l.space.IsDiscrete() {
			return fmt.Errorf("%w: a Tabular policy needs discrete actions", ErrSettings)
		}
		err = check("the Tabular policy", p.S, p.A, nact)
		if err == nil && len(p.Logits) != p.S*p.A {
			err = fmt.Errorf("%w: the Tabular policy has %d logits for %d×%d", ErrSettings, len(p.Logits), p.S, p.A)
		}
	case *CategoricalMLP:
		if !l.space.IsDiscrete() {
			return fmt.Errorf("%w: a CategoricalMLP policy needs discrete actions", ErrSettings)
		}
		err = exact("the policy network", p.Net.In(), p.Net.Out(), nact)
	case *GaussianMLP:
		if l.space.IsDiscrete() {
			return fmt.Errorf("%w: a GaussianMLP policy needs box actions", ErrSettings)
		}
		err = exact("the policy network", p.Net.In(), p.Net.Out(), nact)
		if err == nil && len(p.LogStd) != nact {
			err = fmt.Errorf("%w: the policy has %d LogStd components for %d action components", ErrSettings, len(p.LogStd), nact)
		}
	}
	if err != nil {
		return err
	}
	switch c := ag.Critic.(type) {
	case *TabularCritic:
		err = check("the TabularCritic", c.S, c.N, l.nobj)
		if err == nil && len(c.V) != c.S*c.N {
			err = fmt.Errorf("%w: the TabularCritic has %d values for %d×%d", ErrSettings, len(c.V), c.S, c.N)
		}
	case *CriticMLP:
		err = exact("the critic network", c.Net.In(), c.Net.Out(), l.nobj)
	}
	return err
}
