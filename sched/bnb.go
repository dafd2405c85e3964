package sched

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/optlearn/optlearn/run"
)

// BranchBound is a depth-first branch and bound for small instances. It
// branches on Giffler–Thompson conflict sets (Giffler & Thompson 1960,
// "Algorithms for solving production-scheduling problems", Operations
// Research 8(4)), so it enumerates active schedules only, and prunes with
// the lower bound max(job bound, one-machine bound): for every job the
// earliest head of its next operation plus its remaining work, and for every
// machine the preemptive one-machine schedule (Jackson's rule on largest
// tail) of its unscheduled operations with heads and tails. When the tree is
// exhausted the result has Status Optimal.
//
// The zero value is ready to use.
type BranchBound struct{}

var _ Solver = BranchBound{}

// maxBBOps bounds the operations of an instance given to the branch and
// bound, whose recursion is one level deep per operation.
const maxBBOps = 1 << 16

type bbState struct {
	inst     *Instance
	p        *problem
	n, m     int
	next     []int
	jobReady []int
	machRdy  []int
	start    Schedule
	left     int
	ub       int
	best     Schedule
	suffix   [][]int // suffix[j][k] = Σ_{l>k} p_jl
	// bound buffers
	head   []int // per op id
	mh, mp []int // per machine: ops' heads and remaining durations
	mq     []int
	cand   [][]int // per depth: conflict set buffer
	evals  int
	target int
	// run control: the loop counts nodes; stop and err say why the search
	// ended early.
	loop *run.Loop[*Iter]
	it   *Iter
	stop run.Status
	err  error
}

// Solve implements [Solver]. The search starts from the best of a warm
// start and four non-delay PDR schedules. One iteration is one node of the
// search tree; MaxIter bounds the nodes. On cancellation it returns the
// incumbent with Status Canceled and ctx.Err(). Instances of more than
// 2^16 operations are rejected with ErrDimension.
func (BranchBound) Solve(ctx context.Context, inst *Instance, set *Settings) (Result, error) {
	if set == nil {
		set = &Settings{}
	}
	p, err := newProblem(inst, set)
	if err != nil {
		return Result{}, err
	}
	if inst.N*inst.M > maxBBOps {
		return Result{}, fmt.Errorf("%w: %d operations; the branch and bound (one recursion level per operation) takes at most %d", ErrDimension, inst.N*inst.M, maxBBOps)
	}
	b, err := newBBState(p, set.Warm)
	if err != nil {
		return Result{}, err
	}
	b.target = set.Target
	loop := &run.Loop[*Iter]{Recorder: set.Recorder, MaxIter: set.MaxIter, TimeLimit: set.TimeLimit}
	b.loop, b.it = loop, &Iter{Makespan: b.ub, Best: b.ub}
	if err := loop.Start(b.it); err != nil {
		return b.finish(max(p.lb, b.bound()), run.RecorderStopped, err)
	}
	rootLB := max(p.lb, b.bound())
	if rootLB < b.ub && (b.target == 0 || b.ub > b.target) {
		b.dfs(ctx, 0)
	}
	st := b.stop
	switch {
	case st != run.NotTerminated:
	case b.target > 0 && b.ub <= b.target && b.ub > rootLB:
		st = run.TargetReached
	default: // the tree is exhausted, or the root bound meets the incumbent
		st, rootLB = run.Optimal, b.ub
	}
	return b.finish(rootLB, st, b.err)
}

// newBBState sizes the buffers, takes the incumbent (the best of the warm
// start and the PDR schedules) and fixes the pinned prefix.
func newBBState(p *problem, warm *Schedule) (*bbState, error) {
	inst := p.inst
	n, m := inst.N, inst.M
	b := &bbState{inst: inst, p: p, n: n, m: m, next: make([]int, n), jobReady: make([]int, n), machRdy: make([]int, m),
		start: newSchedule(n, m), suffix: make([][]int, n), head: make([]int, n*m), mh: make([]int, 0, n), mp: make([]int, 0, n), mq: make([]int, 0, n),
		cand: make([][]int, n*m+1)}
	for j := 0; j < n; j++ {
		b.suffix[j] = make([]int, m)
		s := 0
		for k := m - 1; k >= 0; k-- {
			b.suffix[j][k] = s
			s += inst.Dur[j][k]
		}
	}
	orders, err := p.initialOrders(warm)
	if err != nil {
		return nil, err
	}
	inc, err := SemiActive(inst, orders, p.rel)
	if err != nil {
		return nil, err
	}
	b.best, b.ub = inc, inc.makespan(inst)
	b.left = n * m
	for j := 0; j < n; j++ {
		for k := 0; k < p.count[j]; k++ {
			t := p.fixed.Start[j][k]
			b.start.Start[j][k] = t
			e := t + inst.Dur[j][k]
			b.jobReady[j] = e
			b.machRdy[inst.Mach[j][k]] = max(b.machRdy[inst.Mach[j][k]], e)
			b.next[j] = k + 1
			b.left--
		}
	}
	return b, nil
}

