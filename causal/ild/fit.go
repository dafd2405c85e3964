package ild

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/run"
)

// Data holds samples by domain: X[d] are the points seen in domain d.
type Data struct {
	X [][][]float64
}

func (md *Model) checkData(data *Data) (int, error) {
	if data == nil || len(data.X) != md.D {
		return 0, fmt.Errorf("%w: data for %d domains, model has %d", ErrDimension, lenX(data), md.D)
	}
	n := 0
	for d, xs := range data.X {
		if len(xs) == 0 {
			return 0, fmt.Errorf("%w: no samples in domain %d", ErrDimension, d)
		}
		for i, x := range xs {
			if len(x) != md.M {
				return 0, fmt.Errorf("%w: domain %d sample %d has %d coordinates, m = %d", ErrDimension, d, i, len(x), md.M)
			}
			if err := finite(x); err != nil {
				return 0, fmt.Errorf("domain %d sample %d: %w", d, i, err)
			}
		}
		n += len(xs)
	}
	return n, nil
}

func lenX(d *Data) int {
	if d == nil {
		return 0
	}
	return len(d.X)
}

// NLL returns the mean negative log-likelihood of the data (over every
// sample of every domain).
func (md *Model) NLL(data *Data) (float64, error) {
	n, err := md.checkData(data)
	if err != nil {
		return 0, err
	}
	if err := md.Validate(); err != nil {
		return 0, err
	}
	p, err := md.prepare()
	if err != nil {
		return 0, err
	}
	m := md.M
	buf := make([]float64, 5*m)
	s := 0.0
	for d, xs := range data.X {
		for _, x := range xs {
			s -= md.logProb(p, x, d, buf[:m], buf[m:2*m], buf[2*m:3*m], buf[3*m:4*m], buf[4*m:])
		}
	}
	return s / float64(n), nil
}

// grads holds ∂NLL/∂θ in the model's layout.
type grads struct {
	W, C    []float64
	L, S, B [][]float64
}

func (md *Model) newGrads() *grads {
	g := &grads{W: make([]float64, md.M*md.M), C: make([]float64, md.M)}
	for d := 0; d < md.D; d++ {
		g.L = append(g.L, make([]float64, md.M*md.M))
		g.S = append(g.S, make([]float64, md.M))
		g.B = append(g.B, make([]float64, md.M))
	}
	return g
}

func (g *grads) zero() {
	clear(g.W)
	clear(g.C)
	for d := range g.L {
		clear(g.L[d])
		clear(g.S[d])
		clear(g.B[d])
	}
}

// Gradient returns the mean NLL over the samples xs (xs[i] in domain
// ds[i]) and its gradient with respect to every parameter, in the model's
// layout ([Model] with the gradients as values), with the masks of the
// mode applied (fixed entries 0, shared rows summed into domain 0).
func (md *Model) Gradient(xs [][]float64, ds []int) (float64, *Model, error) {
	if len(xs) == 0 || len(xs) != len(ds) {
		return 0, nil, fmt.Errorf("%w: %d samples, %d domains", ErrDimension, len(xs), len(ds))
	}
	for i, x := range xs {
		if err := md.check(x, ds[i]); err != nil {
			return 0, nil, err
		}
	}
	p, err := md.prepare()
	if err != nil {
		return 0, nil, err
	}
	g := md.newGrads()
	nll := md.accumulate(p, xs, ds, g, make([]float64, 9*md.M))
	md.mask(g)
	out := &Model{M: md.M, D: md.D, K: md.K, Mode: md.Mode, Slope: md.Slope, W: g.W, C: g.C, L: g.L, S: g.S, B: g.B}
	return nll, out, nil
}

