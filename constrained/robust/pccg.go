package robust

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/milp"
	"github.com/optlearn/optlearn/run"
)

// SubSolver computes Q_s(x) and a worst-case ξ for one scenario at a fixed
// first-stage decision.
type SubSolver interface {
	Worst(ctx context.Context, sc *Scenario, x []float64) (q float64, xi []float64, err error)
}

// VertexEnum solves the subproblem exactly by enumerating the vertices of
// Ξ on the coordinates active at x and solving one recourse LP for each
// (the max over a polytope of a convex piecewise-linear function is at a
// vertex).
type VertexEnum struct{}

// Worst returns max over the vertices ξ of the recourse LP value at
// d(x, ξ), and the first maximiser.
func (VertexEnum) Worst(ctx context.Context, sc *Scenario, x []float64) (float64, []float64, error) {
	best, arg := math.Inf(-1), []float64(nil)
	for _, xi := range vertices(sc.U.Set(), sc.U.Active(x)) {
		if err := ctx.Err(); err != nil {
			return 0, nil, err
		}
		q, err := recourse(ctx, sc, x, demand(sc.U, xi, x))
		if err != nil {
			return 0, nil, err
		}
		if q > best+1e-12 {
			best, arg = q, xi
		}
	}
	return best, arg, nil
}

// recourse solves min Qᵀy s.t. W y (≥|=) R − T x − M d, y ≥ 0.
func recourse(ctx context.Context, sc *Scenario, x, d []float64) (float64, error) {
	rows, _ := sc.W.Dims()
	b := make([]float64, rows)
	for i := range b {
		b[i] = sc.R[i]
		for j, xj := range x {
			b[i] -= sc.T.At(i, j) * xj
		}
		for k, dk := range d {
			b[i] -= sc.M.At(i, k) * dk
		}
	}
	p := &milp.Problem{C: sc.Q, A: sc.W, Sense: sc.Sense, B: b}
	res, err := milp.BranchBound{}.Solve(ctx, p, nil)
	if err != nil {
		if errors.Is(err, milp.ErrInfeasible) || errors.Is(err, milp.ErrUnbounded) {
			return 0, fmt.Errorf("%w: %w", ErrRecourse, err)
		}
		return 0, err
	}
	return res.F, nil
}

// Settings configures [Solve]. The zero value is the spec's PC&CG: relative
// gap 1e-6, at most 50 iterations, vertex enumeration, the package's
// branch and bound for the master.
type Settings struct {
	// Tol is the relative gap UB − LB ≤ Tol·max(|UB|, 1e-9·…) at which the
	// run stops. Zero means 1e-6; negative means run MaxIter iterations.
	Tol float64
	// MaxIter caps the iterations (one iteration: one master solve and one
	// subproblem per scenario). Zero means 50.
	MaxIter int
	// Sub solves the subproblems. Nil means VertexEnum{}.
	Sub SubSolver
	// Master solves the master MILPs. Nil means milp.BranchBound{}.
	Master milp.Solver
	// Static passes fixed demand vectors d* = d(x̂, ξ̂) as cuts (plain C&CG)
	// instead of the parametric d(x, ξ̂): not valid under decision-dependent
	// uncertainty; for the negative test only.
	Static bool
	// TimeLimit bounds the wall time. Zero means none; negative is an error.
	TimeLimit time.Duration
	// Recorder, if not nil, receives the bounds at the start, after every
	// iteration and at the end.
	Recorder Recorder
}

// Iter is the state of a PC&CG run passed to a [Recorder].
type Iter struct {
	run.Progress
	// LB and UB are the bounds after the iteration (−Inf and +Inf at the start).
	LB, UB float64
	// X is the master's plan of the iteration (read only during the call).
	X []float64
	// Q holds Q_s(X) per scenario.
	Q []float64
	// Cuts is the number of scenario cuts in the master.
	Cuts int
}

// Clone copies it with its own slices.
func (it *Iter) Clone() Iter {
	c := *it
	c.X = append([]float64(nil), it.X...)
	c.Q = append([]float64(nil), it.Q...)
	return c
}

