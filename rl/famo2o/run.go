package famo2o

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime/debug"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/run"
)

// Eval is one evaluation: the mean return of Settings.EvalEpisodes
// deterministic episodes after EnvSteps online steps.
type Eval struct {
	EnvSteps int
	Return   float64
}

// Iter is the state [Learner.Run] shows its Recorder after each update.
type Iter struct {
	run.Progress
	// Phase is that of the update just made.
	Phase Phase
	// EnvSteps is the number of online environment steps so far.
	EnvSteps int
	// Losses are those of the update just made (zero at Start).
	Losses Losses
	// LastEval is the most recent evaluation return (NaN before the first).
	LastEval float64
}

// Summary is a one-line digest for [run.Printer].
func (it *Iter) Summary() string {
	return fmt.Sprintf("%s  env steps %d  V %.3g  Q %.3g  pi %.3g  beta %.2f  eval %.1f", it.Phase, it.EnvSteps, it.Losses.V, it.Losses.Q, it.Losses.Policy, it.Losses.MeanBeta, it.LastEval)
}

// Recorder receives the state of a [Learner.Run].
type Recorder = run.Recorder[*Iter]

// History records every state of a run.
type History = run.History[Iter, *Iter]

// Result reports a [Learner.Run].
type Result struct {
	// Iterations is the number of updates made by this call.
	Iterations int
	// EnvSteps is the total number of online environment steps.
	EnvSteps int
	// Evals are all evaluations so far: the first at the end of the
	// offline phase, then one every EvalEvery online steps (and at the end).
	Evals []Eval
	// Offline is the evaluation return at the end of the offline phase
	// (NaN if not reached).
	Offline float64
	// Final is the mean of the last three evaluations (fewer if there are
	// fewer; NaN if none).
	Final float64
	// Status is IterationLimit when the schedule is complete, or
	// TimeLimit, Canceled, RecorderStopped or Failure (see the error).
	Status run.Status
}

// Run trains for Settings.OfflineSteps offline updates and then
// Settings.OnlineSteps online steps (one environment step and one update
// each), evaluating as Result.Evals says. A Run that stopped early (ctx,
// TimeLimit, Recorder) can be continued by calling Run again. ctx is
// checked before every update and every evaluation episode.
func (l *Learner) Run(ctx context.Context) (res Result, err error) {
	total := l.set.OfflineSteps + l.set.OnlineSteps
	loop := run.Loop[*Iter]{Recorder: l.set.Recorder, MaxIter: total - l.offDone - l.onDone, TimeLimit: l.set.TimeLimit}
	it := &Iter{LastEval: math.NaN(), EnvSteps: l.envSteps}
	end := func(st run.Status, e error) (Result, error) {
		res.Iterations, res.EnvSteps, res.Status = loop.Iterations(), l.envSteps, st
		res.Evals = append([]Eval(nil), l.evals...)
		res.Offline, res.Final = math.NaN(), math.NaN()
		if len(l.evals) > 0 && l.offDone == l.set.OfflineSteps {
			res.Offline = l.evals[0].Return
			k := max(len(l.evals)-3, 0)
			s := 0.0
			for _, e := range l.evals[k:] {
				s += e.Return
			}
			res.Final = s / float64(len(l.evals)-k)
		}
		return res, loop.End(it, st, e)
	}
	defer func() {
		if r := recover(); r != nil {
			res, err = end(run.Failure, fmt.Errorf("%w: %v\n%s", ErrPanic, r, debug.Stack()))
		}
	}()
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	if total-l.offDone-l.onDone == 0 {
		return end(run.IterationLimit, nil)
	}
	evaluate := func() (run.Status, error) {
		ret, err := l.Evaluate(ctx, nil)
		if err != nil {
			if ctx.Err() != nil {
				return run.Canceled, err
			}
			return run.Failure, err
		}
		l.evals = append(l.evals, Eval{EnvSteps: l.envSteps, Return: ret})
		it.LastEval = ret
		return run.NotTerminated, nil
	}
	if l.set.OfflineSteps == 0 && len(l.evals) == 0 {
		// No offline phase: the "offline" evaluation is of the initial policy.
		if st, err := evaluate(); st != run.NotTerminated {
			return end(st, err)
		}
	}
	for {
		if st, err := loop.Check(ctx); st != run.NotTerminated {
			return end(st, err)
		}
		phase := Offline
		if l.offDone < l.set.OfflineSteps {
			l.offDone++
		} else {
			phase = Online
			if err := l.envStep(); err != nil {
				return end(run.Failure, err)
			}
			l.onDone++
		}
		ls, err := l.Update(phase)
		if err != nil {
			return end(run.Failure, err)
		}
		needEval := (phase == Offline && l.offDone == l.set.OfflineSteps) ||
			(phase == Online && (l.onDone%l.set.EvalEvery == 0 || l.onDone == l.set.OnlineSteps))
		if needEval {
			if st, err := evaluate(); st != run.NotTerminated {
				return end(st, err)
			}
		}
		it.Phase, it.EnvSteps, it.Losses = phase, l.envSteps, ls
		if st, err := loop.Next(ctx, it, false); st != run.NotTerminated {
			return end(st, err)
		}
	}
}

