package causal

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/run"
)

// RiskMethod selects the worst-case risk estimator.
type RiskMethod int

const (
	// Ascent maximises the regenerated risk over bounded MLP interventions
	// X_m := B·tanh(J_m(PA_M(m))) by gradient ascent with restarts (Alg. 1,
	// part 2, of the paper, with an explicit bound B). It is a local search
	// and a lower bound of the supremum: on the spec's problem P1 every
	// restart parks at a constant intervention M := ±B.
	Ascent RiskMethod = iota
	// Grid takes, for a single mutable variable, the mean over training rows
	// of the maximum over a grid of m ∈ [-B, B] of the regenerated squared
	// error (exact up to Monte Carlo when regeneration is deterministic).
	Grid
	// Search is the library's estimator that finds the worst case where
	// the paper's ascent parks at a constant: warm-started, multi-start
	// gradient ascent over X_m := clip(J_m(PA_M(m)), -B, B) with a
	// projected pass-through gradient (see [Model.WorstCaseRisk]). It
	// works with any number of mutable variables and reports the risk of
	// an intervention it found, so it is a lower bound of the supremum.
	Search
)

func (m RiskMethod) valid() bool { return m == Ascent || m == Grid || m == Search }

// String returns the method's name.
func (m RiskMethod) String() string {
	switch m {
	case Ascent:
		return "ascent"
	case Grid:
		return "grid"
	case Search:
		return "search"
	}
	return fmt.Sprintf("RiskMethod(%d)", int(m))
}

// RiskSettings configures [Model.WorstCaseRisk]. The zero value works and
// gives the official code's hyper-parameters with B = 3.
type RiskSettings struct {
	// Method is the estimator. Zero means Ascent.
	Method RiskMethod
	// Bound is B, the bound |X_m| <= B on interventions (in the data's
	// units). Zero means 3; negative, NaN or Inf is an error.
	Bound float64
	// Lambda weighs the penalty Σ_m Σ_layers ‖W‖₂ of the intervention
	// networks (Ascent). Zero means 0.01; NoPenalty disables it. Search
	// uses no penalty.
	Lambda float64
	// NoPenalty sets Lambda to 0.
	NoPenalty bool
	// LR is Adam's step size. Zero means 0.02.
	LR float64
	// MaxIter bounds the ascent steps per restart (one step: one Adam
	// update on the full set of rows). Zero means 10000.
	MaxIter int
	// RecordEvery records the MSE every this many steps. Zero means 10.
	RecordEvery int
	// Patience stops a restart after this many consecutive records within
	// Tol of the reference record. Zero means 100.
	Patience int
	// Tol is the early-stopping tolerance on the recorded MSE. Zero means
	// 0.01; negative turns early stopping off (every restart runs MaxIter
	// steps).
	Tol float64
	// Restarts is the number of ascent restarts (the first uses the official
	// initialisation, weights 1 and biases 0; the others Glorot draws), or,
	// for Search, the number of its best starts that are polished. Zero
	// means 3.
	Restarts int
	// Hidden is the width of each J_m. Zero means max(2, |PA_M(m)|/2) for
	// Ascent (the official code) and 32 for Search.
	Hidden int
	// InitScale multiplies the Glorot initialisation of restarts after the
	// first (larger values give more varied initial interventions). Zero
	// means 1.
	InitScale float64
	// Rows evaluates the risk on a random subset of this many training rows.
	// Zero means all rows.
	Rows int
	// GridPoints is the grid size for Grid, and for each coordinate of
	// Search's row-wise search. Zero means 61.
	GridPoints int
	// NoiseDraws, for Grid and Search, adds this many resampled training
	// residuals to every regenerated node and averages the squared error
	// over them (inside the maximum for Grid). Zero means noise-free
	// regeneration (official; the Ascent always uses it).
	NoiseDraws int
	// Rand draws the row subset, restart initialisations and noise. Nil
	// means the fixed seed PCG(1, 0).
	Rand *rand.Rand
	// Recorder, if set, receives the run's states (see [RiskIter]).
	Recorder Recorder
}

// maxGridPoints caps GridPoints and NoiseDraws, whose product is the work
// per row.
const maxGridPoints = 100_000