// finish compresses the incumbent and ends the run with status st.
func (b *bbState) finish(lb int, st run.Status, err error) (Result, error) {
	s, cerr := Compress(b.inst, b.best, b.p.rel)
	if cerr != nil {
		return Result{}, cerr
	}
	c := s.makespan(b.inst)
	b.it.Makespan, b.it.Best = c, c
	err = b.loop.End(b.it, st, err)
	if st != run.RecorderStopped && errors.Is(err, run.ErrRecorderStopped) {
		st = run.RecorderStopped
	}
	res := Result{Schedule: s, Makespan: c, LowerBound: lb, Status: st,
		Iterations: b.loop.Iterations(), Evaluations: b.evals, Elapsed: b.loop.Elapsed()}
	return res, err
}

func (b *bbState) est(j int) int {
	k := b.next[j]
	return max(b.jobReady[j], b.machRdy[b.inst.Mach[j][k]], b.p.rel[j][k])
}

func (b *bbState) dfs(ctx context.Context, depth int) {
	if b.stop, b.err = b.loop.Next(ctx, b.it, false); b.stop != run.NotTerminated {
		return
	}
	inst := b.inst
	if b.left == 0 {
		c := 0
		for _, r := range b.machRdy {
			c = max(c, r)
		}
		if c < b.ub {
			b.ub = c
			for j := range b.start.Start {
				copy(b.best.Start[j], b.start.Start[j])
			}
			b.it.Makespan, b.it.Best = c, c
			if b.target > 0 && c <= b.target {
				b.stop = run.TargetReached
			}
		}
		return
	}
	if b.bound() >= b.ub {
		return
	}
	// Giffler–Thompson: the operation of earliest completion fixes the
	// machine; its conflict set holds the ops there that start before it ends.
	cstar, mstar := math.MaxInt, -1
	for j := 0; j < b.n; j++ {
		if k := b.next[j]; k < b.m {
			if c := b.est(j) + inst.Dur[j][k]; c < cstar {
				cstar, mstar = c, inst.Mach[j][k]
			}
		}
	}
	cs := b.cand[depth][:0]
	for j := 0; j < b.n; j++ {
		if k := b.next[j]; k < b.m && inst.Mach[j][k] == mstar && b.est(j) < cstar {
			cs = append(cs, j)
		}
	}
	slices.SortFunc(cs, func(x, y int) int {
		if d := b.est(x) - b.est(y); d != 0 {
			return d
		}
		return (b.suffix[y][b.next[y]] + inst.Dur[y][b.next[y]]) - (b.suffix[x][b.next[x]] + inst.Dur[x][b.next[x]])
	})
	b.cand[depth] = cs
	for _, j := range cs {
		k := b.next[j]
		t := b.est(j)
		e := t + inst.Dur[j][k]
		oldJ, oldM := b.jobReady[j], b.machRdy[mstar]
		b.start.Start[j][k] = t
		b.jobReady[j], b.machRdy[mstar] = e, e
		b.next[j]++
		b.left--
		b.dfs(ctx, depth+1)
		b.left++
		b.next[j]--
		b.jobReady[j], b.machRdy[mstar] = oldJ, oldM
		b.start.Start[j][k] = -1
		if b.stop != run.NotTerminated {
			return
		}
	}
}

// bound returns max(job bound, preemptive one-machine bound) of the node.
func (b *bbState) bound() int {
	b.evals++
	inst := b.inst
	lb := 0
	for j := 0; j < b.n; j++ {
		h := b.jobReady[j]
		for k := b.next[j]; k < b.m; k++ {
			h = max(h, b.machRdy[inst.Mach[j][k]], b.p.rel[j][k])
			b.head[j*b.m+k] = h
			h += inst.Dur[j][k]
		}
		lb = max(lb, h)
	}
	for mu := 0; mu < b.m; mu++ {
		b.mh, b.mp, b.mq = b.mh[:0], b.mp[:0], b.mq[:0]
		for j := 0; j < b.n; j++ {
			for k := b.next[j]; k < b.m; k++ {
				if inst.Mach[j][k] == mu {
					b.mh = append(b.mh, b.head[j*b.m+k])
					b.mp = append(b.mp, inst.Dur[j][k])
					b.mq = append(b.mq, b.suffix[j][k])
					break
				}
			}
		}
		lb = max(lb, jacksonPreemptive(b.mh, b.mp, b.mq))
	}
	return lb
}

// jacksonPreemptive returns max_i(C_i + q_i) of the preemptive schedule
// that always runs the available operation of largest tail; it is the
// optimum of the preemptive one-machine problem with heads and tails. p is
// consumed.
func jacksonPreemptive(h, p, q []int) int {
	left := len(h)
	t := math.MaxInt
	for _, x := range h {
		t = min(t, x)
	}
	lb := 0
	for left > 0 {
		// pick the available op with the largest tail
		best := -1
		nextRel := math.MaxInt
		for i := range h {
			if p[i] == 0 {
				continue
			}
			if h[i] <= t {
				if best < 0 || q[i] > q[best] {
					best = i
				}
			} else {
				nextRel = min(nextRel, h[i])
			}
		}
		if best < 0 {
			t = nextRel
			continue
		}
		run := p[best]
		if nextRel < t+run {
			run = nextRel - t
		}
		t += run
		p[best] -= run
		if p[best] == 0 {
			left--
			lb = max(lb, t+q[best])
		}
	}
	return lb
}
