package sched

import (
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"
)

// Options configure a [Solver]. The zero value (or nil) solves from scratch
// with the solver's default limits.
type Options struct {
	// Warm is an optional feasible schedule to start from; its machine
	// orders seed the search and its makespan is the first upper bound.
	Warm *Schedule
	// Fixed pins operations to start times. Pinned operations must form a
	// prefix of each job, be feasible among themselves and respect Release;
	// on every machine they precede all free operations.
	Fixed map[Op]int
	// Release, if not nil, is an N×M table of start lower bounds (for
	// example the environment's lb at a prefix state).
	Release [][]int
	// TimeLimit bounds the wall time; zero means none.
	TimeLimit time.Duration
	// MaxIter bounds the iterations (tabu moves, branch-and-bound nodes).
	// Zero means unlimited, except that the tabu search uses 100000 when
	// TimeLimit is zero too.
	MaxIter int
	// Target stops the search once the makespan is ≤ Target; zero means
	// only a proven lower bound stops it.
	Target int
	// Rand is the source of randomness; nil means rand.New(rand.NewPCG(0, 0)).
	Rand *rand.Rand
	// Recorder, if not nil, is called at the start, at each improvement and
	// at the end.
	Recorder Recorder
}

// Result is a solver's answer.
type Result struct {
	// Schedule is the best semi-active schedule found.
	Schedule Schedule
	// Makespan is Schedule's makespan.
	Makespan int
	// LowerBound is a proven lower bound on the optimum (under the options).
	LowerBound int
	// Status says why the solver stopped; Optimal means proven optimal.
	Status Status
	// Iterations counts tabu moves or branch-and-bound nodes.
	Iterations int
	// Evaluations counts neighbour evaluations (tabu) or lower-bound
	// computations (branch and bound).
	Evaluations int
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
}

// Iter is a progress report.
type Iter struct {
	Iteration int
	Makespan  int // current solution
	Best      int // best so far
	Elapsed   time.Duration
}

// History is a Recorder that keeps every report.
type History struct {
	Iters []Iter
}

// Record appends a copy of it.
func (h *History) Record(it *Iter) error {
	h.Iters = append(h.Iters, *it)
	return nil
}

// Printer is a Recorder that prints one line per report to W.
type Printer struct {
	W io.Writer
}

// Record prints the iteration, the current and best makespans and the
// elapsed time; it returns the write error.
func (p Printer) Record(it *Iter) error {
	_, err := fmt.Fprintf(p.W, "iter %8d  makespan %6d  best %6d  %v\n", it.Iteration, it.Makespan, it.Best, it.Elapsed.Round(time.Millisecond))
	return err
}

// problem is an instance with validated options: per-op releases (pinned
// ops get release = pinned start), pinned prefix counts, and the pinned
// machine prefixes.
type problem struct {
	inst    *Instance
	rel     [][]int // never nil
	count   []int   // pinned ops per job (a prefix)
	fixed   Schedule
	prefix  [][]int // per machine: pinned jobs ordered by start
	nPinned int
	lb      int
}

func newProblem(inst *Instance, opt *Options) (*problem, error) {
	if err := inst.Validate(); err != nil {
		return nil, err
	}
	n, m := inst.N, inst.M
	p := &problem{inst: inst, count: make([]int, n), fixed: NewSchedule(n, m), prefix: make([][]int, m)}
	if err := checkRelease(inst, opt.Release); err != nil {
		return nil, err
	}
	p.rel = make([][]int, n)
	for j := range p.rel {
		p.rel[j] = make([]int, m)
		if opt.Release != nil {
			copy(p.rel[j], opt.Release[j])
		}
	}
	for op, t := range opt.Fixed {
		if op.Job < 0 || op.Job >= n || op.Index < 0 || op.Index >= m {
			return nil, fmt.Errorf("%w: pinned op %v out of range", ErrOptions, op)
		}
		if t < p.rel[op.Job][op.Index] {
			return nil, fmt.Errorf("%w: pinned op %v at %d before its release %d", ErrOptions, op, t, p.rel[op.Job][op.Index])
		}
		p.fixed.Start[op.Job][op.Index] = t
	}
	for j := 0; j < n; j++ {
		for k := 0; k < m; k++ {
			if p.fixed.Start[j][k] < 0 {
				break
			}
			p.count[j]++
		}
		for k := p.count[j]; k < m; k++ {
			if p.fixed.Start[j][k] >= 0 {
				return nil, fmt.Errorf("%w: pinned ops of job %d are not a prefix", ErrOptions, j)
			}
		}
		for k := 0; k < p.count[j]; k++ {
			t := p.fixed.Start[j][k]
			if k > 0 && t < p.fixed.Start[j][k-1]+inst.Dur[j][k-1] {
				return nil, fmt.Errorf("%w: pinned op (%d,%d) starts before its job predecessor ends", ErrOptions, j, k)
			}
			p.rel[j][k] = t
			p.prefix[inst.Mach[j][k]] = append(p.prefix[inst.Mach[j][k]], j)
			p.nPinned++
		}
	}
	for mu, pre := range p.prefix {
		slices.SortFunc(pre, func(a, b int) int {
			return p.fixed.Start[a][opOfMachine(inst, a, mu)] - p.fixed.Start[b][opOfMachine(inst, b, mu)]
		})
		for i := 1; i < len(pre); i++ {
			a, b := pre[i-1], pre[i]
			ka, kb := opOfMachine(inst, a, mu), opOfMachine(inst, b, mu)
			if p.fixed.Start[b][kb] < p.fixed.Start[a][ka]+inst.Dur[a][ka] {
				return nil, fmt.Errorf("%w: pinned ops of jobs %d and %d overlap on machine %d", ErrOptions, a, b, mu)
			}
		}
	}
	// Free ops start at or after the release and the end of the pinned
	// prefix of their job; the spec's env lb already includes this.
	for j := 0; j < n; j++ {
		s := 0
		for k := 0; k < m; k++ {
			s = max(s, p.rel[j][k])
			p.rel[j][k] = s
			s += inst.Dur[j][k]
		}
		p.lb = max(p.lb, s)
	}
	p.lb = max(p.lb, inst.LowerBound())
	return p, nil
}

// pinnedCount returns nil when nothing is pinned, for the fast path.
func (p *problem) pinnedCount() []int {
	if p.nPinned == 0 {
		return nil
	}
	return p.count
}

// initialOrders returns the machine orders to start from: the warm start's
// (with pinned prefixes moved first) or the best non-delay PDR schedule.
func (p *problem) initialOrders(warm *Schedule) ([][]int, error) {
	inst := p.inst
	if warm != nil {
		if err := warm.Validate(inst); err != nil {
			return nil, fmt.Errorf("%w: warm start: %w", ErrOptions, err)
		}
		orders := warm.MachineOrders(inst)
		for mu, pre := range p.prefix {
			if len(pre) == 0 {
				continue
			}
			in := make([]bool, inst.N)
			for _, j := range pre {
				in[j] = true
			}
			rest := orders[mu][:0:0]
			for _, j := range orders[mu] {
				if !in[j] {
					rest = append(rest, j)
				}
			}
			orders[mu] = append(slices.Clone(pre), rest...)
		}
		return orders, nil
	}
	best, bestC := Schedule{}, 0
	for _, r := range []Rule{MWKR, FDDMWKR, MOPNR, SPT} {
		s := listSchedule(inst, r, p.fixed, p.pinnedCount(), p.rel)
		if c := s.Makespan(inst); best.Start == nil || c < bestC {
			best, bestC = s.Clone(), c
		}
	}
	return best.MachineOrders(inst), nil
}
