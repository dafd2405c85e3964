package milp

import (
	"cmp"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/optlearn/optlearn/run"
)

// Sentinel errors; errors returned by the package wrap one of them with
// detail (or the context's error).
var (
	// ErrSettings: a setting or a problem field is out of range.
	ErrSettings = errors.New("milp: invalid settings")
	// ErrDimension: the parts of a problem disagree in size.
	ErrDimension = errors.New("milp: dimension mismatch")
	// ErrNotFinite: NaN or Inf in the problem data.
	ErrNotFinite = errors.New("milp: NaN or Inf")
	// ErrInfeasible: the problem has no feasible point.
	ErrInfeasible = errors.New("milp: infeasible")
	// ErrUnbounded: the LP relaxation is unbounded below.
	ErrUnbounded = errors.New("milp: unbounded")
	// ErrNumerical: the simplex failed on a degenerate or singular LP even
	// after a perturbation.
	ErrNumerical = errors.New("milp: numerical failure in the simplex")
)

// Solver solves mixed-integer linear programs. [BranchBound] is the
// package's; a native solver can be plugged in behind the same interface.
type Solver interface {
	Solve(ctx context.Context, p *Problem, s *Settings) (Result, error)
}

// Settings configures [BranchBound.Solve]. The zero value solves to a
// relative gap of 1e-9 with no node or time limit.
type Settings struct {
	// IntTol is how far from an integer an integer variable's LP value may
	// be and still count as integral. Zero means 1e-6.
	IntTol float64
	// GapTol is the relative optimality gap (UB − LB ≤ GapTol·max(1, |UB|))
	// at which the search stops. Zero means 1e-9; negative means prove the
	// optimum exactly (explore until no open node can improve).
	GapTol float64
	// MaxIter caps the number of nodes (one iteration = one node's LP).
	// Zero means no cap.
	MaxIter int
	// TimeLimit bounds the wall time. Zero means none; negative is an
	// error.
	TimeLimit time.Duration
	// GonumSimplex solves the node LPs with gonum's lp.Simplex instead of
	// the package's dense tableau simplex. gonum's refactorises the basis at
	// every pivot (O(m³) per pivot against O(m·n)) and, on degenerate LPs,
	// its single-artificial phase 1 can report a feasible LP infeasible; it
	// is kept as a cross-check.
	GonumSimplex bool
	// Recorder, if not nil, receives the search state at the start, after
	// each node and at the end.
	Recorder Recorder
}

// Iter is the state of a search passed to a [Recorder].
type Iter struct {
	run.Progress
	// Incumbent is the best integer objective found (+Inf if none); Bound
	// the best bound of the open nodes; Open the number of open nodes.
	Incumbent, Bound float64
	Open             int
}

// Summary says the search state in a few words.
func (it *Iter) Summary() string {
	return fmt.Sprintf("incumbent %.6g  bound %.6g  open %d", it.Incumbent, it.Bound, it.Open)
}

// Recorder receives the search state (see package run for the contract).
type Recorder = run.Recorder[*Iter]

// Result is the outcome of a MILP solve.
type Result struct {
	// X is the best integer-feasible point (nil if none was found).
	X []float64
	// F is cᵀX (+Inf if none was found).
	F float64
	// Bound is a proven lower bound on the optimum.
	Bound float64
	// Iterations is the number of nodes whose LP was solved.
	Iterations int
	// Status is Optimal when the gap closed, IterationLimit, TimeLimit or
	// Canceled when a limit stopped the search first.
	Status run.Status
}

// BranchBound is an LP-based branch and bound over a dense simplex:
// best-bound node selection, pruning by the LP bound, branching on the
// most fractional integer variable. It is sized for small models (tens of
// integers, hundreds of rows: gonum's simplex is dense).
type BranchBound struct{}

var _ Solver = BranchBound{}

// Solve solves p. It returns an error wrapping [ErrSettings],
// [ErrDimension] or [ErrNotFinite] for bad input, [ErrInfeasible] if p has
// no integer-feasible point (after a complete search), [ErrUnbounded] if
// the root relaxation is unbounded, [ErrNumerical] if the simplex fails,
// and the context's error when canceled (with the incumbent so far).
func (BranchBound) Solve(ctx context.Context, p *Problem, s *Settings) (Result, error) {
	n, err := p.validate()
	if err != nil {
		return Result{}, err
	}
	var set Settings
	if s != nil {
		set = *s
	}
	set.IntTol = cmp.Or(set.IntTol, 1e-6)
	set.GapTol = cmp.Or(set.GapTol, 1e-9)
	if !(set.IntTol > 0 && set.IntTol < 0.5) || math.IsNaN(set.GapTol) || set.MaxIter < 0 {
		return Result{}, fmt.Errorf("%w: IntTol %v, GapTol %v, MaxIter %d", ErrSettings, set.IntTol, set.GapTol, set.MaxIter)
	}
	if err := run.CheckTimeLimit(set.TimeLimit); err != nil {
		return Result{}, err
	}
	lo, hi := make([]float64, n), make([]float64, n)
	for j := 0; j < n; j++ {
		lo[j], hi[j] = p.lower(j), p.upper(j)
		if p.isInt(j) {
			lo[j], hi[j] = math.Ceil(lo[j]-set.IntTol), math.Floor(hi[j]+set.IntTol)
			if lo[j] > hi[j] {
				return Result{}, fmt.Errorf("%w: integer variable %d has no integer in its bounds", ErrInfeasible, j)
			}
		}
	}
	bb := &search{p: p, set: set, res: Result{F: math.Inf(1), Bound: math.Inf(-1)}}
	return bb.run(ctx, lo, hi)
}

