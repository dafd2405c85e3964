package sched

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/run"
)

// Tabu is a tabu search over machine orders. Its default neighbourhood is
// N6 (Balas & Vazacopoulos 1998; the tabu search of Zhang et al. 2007):
// on one critical path, move an operation of a critical block to the front
// or to the end of its block when a sufficient condition guarantees that
// the move keeps the schedule feasible. Moves are ranked by the longest path
// through the moved segment, recomputed from the heads and tails of the
// current solution (exact for the swap of two adjacent operations). The
// alternative N5 (Nowicki & Smutnicki 1996, "A fast taboo search algorithm
// for the job shop problem", Management Science 42(6)) only swaps the
// first two and the last two operations of every block, except the first
// pair of the first block and the last pair of the last block. A move that
// reverses the order of a pair of operations on a machine makes restoring
// that order tabu for a tenure drawn in [TenureMin, TenureMax]; a tabu move
// is allowed if it would beat the best makespan (aspiration). After Stall
// iterations without improvement the search restarts from the best
// solution perturbed by 3–12 random swaps of adjacent critical operations.
// Ties between equally good moves, and between tight arcs when tracing the
// critical path, are broken at random. One iteration is one move (with
// Workers > 1, one move of every worker). The run is deterministic for a
// given Settings.Rand seed, Workers and MaxIter.
//
// The zero value is ready to use.
type Tabu struct {
	// TenureMin and TenureMax bound the tabu tenure, in iterations. Zero
	// means 8 and 15; a TenureMax below TenureMin means max(TenureMin, 15).
	// Negative values are an error.
	TenureMin, TenureMax int
	// Stall is the number of non-improving iterations before a restart from
	// the best solution. Zero means 2000; negative is an error.
	Stall int
	// Workers is the number of independent searches run in parallel, each
	// on its own goroutine with its own random stream drawn from
	// Settings.Rand in worker order; every 2000 moves the best solution of
	// all becomes the one every worker restarts from. Zero means 1 (the
	// sequential search); negative or above 1024 is an error. With
	// Workers > 1 one iteration is one move of every worker, the Recorder
	// sees one state per 2000 iterations, and the result is deterministic
	// for a given seed, Workers and MaxIter whatever GOMAXPROCS.
	Workers int
	// Neighbourhood selects the moves: N6 (the zero value) or N5.
	Neighbourhood Neighbourhood
}

// Neighbourhood is a set of moves of the tabu search.
type Neighbourhood int

// The neighbourhoods of [Tabu].
const (
	// N6 moves an operation of a critical block to the front or the end of
	// the block when a sufficient condition guarantees feasibility
	// (Balas & Vazacopoulos 1998; Zhang et al. 2007). It is the default.
	N6 Neighbourhood = iota
	// N5 swaps the first two and the last two operations of every critical
	// block (Nowicki & Smutnicki 1996); the package's default before N6.
	N5
)

var _ Solver = (*Tabu)(nil)

// maxTabuList bounds the M·N² entries of the tabu list (256 MiB).
const maxTabuList = 1 << 25

// move takes the operation at position i of machine mu to position to,
// shifting the operations in between by one; to = i+1 is the swap of an
// adjacent pair.
type move struct {
	mu, i, to int
	est       int
}

// tabuParams are the Tabu fields with defaults applied.
type tabuParams struct {
	tmin, tmax, stall, workers int
	n6                         bool
}

// params validates ts and applies the defaults.
func (ts *Tabu) params() (tabuParams, error) {
	if ts == nil {
		return tabuParams{}, fmt.Errorf("%w: nil *Tabu", ErrSettings)
	}
	if ts.TenureMin < 0 || ts.TenureMax < 0 || ts.Stall < 0 {
		return tabuParams{}, fmt.Errorf("%w: Tabu TenureMin %d, TenureMax %d, Stall %d: negative", ErrSettings, ts.TenureMin, ts.TenureMax, ts.Stall)
	}
	if ts.Neighbourhood != N5 && ts.Neighbourhood != N6 {
		return tabuParams{}, fmt.Errorf("%w: unknown Tabu Neighbourhood %d", ErrSettings, ts.Neighbourhood)
	}
	if ts.Workers < 0 || ts.Workers > maxWorkers {
		return tabuParams{}, fmt.Errorf("%w: Tabu Workers %d outside [0, %d]", ErrSettings, ts.Workers, maxWorkers)
	}
	p := tabuParams{tmin: cmp.Or(ts.TenureMin, 8), tmax: ts.TenureMax, stall: cmp.Or(ts.Stall, 2000), workers: cmp.Or(ts.Workers, 1), n6: ts.Neighbourhood == N6}
	if p.tmax < p.tmin {
		p.tmax = max(p.tmin, 15)
	}
	return p, nil
}