func (s *RiskSettings) withDefaults() (RiskSettings, error) {
	var r RiskSettings
	if s != nil {
		r = *s
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Bound", r.Bound}, {"Lambda", r.Lambda}, {"LR", r.LR}, {"Tol", r.Tol}, {"InitScale", r.InitScale}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return r, fmt.Errorf("%w: %w: RiskSettings.%s is %v", ErrSettings, ErrNotFinite, f.name, f.v)
		}
	}
	if r.Bound < 0 {
		return r, fmt.Errorf("%w: bound B = %v must be positive", ErrSettings, r.Bound)
	}
	r.Bound = cmp.Or(r.Bound, 3)
	r.Lambda = cmp.Or(r.Lambda, 0.01)
	if r.NoPenalty {
		r.Lambda = 0
	}
	r.LR = cmp.Or(r.LR, 0.02)
	r.Tol = cmp.Or(r.Tol, 0.01)
	r.InitScale = cmp.Or(r.InitScale, 1)
	r.MaxIter = cmp.Or(r.MaxIter, 10000)
	r.RecordEvery = cmp.Or(r.RecordEvery, 10)
	r.Patience = cmp.Or(r.Patience, 100)
	r.Restarts = cmp.Or(r.Restarts, 3)
	r.GridPoints = cmp.Or(r.GridPoints, 61)
	for _, f := range []struct {
		name string
		bad  bool
	}{
		{"Lambda < 0", r.Lambda < 0}, {"LR < 0", r.LR < 0}, {"MaxIter < 0", r.MaxIter < 0},
		{"RecordEvery < 0", r.RecordEvery < 0}, {"Patience < 0", r.Patience < 0}, {"Restarts < 0", r.Restarts < 0},
		{"Hidden < 0", r.Hidden < 0}, {"InitScale < 0", r.InitScale < 0}, {"Rows < 0", r.Rows < 0},
		{"GridPoints < 2", r.GridPoints < 2}, {"NoiseDraws < 0", r.NoiseDraws < 0},
		{"GridPoints > 100000", r.GridPoints > maxGridPoints}, {"NoiseDraws > 100000", r.NoiseDraws > maxGridPoints},
		{"Hidden > 100000", r.Hidden > maxGridPoints},
	} {
		if f.bad {
			return r, fmt.Errorf("%w: RiskSettings.%s", ErrSettings, f.name)
		}
	}
	if !r.Method.valid() {
		return r, fmt.Errorf("%w: unknown method %d", ErrSettings, int(r.Method))
	}
	return r, nil
}

// RiskResult reports a worst-case risk estimate.
type RiskResult struct {
	// Method is the estimator that produced the result.
	Method RiskMethod
	// Risk is h*(S'): the maximum over restarts of the last recorded MSE
	// (Ascent), the grid estimate (Grid), or the largest MSE of the
	// interventions Search found (each evaluated on Rows).
	Risk float64
	// PerRestart holds each restart's estimate (Ascent and Search).
	PerRestart []float64
	// Interventions holds, for Ascent and Search, the intervention
	// networks of the best restart by mutable node id:
	// X_m := Bound·tanh(J_m(PA_M(m))) (Ascent) or clip(J_m, ±Bound) (Search), with
	// inputs PA_M(m) in [Components.PaM] order (a single 0 input when m
	// has no mutable-graph parents). Use [RiskResult.Intervene] to evaluate.
	Interventions map[int64]*nn.MLP
	// Bound is the bound B used.
	Bound float64
	// Status says how the run ended: for Ascent and Search, Converged when
	// every restart met the early-stopping test and IterationLimit when one used
	// MaxIter steps; Completed for Grid; Canceled or RecorderStopped when
	// interrupted (the estimate is then partial).
	Status run.Status
	// RestartStatus holds each ascent restart's final status.
	RestartStatus []run.Status
	// Iterations counts the reports of the run (see [RiskIter]).
	Iterations int
	// Rows are the training rows the risk was evaluated on (pooled row
	// indices, ascending).
	Rows []int
	// GridArgMax holds, for Grid, the maximising value of the mutable
	// variable for each of Rows: the worst-case intervention row by row.
	GridArgMax []float64
	// StdErr is the Monte-Carlo standard error of Risk over Rows: the
	// standard deviation of the per-row values (Grid: row maxima; Ascent
	// and Search: the rows' errors under the intervention returned)
	// divided by √rows.
	StdErr float64
	// RowSup is, for Search, the mean over Rows of the row-by-row maximum
	// found by its coordinate search: the supremum over interventions that
	// may depend on the whole row, an upper estimate of h* (equal to the
	// Grid estimate with one mutable variable).
	RowSup float64
	// Steps counts ascent steps over all restarts.
	Steps int
	// Evals counts evaluations of the predictor.
	Evals int
}

