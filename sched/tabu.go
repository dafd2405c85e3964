package sched

import (
	"context"
	"math/rand/v2"
	"time"
)

// Tabu is a tabu search over machine orders with the N5 neighbourhood of
// Nowicki & Smutnicki (1996, "A fast taboo search algorithm for the job
// shop problem", Management Science 42(6)): on one critical path, swap the
// first two and the last two operations of every critical block, except
// the first pair of the first block and the last pair of the last block.
// Neighbours are ranked by the exact length of the longest path through the
// swapped pair (heads and tails of the current solution); the move that
// re-swaps a pair is tabu for a tenure drawn in [TenureMin, TenureMax];
// a tabu move is allowed if it would beat the best makespan (aspiration).
// After Stall iterations without improvement the search restarts from the
// best solution perturbed by 3–12 random swaps of adjacent critical
// operations. Ties between equally good moves, and between tight arcs when
// tracing the critical path, are broken at random. The run is deterministic
// for a given Options.Rand seed and MaxIter.
//
// The zero value is ready to use.
type Tabu struct {
	// TenureMin and TenureMax bound the tabu tenure. Zero means 8 and 15.
	TenureMin, TenureMax int
	// Stall is the number of non-improving iterations before a restart from
	// the best solution. Zero means 2000.
	Stall int
}

var _ Solver = (*Tabu)(nil)

type move struct {
	mu, i int // swap positions i and i+1 of machine mu
	est   int
}

// tabuState holds the search buffers; nothing is allocated per iteration.
type tabuState struct {
	g        *graph
	n, m     int
	locked   []int
	tabu     []int // (mu·n + a)·n + b: iteration until which "a before b → swap" is tabu
	path     []int
	blocks   []int // pairs (start index in path, length)
	moves    []move
	bestSeq  []int // m·n op ids
	bestCmax int
}

// Solve implements [Solver]. It returns the best semi-active schedule found
// with its status; a bad instance or options give an error wrapping
// ErrInstance or ErrOptions. On cancellation it returns the best schedule
// with Status Canceled and ctx.Err().
func (ts *Tabu) Solve(ctx context.Context, inst *Instance, opt *Options) (Result, error) {
	begin := time.Now()
	if opt == nil {
		opt = &Options{}
	}
	p, err := newProblem(inst, opt)
	if err != nil {
		return Result{}, err
	}
	orders, err := p.initialOrders(opt.Warm)
	if err != nil {
		return Result{}, err
	}
	rng := opt.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	tmin, tmax := ts.TenureMin, ts.TenureMax
	if tmin <= 0 {
		tmin = 8
	}
	if tmax < tmin {
		tmax = max(tmin, 15)
	}
	stallMax := ts.Stall
	if stallMax <= 0 {
		stallMax = 2000
	}
	maxIter := opt.MaxIter
	if maxIter == 0 && opt.TimeLimit == 0 {
		maxIter = 100000
	}
	n, m := inst.N, inst.M
	s := &tabuState{g: newGraph(inst), n: n, m: m, locked: make([]int, m), tabu: make([]int, m*n*n),
		path: make([]int, 0, n*m), blocks: make([]int, 0, 2*n*m), moves: make([]move, 0, 2*n*m), bestSeq: make([]int, n*m)}
	g := s.g
	g.setRelease(p.rel)
	g.setOrders(orders)
	for mu, pre := range p.prefix {
		s.locked[mu] = len(pre)
	}
	if !g.eval() {
		return Result{}, ErrCycle
	}
	s.saveBest()
	res := Result{LowerBound: p.lb}
	it := Iter{Makespan: g.cmax, Best: g.cmax}
	record := func() bool {
		if opt.Recorder == nil {
			return true
		}
		it.Elapsed = time.Since(begin)
		return opt.Recorder.Record(&it) == nil
	}
	finish := func(st Status) (Result, error) {
		s.restoreBest()
		g.eval()
		res.Schedule = g.schedule()
		res.Makespan = g.cmax
		res.Status = st
		res.Elapsed = time.Since(begin)
		it.Best = s.bestCmax
		if !record() && st != Canceled {
			res.Status = Stopped
		}
		if st == Canceled {
			return res, ctx.Err()
		}
		return res, nil
	}
	if !record() {
		return finish(Stopped)
	}
	stall := 0
	for iter := 1; ; iter++ {
		switch {
		case s.bestCmax <= p.lb:
			return finish(Optimal)
		case opt.Target > 0 && s.bestCmax <= opt.Target:
			return finish(TargetReached)
		case maxIter > 0 && res.Iterations >= maxIter:
			return finish(IterationLimit)
		}
		if iter&63 == 0 {
			if ctx.Err() != nil {
				return finish(Canceled)
			}
			if opt.TimeLimit > 0 && time.Since(begin) >= opt.TimeLimit {
				return finish(TimeLimit)
			}
		}
		res.Iterations++
		s.criticalPath(rng)
		s.n5Moves()
		if len(s.moves) == 0 {
			// Only possible with release dates or pinned ops: restart.
			s.restart(rng, 0)
			stall = 0
			continue
		}
		pick := -1
		ties := 0
		for i := range s.moves {
			mv := &s.moves[i]
			mv.est = s.estimate(mv.mu, mv.i)
			res.Evaluations++
			u, v := g.seq[mv.mu][mv.i], g.seq[mv.mu][mv.i+1]
			tabu := s.tabu[(mv.mu*n+u/m)*n+v/m] > iter
			if tabu && mv.est >= s.bestCmax {
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
		if pick < 0 {
			// Every move is tabu: take the one whose tabu expires first.
			for i := range s.moves {
				mv := &s.moves[i]
				u, v := g.seq[mv.mu][mv.i], g.seq[mv.mu][mv.i+1]
				exp := s.tabu[(mv.mu*n+u/m)*n+v/m]
				if pick < 0 || exp < s.tabu[(s.moves[pick].mu*n+g.seq[s.moves[pick].mu][s.moves[pick].i]/m)*n+g.seq[s.moves[pick].mu][s.moves[pick].i+1]/m] {
					pick = i
				}
			}
		}
		mv := s.moves[pick]
		u, v := g.seq[mv.mu][mv.i], g.seq[mv.mu][mv.i+1]
		g.swapEval(mv.mu, mv.i) // critical swap: never a cycle
		s.tabu[(mv.mu*n+v/m)*n+u/m] = iter + tmin + rng.IntN(tmax-tmin+1)
		it.Iteration, it.Makespan = iter, g.cmax
		if g.cmax < s.bestCmax {
			s.saveBest()
			stall = 0
			it.Best = g.cmax
			if !record() {
				return finish(Stopped)
			}
		} else if stall++; stall >= stallMax {
			s.restart(rng, 3+rng.IntN(10))
			stall = 0
		}
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
		s.moves = append(s.moves, move{mu: mu, i: i})
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
				s.moves = append(s.moves, move{mu: g.mach[o], i: g.pos[o]})
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
