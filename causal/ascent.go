package causal

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/run"
)

// bounding maps an intervention network's output u to a value in [-B, B]
// and gives the derivative the ascent propagates through it.
type bounding int

const (
	// tanhBound is the paper's X_m := B·tanh(u): exact derivative
	// B·(1 - tanh²u), which vanishes when u saturates.
	tanhBound bounding = iota
	// clipBound is X_m := clip(u, -B, B) with a pass-through derivative 1.
	clipBound
)

func paramOf(m RiskMethod) bounding {
	if m == Search {
		return clipBound
	}
	return tanhBound
}

// value returns the bounded intervention value for output u.
func (b bounding) value(B, u float64) float64 {
	if b == clipBound {
		return math.Max(-B, math.Min(B, u))
	}
	return B * math.Tanh(u)
}

// back returns the ascent gradient with respect to u given the gradient g
// with respect to the bounded value. For tanh it is the exact chain rule;
// for clip it passes g through, except where u is at or beyond a bound and
// g points further out (a projected pass-through: J may leave the bound
// again as soon as the other side pays more, but never drifts outward).
func (b bounding) back(B, u, g float64) float64 {
	if b == clipBound {
		if (u >= B && g > 0) || (u <= -B && g < 0) {
			return 0
		}
		return g
	}
	th := math.Tanh(u)
	return g * B * (1 - th*th)
}

// ascender holds the state of gradient ascent over intervention networks:
// one J_m per mutable variable, the regeneration sequence and the buffers
// of the forward and backward passes over the rows.
type ascender struct {
	m      *Model
	p      *Predictor
	df     Differentiable
	seq    []*regenNode
	rows   []int
	set    RiskSettings
	bound  bounding
	nets   []*nn.MLP
	params [][]float64
	grads  [][]float64
	// noise, if not nil, holds the regeneration noise of each row (index
	// into rows), draw and seq node, flattened; the MSE averages over the
	// nDraws draws.
	noise  []float64
	nDraws int
	// buffers by node id and by predictor input
	vals, adj, xf, gf []float64
}

// newAscender builds one intervention network per mutable variable:
// inputs PA_M(m) (a single 0 input when there are none, making J_m a
// learnable constant), hidden units of activation act.
func (m *Model) newAscender(p *Predictor, df Differentiable, seq []*regenNode, rows []int, set RiskSettings, b bounding, act nn.Activation, hidden func(nPa int) int) (*ascender, error) {
	a := &ascender{m: m, p: p, df: df, seq: seq, rows: rows, set: set, bound: b}
	for _, nd := range seq {
		if !nd.mutable {
			continue
		}
		in := max(1, len(nd.pa))
		net, err := nn.NewMLPConst([]int{in, hidden(len(nd.pa)), 1}, act, 1, 0)
		if err != nil {
			return nil, err
		}
		nd.net = net
		nd.grads = net.ZeroGrads()
		nd.gin = make([]float64, in)
		if len(nd.x) == 0 {
			nd.x = make([]float64, 1)
		}
		a.nets = append(a.nets, net)
		a.params = append(a.params, net.Params()...)
		a.grads = append(a.grads, nd.grads...)
	}
	a.vals = make([]float64, len(m.cols))
	a.adj = make([]float64, len(m.cols))
	a.xf = make([]float64, len(p.Inputs))
	a.gf = make([]float64, len(p.Inputs))
	return a, nil
}

// paperInit sets restart r's initial networks as the official code and the
// paper's ascent do: weights 1 and biases 0 for the first restart, scaled
// Glorot weights and normal biases for the others.
func (a *ascender) paperInit(r int, rng *rand.Rand) {
	for _, net := range a.nets {
		if r == 0 {
			for _, q := range net.Params() {
				clear(q)
			}
			for l := range net.W {
				for j := range net.W[l] {
					net.W[l][j] = 1
				}
			}
			continue
		}
		net.InitGlorot(rng)
		for _, w := range net.W {
			for j := range w {
				w[j] *= a.set.InitScale
			}
		}
		for _, b := range net.B {
			for j := range b {
				b[j] = a.set.InitScale * rng.NormFloat64()
			}
		}
	}
}