// accumulate adds the mean NLL gradient of the batch into g (unmasked)
// and returns the mean NLL.
func (md *Model) accumulate(p prepared, xs [][]float64, ds []int, g *grads, buf []float64) float64 {
	m := md.M
	u, z, r, y, eps := buf[:m], buf[m:2*m], buf[2*m:3*m], buf[3*m:4*m], buf[4*m:5*m]
	gy, gr, gu, vtg := buf[5*m:6*m], buf[6*m:7*m], buf[7*m:8*m], buf[8*m:9*m]
	inv := 1 / float64(len(xs))
	nll := 0.0
	for k, x := range xs {
		d := ds[k]
		nll -= md.logProb(p, x, d, u, z, r, y, eps) * inv
		L, S := md.L[d], md.S[d]
		gL, gS, gB := g.L[d], g.S[d], g.B[d]
		for j := 0; j < m; j++ {
			// NLL ∋ ε²/2 + log|S_j|, ε_j = y_j/S_j
			gS[j] += (-eps[j]*eps[j] + 1) / S[j] * inv
			gy[j] = eps[j] / S[j]
		}
		// y = (I − L) r
		for i := 0; i < m; i++ {
			v := gy[i]
			for j := i + 1; j < m; j++ {
				v -= L[j*m+i] * gy[j]
			}
			gr[i] = v
		}
		for j := 1; j < m; j++ {
			for i := 0; i < j; i++ {
				gL[j*m+i] -= gy[j] * r[i] * inv
			}
		}
		for i := 0; i < m; i++ {
			gB[i] -= gr[i] * inv // r = z − b
			gu[i] = gr[i]        // ∂z/∂u
			if u[i] < 0 {
				gu[i] /= md.Slope
			}
		}
		// u = W⁻¹(x − c): ∂NLL/∂c = −W⁻ᵀ gu, ∂NLL/∂W = −(W⁻ᵀ gu) uᵀ (+ W⁻ᵀ from log|det W|)
		for j := 0; j < m; j++ {
			s := 0.0
			for i := 0; i < m; i++ {
				s += p.vinv[i*m+j] * gu[i]
			}
			vtg[j] = s
			g.C[j] -= s * inv
		}
		for i := 0; i < m; i++ {
			for j := 0; j < m; j++ {
				g.W[i*m+j] -= vtg[i] * u[j] * inv
			}
		}
	}
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			g.W[i*m+j] += p.vinv[j*m+i] // W⁻ᵀ, once for the mean
		}
	}
	return nll
}

// mask zeroes the gradients of fixed entries and sums shared rows into
// domain 0.
func (md *Model) mask(g *grads) {
	m := md.M
	for d := 0; d < md.D; d++ {
		for j := 0; j < m; j++ {
			for i := j; i < m; i++ {
				g.L[d][j*m+i] = 0 // on and above the diagonal
			}
		}
	}
	for j := 0; j < m; j++ {
		if !md.shared(j) {
			continue
		}
		for d := 1; d < md.D; d++ {
			for i := 0; i < j; i++ {
				g.L[0][j*m+i] += g.L[d][j*m+i]
				g.L[d][j*m+i] = 0
			}
			g.S[0][j] += g.S[d][j]
			g.B[0][j] += g.B[d][j]
			g.S[d][j], g.B[d][j] = 0, 0
		}
		if md.Mode == Can {
			clear(g.L[0][j*m : (j+1)*m])
			g.S[0][j] = 0
		}
	}
	if md.Mode == Can {
		clear(g.L[0])
		clear(g.S[0])
	}
}

// Settings configures [Fit]. The zero value is the spec's training: Adam
// (β₁ = 0.5, β₂ = 0.999, learning rate 1e-3), batches of 500 drawn from
// all domains, 15,000 iterations, validation every 100.
type Settings struct {
	// MaxIter is the number of Adam steps (one iteration = one batch).
	// Zero means 15000.
	MaxIter int
	// Batch is the batch size. Zero means 500.
	Batch int
	// LR is Adam's learning rate. Zero means 1e-3.
	LR float64
	// EvalEvery is the interval, in iterations, of the validation NLL that
	// selects the returned checkpoint. Zero means 100.
	EvalEvery int
	// Rand draws the batches. Nil means rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
	// TimeLimit bounds the wall time; zero means none, negative is an error.
	TimeLimit time.Duration
	// Recorder, if not nil, receives the state at the start, at every
	// validation and at the end.
	Recorder Recorder
}

// Iter is the state of a fit passed to a [Recorder] (one Recorder
// iteration per validation).
type Iter struct {
	run.Progress
	// Train is the mean NLL of the last batch, Val the validation NLL, Best
	// the best validation NLL so far.
	Train, Val, Best float64
}

// Summary says the losses in a few words.
func (it *Iter) Summary() string {
	return fmt.Sprintf("train NLL %.4f  val NLL %.4f  best %.4f", it.Train, it.Val, it.Best)
}

// Recorder receives the state of a fit (see package run for the contract).
type Recorder = run.Recorder[*Iter]

// History keeps the validation curve.
type History = run.History[Iter, *Iter]

// Result is the outcome of [Fit].
type Result struct {
	// Model is the checkpoint with the lowest validation NLL.
	Model *Model
	// ValNLL is its validation NLL; BestIter the Adam step it was taken at.
	ValNLL   float64
	BestIter int
	// Iterations counts the validations (Recorder iterations); Steps the
	// Adam steps taken.
	Iterations, Steps int
	// Status is Completed after MaxIter steps.
	Status run.Status
}

