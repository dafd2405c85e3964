package sched

// graph is the disjunctive graph of an instance with fixed machine orders.
// Operation (j,k) has id j·M+k. It evaluates heads (earliest starts), tails
// (longest path from an operation's end to the sink) and the makespan
// without allocating.
type graph struct {
	n, m, nops int
	dur, mach  []int // by op id
	rel        []int // release date by op id
	jpred      []int // job predecessor or -1
	jsucc      []int // job successor or -1
	seq        [][]int
	pos        []int // position of an op in its machine sequence
	mp, ms     []int // machine predecessor and successor, or -1 (kept in sync with seq by link)
	end        int   // an op with head+dur = cmax and tail 0 (after eval)
	head, tail []int
	topo       []int // a topological order (valid after eval or swapEval)
	tpos       []int // position of each op in topo
	inS        []bool
	buf        []int
	indeg      []int
	cmax       int
}

func newGraph(inst *Instance) *graph {
	n, m := inst.N, inst.M
	g := &graph{n: n, m: m, nops: n * m}
	N := g.nops
	g.dur, g.mach, g.rel = make([]int, N), make([]int, N), make([]int, N)
	g.jpred, g.jsucc, g.pos = make([]int, N), make([]int, N), make([]int, N)
	g.mp, g.ms = make([]int, N), make([]int, N)
	g.head, g.tail, g.topo, g.indeg = make([]int, N), make([]int, N), make([]int, N), make([]int, N)
	g.tpos, g.inS, g.buf = make([]int, N), make([]bool, N), make([]int, 0, N)
	for j := 0; j < n; j++ {
		for k := 0; k < m; k++ {
			o := j*m + k
			g.dur[o], g.mach[o] = inst.Dur[j][k], inst.Mach[j][k]
			g.jpred[o], g.jsucc[o] = o-1, o+1
			if k == 0 {
				g.jpred[o] = -1
			}
			if k == m-1 {
				g.jsucc[o] = -1
			}
		}
	}
	g.seq = make([][]int, m)
	for mu := range g.seq {
		g.seq[mu] = make([]int, 0, n)
	}
	return g
}

func (g *graph) setRelease(release [][]int) {
	for o := range g.rel {
		g.rel[o] = 0
	}
	for j, row := range release {
		copy(g.rel[j*g.m:(j+1)*g.m], row)
	}
}

// setOrders sets the machine sequences from job orders.
func (g *graph) setOrders(orders [][]int) {
	opOn := make([]int, g.m) // scratch: op of job j on machine mu
	for mu := range g.seq {
		g.seq[mu] = g.seq[mu][:0]
	}
	for mu, ord := range orders {
		for _, j := range ord {
			for k := 0; k < g.m; k++ {
				if g.mach[j*g.m+k] == mu {
					opOn[0] = j*g.m + k
					break
				}
			}
			g.seq[mu] = append(g.seq[mu], opOn[0])
		}
		g.link(mu)
	}
}

// link sets pos, mp and ms from the sequence of machine mu.
func (g *graph) link(mu int) {
	seq := g.seq[mu]
	for i, o := range seq {
		g.pos[o] = i
		g.mp[o], g.ms[o] = -1, -1
		if i > 0 {
			g.mp[o] = seq[i-1]
		}
		if i+1 < len(seq) {
			g.ms[o] = seq[i+1]
		}
	}
}

// swapAt swaps positions i and i+1 of machine mu and relinks the neighbours.
func (g *graph) swapAt(mu, i int) {
	seq := g.seq[mu]
	seq[i], seq[i+1] = seq[i+1], seq[i]
	lo, hi := max(i-1, 0), min(i+3, len(seq))
	for p := lo; p < hi; p++ {
		o := seq[p]
		g.pos[o] = p
		g.mp[o], g.ms[o] = -1, -1
		if p > 0 {
			g.mp[o] = seq[p-1]
		}
		if p+1 < len(seq) {
			g.ms[o] = seq[p+1]
		}
	}
}

// eval computes heads, tails and the makespan. It reports false if the
// orders contain a cycle.
func (g *graph) eval() bool {
	q := g.topo[:0]
	for o := 0; o < g.nops; o++ {
		d := 0
		if g.jpred[o] >= 0 {
			d++
		}
		if g.mp[o] >= 0 {
			d++
		}
		g.indeg[o] = d
		g.head[o] = g.rel[o]
		if d == 0 {
			q = append(q, o)
		}
	}
	for i := 0; i < len(q); i++ {
		o := q[i]
		e := g.head[o] + g.dur[o]
		if s := g.jsucc[o]; s >= 0 {
			g.head[s] = max(g.head[s], e)
			if g.indeg[s]--; g.indeg[s] == 0 {
				q = append(q, s)
			}
		}
		if s := g.ms[o]; s >= 0 {
			g.head[s] = max(g.head[s], e)
			if g.indeg[s]--; g.indeg[s] == 0 {
				q = append(q, s)
			}
		}
	}
	if len(q) != g.nops {
		return false
	}
	for i, o := range q {
		g.tpos[o] = i
	}
	g.cmax = 0
	for i := len(q) - 1; i >= 0; i-- {
		o := q[i]
		t := 0
		if s := g.jsucc[o]; s >= 0 {
			t = g.tail[s] + g.dur[s]
		}
		if s := g.ms[o]; s >= 0 {
			t = max(t, g.tail[s]+g.dur[s])
		}
		g.tail[o] = t
		if c := g.head[o] + g.dur[o] + t; c > g.cmax || (c == g.cmax && t == 0) {
			g.cmax = c
			if t == 0 {
				g.end = o
			}
		}
	}
	return true
}