// Intervene returns the value of the worst-case intervention found for
// mutable node m, given the values pa of PA_M(m) (nil when m has no
// parents): B·tanh(J_m(pa)) for Ascent, clip(J_m(pa), -B, B) for Search.
// It returns NaN when no
// intervention network is known for m or pa has the wrong length.
func (r RiskResult) Intervene(m int64, pa []float64) float64 {
	net := r.Interventions[m]
	if net == nil {
		return math.NaN()
	}
	var out [1]float64
	if len(pa) == 0 {
		pa = []float64{0}
	}
	if len(pa) != net.In() {
		return math.NaN()
	}
	return paramOf(r.Method).value(r.Bound, net.Predict(out[:0], pa)[0])
}

// regenNode is one node replaced under an intervention on X_M.
type regenNode struct {
	v       int64
	mutable bool
	pa      []int64
	eq      Regressor
	deq     Differentiable
	x, g    []float64 // input and input gradient buffers
	resid   []float64
	net     *nn.MLP // J_m (mutable, Ascent)
	u       float64 // J_m output before the bound
	grads   [][]float64
	gin     []float64
	out, du [1]float64
}

// WorstCaseRisk estimates h*(S') = sup over bounded interventions on the
// mutable variables of the risk of p: every mutable m (in topological
// order) is replaced by an intervention value and DeM is regenerated from
// the fitted equations, Y untouched. Ascent (the paper's) and Search (the
// library's, which finds the worst case where the ascent stops at a local
// maximum; see [Search]) need p.F and every DeM equation to be
// [Differentiable]; Grid needs exactly one mutable variable. For Search,
// GridPoints is the size of its row-wise grid, NoiseDraws adds resampled
// residuals as for Grid, Restarts is the number of starts polished,
// Hidden (zero: 32) the width of each J_m, and Lambda is not used. Errors wrap [ErrSettings] or [ErrNotFinite] (settings, or a
// non-finite estimate); on cancellation or a Recorder error it returns
// the estimate so far with Status Canceled or RecorderStopped and the
// error.
func (m *Model) WorstCaseRisk(ctx context.Context, p *Predictor, s *RiskSettings) (RiskResult, error) {
	set, err := s.withDefaults()
	if err != nil {
		return RiskResult{}, err
	}
	if p == nil || p.F == nil {
		return RiskResult{}, fmt.Errorf("%w: nil predictor", ErrSettings)
	}
	if m == nil || m.SEM == nil {
		return RiskResult{}, fmt.Errorf("%w: model not built by NewModel", ErrSettings)
	}
	rng := orDefault(set.Rand)
	rows := m.riskRows(set.Rows, rng)
	seq := m.regenSequence()
	var res RiskResult
	switch set.Method {
	case Grid:
		if len(m.C.XM) != 1 {
			return RiskResult{}, fmt.Errorf("%w: grid estimator needs one mutable variable, have %d", ErrSettings, len(m.C.XM))
		}
		res, err = m.gridRisk(ctx, p, seq, rows, set, rng)
	default:
		df, err := m.checkDifferentiable(p, seq)
		if err != nil {
			return RiskResult{}, err
		}
		if set.Method == Search {
			res, err = m.searchRisk(ctx, p, df, seq, rows, set, rng)
		} else {
			res, err = m.ascentRisk(ctx, p, df, seq, rows, set, rng)
		}
		if err != nil {
			return res, err
		}
	}
	if err == nil && (math.IsNaN(res.Risk) || math.IsInf(res.Risk, 0)) {
		return res, fmt.Errorf("%w: worst-case risk is %v", ErrNotFinite, res.Risk)
	}
	return res, err
}

// riskRows returns the training rows the risk is evaluated on: all, or a
// sorted random subset of k.
func (m *Model) riskRows(k int, rng *rand.Rand) []int {
	if k > 0 && k < m.n {
		rows := rng.Perm(m.n)[:k]
		slices.Sort(rows)
		return rows
	}
	rows := make([]int, m.n)
	for i := range rows {
		rows[i] = i
	}
	return rows
}

