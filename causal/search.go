package causal

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/run"
)

// Search defaults: the width of each J_m, the ridge penalty of the
// warm-start regression and the factor by which it overshoots its targets,
// the coordinate sweeps of the row search, the largest number of constant
// sign patterns tried, and the steepness of a sign-switching start (per
// standard deviation of its input).
const (
	searchHidden    = 32
	searchFitRidge  = 1e-3
	searchOvershoot = 3
	searchSweeps    = 2
	searchMaxSigns  = 8
	searchSwitchGap = 3
)

// searchRisk is the Search estimator. The paper's ascent parks at a
// constant intervention because each row's error is often bimodal in X_m
// (two local maxima at ±B) and a gradient method cannot learn that the
// other bound pays more; saturation of B·tanh(u) then removes the
// gradient that could have moved it. Search therefore
//
//  1. finds a row-by-row worst case: for every row, coordinate sweeps over
//     the mutable variables in topological order, each maximised over
//     GridPoints values in [-B, B] with the others held (one sweep is exact
//     for one mutable variable, where it is the Grid estimator's argmax);
//  2. builds starts: J_m regressed onto the row-wise argmax as a function
//     of PA_M(m) (the warm start), constants at every sign pattern of ±B,
//     and sign-switching starts ±B·sign(pa_k − median) for every parent k;
//  3. evaluates every start and polishes the Restarts best by Adam ascent
//     over X_m := clip(J_m, −B, B) with a projected pass-through gradient
//     (no saturation trap, no drift beyond the bound) and no weight
//     penalty, with the paper's recording and early-stopping rule.
//
// Every value it reports is the regenerated MSE of an intervention it
// holds (a function of PA_M bounded by B), so h* is a lower bound of the
// supremum; RowSup, the mean of the row-wise maxima, is an upper estimate
// when the worst case depends only on PA_M.
func (m *Model) searchRisk(ctx context.Context, p *Predictor, df Differentiable, seq []*regenNode, rows []int, set RiskSettings, rng *rand.Rand) (RiskResult, error) {
	res := RiskResult{Method: Search, Bound: set.Bound, Rows: rows}
	set.Lambda = 0
	a, err := m.newAscender(p, df, seq, rows, set, clipBound, nn.Tanh, func(int) int { return cmp.Or(set.Hidden, searchHidden) })
	if err != nil {
		return res, err
	}
	it := &RiskIter{Method: Search, Subset: p.Subset, MSE: math.NaN()}
	loop := run.Loop[*RiskIter]{Recorder: set.Recorder, MaxIter: reportBudget(set, set.Restarts)}
	if err := loop.Start(it); err != nil {
		return endRisk(&res, &loop, it, run.RecorderStopped, err)
	}
	a.nDraws = set.NoiseDraws
	if a.noise, err = drawNoise(ctx, seq, len(rows), set.NoiseDraws, rng); err != nil {
		return endRisk(&res, &loop, it, run.Canceled, err)
	}
	rs, err := a.rowSearch(ctx)
	if err != nil {
		return endRisk(&res, &loop, it, run.Canceled, err)
	}
	res.RowSup = rs.sup
	res.Evals += rs.evals
	starts, err := a.starts(ctx, rs, rng)
	if err != nil {
		return endRisk(&res, &loop, it, run.Canceled, err)
	}
	value := make([]float64, len(starts))
	for k, s := range starts {
		a.load(s)
		if value[k], err = a.mse(ctx); err != nil {
			return endRisk(&res, &loop, it, run.Canceled, err)
		}
		res.Evals += len(rows) * a.draws()
	}
	order := make([]int, len(starts))
	for k := range order {
		order[k] = k
	}
	slices.SortStableFunc(order, func(x, y int) int { return cmp.Compare(value[y], value[x]) })
	for r, k := range order[:min(set.Restarts, len(order))] {
		a.load(starts[k])
		it.Restart, it.RestartStatus = r, run.NotTerminated
		last, st, err := a.restart(ctx, &loop, it, &res)
		if err != nil || st == run.Canceled || st == run.RecorderStopped {
			res.PerRestart = append(res.PerRestart, max(value[k], last))
			res.RestartStatus = append(res.RestartStatus, st)
			return endRisk(&res, &loop, it, st, err)
		}
		// The polished networks moved after their last record: evaluate
		// them, so that the value reported is that of the intervention
		// returned, and keep the start if the polish lost ground.
		nets := a.snapshot()
		last, se, err := a.rowStats(ctx)
		if err != nil {
			return endRisk(&res, &loop, it, run.Canceled, err)
		}
		res.Evals += len(rows) * a.draws()
		if !(last >= value[k]) {
			last, se = value[k], math.NaN()
			nets = a.snapshotOf(starts[k])
		}
		res.PerRestart = append(res.PerRestart, last)
		res.RestartStatus = append(res.RestartStatus, st)
		if last >= slices.Max(res.PerRestart) {
			res.Interventions, res.StdErr = nets, se
		}
		if st, err := reportRestartEnd(ctx, &loop, it, last, st); st != run.NotTerminated {
			return endRisk(&res, &loop, it, st, err)
		}
	}
	if math.IsNaN(res.StdErr) { // the best value is an unpolished start
		a.loadMap(res.Interventions)
		if _, res.StdErr, err = a.rowStats(ctx); err != nil {
			return endRisk(&res, &loop, it, run.Canceled, err)
		}
	}
	st := run.Converged
	if slices.Contains(res.RestartStatus, run.IterationLimit) {
		st = run.IterationLimit
	}
	return endRisk(&res, &loop, it, st, nil)
}

