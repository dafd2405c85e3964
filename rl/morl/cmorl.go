package morl

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/ppo"
	"github.com/optlearn/optlearn/run"
)

// Run runs C-MORL (Liu et al., ICLR 2025) on environments made by newEnv.
//
// Stage 1 trains one agent per preference of the δ-grid with scalarised
// PPO (in parallel) for InitSteps/|W|/batch updates each, archiving
// checkpoints (or, with ArchiveFinal, each agent's final point). Stage 2
// ([Extend]) repeatedly selects NumSelect never-selected archive entries by
// crowding distance and, for every objective l, runs up to K PPO-IPO
// updates from a copy of the entry, archiving the iterates. Stage 2 spends
// what Stage 1 left of TotalSteps: a round with m selected entries gives
// each of its m·n extensions min(K, remaining updates/(m·n)) updates, and
// Stage 2 ends when that is zero (Status Completed). When every archived
// vector has been selected before, Stage 2 ends with Status Converged and
// Result.Exhausted set, or, with Reselect, forgets the history and goes on.
// Result.UnusedSteps reports what was not spent either way. With LSOnly it
// runs the linear-scalarisation baseline instead (all TotalSteps in Stage
// 1).
//
// One iteration (see [Iter]) is one archive update: the end of Stage 1,
// then each Stage-2 round. It returns an error for invalid settings, an
// agent that does not fit the environment, [ErrReference] if after Stage 1
// no policy dominates Ref, and errors from training (a panic in a user's
// environment or model becomes [ErrPanic]). If ctx is cancelled it returns
// the archive so far with Status Canceled and ctx.Err().
func Run(ctx context.Context, newEnv func() rl.MOEnv, s *Settings) (*Result, error) {
	c, err := s.defaults()
	if err != nil {
		return nil, err
	}
	if newEnv == nil {
		return nil, fmt.Errorf("%w: newEnv is nil", ErrSettings)
	}
	r := &runner{c: &c, newEnv: newEnv}
	if err := r.check(); err != nil {
		return nil, err
	}
	return r.run(ctx)
}

// runner holds one run of [Run].
type runner struct {
	c      *Settings
	newEnv func() rl.MOEnv
	n      int // objectives
	batch  int // environment steps per PPO update
	ext    ppo.Settings
	W      [][]float64
}

// check validates the environment and the agent against the settings
// before any goroutine starts.
func (r *runner) check() (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: probing the environment and agent: %v", ErrPanic, p)
		}
	}()
	c := r.c
	env := r.newEnv()
	if env == nil {
		return fmt.Errorf("%w: newEnv returned nil", ErrSettings)
	}
	sp := env.Spec()
	r.n = sp.Objectives
	if len(c.Ref) != r.n {
		return fmt.Errorf("%w: reference point has %d objectives, environment %d", ErrDimension, len(c.Ref), r.n)
	}
	if r.W, err = SimplexGrid(r.n, c.Delta); err != nil {
		return err
	}
	if len(r.W) > MaxTasks {
		return fmt.Errorf("%w: %d preferences (Delta %g, %d objectives), more than MaxTasks %d", ErrSize, len(r.W), c.Delta, r.n, MaxTasks)
	}
	ag := c.NewAgent(rand.New(rand.NewPCG(0, 0)))
	if err := checkAgent(ag, sp); err != nil {
		return err
	}
	ps := c.PPO
	ps.Workers = 1
	l, err := ppo.New(r.newEnv, ag, &ps, 0)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSettings, err)
	}
	r.batch = l.BatchSize()
	r.ext = r.extendPPO(ag)
	r.ext.Workers = 1
	if _, err := ppo.New(r.newEnv, ag, &r.ext, 0); err != nil {
		return fmt.Errorf("%w: ExtendPPO: %w", ErrSettings, err)
	}
	return nil
}

// checkAgent verifies that ag's models fit the environment: tabular tables
// cover every one-hot cell and action, and the policy and critic answer
// for the first observation without panicking (the caller recovers).
func checkAgent(ag *ppo.Agent, sp rl.Spec) error {
	if ag == nil || ag.Policy == nil || ag.Critic == nil {
		return fmt.Errorf("%w: NewAgent returned an agent without policy or critic", ErrSettings)
	}
	if t, ok := ag.Policy.(*ppo.Tabular); ok {
		if t.S < sp.Obs.Dim || (sp.Action.IsDiscrete() && t.A != sp.Action.N) || len(t.Logits) != t.S*t.A {
			return fmt.Errorf("%w: tabular policy %d×%d, environment has %d cells and %d actions", ErrDimension, t.S, t.A, sp.Obs.Dim, sp.Action.N)
		}
	}
	if t, ok := ag.Critic.(*ppo.TabularCritic); ok {
		if t.S < sp.Obs.Dim || t.N != sp.Objectives || len(t.V) != t.S*t.N {
			return fmt.Errorf("%w: tabular critic %d×%d, environment has %d cells and %d objectives", ErrDimension, t.S, t.N, sp.Obs.Dim, sp.Objectives)
		}
	}
	obs := make([]float64, sp.Obs.Dim)
	v := make([]float64, sp.Objectives)
	ag.Critic.Values(v, obs)
	if sp.Action.IsDiscrete() {
		ag.Policy.LogProb(obs, rl.Action{Discrete: 0})
	}
	return nil
}