// forwardRow loads training row i, replaces every mutable variable by its
// bounded intervention and regenerates DeM in topological order (with
// input gradients when grad is set), adding noise[j] to the j-th node of
// the sequence when noise is not nil. It returns the predictor's residual.
func (a *ascender) forwardRow(i int, grad bool, noise []float64) (rsd float64) {
	vals := a.vals
	a.m.loadRow(vals, i)
	for j, nd := range a.seq {
		for t, pa := range nd.pa {
			nd.x[t] = vals[pa]
		}
		switch {
		case nd.mutable:
			nd.u = nd.net.Predict(nd.out[:0], nd.x)[0]
			vals[nd.v] = a.bound.value(a.set.Bound, nd.u)
		case grad:
			vals[nd.v] = nd.deq.PredictGrad(nd.g, nd.x)
		default:
			vals[nd.v] = nd.eq.Predict(nd.x)
		}
		if noise != nil && !nd.mutable {
			vals[nd.v] += noise[j]
		}
	}
	for t, v := range a.p.Inputs {
		a.xf[t] = vals[v]
	}
	y := a.m.cols[a.m.C.Y][i]
	if grad {
		return y - a.df.PredictGrad(a.gf, a.xf)
	}
	return y - a.p.F.Predict(a.xf)
}

// backwardRow adds to the network gradients the gradient of scale·rsd²
// through the state left by forwardRow(i, true).
func (a *ascender) backwardRow(rsd, scale float64) {
	adj := a.adj
	clear(adj)
	dp := -2 * rsd * scale
	for t, v := range a.p.Inputs {
		adj[v] += dp * a.gf[t]
	}
	for k := len(a.seq) - 1; k >= 0; k-- {
		nd := a.seq[k]
		g := adj[nd.v]
		if g == 0 {
			continue
		}
		if !nd.mutable {
			for t, pa := range nd.pa {
				adj[pa] += g * nd.g[t]
			}
			continue
		}
		nd.du[0] = a.bound.back(a.set.Bound, nd.u, g)
		nd.net.Backward(nd.out[:], nd.x, nd.du[:], nd.grads, nd.gin)
		for t, pa := range nd.pa {
			adj[pa] += nd.gin[t]
		}
	}
}

// rowsPerCheck is how many rows a pass over the data handles between two
// checks of the context (a few ms with a 200-feature predictor).
const rowsPerCheck = 64

// gradient clears the network gradients, accumulates the gradient of the
// mean squared error over the rows and returns that MSE. It returns
// ctx.Err() if the context ends during the pass.
func (a *ascender) gradient(ctx context.Context) (float64, error) {
	for _, g := range a.grads {
		clear(g)
	}
	R := float64(len(a.rows) * a.draws())
	mse := 0.0
	for k, i := range a.rows {
		if k%a.checkEvery(1) == 0 {
			if err := ctx.Err(); err != nil {
				return math.NaN(), err
			}
		}
		for d := 0; d < a.draws(); d++ {
			rsd := a.forwardRow(i, true, a.noiseOf(k, d))
			mse += rsd * rsd
			a.backwardRow(rsd, 1/R)
		}
	}
	return mse / R, nil
}

// checkEvery returns how many rows to handle between two checks of the
// context when each row costs work evaluations per draw: about
// rowsPerCheck evaluations, at least one row.
func (a *ascender) checkEvery(work int) int {
	return max(1, rowsPerCheck/(work*a.draws()))
}

// draws is the number of noise draws per row (1 without noise).
func (a *ascender) draws() int {
	if a.noise == nil {
		return 1
	}
	return a.nDraws
}

// noiseOf returns the noise of draw d of the k-th row, or nil.
func (a *ascender) noiseOf(k, d int) []float64 {
	if a.noise == nil {
		return nil
	}
	S := len(a.seq)
	return a.noise[(k*a.nDraws+d)*S:][:S]
}

// mse returns the regenerated MSE of the current interventions (averaged
// over the noise draws), or ctx.Err() if the context ends.
func (a *ascender) mse(ctx context.Context) (float64, error) {
	s := 0.0
	for k, i := range a.rows {
		if k%a.checkEvery(1) == 0 {
			if err := ctx.Err(); err != nil {
				return math.NaN(), err
			}
		}
		for d := 0; d < a.draws(); d++ {
			rsd := a.forwardRow(i, false, a.noiseOf(k, d))
			s += rsd * rsd
		}
	}
	return s / float64(len(a.rows)*a.draws()), nil
}