// tabuState holds the search buffers; nothing is allocated per iteration.
type tabuState struct {
	g        *graph
	par      tabuParams
	n, m     int
	locked   []int
	tabu     []int // (mu·n + a)·n + b: iteration until which "a before b → swap" is tabu
	path     []int
	blocks   []int // pairs (start index in path, length)
	moves    []move
	bestSeq  []int // m·n op ids
	segHeads []int // estimateMove's buffer
	bestCmax int
	iter     int // moves made
	evals    int // neighbours evaluated
	stall    int // iterations since the last improvement or restart
}

// Solve implements [Solver]. It returns the best semi-active schedule found
// with its status; a bad instance or settings give an error wrapping
// ErrInstance, ErrDimension (also for an instance whose tabu list would
// need more than 2^25 = M·N² entries, e.g. N > 1295 jobs with M = 20) or
// ErrSettings. On cancellation it returns the best schedule with Status
// Canceled and ctx.Err().
func (ts *Tabu) Solve(ctx context.Context, inst *Instance, set *Settings) (Result, error) {
	if set == nil {
		set = &Settings{}
	}
	par, err := ts.params()
	if err != nil {
		return Result{}, err
	}
	p, err := newProblem(inst, set)
	if err != nil {
		return Result{}, err
	}
	if n, m := inst.N, inst.M; m*n*n > maxTabuList {
		return Result{}, fmt.Errorf("%w: the tabu list of a %d x %d instance needs M·N² = %d entries (limit %d)", ErrDimension, n, m, m*n*n, maxTabuList)
	}
	orders, err := p.initialOrders(set.Warm)
	if err != nil {
		return Result{}, err
	}
	s, err := newTabuState(p, orders, par)
	if err != nil {
		return Result{}, err
	}
	if par.workers > 1 {
		return searchParallel(ctx, set, p.lb, s, p, orders, par.workers)
	}
	return s.search(ctx, set, p.lb, set.rng())
}

// newTabuState builds the disjunctive graph of the orders and evaluates it.
func newTabuState(p *problem, orders [][]int, par tabuParams) (*tabuState, error) {
	n, m := p.inst.N, p.inst.M
	s := &tabuState{g: newGraph(p.inst), par: par, n: n, m: m, locked: make([]int, m), tabu: make([]int, m*n*n),
		path: make([]int, 0, n*m), blocks: make([]int, 0, 2*n*m), moves: make([]move, 0, 2*n*m), bestSeq: make([]int, n*m), segHeads: make([]int, 0, n)}
	s.g.setRelease(p.rel)
	s.g.setOrders(orders)
	for mu, pre := range p.prefix {
		s.locked[mu] = len(pre)
	}
	if !s.g.eval() {
		return nil, ErrCycle
	}
	s.saveBest()
	return s, nil
}

// tabuMaxIter is the iteration budget: Settings.MaxIter, or 100000 when
// neither MaxIter nor TimeLimit is set.
func tabuMaxIter(set *Settings) int {
	if set.MaxIter == 0 && set.TimeLimit == 0 {
		return 100000
	}
	return set.MaxIter
}

// goal returns Optimal when the best makespan meets the lower bound,
// TargetReached when it meets the target, and NotTerminated otherwise.
func goal(best, lb, target int) run.Status {
	switch {
	case best <= lb:
		return run.Optimal
	case target > 0 && best <= target:
		return run.TargetReached
	}
	return run.NotTerminated
}

// search runs the tabu iterations until a goal or a limit stops them.
func (s *tabuState) search(ctx context.Context, set *Settings, lb int, rng *rand.Rand) (Result, error) {
	loop := run.Loop[*Iter]{Recorder: set.Recorder, MaxIter: tabuMaxIter(set), TimeLimit: set.TimeLimit}
	it := &Iter{Makespan: s.g.cmax, Best: s.bestCmax}
	if err := loop.Start(it); err != nil {
		return s.finish(&loop, it, lb, run.RecorderStopped, err)
	}
	if st := goal(s.bestCmax, lb, set.Target); st != run.NotTerminated {
		return s.finish(&loop, it, lb, st, nil)
	}
	for {
		s.step(rng)
		it.Makespan, it.Best = s.g.cmax, s.bestCmax
		reached := goal(s.bestCmax, lb, set.Target)
		st, err := loop.Next(ctx, it, reached != run.NotTerminated)
		if st == run.Converged {
			st = reached
		}
		if st != run.NotTerminated {
			return s.finish(&loop, it, lb, st, err)
		}
	}
}