// extendPPO returns the Stage-2 learner settings (see Settings.ExtendPPO).
func (r *runner) extendPPO(ag *ppo.Agent) ppo.Settings {
	if r.c.ExtendPPO != nil {
		return *r.c.ExtendPPO
	}
	if _, ok := ag.Policy.(*ppo.Tabular); ok {
		return TabularExtendPPO(r.c.PPO)
	}
	return r.c.PPO
}

func (r *runner) run(parent context.Context) (*Result, error) {
	c := r.c
	ar, err := NewArchive(c.Ref, c.PolicyBuffer)
	if err != nil {
		return nil, err
	}
	res := &Result{Archive: ar}
	it := &Iter{}
	loop := run.Loop[*Iter]{Recorder: c.Recorder, MaxIter: c.MaxIter, TimeLimit: c.TimeLimit}
	// The time limit also ends the extensions of a Stage-2 round and the
	// PPO updates that check ctx: a context with that deadline, whose end
	// is reported as TimeLimit unless the caller's context ended.
	ctx := parent
	if c.TimeLimit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(parent, c.TimeLimit)
		defer cancel()
	}
	end := func(st run.Status, err error) (*Result, error) {
		if st == run.Canceled && parent.Err() == nil {
			st, err = run.TimeLimit, nil
		}
		res.Status = st
		res.Iterations = loop.Iterations()
		res.UnusedSteps = max(0, c.TotalSteps-res.Steps)
		return res, loop.End(it, st, err)
	}
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	if st, err := r.stage1(ctx, &loop, res); st != run.NotTerminated {
		return end(st, err)
	}
	if ar.Len() == 0 {
		return end(run.Failure, fmt.Errorf("%w: no Stage-1 policy reached %v", ErrReference, c.Ref))
	}
	it.Round = Round{Stage: 1, Round: -1, Size: ar.Len(), HV: res.Stage1HV, Steps: res.Steps}
	st, err := loop.Next(ctx, it, false)
	remaining := (c.TotalSteps - res.Steps) / r.batch
	if st != run.NotTerminated {
		return end(st, err)
	}
	if c.LSOnly || c.NumSelect == 0 || c.UpdateIter == 0 || remaining < r.n {
		return end(run.Completed, nil)
	}
	es := &ExtendSettings{
		NumSelect: c.NumSelect, Objectives: r.n, UpdateIter: c.UpdateIter, MaxUpdates: remaining,
		Reselect: c.Reselect, Workers: c.Workers, RandomSelection: c.RandomSelection, Rand: c.Rand,
	}
	ext := &ipoExtender{c: c, newEnv: r.newEnv, ps: r.ext}
	er := &ExtendResult{}
	st, err = extend(ctx, ar, ext, es, &loop, it, res.Steps, er)
	res.Rounds = er.Rounds
	res.Steps += er.Steps
	res.Updates += er.Stats.Updates
	res.Stage2 = er.Stats
	res.Exhausted = er.Exhausted
	return end(st, err)
}

// stage1 trains one agent per preference in parallel and archives their
// checkpoints. It returns NotTerminated when the run goes on.
func (r *runner) stage1(ctx context.Context, loop *run.Loop[*Iter], res *Result) (run.Status, error) {
	c := r.c
	init := c.InitSteps
	if c.LSOnly {
		init = c.TotalSteps
	}
	W := r.W
	updates := max(1, init/len(W)/r.batch)
	if updates*len(W)*r.batch > c.TotalSteps {
		return run.Failure, fmt.Errorf("%w: TotalSteps %d cannot fund one update (%d steps) per preference (%d)", ErrSettings, c.TotalSteps, r.batch, len(W))
	}
	seeds := make([]uint64, len(W))
	for i := range seeds {
		seeds[i] = c.Rand.Uint64()
	}
	cands := make([][]Entry, len(W))
	steps := make([]int, len(W))
	err := parallel(len(W), c.Workers, func(i int) error {
		seed := seeds[i]
		ag := c.NewAgent(rand.New(rand.NewPCG(seed, 1)))
		if err := checkAgent(ag, r.newEnv().Spec()); err != nil {
			return err
		}
		ps := c.PPO
		ps.Workers = 1
		l, err := ppo.New(r.newEnv, ag, &ps, seed)
		if err != nil {
			return err
		}
		defer func() { steps[i] = l.Steps() }()
		evalEnv := r.newEnv()
		erng := rand.New(rand.NewPCG(seed, 2))
		for u := 1; u <= updates; u++ {
			if st, err := loop.Check(ctx); st != run.NotTerminated {
				return stopErr(st, err)
			}
			if _, err := l.Update(ctx, W[i]); err != nil {
				return err
			}
			if u == updates || (!c.ArchiveFinal && u%c.EvalInterval == 0) {
				e, err := evaluate(evalEnv, ag, c, erng)
				if err != nil {
					return err
				}
				e.Origin = Origin{Stage: 1, Weights: slices.Clone(W[i]), Update: u}
				cands[i] = append(cands[i], e)
			}
		}
		return nil
	})
	for i := range W {
		res.Steps += steps[i]
		res.Updates += steps[i] / r.batch
		if ierr := res.Archive.Insert(cands[i]...); ierr != nil && err == nil {
			err = ierr
		}
	}
	res.Stage1Size, res.Stage1HV = res.Archive.Len(), res.Archive.Hypervolume()
	if err != nil {
		return failure(ctx, err)
	}
	return run.NotTerminated, nil
}