// rowStats returns the regenerated MSE of the current interventions and
// its Monte-Carlo standard error over the rows (each row's error averaged
// over its noise draws), or ctx.Err().
func (a *ascender) rowStats(ctx context.Context) (mean, se float64, err error) {
	s, ss := 0.0, 0.0
	for k, i := range a.rows {
		if k%a.checkEvery(1) == 0 {
			if err := ctx.Err(); err != nil {
				return math.NaN(), math.NaN(), err
			}
		}
		e := 0.0
		for d := 0; d < a.draws(); d++ {
			rsd := a.forwardRow(i, false, a.noiseOf(k, d))
			e += rsd * rsd
		}
		e /= float64(a.draws())
		s += e
		ss += e * e
	}
	return meanSE(s, ss, len(a.rows))
}

// meanSE returns the mean and standard error of n values with sum s and
// sum of squares ss.
func meanSE(s, ss float64, n int) (float64, float64, error) {
	N := float64(n)
	mean := s / N
	v := max(0, ss/N-mean*mean)
	return mean, math.Sqrt(v / max(1, N-1)), nil
}

// loadMap copies the parameters of nets (by mutable node id) into the
// ascender's networks.
func (a *ascender) loadMap(nets map[int64]*nn.MLP) {
	for _, nd := range a.seq {
		if src := nets[nd.v]; nd.mutable && src != nil {
			for l := range nd.net.W {
				copy(nd.net.W[l], src.W[l])
				copy(nd.net.B[l], src.B[l])
			}
		}
	}
}

// penalize subtracts the gradient of λ·Σ_layers ‖W‖₂ (plain L2 norms of
// the weight matrices, biases free) from the ascent gradients.
func (a *ascender) penalize() {
	if a.set.Lambda == 0 {
		return
	}
	off := 0
	for _, net := range a.nets {
		for l, w := range net.W {
			nrm := 0.0
			for _, v := range w {
				nrm += v * v
			}
			nrm = math.Sqrt(nrm)
			if nrm == 0 {
				continue
			}
			g := a.grads[off+2*l]
			for j, v := range w {
				g[j] -= a.set.Lambda * v / nrm
			}
		}
		off += 2 * len(net.W)
	}
}

// calm is the official early-stopping test: a restart stops after Patience
// consecutive records within Tol of the reference record (the last one
// that moved by more than Tol). A negative Tol turns it off.
type calm struct {
	tol      float64
	patience int
	ref      float64
	n        int
}

func newCalm(tol float64, patience int) calm {
	return calm{tol: tol, patience: patience, ref: math.NaN()}
}

// add records mse and reports whether the test is met.
func (c *calm) add(mse float64) bool {
	if c.tol < 0 {
		return false
	}
	if math.IsNaN(c.ref) || math.Abs(mse-c.ref) > c.tol {
		c.ref, c.n = mse, 0
		return false
	}
	c.n++
	return c.n >= c.patience
}

// restart runs one ascent restart from the current networks: Adam steps
// on the regenerated MSE minus the weight penalty, the MSE recorded every
// RecordEvery steps, early stopping by [calm]. It returns the last
// recorded MSE and the restart's status, or a stopping status (Canceled,
// RecorderStopped) with its error.
func (a *ascender) restart(ctx context.Context, loop *run.Loop[*RiskIter], it *RiskIter, res *RiskResult) (float64, run.Status, error) {
	opt := nn.Adam{LR: a.set.LR, Ascent: true}
	test := newCalm(a.set.Tol, a.set.Patience)
	last := math.NaN()
	for step := 0; step < a.set.MaxIter; step++ {
		if st, err := loop.Check(ctx); st != run.NotTerminated {
			return last, st, err
		}
		mse, err := a.gradient(ctx)
		if err != nil {
			return last, run.Canceled, err
		}
		res.Evals += len(a.rows)
		if step%a.set.RecordEvery == 0 {
			it.Step, it.MSE, last = step, mse, mse
			if st, err := loop.Next(ctx, it, false); st == run.RecorderStopped || st == run.Canceled {
				return last, st, err
			}
			if test.add(mse) {
				return last, run.Converged, nil
			}
		}
		a.penalize()
		opt.Step(a.params, a.grads)
		res.Steps++
	}
	return last, run.IterationLimit, nil
}