func (p *Problem) isInt(j int) bool { return p.Integer != nil && p.Integer[j] }

type node struct {
	lo, hi []float64
	bound  float64
}

type nodeHeap []node

func (h nodeHeap) Len() int           { return len(h) }
func (h nodeHeap) Less(i, j int) bool { return h[i].bound < h[j].bound }
func (h nodeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *nodeHeap) Push(x any)        { *h = append(*h, x.(node)) }
func (h *nodeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

type search struct {
	p    *Problem
	set  Settings
	res  Result
	open nodeHeap
}

func (s *search) gapClosed(bound float64) bool {
	ub := s.res.F
	if math.IsInf(ub, 1) {
		return false
	}
	if s.set.GapTol < 0 {
		return bound >= ub
	}
	return ub-bound <= s.set.GapTol*math.Max(1, math.Abs(ub))
}

func (s *search) run(ctx context.Context, lo, hi []float64) (Result, error) {
	it := &Iter{Incumbent: math.Inf(1), Bound: math.Inf(-1)}
	loop := run.Loop[*Iter]{Recorder: s.set.Recorder, MaxIter: s.set.MaxIter, TimeLimit: s.set.TimeLimit}
	end := func(st run.Status, err error) (Result, error) {
		s.res.Status, s.res.Iterations = st, loop.Iterations()
		it.Incumbent, it.Bound, it.Open = s.res.F, s.res.Bound, len(s.open)
		return s.res, loop.End(it, st, err)
	}
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	heap.Push(&s.open, node{lo: lo, hi: hi, bound: math.Inf(-1)})
	root := true
	for len(s.open) > 0 {
		nd := heap.Pop(&s.open).(node)
		if s.gapClosed(nd.bound) {
			// best-bound order: every open node's bound is at least nd.bound
			s.res.Bound = math.Min(nd.bound, s.res.F)
			return end(run.Optimal, nil)
		}
		x, f, err := solveLP(s.p, nd.lo, nd.hi, s.set.GonumSimplex)
		switch {
		case errors.Is(err, errLPInfeasible):
		case errors.Is(err, errLPUnbounded):
			if root {
				return end(run.Failure, fmt.Errorf("%w: the LP relaxation is unbounded", ErrUnbounded))
			}
		case err != nil:
			return end(run.Failure, err)
		default:
			s.branch(nd, x, f)
		}
		root = false
		it.Incumbent, it.Bound, it.Open = s.res.F, s.bestBound(math.Inf(1)), len(s.open)
		if st, err := loop.Next(ctx, it, false); st != run.NotTerminated {
			s.res.Bound = math.Min(s.res.F, s.bestBound(math.Inf(1)))
			return end(st, err)
		}
	}
	if s.res.X == nil {
		return end(run.Failure, fmt.Errorf("%w: no integer-feasible point", ErrInfeasible))
	}
	s.res.Bound = s.res.F
	return end(run.Optimal, nil)
}

// bestBound is the smallest bound among the open nodes and b.
func (s *search) bestBound(b float64) float64 {
	if len(s.open) > 0 {
		b = math.Min(b, s.open[0].bound)
	}
	return b
}

// branch takes a node's LP solution: a new incumbent if integral, else two
// children on the most fractional integer variable.
func (s *search) branch(nd node, x []float64, f float64) {
	if f >= s.res.F {
		return // pruned by bound
	}
	j, worst := -1, s.set.IntTol
	for k := range x {
		if !s.p.isInt(k) {
			continue
		}
		if fr := math.Abs(x[k] - math.Round(x[k])); fr > worst {
			j, worst = k, fr
		}
	}
	if j < 0 {
		for k := range x {
			if s.p.isInt(k) {
				x[k] = math.Round(x[k])
			}
		}
		s.res.X, s.res.F = x, dotC(s.p.C, x)
		return
	}
	down := node{lo: nd.lo, hi: append([]float64(nil), nd.hi...), bound: f}
	down.hi[j] = math.Floor(x[j])
	up := node{lo: append([]float64(nil), nd.lo...), hi: nd.hi, bound: f}
	up.lo[j] = math.Ceil(x[j])
	heap.Push(&s.open, down)
	heap.Push(&s.open, up)
}
