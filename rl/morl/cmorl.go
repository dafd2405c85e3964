package morl

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/ppo"
)

// Config configures [Run]. Zero values take the official C-MORL defaults
// noted per field; Ref, TotalSteps and NewAgent are required.
type Config struct {
	// Ref is the reference point ref ∈ Rⁿ of the archive and hypervolume.
	Ref []float64
	// Delta is the Stage-1 weight step δ. Zero means 0.2.
	Delta float64
	// Beta is the constraint level β. Zero means 0.9.
	Beta float64
	// Barrier is the log-barrier parameter t. Zero means 20.
	Barrier float64
	// UpdateIter is K, the PPO-IPO updates per (π_r, l) and round. Zero means 20.
	UpdateIter int
	// NumSelect is N_s, the policies selected per round. Zero means 5.
	NumSelect int
	// TotalSteps is T_total and InitSteps T_init (environment steps).
	// InitSteps zero means TotalSteps/2.
	TotalSteps, InitSteps int
	// EvalInterval is the Stage-1 checkpoint interval in PPO updates. Zero
	// means 10 (the discrete scripts use 1).
	EvalInterval int
	// EvalEpisodes is the number of deterministic evaluation episodes. Zero means 1.
	EvalEpisodes int
	// EvalGamma is the discount applied to evaluated returns. Zero means 1.
	EvalGamma float64
	// PolicyBuffer is the archive capacity. Zero means 200.
	PolicyBuffer int
	// RandomSelection replaces crowding-distance selection by uniform
	// sampling of never-selected entries (the ablation).
	RandomSelection bool
	// LSOnly runs the linear-scalarisation baseline: all TotalSteps in
	// Stage 1 with the same δ and checkpoint archiving, no Stage 2.
	LSOnly bool
	// Workers is the number of parallel training tasks. Zero means 1;
	// results do not depend on it.
	Workers int
	// PPO configures the learner of both stages.
	PPO ppo.Settings
	// NewAgent returns a fresh agent (policy and n-output critic) drawing its
	// initial weights from rng.
	NewAgent func(rng *rand.Rand) *ppo.Agent
	// Seed fixes every random stream of the run.
	Seed uint64
	// Recorder, if non-nil, sees the archive after Stage 1 (Round −1) and
	// after every Stage-2 round; an error from it stops the run.
	Recorder Recorder
}

// RoundHistory records every Round it sees, for plots.
type RoundHistory struct{ Rounds []Round }

// Record appends a copy of r.
func (h *RoundHistory) Record(r *Round) error { h.Rounds = append(h.Rounds, *r); return nil }

// Round records one Stage-2 round (after its archive update).
type Round struct {
	Round    int
	Selected [][]float64
	Size     int
	HV       float64
	Steps    int
}

// Result is the outcome of [Run].
type Result struct {
	// Archive is the final Pareto archive EP.
	Archive *Archive
	// Stage1Size and Stage1HV describe the archive after Stage 1.
	Stage1Size int
	Stage1HV   float64
	// Rounds traces Stage 2.
	Rounds []Round
	// Steps counts environment steps (training only), Updates PPO updates.
	Steps, Updates int
	Status         Status
}

func (c *Config) defaults() (Config, error) {
	if c == nil {
		return Config{}, fmt.Errorf("%w: nil config", ErrConfig)
	}
	o := *c
	o.Delta = cmp.Or(o.Delta, 0.2)
	o.Beta = cmp.Or(o.Beta, 0.9)
	o.Barrier = cmp.Or(o.Barrier, 20)
	o.EvalGamma = cmp.Or(o.EvalGamma, 1)
	o.UpdateIter = cmp.Or(o.UpdateIter, 20)
	o.NumSelect = cmp.Or(o.NumSelect, 5)
	o.InitSteps = cmp.Or(o.InitSteps, o.TotalSteps/2)
	o.EvalInterval = cmp.Or(o.EvalInterval, 10)
	o.EvalEpisodes = cmp.Or(o.EvalEpisodes, 1)
	o.PolicyBuffer = cmp.Or(o.PolicyBuffer, DefaultPolicyBuffer)
	o.Workers = cmp.Or(o.Workers, 1)
	if o.NewAgent == nil {
		return o, fmt.Errorf("%w: NewAgent is nil", ErrConfig)
	}
	if o.TotalSteps <= 0 || o.InitSteps <= 0 || o.InitSteps > o.TotalSteps {
		return o, fmt.Errorf("%w: steps total %d init %d", ErrConfig, o.TotalSteps, o.InitSteps)
	}
	if !(o.Beta > 0 && o.Beta <= 1) || o.Barrier < 0 || o.UpdateIter < 0 || o.NumSelect < 0 || o.Workers < 0 {
		return o, fmt.Errorf("%w: beta %g barrier %g K %d Ns %d", ErrConfig, o.Beta, o.Barrier, o.UpdateIter, o.NumSelect)
	}
	return o, nil
}