// Fit trains md by maximum likelihood (mean NLL over batches mixing all
// domains, Adam on W, c, L_d, S_d, b_d with the mode's sharing and fixed
// entries) and returns the checkpoint with the lowest validation NLL
// (never selected on counterfactual error). md itself ends at the last
// iterate. ctx is checked every step.
func Fit(ctx context.Context, md *Model, train, val *Data, s *Settings) (Result, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	set.MaxIter = cmp.Or(set.MaxIter, 15000)
	set.Batch = cmp.Or(set.Batch, 500)
	set.LR = cmp.Or(set.LR, 1e-3)
	set.EvalEvery = cmp.Or(set.EvalEvery, 100)
	if set.Rand == nil {
		set.Rand = rand.New(rand.NewPCG(1, 0))
	}
	if set.MaxIter < 0 || set.Batch < 1 || !(set.LR > 0) || set.EvalEvery < 1 {
		return Result{}, fmt.Errorf("%w: MaxIter %d, Batch %d, LR %v, EvalEvery %d", ErrSettings, set.MaxIter, set.Batch, set.LR, set.EvalEvery)
	}
	if err := run.CheckTimeLimit(set.TimeLimit); err != nil {
		return Result{}, err
	}
	if err := md.Validate(); err != nil {
		return Result{}, err
	}
	n, err := md.checkData(train)
	if err != nil {
		return Result{}, err
	}
	if _, err := md.checkData(val); err != nil {
		return Result{}, err
	}
	// flat index of every training sample
	idx := make([][2]int, 0, n)
	for d, xs := range train.X {
		for i := range xs {
			idx = append(idx, [2]int{d, i})
		}
	}
	params := [][]float64{md.W, md.C}
	for d := 0; d < md.D; d++ {
		params = append(params, md.L[d], md.S[d], md.B[d])
	}
	g := md.newGrads()
	gl := [][]float64{g.W, g.C}
	for d := 0; d < md.D; d++ {
		gl = append(gl, g.L[d], g.S[d], g.B[d])
	}
	adam := optim.Adam{LR: set.LR, Beta1: 0.5, Beta2: 0.999}
	xs, ds := make([][]float64, set.Batch), make([]int, set.Batch)
	buf := make([]float64, 9*md.M)
	best, _ := md.NLL(val)
	res := Result{Model: md.Clone(), ValNLL: best}
	it := &Iter{Val: best, Best: best}
	loop := run.Loop[*Iter]{Recorder: set.Recorder, MaxIter: set.MaxIter / set.EvalEvery, TimeLimit: set.TimeLimit}
	end := func(st run.Status, err error) (Result, error) {
		res.Status, res.Iterations = st, loop.Iterations()
		return res, loop.End(it, st, err)
	}
	if err := loop.Start(it); err != nil {
		return end(run.RecorderStopped, err)
	}
	for step := 1; step <= set.MaxIter; step++ {
		if err := ctx.Err(); err != nil {
			return end(run.Canceled, err)
		}
		for k := range xs {
			j := idx[set.Rand.IntN(len(idx))]
			xs[k], ds[k] = train.X[j[0]][j[1]], j[0]
		}
		p, err := md.prepare()
		if err != nil {
			return end(run.Failure, err)
		}
		g.zero()
		it.Train = md.accumulate(p, xs, ds, g, buf)
		md.mask(g)
		if err := adamStep(&adam, params, gl); err != nil {
			return end(run.Failure, err)
		}
		md.tie()
		res.Steps = step
		if step%set.EvalEvery != 0 {
			continue
		}
		v, err := md.NLL(val)
		if err != nil {
			return end(run.Failure, err)
		}
		it.Val = v
		if v < best {
			best, res.ValNLL, res.BestIter, res.Model = v, v, step, md.Clone()
		}
		it.Best = best
		if st, err := loop.Next(ctx, it, false); st != run.NotTerminated {
			if st == run.IterationLimit {
				st = run.Completed
			}
			return end(st, err)
		}
	}
	return end(run.Completed, nil)
}

// adamStep takes one Adam step and checks the result.
func adamStep(a *optim.Adam, params, grads [][]float64) error {
	if err := a.Step(params, grads); err != nil {
		return fmt.Errorf("ild: the fit diverged: %w", err)
	}
	for _, p := range params {
		if err := finite(p); err != nil {
			return fmt.Errorf("ild: the fit diverged: %w", err)
		}
	}
	return nil
}
