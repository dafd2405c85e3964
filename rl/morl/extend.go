package morl

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/optlearn/optlearn/run"
)

// Task is one Stage-2 extension: starting from a copy of Parent, push
// objective Objective up for Updates updates while holding the others.
type Task struct {
	Parent    Entry
	Objective int
	Round     int
	Updates   int
}

// Extender runs one Stage-2 extension and returns the iterates to archive
// (with Origin filled), the environment steps used and the update
// statistics. rng is the task's own stream.
type Extender interface {
	Extend(ctx context.Context, t Task, rng *rand.Rand) (iterates []Entry, steps int, st Stage2Stats, err error)
}

// Stage2Stats counts what the Stage-2 updates did, for tracing the
// constrained step (see "Stage-2 step" in the package doc).
type Stage2Stats struct {
	// Updates is the number of PPO-IPO updates.
	Updates int
	// Recovery counts updates that started infeasible (feasibility
	// recovery replaced the log barrier of at least one objective).
	Recovery int
	// ClipFraction sums the last-epoch clip fraction over the updates
	// (divide by Updates for the mean).
	ClipFraction float64
	// Infeasible counts evaluated iterates that violate the constraint
	// (G_j − ref_j) ≥ β·(G_j^{π_r} − ref_j) for some j ≠ l; Improved counts
	// feasible iterates with G_l above the parent's.
	Infeasible, Improved int
}

func (s *Stage2Stats) add(o Stage2Stats) {
	s.Updates += o.Updates
	s.Recovery += o.Recovery
	s.ClipFraction += o.ClipFraction
	s.Infeasible += o.Infeasible
	s.Improved += o.Improved
}

// ExtendSettings configures [Extend].
type ExtendSettings struct {
	// NumSelect is N_s, the entries selected per round. Zero means 5.
	NumSelect int
	// Objectives is n, the number of objectives (required).
	Objectives int
	// UpdateIter is K, the updates per (π_r, l) and round. Zero means 20.
	UpdateIter int
	// MaxUpdates is the update budget summed over all extensions and
	// rounds: a round with m selected entries gives each of its m·n
	// extensions min(K, remaining/(m·n)) updates and Stage 2 ends when that
	// is zero. Zero means no update budget (MaxIter or exhaustion ends it).
	MaxUpdates int
	// MaxIter caps the rounds. Zero means no cap.
	MaxIter int
	// Reselect forgets the selection history when every archived vector
	// has been selected, instead of ending (needs MaxUpdates or MaxIter).
	Reselect bool
	// Workers runs extensions in parallel. Zero means 1; results do not
	// depend on it.
	Workers int
	// RandomSelection picks uniformly among never-selected entries.
	RandomSelection bool
	// Rand is the source of the task streams (one uint64 drawn per task in
	// task order each round) and of random selection. Nil means
	// rand.NewPCG(1, 0).
	Rand *rand.Rand
	// Selection is the global selection history; nil starts a new one.
	Selection *SelectionHistory
	// Recorder, if non-nil, sees the start, each round and the end.
	Recorder Recorder
}

// ExtendResult is the outcome of [Extend].
type ExtendResult struct {
	// Rounds traces the rounds.
	Rounds []Round
	// Steps counts environment steps; Stats the update statistics.
	Steps int
	Stats Stage2Stats
	// Iterations counts rounds.
	Iterations int
	// Exhausted reports that Extend ended because every archived vector had
	// been selected before; UnusedUpdates is what was left of MaxUpdates.
	Exhausted     bool
	UnusedUpdates int
	// Status: Completed (MaxUpdates spent), Converged (exhausted),
	// IterationLimit, Canceled, RecorderStopped or Failure.
	Status run.Status
}

// Extend runs Stage 2 of C-MORL on ar (steps 6–8): each round selects up
// to NumSelect never-selected entries, runs ext for every selected entry
// and objective (in parallel, merged in task order), and inserts the
// iterates into ar. One iteration is one round. It returns an error for
// invalid settings, a nil archive or extender, and errors from ext; on
// cancellation it returns what was done with Status Canceled and
// ctx.Err().
func Extend(ctx context.Context, ar *Archive, ext Extender, s *ExtendSettings) (*ExtendResult, error) {
	if ar == nil || ext == nil || s == nil {
		return nil, fmt.Errorf("%w: Extend needs an archive, an extender and settings", ErrSettings)
	}
	o := *s
	o.NumSelect = cmp.Or(o.NumSelect, 5)
	o.UpdateIter = cmp.Or(o.UpdateIter, 20)
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 0))
	}
	if err := o.check(len(ar.Ref)); err != nil {
		return nil, err
	}
	it := &Iter{Round: Round{Stage: 2, Round: -1, Size: ar.Len(), HV: ar.Hypervolume()}}
	loop := run.Loop[*Iter]{Recorder: o.Recorder, MaxIter: o.MaxIter}
	res := &ExtendResult{}
	if err := loop.Start(it); err != nil {
		res.Status = run.RecorderStopped
		return res, loop.End(it, res.Status, err)
	}
	st, err := extend(ctx, ar, ext, &o, &loop, it, 0, res)
	res.Status = st
	res.Iterations = len(res.Rounds)
	return res, loop.End(it, st, err)
}

