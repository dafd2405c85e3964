package sched

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/optlearn/optlearn/run"
)

// Sentinel errors. Detailed errors wrap one of them with %w, so callers can
// branch with errors.Is.
var (
	// ErrFormat reports a malformed instance file; the message names the line.
	ErrFormat = errors.New("sched: malformed instance")
	// ErrInstance reports an invalid instance (a machine repeated in a job,
	// a non-positive duration, ragged rows, durations whose sum overflows,
	// ...).
	ErrInstance = errors.New("sched: invalid instance")
	// ErrSchedule reports a schedule that violates a constraint.
	ErrSchedule = errors.New("sched: invalid schedule")
	// ErrDimension reports arguments whose shapes do not match the instance
	// (a schedule, a release table, machine orders, an operation index).
	ErrDimension = errors.New("sched: dimension mismatch")
	// ErrNotFinite reports a NaN policy logit or temperature.
	ErrNotFinite = errors.New("sched: not finite")
	// ErrCycle reports machine orders that contradict the job routes.
	ErrCycle = errors.New("sched: machine orders contain a cycle")
	// ErrSettings reports invalid solver settings: a negative limit, pinned
	// operations, release dates or a warm start that do not fit the
	// instance.
	ErrSettings = errors.New("sched: invalid settings")
)

// Settings configure a [Solver]. The zero value (or nil) solves from scratch
// with the solver's default limits.
type Settings struct {
	// Warm is an optional feasible schedule to start from; its machine
	// orders seed the search and its makespan is the first upper bound.
	Warm *Schedule
	// Fixed pins operations to start times. Pinned operations must form a
	// prefix of each job, be feasible among themselves and respect Release;
	// on every machine they precede all free operations.
	Fixed map[Op]int
	// Release, if not nil, is an N×M table of start lower bounds (for
	// example the environment's lb at a prefix state), each in
	// [0, MaxTime].
	Release [][]int
	// TimeLimit bounds the wall time. Zero means none; negative is an
	// error.
	TimeLimit time.Duration
	// MaxIter bounds the iterations: tabu moves ([Tabu]) or search-tree
	// nodes ([BranchBound]). Zero means unlimited, except that the tabu
	// search uses 100000 when TimeLimit is zero too (so that a call with
	// nil settings returns); negative is an error.
	MaxIter int
	// Target stops the search once the makespan is ≤ Target. Zero means
	// none (only a proven lower bound stops it); negative is an error.
	Target int
	// Rand is the source of randomness. Nil means
	// rand.New(rand.NewPCG(0, 0)).
	Rand *rand.Rand
	// Recorder, if not nil, is called at the start, after every iteration
	// and at the end (see [Iter]).
	Recorder Recorder
}

// check validates the run-control fields.
func (s *Settings) check() error {
	if err := run.CheckTimeLimit(s.TimeLimit); err != nil {
		return fmt.Errorf("%w: %w", ErrSettings, err)
	}
	if s.MaxIter < 0 {
		return fmt.Errorf("%w: MaxIter %d is negative (zero means no limit)", ErrSettings, s.MaxIter)
	}
	if s.Target < 0 {
		return fmt.Errorf("%w: Target %d is negative (zero means none)", ErrSettings, s.Target)
	}
	return nil
}

// rng returns s.Rand or the documented fixed-seed default.
func (s *Settings) rng() *rand.Rand {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.New(rand.NewPCG(0, 0))
}

// Result is a solver's answer.
type Result struct {
	// Schedule is the best semi-active schedule found.
	Schedule Schedule
	// Makespan is Schedule's makespan.
	Makespan int
	// LowerBound is a proven lower bound on the optimum (under the
	// settings).
	LowerBound int
	// Status says why the solver stopped: Optimal (proven, by an exhausted
	// tree or a makespan equal to the lower bound), TargetReached,
	// IterationLimit, TimeLimit, Canceled or RecorderStopped.
	Status run.Status
	// Iterations counts tabu moves or branch-and-bound nodes.
	Iterations int
	// Evaluations counts neighbour evaluations (tabu) or lower-bound
	// computations (branch and bound).
	Evaluations int
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
}

// Iter is a solver's state as a [Recorder] sees it: at the start, after
// every iteration (a tabu move, a branch-and-bound node) and at the end.
type Iter struct {
	run.Progress
	// Makespan is the makespan of the current solution (tabu) or of the
	// incumbent (branch and bound).
	Makespan int
	// Best is the best makespan so far.
	Best int
}

// Summary returns the current and best makespans, for [Printer].
func (it *Iter) Summary() string { return fmt.Sprintf("makespan %d  best %d", it.Makespan, it.Best) }

// Recorder receives a solver's states; a non-nil error stops the run with
// Status RecorderStopped. See [run.Recorder].
type Recorder = run.Recorder[*Iter]