// errTimeLimit marks a task stopped by the time limit.
var errTimeLimit = fmt.Errorf("morl: %w", run.ErrTimeLimit)

func stopErr(st run.Status, err error) error {
	if st == run.TimeLimit {
		return errTimeLimit
	}
	return err
}

// failure maps a task error to the run's status.
func failure(ctx context.Context, err error) (run.Status, error) {
	switch {
	case ctx.Err() != nil:
		return run.Canceled, ctx.Err()
	case errors.Is(err, errTimeLimit):
		return run.TimeLimit, nil
	}
	return run.Failure, err
}

// evaluate returns an archive entry for a snapshot of ag.
func evaluate(env rl.MOEnv, ag *ppo.Agent, c *Settings, rng *rand.Rand) (Entry, error) {
	snap := ag.Clone()
	actor := snap.Actor()
	g, _, err := rl.Evaluate(env, actor, c.EvalEpisodes, c.EvalGamma, true, 0, rng)
	if err != nil {
		return Entry{}, err
	}
	return Entry{G: g, Policy: actor, Agent: snap}, nil
}

// ipoExtender is the PPO-IPO extension of step 7.
type ipoExtender struct {
	c      *Settings
	newEnv func() rl.MOEnv
	ps     ppo.Settings
}

func (x *ipoExtender) Extend(ctx context.Context, t Task, rng *rand.Rand) ([]Entry, int, Stage2Stats, error) {
	c := x.c
	var st Stage2Stats
	if t.Parent.Agent == nil {
		return nil, 0, st, fmt.Errorf("%w: archive entry has no agent to extend", ErrSettings)
	}
	ag := t.Parent.Agent.Clone()
	ps := x.ps
	ps.Workers = 1
	lr, err := ppo.New(x.newEnv, ag, &ps, rng.Uint64())
	if err != nil {
		return nil, 0, st, err
	}
	n, l := len(c.Ref), t.Objective
	w := make([]float64, n)
	w[l] = 1
	bar, err := NewBarrier(l, c.Beta, c.Barrier, c.Ref, t.Parent.G)
	if err != nil {
		return nil, 0, st, err
	}
	bar.CriticFeasibility = c.CriticFeasibility
	env := x.newEnv()
	erng := rand.New(rand.NewPCG(rng.Uint64(), 2))
	var out []Entry
	for k := 1; k <= t.Updates; k++ {
		if err := ctx.Err(); err != nil {
			return out, lr.Steps(), st, err
		}
		ust, err := lr.Update(ctx, w, bar)
		if err == nil {
			err = bar.Err()
		}
		if err != nil {
			return out, lr.Steps(), st, err
		}
		st.Updates++
		st.ClipFraction += ust.ClipFraction
		if bar.Recovering() {
			st.Recovery++
		}
		e, err := evaluate(env, ag, c, erng)
		if err != nil {
			return out, lr.Steps(), st, err
		}
		if bar.Feasible(e.G) {
			if e.G[l] > t.Parent.G[l] {
				st.Improved++
			}
		} else {
			st.Infeasible++
		}
		e.Origin = Origin{Stage: 2, Parent: slices.Clone(t.Parent.G), Objective: l, Round: t.Round, Update: k, ClipFraction: ust.ClipFraction, Recovery: bar.Recovering()}
		if !c.ArchiveFinal || k == t.Updates {
			out = append(out, e)
		}
		bar.Old = slices.Clone(e.G)
	}
	return out, lr.Steps(), st, nil
}

// TabularExtendLR, TabularExtendEpochs and TabularExtendMinibatches are the
// Stage-2 step budget for tabular policies (see "Stage-2 step" in the
// package doc).
const (
	TabularExtendLR          = 0.01
	TabularExtendEpochs      = 10
	TabularExtendMinibatches = 32
)

// TabularExtendPPO returns ps with the Stage-2 step budget for tabular
// policies: learning rate TabularExtendLR, TabularExtendEpochs epochs and
// TabularExtendMinibatches minibatches per update.
func TabularExtendPPO(ps ppo.Settings) ppo.Settings {
	ps.LR = TabularExtendLR
	ps.Epochs = TabularExtendEpochs
	ps.Minibatches = TabularExtendMinibatches
	return ps
}