func (o *ExtendSettings) check(n int) error {
	switch {
	case o.Objectives != n:
		return fmt.Errorf("%w: Objectives %d, archive %d", ErrDimension, o.Objectives, n)
	case o.NumSelect < 0 || o.UpdateIter < 0 || o.MaxUpdates < 0 || o.MaxIter < 0 || o.Workers < 0:
		return fmt.Errorf("%w: negative count (NumSelect %d, UpdateIter %d, MaxUpdates %d, MaxIter %d, Workers %d)",
			ErrSettings, o.NumSelect, o.UpdateIter, o.MaxUpdates, o.MaxIter, o.Workers)
	case o.Reselect && o.MaxUpdates == 0 && o.MaxIter == 0:
		return fmt.Errorf("%w: Reselect needs MaxUpdates or MaxIter (it would never end)", ErrSettings)
	}
	return nil
}

// extend runs the rounds of Stage 2 through loop, recording each round in
// it (whose Steps start at stepsBefore), and returns the final status.
func extend(ctx context.Context, ar *Archive, ext Extender, o *ExtendSettings, loop *run.Loop[*Iter], it *Iter, stepsBefore int, res *ExtendResult) (run.Status, error) {
	h := o.Selection
	if h == nil {
		h = &SelectionHistory{}
	}
	n := o.Objectives
	remaining := o.MaxUpdates
	for round := 0; ; round++ {
		if st, err := loop.Check(ctx); st != run.NotTerminated {
			return st, err
		}
		sel := ar.selectFor(o, h)
		if len(sel) == 0 && o.Reselect && ar.Len() > 0 {
			h.seen = h.seen[:0]
			sel = ar.selectFor(o, h)
		}
		if len(sel) == 0 {
			res.Exhausted = true
			res.UnusedUpdates = remaining
			return run.Converged, nil
		}
		nt := len(sel) * n
		K := o.UpdateIter
		if o.MaxUpdates > 0 {
			K = min(K, remaining/nt)
			if K == 0 {
				// The remainder cannot fund one update of every extension;
				// the selected entries stay recorded as selected.
				res.UnusedUpdates = remaining
				return run.Completed, nil
			}
		}
		seeds := make([]uint64, nt)
		for i := range seeds {
			seeds[i] = o.Rand.Uint64()
		}
		its := make([][]Entry, nt)
		steps := make([]int, nt)
		stats := make([]Stage2Stats, nt)
		err := parallel(nt, max(1, o.Workers), func(i int) error {
			var err error
			t := Task{Parent: sel[i/n], Objective: i % n, Round: round, Updates: K}
			its[i], steps[i], stats[i], err = ext.Extend(ctx, t, rand.New(rand.NewPCG(seeds[i], uint64(i))))
			return err
		})
		for i := range nt {
			res.Steps += steps[i]
			res.Stats.add(stats[i])
			if ierr := ar.Insert(its[i]...); ierr != nil && err == nil {
				err = ierr
			}
		}
		remaining -= nt * K
		rec := Round{Stage: 2, Round: round, Size: ar.Len(), HV: ar.Hypervolume(), Steps: stepsBefore + res.Steps}
		for _, e := range sel {
			rec.Selected = append(rec.Selected, slices.Clone(e.G))
		}
		res.Rounds = append(res.Rounds, rec)
		if err != nil {
			if ctx.Err() != nil {
				return run.Canceled, ctx.Err()
			}
			return run.Failure, err
		}
		it.Round = rec
		done := o.MaxUpdates > 0 && remaining <= 0
		st, err := loop.Next(ctx, it, false)
		if done && (st == run.NotTerminated || st == run.IterationLimit) {
			return run.Completed, nil
		}
		if st != run.NotTerminated {
			return st, err
		}
	}
}

// selectFor applies the selection rule of o (crowding distance or random).
func (a *Archive) selectFor(o *ExtendSettings, h *SelectionHistory) []Entry {
	if o.RandomSelection {
		return a.selectRandom(o.NumSelect, h, o.Rand)
	}
	return a.Select(o.NumSelect, h)
}

// selectRandom is the random-selection ablation: up to k uniformly drawn
// never-selected entries, recorded in h.
func (a *Archive) selectRandom(k int, h *SelectionHistory, rng *rand.Rand) []Entry {
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

// parallel runs f(0..n-1) on w goroutines and returns the first error in
// index order. A panic in f becomes an error wrapping [ErrPanic] (the
// caller's process survives a bug in a user's environment or policy).
func parallel(n, w int, f func(i int) error) error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	next := make(chan int)
	call := func(i int) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: task %d: %v\n%s", ErrPanic, i, r, debug.Stack())
			}
		}()
		return f(i)
	}
	for range min(w, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = call(i)
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