// drawNoise returns the regeneration noise of n rows: for each row, draws
// vectors of one resampled training residual per node of seq (zero for
// the mutable variables), flattened row by row; nil when draws is 0
// (noise-free regeneration), or ctx.Err().
func drawNoise(ctx context.Context, seq []*regenNode, n, draws int, rng *rand.Rand) ([]float64, error) {
	if draws == 0 {
		return nil, nil
	}
	out := make([]float64, n*draws*len(seq))
	for k := range n {
		if k%rowsPerCheck == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		for d := range draws {
			v := out[(k*draws+d)*len(seq):][:len(seq)]
			for j, nd := range seq {
				if !nd.mutable && len(nd.resid) > 0 {
					v[j] = nd.resid[rng.IntN(len(nd.resid))]
				}
			}
		}
	}
	return out, nil
}

// rowSearchResult is the row-by-row worst case: for every mutable variable
// (in the order of the ascender's networks), its maximising value per row
// and the inputs PA_M it had there.
type rowSearchResult struct {
	target [][]float64   // [mutable][row]
	input  [][][]float64 // [mutable][row][input]
	sup    float64       // mean over rows of the row-wise maximum
	evals  int
}

// rowSearch maximises each row's regenerated error over the mutable
// values by coordinate sweeps on a grid of GridPoints values in [-B, B].
func (a *ascender) rowSearch(ctx context.Context) (rowSearchResult, error) {
	var muts []*regenNode
	for _, nd := range a.seq {
		if nd.mutable {
			muts = append(muts, nd)
		}
	}
	P, B := a.set.GridPoints, a.set.Bound
	grid := make([]float64, P)
	for k := range grid {
		grid[k] = -B + 2*B*float64(k)/float64(P-1)
	}
	sweeps := searchSweeps
	if len(muts) == 1 {
		sweeps = 1 // one coordinate: the first sweep is exact
	}
	res := rowSearchResult{target: make([][]float64, len(muts)), input: make([][][]float64, len(muts))}
	for j := range muts {
		res.target[j] = make([]float64, len(a.rows))
		res.input[j] = make([][]float64, len(a.rows))
	}
	cur := make([]float64, len(muts))
	total := 0.0
	for k, i := range a.rows {
		if k%a.checkEvery(len(grid)*len(muts)*sweeps) == 0 {
			if err := ctx.Err(); err != nil {
				return res, err
			}
		}
		clear(cur)
		best := math.Inf(-1)
		for range sweeps {
			for j := range muts {
				for _, g := range grid {
					old := cur[j]
					cur[j] = g
					if e := a.rowError(k, i, muts, cur); e > best {
						best = e
					} else {
						cur[j] = old
					}
					res.evals += a.draws()
				}
			}
		}
		total += best
		a.rowError(k, i, muts, cur) // leaves each J_m's inputs in nd.x
		for j, nd := range muts {
			res.target[j][k] = cur[j]
			res.input[j][k] = slices.Clone(nd.x)
		}
	}
	res.sup = total / float64(len(a.rows))
	return res, nil
}

// rowError returns the regenerated squared error of the k-th row (pooled
// row i), averaged over its noise draws, with the mutable variables muts
// set to the values cur.
func (a *ascender) rowError(k, i int, muts []*regenNode, cur []float64) float64 {
	e := 0.0
	for d := 0; d < a.draws(); d++ {
		noise := a.noiseOf(k, d)
		vals := a.vals
		a.m.loadRow(vals, i)
		mi := 0
		for j, nd := range a.seq {
			for t, pa := range nd.pa {
				nd.x[t] = vals[pa]
			}
			if nd.mutable {
				if len(nd.pa) == 0 {
					nd.x[0] = 0
				}
				vals[nd.v] = cur[mi]
				mi++
				continue
			}
			vals[nd.v] = nd.eq.Predict(nd.x)
			if noise != nil {
				vals[nd.v] += noise[j]
			}
		}
		for t, v := range a.p.Inputs {
			a.xf[t] = vals[v]
		}
		r := a.m.cols[a.m.C.Y][i] - a.p.F.Predict(a.xf)
		e += r * r
	}
	return e / float64(a.draws())
}