// finish restores the best solution and ends the run.
func (s *tabuState) finish(loop *run.Loop[*Iter], it *Iter, lb int, st run.Status, err error) (Result, error) {
	s.restoreBest()
	s.g.eval()
	it.Makespan, it.Best = s.g.cmax, s.bestCmax
	err = loop.End(it, st, err)
	if st != run.RecorderStopped && errors.Is(err, run.ErrRecorderStopped) {
		st = run.RecorderStopped
	}
	res := Result{Schedule: s.g.schedule(), Makespan: s.g.cmax, LowerBound: lb, Status: st,
		Iterations: s.iter, Evaluations: s.evals, Elapsed: loop.Elapsed()}
	return res, err
}

// step makes one tabu move: the best non-tabu N5 neighbour (or a tabu one
// that beats the best, or the oldest tabu one), then a restart after Stall
// iterations without improvement.
func (s *tabuState) step(rng *rand.Rand) {
	s.iter++
	s.criticalPath(rng)
	if s.par.n6 {
		s.n6Moves()
	} else {
		s.n5Moves()
	}
	if len(s.moves) == 0 {
		// Only possible with release dates or pinned ops: restart.
		s.restart(rng, 0)
		s.stall = 0
		return
	}
	pick := s.pickMove(rng)
	if pick < 0 {
		pick = s.oldestTabu()
	}
	s.apply(s.moves[pick], s.iter+s.par.tmin+rng.IntN(s.par.tmax-s.par.tmin+1))
	if s.g.cmax < s.bestCmax {
		s.saveBest()
		s.stall = 0
	} else if s.stall++; s.stall >= s.par.stall {
		s.restart(rng, 3+rng.IntN(10))
		s.stall = 0
	}
}

// tabuIndex is the index in s.tabu of "u before v on machine mu".
func (s *tabuState) tabuIndex(mu, u, v int) int { return (mu*s.n+u/s.m)*s.n + v/s.m }

// pickMove evaluates every move and returns the index of the best one that
// is not tabu or beats the best makespan (ties at random), or -1.
func (s *tabuState) pickMove(rng *rand.Rand) int {
	pick, ties := -1, 0
	for i := range s.moves {
		mv := &s.moves[i]
		mv.est = s.estimateMove(mv)
		s.evals++
		if s.tabuUntil(mv) > s.iter && mv.est >= s.bestCmax {
			continue
		}
		switch {
		case pick < 0 || mv.est < s.moves[pick].est:
			pick, ties = i, 1
		case mv.est == s.moves[pick].est:
			ties++
			if rng.IntN(ties) == 0 {
				pick = i
			}
		}
	}
	return pick
}

// oldestTabu returns the move whose tabu status expires first.
func (s *tabuState) oldestTabu() int {
	pick := 0
	for i := range s.moves {
		if s.tabuUntil(&s.moves[i]) < s.tabuUntil(&s.moves[pick]) {
			pick = i
		}
	}
	return pick
}

// tabuUntil returns the iteration until which mv is tabu: the latest expiry
// of the pairs whose order it reverses. Taking the operation u at i past
// the operations x up to position to reverses every pair (u, x) (forward)
// or (x, u) (backward).
func (s *tabuState) tabuUntil(mv *move) int {
	seq := s.g.seq[mv.mu]
	u := seq[mv.i]
	t := 0
	if mv.to > mv.i {
		for p := mv.i + 1; p <= mv.to; p++ {
			t = max(t, s.tabu[s.tabuIndex(mv.mu, u, seq[p])])
		}
	} else {
		for p := mv.to; p < mv.i; p++ {
			t = max(t, s.tabu[s.tabuIndex(mv.mu, seq[p], u)])
		}
	}
	return t
}

// apply makes move mv and forbids reversing each pair it reversed until
// iteration until. The move must keep the graph acyclic (the N5 swaps on a
// critical path and the N6 moves that pass their feasibility test do).
func (s *tabuState) apply(mv move, until int) {
	g := s.g
	seq := g.seq[mv.mu]
	u := seq[mv.i]
	if mv.to > mv.i {
		for p := mv.i + 1; p <= mv.to; p++ {
			s.tabu[s.tabuIndex(mv.mu, seq[p], u)] = until
		}
	} else {
		for p := mv.to; p < mv.i; p++ {
			s.tabu[s.tabuIndex(mv.mu, u, seq[p])] = until
		}
	}
	switch d := mv.to - mv.i; {
	case d == 1:
		g.swapEval(mv.mu, mv.i)
	case d == -1:
		g.swapEval(mv.mu, mv.to)
	default:
		g.moveEval(mv.mu, mv.i, mv.to)
	}
}

func (s *tabuState) saveBest() {
	i := 0
	for _, seq := range s.g.seq {
		i += copy(s.bestSeq[i:], seq)
	}
	s.bestCmax = s.g.cmax
}

func (s *tabuState) restoreBest() {
	g := s.g
	i := 0
	for mu, seq := range g.seq {
		copy(seq, s.bestSeq[i:i+len(seq)])
		g.link(mu)
		i += len(seq)
	}
}