// regenSequence lists, in topological order, the mutable variables (to be
// intervened on) and the DeM nodes (to be regenerated from their
// equations).
func (m *Model) regenSequence() []*regenNode {
	var seq []*regenNode
	for _, v := range m.C.Order {
		switch {
		case slices.Contains(m.C.XM, v):
			seq = append(seq, &regenNode{v: v, mutable: true, pa: m.C.PaM[v]})
		case slices.Contains(m.C.DeM, v):
			k := m.eqM(v)
			nd := &regenNode{v: v, pa: m.SEM.Parents[k], eq: m.SEM.Eq[k], resid: m.SEM.Resid[k]}
			nd.deq, _ = nd.eq.(Differentiable)
			seq = append(seq, nd)
		}
	}
	for _, nd := range seq {
		nd.x = make([]float64, len(nd.pa))
		nd.g = make([]float64, len(nd.pa))
	}
	return seq
}

// checkDifferentiable returns p.F as a Differentiable, or an error if it
// or a regenerated equation is not one.
func (m *Model) checkDifferentiable(p *Predictor, seq []*regenNode) (Differentiable, error) {
	df, ok := p.F.(Differentiable)
	if !ok {
		return nil, fmt.Errorf("%w: ascent needs a Differentiable predictor, have %T", ErrSettings, p.F)
	}
	for _, nd := range seq {
		if !nd.mutable && nd.deq == nil {
			return nil, fmt.Errorf("%w: ascent needs Differentiable equations, node %q has %T", ErrSettings, m.Graph.Name(nd.v), nd.eq)
		}
	}
	return df, nil
}

func (m *Model) loadRow(vals []float64, i int) {
	for id, c := range m.cols {
		if c != nil {
			vals[id] = c[i]
		}
	}
}

// gridBlock is the number of rows of one Grid report.
const gridBlock = 256

func (m *Model) gridRisk(ctx context.Context, p *Predictor, seq []*regenNode, rows []int, set RiskSettings, rng *rand.Rand) (RiskResult, error) {
	mv := m.C.XM[0]
	P := set.GridPoints
	grid := make([]float64, P)
	for k := range grid {
		grid[k] = -set.Bound + 2*set.Bound*float64(k)/float64(P-1)
	}
	vals := make([]float64, len(m.cols))
	xf := make([]float64, len(p.Inputs))
	draws := max(1, set.NoiseDraws)
	noise := make([][]float64, draws) // [draw][seq index]
	for k := range noise {
		noise[k] = make([]float64, len(seq))
	}
	res := RiskResult{Method: Grid, Bound: set.Bound, Rows: rows, GridArgMax: make([]float64, len(rows))}
	it := &RiskIter{Method: Grid, Subset: p.Subset, MSE: math.NaN()}
	loop := run.Loop[*RiskIter]{Recorder: set.Recorder, MaxIter: (len(rows) + gridBlock - 1) / gridBlock}
	end := func(st run.Status, err error) (RiskResult, error) {
		res.Status, res.Iterations = st, loop.Iterations()
		it.RestartStatus = st
		return res, loop.End(it, st, err)
	}
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	total, total2 := 0.0, 0.0
	for ri, i := range rows {
		if st, err := loop.Check(ctx); st != run.NotTerminated {
			res.Risk = total / float64(max(1, ri))
			it.Step, it.MSE = ri, res.Risk
			return end(st, err)
		}
		if set.NoiseDraws > 0 {
			for k := range noise {
				for j, nd := range seq {
					if !nd.mutable && len(nd.resid) > 0 {
						noise[k][j] = nd.resid[rng.IntN(len(nd.resid))]
					}
				}
			}
		}
		y := m.cols[m.C.Y][i]
		best := math.Inf(-1)
		for _, g := range grid {
			e := 0.0
			for k := 0; k < draws; k++ {
				m.loadRow(vals, i)
				vals[mv] = g
				for j, nd := range seq {
					if nd.mutable {
						continue
					}
					for t, pa := range nd.pa {
						nd.x[t] = vals[pa]
					}
					vals[nd.v] = nd.eq.Predict(nd.x) + noise[k][j]
				}
				for t, v := range p.Inputs {
					xf[t] = vals[v]
				}
				d := y - p.F.Predict(xf)
				e += d * d
				res.Evals++
			}
			e /= float64(draws)
			if e > best {
				best = e
				res.GridArgMax[ri] = g
			}
		}
		total += best
		total2 += best * best
		if done := ri + 1; done%gridBlock == 0 || done == len(rows) {
			it.Step, it.MSE = done, total/float64(done)
			if st, err := loop.Next(ctx, it, false); st == run.RecorderStopped || st == run.Canceled {
				res.Risk = it.MSE
				return end(st, err)
			}
		}
	}
	res.Risk, res.StdErr, _ = meanSE(total, total2, len(rows))
	it.Step, it.MSE = len(rows), res.Risk
	return end(run.Completed, nil)
}