// starts returns the initial networks of every start, each a copy of the
// ascender's networks in order: the warm start (regression onto the
// row-wise argmax), the constant sign patterns and the sign switches.
func (a *ascender) starts(ctx context.Context, rs rowSearchResult, rng *rand.Rand) ([][]*nn.MLP, error) {
	B := a.set.Bound
	warm := make([]*nn.MLP, len(a.nets))
	for j, net := range a.nets {
		w := net.Clone()
		if err := fitIntervention(ctx, w, rs.input[j], rs.target[j], rng); err != nil {
			return nil, err
		}
		warm[j] = w
	}
	out := [][]*nn.MLP{warm}
	signs := min(1<<len(a.nets), searchMaxSigns)
	for mask := range signs {
		s := make([]*nn.MLP, len(a.nets))
		for j, net := range a.nets {
			c := net.Clone()
			smallInit(c, rng)
			c.B[len(c.B)-1][0] = B
			if mask&(1<<j) != 0 {
				c.B[len(c.B)-1][0] = -B
			}
			s[j] = c
		}
		out = append(out, s)
	}
	for j, net := range a.nets {
		for in := range net.In() {
			med, sd := medianSD(rs.input[j], in)
			for _, sign := range []float64{1, -1} {
				s := slices.Clone(warm)
				c := net.Clone()
				smallInit(c, rng)
				H := c.Sizes[1]
				c.W[0][in*H] = searchSwitchGap / sd
				c.B[0][0] = -searchSwitchGap * med / sd
				c.W[1][0] = sign * 2 * B
				s[j] = c
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// smallInit sets Glorot weights scaled by 0.1 and zero biases: a nearly
// constant network whose units can still learn.
func smallInit(net *nn.MLP, rng *rand.Rand) {
	net.InitGlorot(rng)
	for l := range net.W {
		for k := range net.W[l] {
			net.W[l][k] *= 0.1
		}
		clear(net.B[l])
	}
}

// medianSD returns the median and standard deviation (1 if zero) of
// column c of x.
func medianSD(x [][]float64, c int) (float64, float64) {
	v := make([]float64, len(x))
	mean := 0.0
	for k, row := range x {
		v[k] = row[c]
		mean += row[c]
	}
	mean /= float64(len(v))
	ss := 0.0
	for _, t := range v {
		ss += (t - mean) * (t - mean)
	}
	slices.Sort(v)
	sd := math.Sqrt(ss / float64(len(v)))
	sd = cmp.Or(sd, 1)
	return v[len(v)/2], sd
}

// fitIntervention fits net, a one-hidden-layer tanh network, to
// searchOvershoot × target: the hidden units are random steps
// tanh(w·(x − x_r)) centred at random rows x_r with slopes of 1 to 10 per
// standard deviation of each input (so that the sharp sign switches of a
// row-wise worst case can be represented), and the output layer is the
// ridge solution (closed form, milliseconds). Overshooting the targets
// makes clip(J) reach ±B where the worst case sits at a bound.
func fitIntervention(ctx context.Context, net *nn.MLP, x [][]float64, target []float64, rng *rand.Rand) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	in, H := net.In(), net.Sizes[1]
	sd := make([]float64, in)
	for c := range sd {
		_, sd[c] = medianSD(x, c)
	}
	for h := range H {
		r := x[rng.IntN(len(x))]
		b := 0.0
		for c := range in {
			w := (1 + 9*rng.Float64()) / sd[c] * sign(rng.NormFloat64()) / math.Sqrt(float64(in))
			net.W[0][c*H+h] = w
			b -= w * r[c]
		}
		net.B[0][h] = b
	}
	Phi := mat.NewDense(len(x), H, nil)
	for k, row := range x {
		for h := range H {
			z := net.B[0][h]
			for c := range in {
				z += net.W[0][c*H+h] * row[c]
			}
			Phi.Set(k, h, math.Tanh(z))
		}
	}
	y := make([]float64, len(target))
	for k, t := range target {
		y[k] = searchOvershoot * t
	}
	w, b, err := solveCentred(Phi, y, searchFitRidge)
	if err != nil {
		return err
	}
	copy(net.W[1], w)
	net.B[1][0] = b
	return nil
}

// sign returns ±1 by the sign of v.
func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// load copies the parameters of nets into the ascender's networks.
func (a *ascender) load(nets []*nn.MLP) {
	for j, net := range a.nets {
		for l := range net.W {
			copy(net.W[l], nets[j].W[l])
			copy(net.B[l], nets[j].B[l])
		}
	}
}

// snapshotOf returns copies of nets by mutable node id.
func (a *ascender) snapshotOf(nets []*nn.MLP) map[int64]*nn.MLP {
	out := make(map[int64]*nn.MLP, len(nets))
	j := 0
	for _, nd := range a.seq {
		if nd.mutable {
			out[nd.v] = nets[j].Clone()
			j++
		}
	}
	return out
}