// History is a Recorder that keeps every state, for plots. A tabu run
// records every move; for long runs, filter with a [run.RecorderFunc].
type History = run.History[Iter, *Iter]

// Printer is a Recorder that writes a progress line at most every 2 s.
type Printer = run.Printer[*Iter]

// MaxTime bounds every duration sum, release date and pinned start, so that
// no start, head, tail or makespan computed by the package can overflow
// (and all stay exact in a float64).
const MaxTime = 1 << 53

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

func newProblem(inst *Instance, opt *Settings) (*problem, error) {
	if err := inst.Validate(); err != nil {
		return nil, err
	}
	if err := opt.check(); err != nil {
		return nil, err
	}
	if err := checkRelease(inst, opt.Release); err != nil {
		return nil, err
	}
	n, m := inst.N, inst.M
	p := &problem{inst: inst, count: make([]int, n), fixed: newSchedule(n, m), prefix: make([][]int, m), rel: make([][]int, n)}
	for j := range p.rel {
		p.rel[j] = make([]int, m)
		if opt.Release != nil {
			copy(p.rel[j], opt.Release[j])
		}
	}
	if err := p.pin(opt.Fixed); err != nil {
		return nil, err
	}
	if err := p.orderPrefixes(); err != nil {
		return nil, err
	}
	p.propagateReleases()
	return p, nil
}

// pin records the pinned starts, checks that they form a prefix of every
// job that respects the job order and the releases, and raises the
// releases of pinned operations to their starts.
func (p *problem) pin(fixed map[Op]int) error {
	inst := p.inst
	n, m := inst.N, inst.M
	for op, t := range fixed {
		if op.Job < 0 || op.Job >= n || op.Index < 0 || op.Index >= m {
			return fmt.Errorf("%w: pinned op %v out of range", ErrSettings, op)
		}
		if t < p.rel[op.Job][op.Index] || t > MaxTime {
			return fmt.Errorf("%w: pinned op %v at %d outside [release %d, MaxTime]", ErrSettings, op, t, p.rel[op.Job][op.Index])
		}
		p.fixed.Start[op.Job][op.Index] = t
	}
	for j := 0; j < n; j++ {
		for p.count[j] < m && p.fixed.Start[j][p.count[j]] >= 0 {
			p.count[j]++
		}
		for k := p.count[j]; k < m; k++ {
			if p.fixed.Start[j][k] >= 0 {
				return fmt.Errorf("%w: pinned ops of job %d are not a prefix", ErrSettings, j)
			}
		}
		for k := 0; k < p.count[j]; k++ {
			t := p.fixed.Start[j][k]
			if k > 0 && t < p.fixed.Start[j][k-1]+inst.Dur[j][k-1] {
				return fmt.Errorf("%w: pinned op (%d,%d) starts before its job predecessor ends", ErrSettings, j, k)
			}
			p.rel[j][k] = t
			p.prefix[inst.Mach[j][k]] = append(p.prefix[inst.Mach[j][k]], j)
			p.nPinned++
		}
	}
	return nil
}

// orderPrefixes sorts the pinned jobs of every machine by start and checks
// that they do not overlap.
func (p *problem) orderPrefixes() error {
	inst := p.inst
	for mu, pre := range p.prefix {
		slices.SortFunc(pre, func(a, b int) int {
			return p.fixed.Start[a][opOfMachine(inst, a, mu)] - p.fixed.Start[b][opOfMachine(inst, b, mu)]
		})
		for i := 1; i < len(pre); i++ {
			a, b := pre[i-1], pre[i]
			ka, kb := opOfMachine(inst, a, mu), opOfMachine(inst, b, mu)
			if p.fixed.Start[b][kb] < p.fixed.Start[a][ka]+inst.Dur[a][ka] {
				return fmt.Errorf("%w: pinned ops of jobs %d and %d overlap on machine %d", ErrSettings, a, b, mu)
			}
		}
	}
	return nil
}

// propagateReleases makes every free operation start at or after its
// release and the end of its job predecessors (the spec's env lb already
// includes this), and sets the lower bound.
func (p *problem) propagateReleases() {
	inst := p.inst
	for j := 0; j < inst.N; j++ {
		s := 0
		for k := 0; k < inst.M; k++ {
			s = max(s, p.rel[j][k])
			p.rel[j][k] = s
			s += inst.Dur[j][k]
		}
		p.lb = max(p.lb, s)
	}
	p.lb = max(p.lb, inst.lowerBound())
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
			return nil, fmt.Errorf("%w: warm start: %w", ErrSettings, err)
		}
		orders := warm.machineOrders(inst)
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
		if c := s.makespan(inst); best.Start == nil || c < bestC {
			best, bestC = s.Clone(), c
		}
	}
	return best.machineOrders(inst), nil
}