// Summary says the bounds in a few words.
func (it *Iter) Summary() string {
	return fmt.Sprintf("LB %.6g  UB %.6g  cuts %d", it.LB, it.UB, it.Cuts)
}

// Recorder receives the state of a run (see package run for the contract).
type Recorder = run.Recorder[*Iter]

// History keeps every state of a run, for the LB/UB table.
type History = run.History[Iter, *Iter]

// Result is the outcome of [Solve].
type Result struct {
	// X is the best plan found (the incumbent of UB).
	X []float64
	// UB is its total cost cᵀX + Σ p_s Q_s(X); LB the master's bound.
	UB, LB float64
	// Q holds Q_s(X) per scenario; Worst the maximising ξ per scenario.
	Q     []float64
	Worst [][]float64
	// Iterations is the number of iterations; MasterNodes the branch-and-
	// bound nodes over all master solves; SubLPs the recourse LPs solved.
	Iterations, MasterNodes, SubLPs int
	// Status is Converged when the gap closed.
	Status run.Status
}

// gapFloor is the absolute floor of the relative gap test: totals are
// O(1e3) in the spec's instance, and a zero UB must not demand LB = UB
// exactly.
const gapFloor = 1e-9

// Solve runs parametric column-and-constraint generation (PC&CG, Zeng and
// Wang, arXiv 2203.16484) on p: each iteration solves the master
//
//	min cᵀx + Σ_s p_s η_s  s.t. x feasible, and for every s and every ξ in L_s:
//	  W_s y^{s,ξ} (≥|=) R_s − T_s x − M_s d_s(x, ξ),  η_s ≥ Q_sᵀ y^{s,ξ},  y ≥ 0,
//
// whose value is a lower bound (LB), evaluates Q_s at the master's plan
// (an upper bound, UB, for the best plan seen) and adds each scenario's
// worst ξ to L_s where it cuts off the master's η_s. The scenarios passed
// are parametric: d_s(x, ξ) moves with x, so every cut is valid for every
// plan, which fixed demand vectors are not under decision-dependent
// uncertainty (Settings.Static runs that invalid variant). L_s starts with
// the nominal ξ = 0.
//
// It returns an error for bad input (wrapping [ErrDimension],
// [ErrSettings], [ErrNotFinite], [ErrEmptySet]), a recourse LP without
// solution ([ErrRecourse]), a master failure (wrapping the milp error), and
// the context's error (with the incumbent).
func Solve(ctx context.Context, p *Problem, s *Settings) (Result, error) {
	nx, err := p.validate()
	if err != nil {
		return Result{}, err
	}
	var set Settings
	if s != nil {
		set = *s
	}
	set.Tol = cmp.Or(set.Tol, 1e-6)
	set.MaxIter = cmp.Or(set.MaxIter, 50)
	if set.Sub == nil {
		set.Sub = VertexEnum{}
	}
	if set.Master == nil {
		set.Master = milp.BranchBound{}
	}
	if math.IsNaN(set.Tol) || set.MaxIter < 0 {
		return Result{}, fmt.Errorf("%w: Tol %v, MaxIter %d", ErrSettings, set.Tol, set.MaxIter)
	}
	if err := run.CheckTimeLimit(set.TimeLimit); err != nil {
		return Result{}, err
	}
	S := len(p.Scenarios)
	cuts := make([][]cut, S)
	for sIdx, sc := range p.Scenarios {
		cuts[sIdx] = []cut{{xi: make([]float64, sc.U.Set().K)}}
	}
	res := Result{UB: math.Inf(1), LB: math.Inf(-1)}
	it := &Iter{LB: math.Inf(-1), UB: math.Inf(1)}
	loop := run.Loop[*Iter]{Recorder: set.Recorder, MaxIter: set.MaxIter, TimeLimit: set.TimeLimit}
	end := func(st run.Status, err error) (Result, error) {
		res.Status, res.Iterations = st, loop.Iterations()
		it.LB, it.UB = res.LB, res.UB
		return res, loop.End(it, st, err)
	}
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	for {
		mp := buildMaster(p, nx, cuts)
		mres, err := set.Master.Solve(ctx, mp, nil)
		res.MasterNodes += mres.Iterations
		if err != nil {
			if ctx.Err() != nil {
				return end(run.Canceled, ctx.Err())
			}
			return end(run.Failure, fmt.Errorf("robust: master: %w", err))
		}
		x := mres.X[:nx]
		for j := range x {
			if p.First.Integer != nil && p.First.Integer[j] {
				x[j] = math.Round(x[j])
			}
		}
		res.LB = math.Max(res.LB, mres.F)
		total := dot(p.First.C, x)
		qs := make([]float64, S)
		worst := make([][]float64, S)
		for sIdx := range p.Scenarios {
			sc := &p.Scenarios[sIdx]
			q, xi, err := set.Sub.Worst(ctx, sc, x)
			if err != nil {
				if ctx.Err() != nil {
					return end(run.Canceled, ctx.Err())
				}
				return end(run.Failure, err)
			}
			res.SubLPs += len(vertices(sc.U.Set(), sc.U.Active(x)))
			qs[sIdx], worst[sIdx] = q, xi
			total += sc.P * q
		}
		if total < res.UB {
			res.UB, res.X, res.Q, res.Worst = total, append([]float64(nil), x...), qs, worst
		}
		added := 0
		for sIdx := range p.Scenarios {
			eta := mres.X[nx+sIdx]
			if qs[sIdx] > eta+1e-9*math.Max(1, math.Abs(eta)) {
				c := cut{xi: worst[sIdx]}
				if set.Static {
					c.d = demand(p.Scenarios[sIdx].U, worst[sIdx], x)
				}
				cuts[sIdx] = append(cuts[sIdx], c)
				added++
			}
		}
		it.X, it.Q, it.Cuts = x, qs, countCuts(cuts)
		it.LB, it.UB = res.LB, res.UB
		if gap := res.UB - res.LB; gap < -set.crossTol(res.UB) {
			loop.Next(ctx, it, false)
			return end(run.Failure, fmt.Errorf("%w: LB %.6g > UB %.6g", ErrBoundsCrossed, res.LB, res.UB))
		}
		closed := set.Tol >= 0 && res.UB-res.LB <= set.Tol*math.Max(math.Abs(res.UB), gapFloor)
		st, err := loop.Next(ctx, it, closed || added == 0)
		if st != run.NotTerminated {
			return end(st, err)
		}
	}
}