// taskSeed derives the seed of task (a, b) from the run seed (SplitMix64
// finaliser), so every goroutine task has its own reproducible stream.
func taskSeed(seed uint64, a, b int) uint64 {
	z := seed ^ (uint64(a)+1)*0x9e3779b97f4a7c15 ^ (uint64(b)+1)*0xbf58476d1ce4e5b9
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// parallel runs f(0..n-1) on w goroutines and returns the first error in
// index order.
func parallel(n, w int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(w, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = f(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Run runs C-MORL (Liu et al., ICLR 2025) on environments made by newEnv:
// Stage 1 trains one agent per preference of the δ-grid with scalarised PPO
// (in parallel) for InitSteps/|W|/batch updates each, archiving checkpoints;
// Stage 2 repeatedly selects NumSelect never-selected archive entries by
// crowding distance and, for every objective l, runs K PPO-IPO updates from
// a copy of the entry, archiving every evaluated iterate. Each (π_r, l) gets
// (TotalSteps − InitSteps)/(NumSelect·batch·n) updates over all rounds
// (integer division, as for Stage 1, so Stage 2 never exceeds
// TotalSteps − InitSteps; at least 1), split into rounds of K (the last
// round may be shorter). With LSOnly it runs the linear-scalarisation baseline instead.
//
// It returns an error for an invalid configuration, an environment whose
// objectives do not match Ref, [ErrReference] if after Stage 1 no
// checkpoint dominates Ref, and errors from training. If ctx is cancelled
// it returns the archive so far with Status Canceled and ctx.Err().
func Run(ctx context.Context, newEnv func() rl.MOEnv, cfg *Config) (*Result, error) {
	c, err := cfg.defaults()
	if err != nil {
		return nil, err
	}
	n := newEnv().Spec().Objectives
	if len(c.Ref) != n {
		return nil, fmt.Errorf("%w: reference point has %d objectives, environment %d", ErrDimension, len(c.Ref), n)
	}
	ar, err := NewArchive(c.Ref, c.PolicyBuffer)
	if err != nil {
		return nil, err
	}
	W, err := SimplexGrid(n, c.Delta)
	if err != nil {
		return nil, err
	}
	res := &Result{Archive: ar}
	init := c.InitSteps
	if c.LSOnly {
		init = c.TotalSteps
	}
	batch := c.PPO.NumSteps * c.PPO.NumEnvs
	if batch == 0 {
		ps := c.PPO
		l, err := ppo.New(newEnv, c.NewAgent(rand.New(rand.NewPCG(c.Seed, 0))), &ps, 0)
		if err != nil {
			return nil, err
		}
		batch = l.BatchSize()
	}
	updates := max(1, init/len(W)/batch)

	// Stage 1.
	cands := make([][]Entry, len(W))
	steps := make([]int, len(W))
	err = parallel(len(W), c.Workers, func(i int) error {
		seed := taskSeed(c.Seed, 0, i)
		ag := c.NewAgent(rand.New(rand.NewPCG(seed, 1)))
		ps := c.PPO
		ps.Workers = 1
		l, err := ppo.New(newEnv, ag, &ps, seed)
		if err != nil {
			return err
		}
		evalEnv := newEnv()
		erng := rand.New(rand.NewPCG(seed, 2))
		for u := 1; u <= updates; u++ {
			if _, err := l.Update(ctx, W[i]); err != nil {
				steps[i] = l.Steps()
				return err
			}
			if u%c.EvalInterval == 0 || u == updates {
				e, err := evaluate(evalEnv, ag, &c, erng)
				if err != nil {
					return err
				}
				e.Origin = Origin{Stage: 1, Weights: slices.Clone(W[i]), Update: u}
				cands[i] = append(cands[i], e)
			}
		}
		steps[i] = l.Steps()
		return nil
	})
	for i := range W {
		res.Steps += steps[i]
		res.Updates += steps[i] / batch
		if ierr := ar.Insert(cands[i]...); ierr != nil && err == nil {
			err = ierr
		}
	}
	res.Stage1Size, res.Stage1HV = ar.Len(), ar.Hypervolume()
	if err != nil {
		return finish(ctx, res, err)
	}
	if ar.Len() == 0 {
		return res, fmt.Errorf("%w: no Stage-1 policy reached %v", ErrReference, c.Ref)
	}
	if c.Recorder != nil {
		if err := c.Recorder.Record(&Round{Round: -1, Size: ar.Len(), HV: res.Stage1HV, Steps: res.Steps}); err != nil {
			return finish(ctx, res, err)
		}
	}
	if c.LSOnly || c.TotalSteps <= c.InitSteps || c.NumSelect == 0 || c.UpdateIter == 0 {
		res.Status = Done
		return res, nil
	}

	// Stage 2.
	// Integer division, like the Stage-1 budget: rounding up would spend
	// more than T_total − T_init steps (49 instead of 48 updates per pair,
	// 301,056 Stage-2 steps, on the spec's DST run).
	perPair := max(1, (c.TotalSteps-c.InitSteps)/(c.NumSelect*batch*n))
	rounds := (perPair + c.UpdateIter - 1) / c.UpdateIter
	ext := &ipoExtender{cfg: &c, newEnv: newEnv, perPair: perPair}
	rs, steps2, err := Extend(ctx, ar, ext, &ExtendSettings{
		NumSelect: c.NumSelect, Rounds: rounds, Objectives: n, Workers: c.Workers,
		RandomSelection: c.RandomSelection, Seed: c.Seed, Recorder: c.Recorder, StepsBefore: res.Steps,
	})
	res.Rounds = rs
	res.Steps += steps2
	res.Updates += steps2 / batch
	if err != nil {
		return finish(ctx, res, err)
	}
	res.Status = Done
	return res, nil
}

func finish(ctx context.Context, res *Result, err error) (*Result, error) {
	if ctx.Err() != nil {
		res.Status = Canceled
		return res, ctx.Err()
	}
	res.Status = Failed
	return res, err
}

// evaluate returns an archive entry for a snapshot of ag.
func evaluate(env rl.MOEnv, ag *ppo.Agent, c *Config, rng *rand.Rand) (Entry, error) {
	snap := ag.Clone()
	actor := snap.Actor()
	g, _, err := rl.Evaluate(env, actor, c.EvalEpisodes, c.EvalGamma, true, 0, rng)
	if err != nil {
		return Entry{}, err
	}
	return Entry{G: g, Policy: actor, Agent: snap}, nil
}

// ExtendSettings configures [Extend].
type ExtendSettings struct {
	// NumSelect is N_s; Rounds the number of rounds; Objectives n.
	NumSelect, Rounds, Objectives int
	// Workers runs (π_r, l) tasks in parallel. Zero means 1.
	Workers int
	// RandomSelection picks uniformly among never-selected entries.
	RandomSelection bool
	// Seed fixes the task seeds and random selection.
	Seed uint64
	// History is the global selection history; nil starts a new one.
	History *History
	// Recorder, if non-nil, sees each round; an error from it stops Extend.
	Recorder Recorder
	// StepsBefore is added to Round.Steps (the steps spent before Extend).
	StepsBefore int
}

// Extend runs Stage 2 of C-MORL on ar (steps 6–8): each round selects up
// to NumSelect never-selected entries, runs ext for every selected entry
// and objective (in parallel, merged in task order), and inserts all
// iterates into ar. It stops early when nothing is left to select, and
// returns the per-round trace and the steps used.
func Extend(ctx context.Context, ar *Archive, ext Extender, s *ExtendSettings) ([]Round, int, error) {
	h := s.History
	if h == nil {
		h = &History{}
	}
	w := max(1, s.Workers)
	rng := rand.New(rand.NewPCG(s.Seed, 3))
	var trace []Round
	total := 0
	for round := range s.Rounds {
		if err := ctx.Err(); err != nil {
			return trace, total, err
		}
		var sel []Entry
		if s.RandomSelection {
			sel = ar.selectRandom(s.NumSelect, h, rng)
		} else {
			sel = ar.Select(s.NumSelect, h)
		}
		if len(sel) == 0 {
			break
		}
		nt := len(sel) * s.Objectives
		its := make([][]Entry, nt)
		st := make([]int, nt)
		err := parallel(nt, w, func(i int) error {
			var err error
			its[i], st[i], err = ext.Extend(ctx, sel[i/s.Objectives], i%s.Objectives, round, taskSeed(s.Seed, round+1, i))
			return err
		})
		rec := Round{Round: round}
		for i := range nt {
			total += st[i]
			if ierr := ar.Insert(its[i]...); ierr != nil && err == nil {
				err = ierr
			}
		}
		for _, e := range sel {
			rec.Selected = append(rec.Selected, e.G)
		}
		rec.Size, rec.HV, rec.Steps = ar.Len(), ar.Hypervolume(), s.StepsBefore+total
		trace = append(trace, rec)
		if err == nil && s.Recorder != nil {
			err = s.Recorder.Record(&rec)
		}
		if err != nil {
			return trace, total, err
		}
	}
	return trace, total, nil
}

// selectRandom is the random-selection ablation: up to k uniformly drawn
// never-selected entries, recorded in h.
func (a *Archive) selectRandom(k int, h *History, rng *rand.Rand) []Entry {
	var pool []Entry
	for _, e := range a.entries {
		if !h.Contains(e.G) {
			pool = append(pool, e)
		}
	}
	rng.Shuffle(len(pool), func(i, j int) { pool[i], pool[j] = pool[j], pool[i] })
	if len(pool) > k {
		pool = pool[:k]
	}
	for _, e := range pool {
		h.Add(e.G)
	}
	return pool
}

// ipoExtender is the PPO-IPO extension of step 7.
type ipoExtender struct {
	cfg     *Config
	newEnv  func() rl.MOEnv
	perPair int // updates per (π_r, l) over all rounds
}

func (x *ipoExtender) Extend(ctx context.Context, parent Entry, l, round int, seed uint64) ([]Entry, int, error) {
	c := x.cfg
	if parent.Agent == nil {
		return nil, 0, fmt.Errorf("%w: archive entry has no agent to extend", ErrConfig)
	}
	ag := parent.Agent.Clone()
	ps := c.PPO
	ps.Workers = 1
	lr, err := ppo.New(x.newEnv, ag, &ps, seed)
	if err != nil {
		return nil, 0, err
	}
	n := len(c.Ref)
	w := make([]float64, n)
	w[l] = 1
	bar := &Barrier{L: l, Beta: c.Beta, T: c.Barrier, Ref: c.Ref, Parent: parent.G, Old: slices.Clone(parent.G)}
	env := x.newEnv()
	erng := rand.New(rand.NewPCG(seed, 2))
	var out []Entry
	K := min(c.UpdateIter, x.perPair-round*c.UpdateIter)
	for k := 1; k <= K; k++ {
		if _, err := lr.Update(ctx, w, bar); err != nil {
			return out, lr.Steps(), err
		}
		e, err := evaluate(env, ag, c, erng)
		if err != nil {
			return out, lr.Steps(), err
		}
		e.Origin = Origin{Stage: 2, Parent: slices.Clone(parent.G), Objective: l, Round: round, Update: k}
		out = append(out, e)
		bar.Old = slices.Clone(e.G)
	}
	return out, lr.Steps(), nil
}