// restart restores the best solution and applies k random swaps of
// adjacent critical operations (the N1 neighbourhood).
func (s *tabuState) restart(rng *rand.Rand, k int) {
	s.restoreBest()
	s.g.eval()
	for ; k > 0; k-- {
		s.criticalPath(rng)
		s.n1Moves()
		if len(s.moves) == 0 {
			return
		}
		mv := s.moves[rng.IntN(len(s.moves))]
		s.g.swapEval(mv.mu, mv.i)
	}
}

// criticalPath fills s.path with one critical path (source to sink),
// tracing back from a sink; when both the machine arc and the job arc are
// tight it follows the machine arc with probability 3/4 (longer blocks,
// yet varied paths). s.blocks receives the path's blocks.
func (s *tabuState) criticalPath(rng *rand.Rand) {
	g := s.g
	end := g.end
	s.path = append(s.path[:0], end)
	o := end
	for {
		mp, jp := g.mp[o], g.jpred[o]
		mt := mp >= 0 && g.head[mp]+g.dur[mp] == g.head[o]
		jt := jp >= 0 && g.head[jp]+g.dur[jp] == g.head[o]
		switch {
		case mt && jt:
			if rng.IntN(4) != 0 {
				o = mp
			} else {
				o = jp
			}
		case mt:
			o = mp
		case jt:
			o = jp
		default:
			o = -1
		}
		if o < 0 {
			break
		}
		s.path = append(s.path, o)
	}
	for i, j := 0, len(s.path)-1; i < j; i, j = i+1, j-1 {
		s.path[i], s.path[j] = s.path[j], s.path[i]
	}
	s.blocks = s.blocks[:0]
	start := 0
	for i := 1; i <= len(s.path); i++ {
		if i == len(s.path) || g.mach[s.path[i]] != g.mach[s.path[i-1]] || g.pos[s.path[i]] != g.pos[s.path[i-1]]+1 {
			s.blocks = append(s.blocks, start, i-start)
			start = i
		}
	}
}

// n5Moves fills s.moves with the N5 swaps of the current critical path.
func (s *tabuState) n5Moves() {
	g := s.g
	s.moves = s.moves[:0]
	nb := len(s.blocks) / 2
	add := func(o int) { // swap o with its machine successor
		mu := g.mach[o]
		i := g.pos[o]
		if i < s.locked[mu] {
			return
		}
		for _, mv := range s.moves {
			if mv.mu == mu && mv.i == i {
				return
			}
		}
		s.moves = append(s.moves, move{mu: mu, i: i, to: i + 1})
	}
	for b := 0; b < nb; b++ {
		st, l := s.blocks[2*b], s.blocks[2*b+1]
		if l < 2 {
			continue
		}
		if b > 0 || nb == 1 {
			add(s.path[st])
		}
		if b < nb-1 || nb == 1 {
			add(s.path[st+l-2])
		}
	}
}

// n1Moves fills s.moves with every swap of two adjacent operations of a
// critical block.
func (s *tabuState) n1Moves() {
	g := s.g
	s.moves = s.moves[:0]
	for b := 0; b < len(s.blocks)/2; b++ {
		st, l := s.blocks[2*b], s.blocks[2*b+1]
		for i := st; i+1 < st+l; i++ {
			o := s.path[i]
			if g.pos[o] >= s.locked[g.mach[o]] {
				s.moves = append(s.moves, move{mu: g.mach[o], i: g.pos[o], to: g.pos[o] + 1})
			}
		}
	}
}

// estimate returns the length of the longest path through the pair after
// swapping positions i and i+1 of machine mu (Taillard 1994): a lower bound
// on the new makespan, exact when the pair stays critical.
func (s *tabuState) estimate(mu, i int) int {
	g := s.g
	seq := g.seq[mu]
	u, v := seq[i], seq[i+1]
	// new head of v (now first), then u
	rv := g.rel[v]
	if jp := g.jpred[v]; jp >= 0 {
		rv = max(rv, g.head[jp]+g.dur[jp])
	}
	if i > 0 {
		mp := seq[i-1]
		rv = max(rv, g.head[mp]+g.dur[mp])
	}
	ru := max(g.rel[u], rv+g.dur[v])
	if jp := g.jpred[u]; jp >= 0 {
		ru = max(ru, g.head[jp]+g.dur[jp])
	}
	// new tail of u (now last), then v
	qu := 0
	if js := g.jsucc[u]; js >= 0 {
		qu = g.tail[js] + g.dur[js]
	}
	if i+2 < len(seq) {
		ms := seq[i+2]
		qu = max(qu, g.tail[ms]+g.dur[ms])
	}
	qv := qu + g.dur[u]
	if js := g.jsucc[v]; js >= 0 {
		qv = max(qv, g.tail[js]+g.dur[js])
	}
	return max(rv+g.dur[v]+qv, ru+g.dur[u]+qu)
}
