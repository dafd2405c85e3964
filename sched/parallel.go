package sched

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/optlearn/optlearn/run"
)

// epochMoves is the number of moves each worker of a parallel tabu search
// makes between two exchanges of the best solution (about 10 ms on a 15×15
// instance, 50 ms on 100×20).
const epochMoves = 2000

// maxWorkers bounds Tabu.Workers.
const maxWorkers = 1024

// worker is one search of a parallel tabu run, with its own random stream.
type worker struct {
	*tabuState
	rng *rand.Rand
	err error // a recovered panic
}

// searchParallel runs independent tabu searches, one per worker and
// goroutine, from the same start with different random streams. They
// advance in epochs of epochMoves moves each; between epochs the best
// solution of all (ties to the lowest worker index) becomes every worker's
// best, so their restarts jump back to it. The run is deterministic for a
// given seed, worker count and MaxIter, whatever GOMAXPROCS. One iteration
// is one move of every worker.
func searchParallel(ctx context.Context, set *Settings, lb int, base *tabuState, p *problem, orders [][]int, nw int) (Result, error) {
	rng := set.rng()
	ws := make([]*worker, nw)
	for i := range ws {
		s := base
		if i > 0 {
			var err error
			if s, err = newTabuState(p, orders, base.par); err != nil {
				return Result{}, err
			}
		}
		ws[i] = &worker{tabuState: s, rng: rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))}
	}
	maxIter := tabuMaxIter(set)
	loop := run.Loop[*Iter]{Recorder: set.Recorder, TimeLimit: set.TimeLimit}
	it := &Iter{Makespan: base.g.cmax, Best: base.bestCmax}
	if err := loop.Start(it); err != nil {
		return finishParallel(&loop, it, ws, lb, run.RecorderStopped, err, set)
	}
	var deadline time.Time
	if set.TimeLimit > 0 {
		deadline = time.Now().Add(set.TimeLimit)
	}
	for {
		if st := goal(ws[0].bestCmax, lb, set.Target); st != run.NotTerminated {
			return finishParallel(&loop, it, ws, lb, st, nil, set)
		}
		moves := epochMoves
		if maxIter > 0 {
			moves = min(moves, maxIter-ws[0].iter)
		}
		if err := runEpoch(ctx, ws, moves, deadline, lb, set.Target); err != nil {
			return finishParallel(&loop, it, ws, lb, run.Failure, err, set)
		}
		shareBest(ws)
		it.Makespan, it.Best = ws[0].g.cmax, ws[0].bestCmax
		if err := recordEpoch(set.Recorder, it, ws[0].iter, maxIter, loop.Elapsed()); err != nil {
			return finishParallel(&loop, it, ws, lb, run.RecorderStopped, err, set)
		}
		st, err := loop.Check(ctx)
		switch {
		case st != run.NotTerminated:
			return finishParallel(&loop, it, ws, lb, st, err, set)
		case goal(ws[0].bestCmax, lb, set.Target) != run.NotTerminated:
			continue
		case maxIter > 0 && ws[0].iter >= maxIter:
			return finishParallel(&loop, it, ws, lb, run.IterationLimit, nil, set)
		}
	}
}

// runEpoch lets every worker make up to moves moves on its own goroutine.
// A worker stops early when it meets the goal, the context ends or the
// deadline passes (checked every 64 moves). A panic in a worker is
// recovered and returned as an error.
func runEpoch(ctx context.Context, ws []*worker, moves int, deadline time.Time, lb, target int) error {
	var wg sync.WaitGroup
	for _, w := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					w.err = fmt.Errorf("%w: tabu worker: %v", run.ErrFailure, r)
				}
			}()
			w.moves(ctx, moves, deadline, lb, target)
		}()
	}
	wg.Wait()
	var errs []error
	for _, w := range ws {
		errs = append(errs, w.err)
	}
	return errors.Join(errs...)
}

// moves makes up to k moves of w's search.
func (w *worker) moves(ctx context.Context, k int, deadline time.Time, lb, target int) {
	for i := 0; i < k; i++ {
		if goal(w.bestCmax, lb, target) != run.NotTerminated {
			return
		}
		if i&63 == 63 && (ctx.Err() != nil || (!deadline.IsZero() && time.Now().After(deadline))) {
			return
		}
		w.step(w.rng)
	}
}

// shareBest makes the best solution of all workers (ties to the lowest
// index) the best of every worker that has a worse one, so that its next
// restart starts from it; afterwards ws[0].bestCmax is the global best.
func shareBest(ws []*worker) {
	b := 0
	for i, w := range ws {
		if w.bestCmax < ws[b].bestCmax {
			b = i
		}
	}
	for i, w := range ws {
		if i != b && w.bestCmax > ws[b].bestCmax {
			copy(w.bestSeq, ws[b].bestSeq)
			w.bestCmax = ws[b].bestCmax
		}
	}
}

// recordEpoch reports the state after an epoch to rec, with Iteration the
// moves made by each worker.
func recordEpoch(rec Recorder, it *Iter, iter, maxIter int, elapsed time.Duration) error {
	if rec == nil {
		return nil
	}
	it.Progress = run.Progress{Event: run.Iteration, Iteration: iter, MaxIter: max(maxIter, 0), Elapsed: elapsed}
	if err := rec.Record(it); err != nil {
		return fmt.Errorf("%w: %w", run.ErrRecorderStopped, err)
	}
	return nil
}

// finishParallel restores the global best into worker 0 and ends the run:
// the End record (with Iteration the moves per worker) and the error, as
// [run.Loop.End] would give them.
func finishParallel(loop *run.Loop[*Iter], it *Iter, ws []*worker, lb int, st run.Status, err error, set *Settings) (Result, error) {
	shareBest(ws)
	s := ws[0].tabuState
	s.restoreBest()
	s.g.eval()
	it.Makespan, it.Best = s.g.cmax, s.bestCmax
	it.Progress = run.Progress{Event: run.End, Iteration: s.iter, MaxIter: max(tabuMaxIter(set), 0), Elapsed: loop.Elapsed(), Status: st}
	if set.Recorder != nil {
		if rerr := set.Recorder.Record(it); rerr != nil && err == nil {
			err, st = fmt.Errorf("%w: %w", run.ErrRecorderStopped, rerr), run.RecorderStopped
		}
	}
	if err == nil && st == run.Failure {
		err = run.ErrFailure
	}
	res := Result{Schedule: s.g.schedule(), Makespan: s.g.cmax, LowerBound: lb, Status: st, Iterations: s.iter, Elapsed: loop.Elapsed()}
	for _, w := range ws {
		res.Evaluations += w.evals
	}
	return res, err
}