// schedule returns the heads as a Schedule.
func (g *graph) schedule() Schedule {
	s := Schedule{Start: make([][]int, g.n)}
	for j := range s.Start {
		s.Start[j] = append([]int(nil), g.head[j*g.m:(j+1)*g.m]...)
	}
	return s
}

// swapEval swaps positions i and i+1 of machine mu, where the pair u→v is
// an arc of a critical path (so no other path leads from u to v and the
// swap creates no cycle), and updates heads, tails and the makespan
// incrementally (see moveEval). It gives the same heads, tails and makespan
// as eval.
func (g *graph) swapEval(mu, i int) { g.moveEval(mu, i, i+1) }

// moveEval moves the operation at position from of machine mu to position
// to, and updates heads, tails and the makespan incrementally: only the
// segment of the topological order between the first and the last moved
// operation is reordered, heads are recomputed from its start on and tails
// up to its end. Moving u forward past x_1..x_k requires that no path leads
// from u to x_k other than the machine arcs (then no cycle arises); moving
// v backward before x_1..x_k requires that no path leads from x_1 to v
// other than the machine arcs. It gives the same heads, tails and makespan
// as eval.
func (g *graph) moveEval(mu, from, to int) {
	seq := g.seq[mu]
	var pu, pv int
	if to > from {
		u, last := seq[from], seq[to]
		for p := from; p < to; p++ {
			g.swapAt(mu, p)
		}
		pu, pv = g.tpos[u], g.tpos[last]
		g.splitForward(u, pu, pv)
	} else {
		v, first := seq[from], seq[to]
		for p := from - 1; p >= to; p-- {
			g.swapAt(mu, p)
		}
		pu, pv = g.tpos[first], g.tpos[v]
		g.splitBackward(v, pu, pv)
	}
	g.updateTimes(pu, pv)
}

// splitForward reorders topo[pu..pv], where topo[pu] = u has moved after
// the other machine operations of the segment: the operations reachable
// from u (through the new arcs) go after the others, each group in its old
// order.
func (g *graph) splitForward(u, pu, pv int) {
	g.inS[u] = true
	g.buf = g.buf[:0]
	k := pu
	for p := pu + 1; p <= pv; p++ {
		x := g.topo[p]
		jp, mp := g.jpred[x], g.mp[x]
		if (jp >= 0 && g.inS[jp]) || (mp >= 0 && g.inS[mp]) {
			g.inS[x] = true
			g.buf = append(g.buf, x)
		} else {
			g.topo[k] = x
			g.tpos[x] = k
			k++
		}
	}
	g.topo[k], g.tpos[u] = u, k
	g.inS[u] = false
	k++
	for _, x := range g.buf {
		g.topo[k], g.tpos[x] = x, k
		g.inS[x] = false
		k++
	}
}

// splitBackward reorders topo[pu..pv], where topo[pv] = v has moved before
// the other machine operations of the segment: the operations that reach v
// (through the new arcs) go before the others, each group in its old order.
func (g *graph) splitBackward(v, pu, pv int) {
	g.inS[v] = true
	g.buf = g.buf[:0]
	k := pv
	for p := pv - 1; p >= pu; p-- {
		x := g.topo[p]
		js, ms := g.jsucc[x], g.ms[x]
		if (js >= 0 && g.inS[js]) || (ms >= 0 && g.inS[ms]) {
			g.inS[x] = true
			g.buf = append(g.buf, x)
		} else {
			g.topo[k] = x
			g.tpos[x] = k
			k--
		}
	}
	g.topo[k], g.tpos[v] = v, k
	g.inS[v] = false
	k--
	for _, x := range g.buf {
		g.topo[k], g.tpos[x] = x, k
		g.inS[x] = false
		k--
	}
}

// updateTimes recomputes heads from topological position pu on, tails up
// to position pv, and the makespan.
func (g *graph) updateTimes(pu, pv int) {
	for p := pu; p < g.nops; p++ {
		x := g.topo[p]
		h := g.rel[x]
		if jp := g.jpred[x]; jp >= 0 {
			h = max(h, g.head[jp]+g.dur[jp])
		}
		if mp := g.mp[x]; mp >= 0 {
			h = max(h, g.head[mp]+g.dur[mp])
		}
		g.head[x] = h
	}
	for p := pv; p >= 0; p-- {
		x := g.topo[p]
		t := 0
		if js := g.jsucc[x]; js >= 0 {
			t = g.tail[js] + g.dur[js]
		}
		if ms := g.ms[x]; ms >= 0 {
			t = max(t, g.tail[ms]+g.dur[ms])
		}
		g.tail[x] = t
	}
	// The latest-ending op is the last op of some job, with tail 0.
	g.cmax = 0
	for j := 0; j < g.n; j++ {
		x := j*g.m + g.m - 1
		if c := g.head[x] + g.dur[x]; c > g.cmax {
			g.cmax, g.end = c, x
		}
	}
}
