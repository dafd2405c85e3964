package causal

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/nn"
)

// RiskMethod selects the worst-case risk estimator.
type RiskMethod int

const (
	// Ascent maximises the regenerated risk over bounded MLP interventions
	// X_m := B·tanh(J_m(PA_M(m))) by gradient ascent with restarts (Alg. 1,
	// part 2, of the paper, with an explicit bound B).
	Ascent RiskMethod = iota
	// Grid takes, for a single mutable variable, the mean over training rows
	// of the maximum over a grid of m ∈ [-B, B] of the regenerated squared
	// error (exact up to Monte Carlo when regeneration is deterministic).
	Grid
)

// String returns the method's name.
func (m RiskMethod) String() string {
	switch m {
	case Ascent:
		return "ascent"
	case Grid:
		return "grid"
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
	// networks. Zero means 0.01; set NoPenalty to disable.
	Lambda    float64
	NoPenalty bool
	// LR is Adam's step size. Zero means 0.02.
	LR float64
	// MaxIter bounds the ascent steps per restart. Zero means 10000.
	MaxIter int
	// RecordEvery records the MSE every this many steps. Zero means 10.
	RecordEvery int
	// Patience stops a restart after this many consecutive records within
	// Tol of the reference record. Zero means 100.
	Patience int
	// Tol is the early-stopping tolerance. Zero means 0.01.
	Tol float64
	// Restarts is the number of ascent restarts (the first uses the official
	// initialisation, weights 1 and biases 0; the others Glorot draws).
	// Zero means 3.
	Restarts int
	// Hidden is the width of each J_m. Zero means max(2, |PA_M(m)|/2).
	Hidden int
	// InitScale multiplies the Glorot initialisation of restarts after the
	// first (larger values give more varied initial interventions). Zero
	// means 1.
	InitScale float64
	// Rows evaluates the risk on a random subset of this many training rows.
	// Zero means all rows.
	Rows int
	// GridPoints is the grid size for Grid. Zero means 61.
	GridPoints int
	// NoiseDraws, for Grid, adds this many resampled training residuals to
	// every regenerated node and averages the squared error over them inside
	// the maximum. Zero means noise-free regeneration (official).
	NoiseDraws int
	// Recorder, if set, receives progress reports (see [Recorder]).
	Recorder Recorder
}

func (s *RiskSettings) withDefaults() (RiskSettings, error) {
	var r RiskSettings
	if s != nil {
		r = *s
	}
	if math.IsNaN(r.Bound) || math.IsInf(r.Bound, 0) || r.Bound < 0 {
		return r, fmt.Errorf("%w: bound B = %v must be positive and finite", ErrSettings, r.Bound)
	}
	if r.Bound == 0 {
		r.Bound = 3
	}
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
	if r.Lambda < 0 || r.LR < 0 || r.Tol < 0 || r.MaxIter < 0 || r.RecordEvery < 0 || r.Patience < 0 ||
		r.Restarts < 0 || r.Hidden < 0 || r.InitScale < 0 || r.Rows < 0 || r.GridPoints < 2 || r.NoiseDraws < 0 {
		return r, fmt.Errorf("%w: negative risk setting (or GridPoints < 2)", ErrSettings)
	}
	if r.Method != Ascent && r.Method != Grid {
		return r, fmt.Errorf("%w: unknown method %d", ErrSettings, int(r.Method))
	}
	return r, nil
}

// RiskResult reports a worst-case risk estimate.
type RiskResult struct {
	// Risk is h*(S'): the maximum over restarts of the last recorded MSE
	// (Ascent), or the grid estimate (Grid).
	Risk float64
	// PerRestart holds each restart's estimate (Ascent only).
	PerRestart []float64
	// Interventions holds, for Ascent, the intervention networks of the
	// best restart by mutable node id: X_m := Bound·tanh(J_m(PA_M(m))), with
	// inputs PA_M(m) in [Components.PaM] order (a single 0 input when m
	// has no mutable-graph parents). Use [RiskResult.Intervene] to evaluate.
	Interventions map[int64]*nn.MLP
	// Bound is the bound B used.
	Bound float64
	// Status says how the run ended: for Ascent, Converged when every
	// restart met the early-stopping test and IterationLimit when one used
	// MaxIter steps; Completed for Grid; Canceled or RecorderStopped when
	// interrupted (the estimate is then partial).
	Status Status
	// RestartStatus holds each ascent restart's final status.
	RestartStatus []Status
	// Rows are the training rows the risk was evaluated on (pooled row
	// indices, ascending).
	Rows []int
	// GridArgMax holds, for Grid, the maximising value of the mutable
	// variable for each of Rows: the worst-case intervention row by row.
	GridArgMax []float64
	// Steps counts ascent steps over all restarts.
	Steps int
	// Evals counts evaluations of the predictor.
	Evals int
}

// Intervene returns the value B·tanh(J_m(pa)) of the worst-case
// intervention found for mutable node m, given the values pa of PA_M(m)
// (nil when m has no parents). It returns NaN when no intervention network
// is known for m.
func (r RiskResult) Intervene(m int64, pa []float64) float64 {
	net := r.Interventions[m]
	if net == nil {
		return math.NaN()
	}
	var out [1]float64
	if len(pa) == 0 {
		pa = []float64{0}
	}
	return r.Bound * math.Tanh(net.Predict(out[:0], pa)[0])
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
	u       float64 // J_m pre-tanh output
	grads   [][]float64
	gin     []float64
	out, du [1]float64
}

// WorstCaseRisk estimates h*(S') = sup over bounded interventions on the
// mutable variables of the risk of p: every mutable m (in topological
// order) is replaced by an intervention value and DeM is regenerated from
// the fitted equations, Y untouched. Ascent needs p.F and every DeM
// equation to be [Differentiable]; Grid needs exactly one mutable
// variable. rng draws the row subset, restart initialisations and noise.
// Errors wrap [ErrSettings]; on cancellation it returns the estimate so far
// and ctx.Err().
func (m *Model) WorstCaseRisk(ctx context.Context, p *Predictor, s *RiskSettings, rng *rand.Rand) (RiskResult, error) {
	set, err := s.withDefaults()
	if err != nil {
		return RiskResult{}, err
	}
	if p == nil || p.F == nil {
		return RiskResult{}, fmt.Errorf("%w: nil predictor", ErrSettings)
	}
	rows := make([]int, m.n)
	for i := range rows {
		rows[i] = i
	}
	if set.Rows > 0 && set.Rows < m.n {
		rows = rng.Perm(m.n)[:set.Rows]
		slices.Sort(rows)
	}
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
	if set.Method == Grid {
		if len(m.C.XM) != 1 {
			return RiskResult{}, fmt.Errorf("%w: grid estimator needs one mutable variable, have %d", ErrSettings, len(m.C.XM))
		}
		return m.gridRisk(ctx, p, seq, rows, set, rng)
	}
	df, ok := p.F.(Differentiable)
	if !ok {
		return RiskResult{}, fmt.Errorf("%w: ascent needs a Differentiable predictor, have %T", ErrSettings, p.F)
	}
	for _, nd := range seq {
		if !nd.mutable && nd.deq == nil {
			return RiskResult{}, fmt.Errorf("%w: ascent needs Differentiable equations, node %q has %T", ErrSettings, m.Graph.Name(nd.v), nd.eq)
		}
	}
	return m.ascentRisk(ctx, p, df, seq, rows, set, rng)
}

func (m *Model) loadRow(vals []float64, i int) {
	for id, c := range m.cols {
		if c != nil {
			vals[id] = c[i]
		}
	}
}

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
	res := RiskResult{Bound: set.Bound, Rows: rows, GridArgMax: make([]float64, len(rows))}
	it := &RiskIter{Method: Grid, Subset: p.Subset, MSE: math.NaN()}
	if err := record(set.Recorder, it); err != nil {
		res.Status = RecorderStopped
		return res, err
	}
	total := 0.0
	for ri, i := range rows {
		if ri%256 == 0 {
			if err := ctx.Err(); err != nil {
				res.Risk = total / float64(max(1, ri))
				res.Status = Canceled
				it.Step, it.MSE, it.Status = ri, res.Risk, Canceled
				_ = record(set.Recorder, it)
				return res, err
			}
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
	}
	res.Risk = total / float64(len(rows))
	res.Status = Completed
	it.Step, it.MSE, it.Status = len(rows), res.Risk, Completed
	if err := record(set.Recorder, it); err != nil {
		res.Status = RecorderStopped
		return res, err
	}
	return res, nil
}

// record calls r if it is not nil.
func record(r Recorder, it *RiskIter) error {
	if r == nil {
		return nil
	}
	return r.Record(it)
}

func (m *Model) ascentRisk(ctx context.Context, p *Predictor, df Differentiable, seq []*regenNode, rows []int, set RiskSettings, rng *rand.Rand) (RiskResult, error) {
	res := RiskResult{Bound: set.Bound, Rows: rows}
	var params, grads [][]float64
	var nets []*nn.MLP
	for _, nd := range seq {
		if !nd.mutable {
			continue
		}
		in := max(1, len(nd.pa)) // no parents: a learnable constant fed a 0
		h := set.Hidden
		if h == 0 {
			h = max(2, len(nd.pa)/2)
		}
		net, err := nn.NewMLPConst([]int{in, h, 1}, nn.Sigmoid, 1, 0)
		if err != nil {
			return res, err
		}
		nd.net = net
		nd.grads = net.ZeroGrads()
		nd.gin = make([]float64, in)
		if len(nd.x) == 0 {
			nd.x = make([]float64, 1)
		}
		nets = append(nets, net)
		params = append(params, net.Params()...)
		grads = append(grads, nd.grads...)
	}
	vals := make([]float64, len(m.cols))
	adj := make([]float64, len(m.cols))
	xf := make([]float64, len(p.Inputs))
	gf := make([]float64, len(p.Inputs))
	R := float64(len(rows))
	B := set.Bound
	for r := 0; r < set.Restarts; r++ {
		for _, net := range nets {
			if r == 0 {
				for _, q := range net.Params() {
					for j := range q {
						q[j] = 0
					}
				}
				for l := range net.W {
					for j := range net.W[l] {
						net.W[l][j] = 1
					}
				}
			} else {
				net.InitGlorot(rng)
				for _, w := range net.W {
					for j := range w {
						w[j] *= set.InitScale
					}
				}
				for _, b := range net.B {
					for j := range b {
						b[j] = set.InitScale * rng.NormFloat64()
					}
				}
			}
		}
		opt := nn.Adam{LR: set.LR, Ascent: true}
		ref, last, calm := math.NaN(), math.NaN(), 0
		it := &RiskIter{Method: Ascent, Subset: p.Subset, Restart: r, MSE: math.NaN()}
		status := IterationLimit
		for step := 0; step < set.MaxIter; step++ {
			for _, g := range grads {
				clear(g)
			}
			mse := 0.0
			for _, i := range rows {
				m.loadRow(vals, i)
				for _, nd := range seq {
					for t, pa := range nd.pa {
						nd.x[t] = vals[pa]
					}
					if nd.mutable {
						nd.u = nd.net.Predict(nd.out[:0], nd.x)[0]
						vals[nd.v] = B * math.Tanh(nd.u)
					} else {
						vals[nd.v] = nd.deq.PredictGrad(nd.g, nd.x)
					}
				}
				for t, v := range p.Inputs {
					xf[t] = vals[v]
				}
				rsd := m.cols[m.C.Y][i] - df.PredictGrad(gf, xf)
				mse += rsd * rsd
				clear(adj)
				dp := -2 * rsd / R
				for t, v := range p.Inputs {
					adj[v] += dp * gf[t]
				}
				for k := len(seq) - 1; k >= 0; k-- {
					nd := seq[k]
					a := adj[nd.v]
					if a == 0 {
						continue
					}
					if !nd.mutable {
						for t, pa := range nd.pa {
							adj[pa] += a * nd.g[t]
						}
						continue
					}
					th := math.Tanh(nd.u)
					nd.du[0] = a * B * (1 - th*th)
					nd.net.Backward(nd.out[:], nd.x, nd.du[:], nd.grads, nd.gin)
					for t, pa := range nd.pa {
						adj[pa] += nd.gin[t]
					}
				}
			}
			res.Evals += len(rows)
			mse /= R
			if step%set.RecordEvery == 0 {
				it.Step, it.MSE = step, mse
				stop := Canceled
				err := ctx.Err()
				if err == nil {
					stop = RecorderStopped
					err = record(set.Recorder, it)
				}
				if err != nil {
					res.PerRestart = append(res.PerRestart, mse)
					res.RestartStatus = append(res.RestartStatus, stop)
					res.Risk = slices.Max(res.PerRestart)
					res.Status = stop
					if stop == Canceled {
						it.Status = Canceled
						_ = record(set.Recorder, it)
					}
					return res, err
				}
				last = mse
				if math.IsNaN(ref) || math.Abs(mse-ref) > set.Tol {
					ref, calm = mse, 0
				} else if calm++; calm >= set.Patience {
					status = Converged
					break
				}
			}
			if set.Lambda > 0 {
				for _, net := range nets {
					for l, w := range net.W {
						nrm := 0.0
						for _, v := range w {
							nrm += v * v
						}
						nrm = math.Sqrt(nrm)
						if nrm == 0 {
							continue
						}
						g := gradsOf(nets, grads, net)[2*l]
						for j, v := range w {
							g[j] -= set.Lambda * v / nrm
						}
					}
				}
			}
			opt.Step(params, grads)
			res.Steps++
		}
		res.PerRestart = append(res.PerRestart, last)
		res.RestartStatus = append(res.RestartStatus, status)
		it.MSE, it.Status = last, status
		if err := record(set.Recorder, it); err != nil {
			res.Risk = slices.Max(res.PerRestart)
			res.Status = RecorderStopped
			return res, err
		}
		if last >= slices.Max(res.PerRestart) {
			res.Interventions = make(map[int64]*nn.MLP, len(nets))
			for _, nd := range seq {
				if nd.mutable {
					res.Interventions[nd.v] = nd.net.Clone()
				}
			}
		}
	}
	res.Risk = slices.Max(res.PerRestart)
	res.Status = Converged
	if slices.Contains(res.RestartStatus, IterationLimit) {
		res.Status = IterationLimit
	}
	return res, nil
}

// gradsOf returns the gradient slices of net within the concatenated grads.
func gradsOf(nets []*nn.MLP, grads [][]float64, net *nn.MLP) [][]float64 {
	off := 0
	for _, n := range nets {
		k := 2 * len(n.W)
		if n == net {
			return grads[off : off+k]
		}
		off += k
	}
	return nil
}