// crossTol is how far LB may exceed UB before the bounds count as crossed:
// the gap tolerance, or 1e-9 relative when the gap test is off.
func (s *Settings) crossTol(ub float64) float64 {
	return math.Max(s.Tol, 1e-9) * math.Max(math.Abs(ub), 1)
}

// cut is one scenario passed to the master: parametric (d = d(x, ξ)) or,
// for the static variant, a fixed demand vector d.
type cut struct {
	xi []float64
	d  []float64
}

func countCuts(c [][]cut) int {
	n := 0
	for _, l := range c {
		n += len(l)
	}
	return n
}

// buildMaster assembles the master MILP over [x | η | y copies].
func buildMaster(p *Problem, nx int, cuts [][]cut) *milp.Problem {
	S := len(p.Scenarios)
	first := p.First
	m0 := len(first.B)
	nVars, nRows := nx+S, m0
	for sIdx, sc := range p.Scenarios {
		rows, ny := sc.W.Dims()
		nVars += ny * len(cuts[sIdx])
		nRows += (rows + 1) * len(cuts[sIdx])
	}
	mp := &milp.Problem{C: make([]float64, nVars), A: mat.NewDense(nRows, nVars, nil), Sense: make([]milp.Sense, nRows), B: make([]float64, nRows),
		Lower: make([]float64, nVars), Upper: make([]float64, nVars), Integer: make([]bool, nVars)}
	copy(mp.C, first.C)
	for j := 0; j < nx; j++ {
		mp.Lower[j], mp.Upper[j] = boundsOf(first, j)
		mp.Integer[j] = first.Integer != nil && first.Integer[j]
	}
	for i := 0; i < m0; i++ {
		for j := 0; j < nx; j++ {
			mp.A.Set(i, j, first.A.At(i, j))
		}
		mp.Sense[i], mp.B[i] = first.Sense[i], first.B[i]
	}
	for sIdx, sc := range p.Scenarios {
		mp.C[nx+sIdx] = sc.P
		mp.Lower[nx+sIdx], mp.Upper[nx+sIdx] = math.Inf(-1), math.Inf(1)
	}
	for j := nx + S; j < nVars; j++ {
		mp.Upper[j] = math.Inf(1)
	}
	col, row := nx+S, m0
	for sIdx, sc := range p.Scenarios {
		rows, ny := sc.W.Dims()
		_, nd := sc.M.Dims()
		for _, c := range cuts[sIdx] {
			var a0 []float64
			var A *mat.Dense
			if c.d != nil {
				a0, A = c.d, mat.NewDense(nd, nx, nil)
			} else {
				a0, A = sc.U.Affine(c.xi)
			}
			for i := 0; i < rows; i++ {
				for j := 0; j < ny; j++ {
					mp.A.Set(row+i, col+j, sc.W.At(i, j))
				}
				// W y + (T + M A) x (sense) R − M a0
				b := sc.R[i]
				for k := 0; k < nd; k++ {
					if mik := sc.M.At(i, k); mik != 0 {
						b -= mik * a0[k]
					}
				}
				for j := 0; j < nx; j++ {
					v := sc.T.At(i, j)
					for k := 0; k < nd; k++ {
						if mik := sc.M.At(i, k); mik != 0 {
							v += mik * A.At(k, j)
						}
					}
					mp.A.Set(row+i, j, v)
				}
				mp.Sense[row+i], mp.B[row+i] = sc.Sense[i], b
			}
			// η_s − Qᵀy ≥ 0
			r := row + rows
			mp.A.Set(r, nx+sIdx, 1)
			for j := 0; j < ny; j++ {
				mp.A.Set(r, col+j, -sc.Q[j])
			}
			mp.Sense[r] = milp.GE
			col += ny
			row += rows + 1
		}
	}
	return mp
}

