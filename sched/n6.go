package sched

// The N6 neighbourhood (Balas & Vazacopoulos 1998, "Guided local search
// with shifting bottleneck for job shop scheduling", Management Science
// 44(2); used in the tabu search of Zhang, Li, Guan & Rao 2007, "A tabu
// search algorithm with a new neighborhood structure for the job shop
// scheduling problem", Computers & Operations Research 34(11)): on a
// critical path, move an operation of a block to the end of the block
// (right after its last operation) or to its front (right before its first
// operation), when a sufficient condition says the move keeps the graph
// acyclic. The adjacent swaps of N5 are among these moves.

// n6Moves fills s.moves with the N6 moves of the current critical path:
// in every block b_s..b_e, each b_x (x < e) to the end, when
// L(b_e, sink) ≥ L(js(b_x), sink), and each b_x (x > s) to the front, when
// L(source, b_s) + p(b_s) ≥ L(source, jp(b_x)) + p(jp(b_x)) (the
// Balas–Vazacopoulos conditions). As in N5, no move goes to the front of
// the first block or to the end of the last block of a path with several
// blocks (such moves cannot shorten the path).
func (s *tabuState) n6Moves() {
	g := s.g
	s.moves = s.moves[:0]
	nb := len(s.blocks) / 2
	for b := 0; b < nb; b++ {
		st, l := s.blocks[2*b], s.blocks[2*b+1]
		if l < 2 {
			continue
		}
		first, last := s.path[st], s.path[st+l-1]
		mu := g.mach[first]
		lo, hi := g.pos[first], g.pos[last]
		if lo < s.locked[mu] {
			continue
		}
		if b < nb-1 || nb == 1 { // to the end of the block
			for x := st; x < st+l-1; x++ {
				u := s.path[x]
				if js := g.jsucc[u]; x < st+l-2 && js >= 0 && g.tail[last]+g.dur[last] < g.tail[js]+g.dur[js] {
					continue
				}
				s.moves = append(s.moves, move{mu: mu, i: g.pos[u], to: hi})
			}
		}
		if b > 0 || nb == 1 { // to the front of the block
			for x := st + 1; x < st+l; x++ {
				v := s.path[x]
				if x == st+1 && l == 2 && (b < nb-1 || nb == 1) {
					continue // the swap of a pair, already listed as a move to the end
				}
				if jp := g.jpred[v]; x > st+1 && jp >= 0 && g.head[first]+g.dur[first] < g.head[jp]+g.dur[jp] {
					continue
				}
				s.moves = append(s.moves, move{mu: mu, i: g.pos[v], to: lo})
			}
		}
	}
}

// estimateMove returns the Balas–Vazacopoulos estimate of the makespan
// after mv: the longest path through the moved segment, with heads
// recomputed forward and tails backward along the new machine order from
// the old heads and tails of the job neighbours. It is exact for an
// adjacent swap on a critical path ([tabuState.estimate]).
func (s *tabuState) estimateMove(mv *move) int {
	if mv.to == mv.i+1 {
		return s.estimate(mv.mu, mv.i)
	}
	if mv.to == mv.i-1 {
		return s.estimate(mv.mu, mv.to)
	}
	g := s.g
	seq := g.seq[mv.mu]
	lo, hi := min(mv.i, mv.to), max(mv.i, mv.to)
	// order returns the operation at position p of the segment after the
	// move.
	order := func(p int) int {
		switch {
		case p == mv.to:
			return seq[mv.i]
		case mv.to > mv.i:
			return seq[p+1]
		}
		return seq[p-1]
	}
	end := 0 // end of the machine predecessor
	if lo > 0 {
		mp := seq[lo-1]
		end = g.head[mp] + g.dur[mp]
	}
	heads := s.segHeads[:0]
	for p := lo; p <= hi; p++ {
		x := order(p)
		h := max(g.rel[x], end)
		if jp := g.jpred[x]; jp >= 0 {
			h = max(h, g.head[jp]+g.dur[jp])
		}
		heads = append(heads, h)
		end = h + g.dur[x]
	}
	s.segHeads = heads
	start := 0 // tail start of the machine successor
	if hi+1 < len(seq) {
		ms := seq[hi+1]
		start = g.tail[ms] + g.dur[ms]
	}
	est := 0
	for p := hi; p >= lo; p-- {
		x := order(p)
		q := start
		if js := g.jsucc[x]; js >= 0 {
			q = max(q, g.tail[js]+g.dur[js])
		}
		est = max(est, heads[p-lo]+g.dur[x]+q)
		start = q + g.dur[x]
	}
	return est
}