// snapshot returns copies of the intervention networks by mutable node id.
func (a *ascender) snapshot() map[int64]*nn.MLP {
	out := make(map[int64]*nn.MLP, len(a.nets))
	for _, nd := range a.seq {
		if nd.mutable {
			out[nd.v] = nd.net.Clone()
		}
	}
	return out
}

// reportBudget is the number of reports of a run of restarts: one every
// RecordEvery steps and one at the end of each restart.
func reportBudget(set RiskSettings, restarts int) int {
	return restarts * ((set.MaxIter+set.RecordEvery-1)/set.RecordEvery + 1)
}

// ascentRisk is the paper's estimator (Alg. 1, part 2): Restarts ascents
// over X_m := B·tanh(J_m(PA_M(m))), J_m with max(2, |PA_M(m)|/2) sigmoid
// units; h* is the largest last-recorded MSE.
func (m *Model) ascentRisk(ctx context.Context, p *Predictor, df Differentiable, seq []*regenNode, rows []int, set RiskSettings, rng *rand.Rand) (RiskResult, error) {
	res := RiskResult{Method: Ascent, Bound: set.Bound, Rows: rows}
	hidden := func(nPa int) int { return cmp0(set.Hidden, max(2, nPa/2)) }
	a, err := m.newAscender(p, df, seq, rows, set, tanhBound, nn.Sigmoid, hidden)
	if err != nil {
		return res, err
	}
	it := &RiskIter{Method: Ascent, Subset: p.Subset, MSE: math.NaN()}
	loop := run.Loop[*RiskIter]{Recorder: set.Recorder, MaxIter: reportBudget(set, set.Restarts)}
	if err := loop.Start(it); err != nil {
		return endRisk(&res, &loop, it, run.RecorderStopped, err)
	}
	for r := 0; r < set.Restarts; r++ {
		a.paperInit(r, rng)
		it.Restart, it.RestartStatus = r, run.NotTerminated
		last, st, err := a.restart(ctx, &loop, it, &res)
		res.PerRestart = append(res.PerRestart, last)
		res.RestartStatus = append(res.RestartStatus, st)
		if err != nil || st == run.Canceled || st == run.RecorderStopped {
			return endRisk(&res, &loop, it, st, err)
		}
		if last >= slices.Max(res.PerRestart) {
			res.Interventions = a.snapshot()
		}
		if st, err := reportRestartEnd(ctx, &loop, it, last, st); st != run.NotTerminated {
			return endRisk(&res, &loop, it, st, err)
		}
	}
	a.loadMap(res.Interventions)
	if _, res.StdErr, err = a.rowStats(ctx); err != nil {
		return endRisk(&res, &loop, it, run.Canceled, err)
	}
	res.Evals += len(rows)
	st := run.Converged
	if slices.Contains(res.RestartStatus, run.IterationLimit) {
		st = run.IterationLimit
	}
	return endRisk(&res, &loop, it, st, nil)
}

// reportRestartEnd records the end of a restart (its last recorded MSE
// and status); it returns a stopping status if the recorder or the
// context ends the run.
func reportRestartEnd(ctx context.Context, loop *run.Loop[*RiskIter], it *RiskIter, last float64, st run.Status) (run.Status, error) {
	it.MSE, it.RestartStatus = last, st
	next, err := loop.Next(ctx, it, false)
	it.RestartStatus = run.NotTerminated
	if next == run.RecorderStopped || next == run.Canceled {
		return next, err
	}
	return run.NotTerminated, nil
}

// endRisk sets the result's estimate (the best restart so far), status and
// report count, and ends the loop.
func endRisk(res *RiskResult, loop *run.Loop[*RiskIter], it *RiskIter, st run.Status, err error) (RiskResult, error) {
	res.Risk = math.NaN()
	if len(res.PerRestart) > 0 {
		res.Risk = slices.Max(res.PerRestart)
	}
	res.Status, res.Iterations = st, loop.Iterations()
	it.RestartStatus = st
	return *res, loop.End(it, st, err)
}

// cmp0 returns v, or def when v is zero.
func cmp0(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
