package sched

import (
	"context"
	"math"
	"slices"
	"time"
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
	nodes  int
	evals  int
	stop   Status
	ctx    context.Context
	begin  time.Time
	opt    *Options
}

// Solve implements [Solver]. The search starts from the best of a warm
// start and four non-delay PDR schedules. MaxIter bounds the nodes.
func (BranchBound) Solve(ctx context.Context, inst *Instance, opt *Options) (Result, error) {
	begin := time.Now()
	if opt == nil {
		opt = &Options{}
	}
	p, err := newProblem(inst, opt)
	if err != nil {
		return Result{}, err
	}
	n, m := inst.N, inst.M
	b := &bbState{inst: inst, p: p, n: n, m: m, next: make([]int, n), jobReady: make([]int, n), machRdy: make([]int, m),
		start: NewSchedule(n, m), suffix: make([][]int, n), head: make([]int, n*m), mh: make([]int, 0, n), mp: make([]int, 0, n), mq: make([]int, 0, n),
		cand: make([][]int, n*m+1), ctx: ctx, begin: begin, opt: opt}
	for j := 0; j < n; j++ {
		b.suffix[j] = make([]int, m)
		s := 0
		for k := m - 1; k >= 0; k-- {
			b.suffix[j][k] = s
			s += inst.Dur[j][k]
		}
	}
	// Incumbent.
	orders, err := p.initialOrders(opt.Warm)
	if err != nil {
		return Result{}, err
	}
	inc, err := SemiActive(inst, orders, p.rel)
	if err != nil {
		return Result{}, err
	}
	b.best, b.ub = inc, inc.Makespan(inst)
	// Pinned prefix.
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
	rootLB := max(p.lb, b.bound())
	if opt.Recorder != nil {
		opt.Recorder.Record(&Iter{Makespan: b.ub, Best: b.ub})
	}
	if rootLB < b.ub && (opt.Target == 0 || b.ub > opt.Target) {
		b.dfs(0)
	}
	res := Result{LowerBound: rootLB, Iterations: b.nodes, Evaluations: b.evals, Status: b.stop}
	if b.stop == NotTerminated {
		res.Status, res.LowerBound = Optimal, b.ub
	}
	s, err := Compress(inst, b.best, p.rel)
	if err != nil {
		return Result{}, err
	}
	res.Schedule, res.Makespan = s, s.Makespan(inst)
	res.Elapsed = time.Since(begin)
	if opt.Recorder != nil {
		if opt.Recorder.Record(&Iter{Iteration: b.nodes, Makespan: res.Makespan, Best: res.Makespan, Elapsed: res.Elapsed}) != nil && res.Status != Canceled {
			res.Status = Stopped
		}
	}
	if res.Status == Canceled {
		return res, ctx.Err()
	}
	return res, nil
}

func (b *bbState) est(j int) int {
	k := b.next[j]
	return max(b.jobReady[j], b.machRdy[b.inst.Mach[j][k]], b.p.rel[j][k])
}

func (b *bbState) dfs(depth int) {
	b.nodes++
	if b.nodes&1023 == 0 {
		switch {
		case b.ctx.Err() != nil:
			b.stop = Canceled
		case b.opt.TimeLimit > 0 && time.Since(b.begin) >= b.opt.TimeLimit:
			b.stop = TimeLimit
		}
	}
	if b.opt.MaxIter > 0 && b.nodes >= b.opt.MaxIter {
		b.stop = IterationLimit
	}
	if b.stop != NotTerminated {
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
			if b.opt.Target > 0 && c <= b.opt.Target {
				b.stop = TargetReached
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
		b.dfs(depth + 1)
		b.left++
		b.next[j]--
		b.jobReady[j], b.machRdy[mstar] = oldJ, oldM
		b.start.Start[j][k] = -1
		if b.stop != NotTerminated {
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