// envStep takes one online step with the exploration policy and stores
// the transition in the replay buffer.
func (l *Learner) envStep() error {
	if l.needReset {
		l.obs = append(l.obs[:0], l.env.Reset(l.rng)...)
		l.needReset, l.epRet = false, 0
	}
	if len(l.obs) != l.od {
		return fmt.Errorf("%w: observation has %d components, want %d", ErrDimension, len(l.obs), l.od)
	}
	beta := l.Beta(l.obs, l.rng)
	l.act = l.actBeta(l.act, l.obs, beta, true, l.rng)
	na := l.na
	for j := range na {
		na[j] = (l.act[j] - l.mid[j]) / l.half[j]
	}
	r := l.rew[:]
	next, done, err := l.env.Step(rl.Action{Box: l.act}, r)
	if err != nil {
		return err
	}
	if math.IsNaN(r[0]) || math.IsInf(r[0], 0) {
		return fmt.Errorf("%w: reward %v at online step %d", ErrNotFinite, r[0], l.envSteps+1)
	}
	if len(next) != l.od {
		return fmt.Errorf("%w: observation has %d components, want %d", ErrDimension, len(next), l.od)
	}
	mask := 1.0
	if done == rl.Terminated {
		mask = 0
	}
	l.buf.add(l.obs, na, r[0]*l.rscale, next, mask)
	l.obs = append(l.obs[:0], next...)
	l.envSteps++
	l.epRet += r[0]
	if done != rl.Running {
		l.needReset = true
	}
	return nil
}

// Beta returns the balance coefficient the learner acts with at obs (see
// [Policy.Beta]). obs must have the environment's observation dimension
// (else it panics, a programmer error).
func (l *Learner) Beta(obs []float64, rng *rand.Rand) float64 { return l.pol.Beta(obs, rng) }

// ActBeta writes the universal policy's mean action μ_u(s, β) at obs (in
// the environment's units, clipped to the action box) to dst (grown if
// short) and returns it. For IQL β is ignored (its policy is not
// conditioned on β).
func (l *Learner) ActBeta(dst, obs []float64, beta float64) []float64 {
	return l.pol.actBeta(dst, obs, beta, false, nil)
}

func (l *Learner) actBeta(dst, obs []float64, beta float64, sample bool, rng *rand.Rand) []float64 {
	return l.pol.actBeta(dst, obs, beta, sample, rng)
}

// Act returns the action at obs (see [Policy.Act]).
func (l *Learner) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	return l.pol.Act(obs, deterministic, rng)
}

// Policy returns a snapshot of the acting policy (a deep copy: later
// updates do not change it).
func (l *Learner) Policy() *Policy { return l.pol.clone() }

// Evaluate returns the mean return of Settings.EvalEpisodes deterministic
// episodes, episode i reset from rand.NewPCG(EvalSeed, i). If beta is not
// nil it gives the β to act with at each observation (else [Learner.Beta];
// RandomBeta draws from the episode's stream). It returns ctx.Err() if ctx
// ends (checked every episode), environment errors and an error wrapping
// [ErrNotFinite] for a NaN or Inf reward.
func (l *Learner) Evaluate(ctx context.Context, beta func(obs []float64) float64) (float64, error) {
	n := l.set.EvalEpisodes
	total := 0.0
	r := []float64{0}
	act := make([]float64, l.ad)
	for ep := range n {
		if err := ctx.Err(); err != nil {
			return math.NaN(), err
		}
		rng := rand.New(rand.NewPCG(l.set.EvalSeed, uint64(ep)))
		obs := l.evalEnv.Reset(rng)
		for t := 0; ; t++ {
			if t >= MaxEpisodeSteps {
				return math.NaN(), fmt.Errorf("%w: an evaluation episode ran for %d steps", ErrSettings, t)
			}
			if len(obs) != l.od {
				return math.NaN(), fmt.Errorf("%w: observation has %d components, want %d", ErrDimension, len(obs), l.od)
			}
			var b float64
			if beta != nil {
				b = beta(obs)
			} else {
				b = l.Beta(obs, rng)
			}
			act = l.actBeta(act, obs, b, false, nil)
			next, done, err := l.evalEnv.Step(rl.Action{Box: act}, r)
			if err != nil {
				return math.NaN(), err
			}
			if math.IsNaN(r[0]) || math.IsInf(r[0], 0) {
				return math.NaN(), fmt.Errorf("%w: reward %v in evaluation episode %d", ErrNotFinite, r[0], ep)
			}
			total += r[0]
			obs = next
			if done != rl.Running {
				break
			}
		}
	}
	return total / float64(n), nil
}