func dot(x, y []float64) float64 {
	s := 0.0
	for i := range x {
		s += x[i] * y[i]
	}
	return s
}

// boundsOf returns the bounds of variable j of a MILP (nil slices mean 0
// and +Inf).
func boundsOf(p *milp.Problem, j int) (float64, float64) {
	lo, hi := 0.0, math.Inf(1)
	if p.Lower != nil {
		lo = p.Lower[j]
	}
	if p.Upper != nil {
		hi = p.Upper[j]
	}
	return lo, hi
}

// Evaluate returns the total cost cᵀx + Σ_s p_s Q_s(x) of the plan x under
// p, and Q_s(x) per scenario, with the subproblem solver sub (nil means
// VertexEnum{}). It is how a plan found with one model is priced under
// another (the value of modelling the demand-inducing effect).
func Evaluate(ctx context.Context, p *Problem, x []float64, sub SubSolver) (float64, []float64, error) {
	nx, err := p.validate()
	if err != nil {
		return 0, nil, err
	}
	if len(x) != nx {
		return 0, nil, fmt.Errorf("%w: plan of length %d, first stage has %d variables", ErrDimension, len(x), nx)
	}
	if sub == nil {
		sub = VertexEnum{}
	}
	total := dot(p.First.C, x)
	qs := make([]float64, len(p.Scenarios))
	for s := range p.Scenarios {
		q, _, err := sub.Worst(ctx, &p.Scenarios[s], x)
		if err != nil {
			return 0, nil, err
		}
		qs[s] = q
		total += p.Scenarios[s].P * q
	}
	return total, qs, nil
}
