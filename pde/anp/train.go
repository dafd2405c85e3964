package anp

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/run"
)

// Settings configures [Train]. The zero value (or nil) is usable.
type Settings struct {
	// MaxIter is the number of Adam steps (one step = one minibatch).
	// Zero means 2000; negative is an error.
	MaxIter int
	// Batch is the number of functions per step. Zero means 16.
	Batch int
	// LR is Adam's step size. Zero means 1e-3 (the paper: 1e-4, with many
	// more steps).
	LR float64
	// Lambda is the weight of the SoftC PDE-residual penalty (the mean
	// squared finite-difference residual of u_t = ∂x(k(u) ∂x u) of the
	// predicted mean); zero trains the plain ANP, the paper's SoftC-ANP
	// uses 1. Negative is an error.
	Lambda float64
	// ResidualPoints is the number of residual points per function when
	// Lambda > 0. Zero means 16.
	ResidualPoints int
	// TimeLimit stops training after this wall time (zero: none; negative
	// is an error). A run stopped by it is not reproducible bit for bit.
	TimeLimit time.Duration
	// Rand drives the minibatch order, ε of the reparameterised latent
	// and the residual points. Nil means rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
	// Recorder, if not nil, sees Start, every step and End.
	Recorder Recorder
}

// Iter is the state after one training step.
type Iter struct {
	run.Progress
	// Loss is the minimised objective of the step: NLL + KL (+ λ·Residual).
	Loss float64
	// NLL is the mean negative log-likelihood per target point, KL the
	// KL(q(z|T) ‖ q(z|C)) per target point, Residual the mean squared PDE
	// residual (zero without SoftC).
	NLL, KL, Residual float64
}

// Summary returns the step's losses, for run.Printer.
func (it *Iter) Summary() string {
	return fmt.Sprintf("loss %.4f nll %.4f kl %.4f res %.3g", it.Loss, it.NLL, it.KL, it.Residual)
}

// Recorder receives the progress of [Train].
type Recorder = run.Recorder[*Iter]

// History keeps every state of a training run.
type History = run.History[Iter, *Iter]

// Result is the outcome of [Train].
type Result struct {
	// Iterations is the number of Adam steps taken.
	Iterations int
	// Status is Completed after MaxIter steps, or TimeLimit, Canceled,
	// RecorderStopped or Failure.
	Status run.Status
	// Loss, NLL, KL and Residual are the means over the last (up to) 100
	// steps.
	Loss, NLL, KL, Residual float64
	// Elapsed is the wall time of the run.
	Elapsed time.Duration
}

func (s *Settings) withDefaults() (Settings, error) {
	var o Settings
	if s != nil {
		o = *s
	}
	if o.MaxIter < 0 || o.Batch < 0 || o.ResidualPoints < 0 {
		return o, fmt.Errorf("%w: MaxIter %d, Batch %d, ResidualPoints %d must be ≥ 0", ErrSettings, o.MaxIter, o.Batch, o.ResidualPoints)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"LR", o.LR}, {"Lambda", o.Lambda}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return o, fmt.Errorf("%w: Settings.%s = %v", ErrSettings, f.name, f.v)
		}
	}
	if err := run.CheckTimeLimit(o.TimeLimit); err != nil {
		return o, fmt.Errorf("%w: %v", ErrSettings, err)
	}
	o.MaxIter = cmp.Or(o.MaxIter, 2000)
	o.Batch = cmp.Or(o.Batch, 16)
	o.LR = cmp.Or(o.LR, 1e-3)
	o.ResidualPoints = cmp.Or(o.ResidualPoints, 16)
	if o.Batch > 4096 || o.ResidualPoints > 4096 {
		return o, fmt.Errorf("%w: Batch %d and ResidualPoints %d must be at most 4096", ErrSettings, o.Batch, o.ResidualPoints)
	}
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 0))
	}
	return o, nil
}

// Train fits m to the functions in data by minimising the negative ELBO
// (plus λ times the mean squared PDE residual for SoftC) with Adam, one
// minibatch of Batch functions per step, functions visited in a random
// order per epoch. Every function must have the same numbers of contexts
// and targets. The same model weights, data and Settings.Rand seed give
// the same weights bit for bit (the run is serial). ctx is checked every
// step. It returns an error wrapping [ErrSettings] for bad settings,
// [ErrEmpty] for no data, [ErrDimension] for ragged data, [ErrNotFinite]
// if the loss or a gradient is not finite (the weights are then those of
// the last good step), or ctx's error. ctx is checked after every step: a
// cancel takes effect at the next step boundary (one step of the shipped
// size, 16 functions of 100 contexts and 150 targets with hidden width
// 32, takes about 0.1 s of CPU).
func Train(ctx context.Context, m *Model, data []Function, s *Settings) (Result, error) {
	o, err := s.withDefaults()
	if err != nil {
		return Result{Status: run.Failure}, err
	}
	if m == nil {
		return Result{Status: run.Failure}, fmt.Errorf("%w: nil model", ErrSettings)
	}
	if len(data) == 0 {
		return Result{Status: run.Failure}, fmt.Errorf("%w: no training functions", ErrEmpty)
	}
	nc, nt := len(data[0].CTau), len(data[0].TTau)
	for i, f := range data {
		if _, err := checkPoints(fmt.Sprintf("function %d context", i), f.CTau, f.CXi, f.CY); err != nil {
			return Result{Status: run.Failure}, err
		}
		if _, err := checkPoints(fmt.Sprintf("function %d target", i), f.TTau, f.TXi, f.TY); err != nil {
			return Result{Status: run.Failure}, err
		}
		if len(f.CTau) != nc || len(f.TTau) != nt {
			return Result{Status: run.Failure}, fmt.Errorf("%w: function %d has %d contexts and %d targets, function 0 %d and %d",
				ErrDimension, i, len(f.CTau), len(f.TTau), nc, nt)
		}
		if o.Lambda > 0 && (f.Case.Solution == nil || !(f.Case.T > 0) || !(f.Case.L > 0)) {
			return Result{Status: run.Failure}, fmt.Errorf("%w: function %d has no case (needed for the residual)", ErrSettings, i)
		}
	}
	if err := ctx.Err(); err != nil {
		return Result{Status: run.Canceled}, err
	}
	B := min(o.Batch, len(data))
	gr, err := newGraph(m, B, nc, nt, o.ResidualPoints, o.Lambda)
	if err != nil {
		return Result{Status: run.Failure}, err
	}
	defer gr.close()
	params := m.Params()
	opt := optim.Adam{LR: o.LR}
	rng := o.Rand
	perm := rng.Perm(len(data))
	pos := 0
	loop := run.Loop[*Iter]{Recorder: o.Recorder, MaxIter: o.MaxIter, TimeLimit: o.TimeLimit}
	it := &Iter{}
	start := time.Now()
	res := Result{}
	if err := loop.Start(it); err != nil {
		res.Status = run.RecorderStopped
		return res, loop.End(it, res.Status, err)
	}
	var win []Iter
	for {
		for b := 0; b < B; b++ {
			if pos == len(perm) {
				perm, pos = rng.Perm(len(data)), 0
			}
			gr.fill(b, &data[perm[pos]], rng)
			pos++
		}
		for i := range gr.eps {
			gr.eps[i] = rng.NormFloat64()
		}
		grads, err := gr.run()
		if err == nil {
			it.Loss, it.NLL, it.KL = scalar(gr.loss), scalar(gr.nll), scalar(gr.kl)
			if gr.res != nil {
				it.Residual = scalar(gr.res)
			}
			if math.IsNaN(it.Loss) || math.IsInf(it.Loss, 0) {
				err = fmt.Errorf("%w: loss %v at step %d", ErrNotFinite, it.Loss, res.Iterations+1)
			} else if e := opt.Step(params, grads); e != nil {
				err = fmt.Errorf("%w: step %d: %v", ErrNotFinite, res.Iterations+1, e)
			}
		}
		if err == nil {
			err = gr.reset()
		}
		res.Elapsed = time.Since(start)
		if err != nil {
			res.Status = run.Failure
			res.summarise(win)
			return res, loop.End(it, res.Status, err)
		}
		res.Iterations++
		win = append(win, *it)
		if len(win) > 100 {
			win = win[1:]
		}
		st, lerr := loop.Next(ctx, it, false)
		if st != run.NotTerminated {
			if st == run.IterationLimit {
				st, lerr = run.Completed, nil
			}
			res.Status = st
			res.summarise(win)
			res.Elapsed = time.Since(start)
			return res, loop.End(it, st, lerr)
		}
	}
}

func (r *Result) summarise(win []Iter) {
	if len(win) == 0 {
		r.Loss, r.NLL, r.KL, r.Residual = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		return
	}
	r.Loss, r.NLL, r.KL, r.Residual = 0, 0, 0, 0
	for _, w := range win {
		r.Loss += w.Loss
		r.NLL += w.NLL
		r.KL += w.KL
		r.Residual += w.Residual
	}
	n := float64(len(win))
	r.Loss /= n
	r.NLL /= n
	r.KL /= n
	r.Residual /= n
}

// fill writes function f into batch slot b, drawing its residual points
// from rng when the graph has a residual term.
func (gr *graph) fill(b int, f *Function, rng *rand.Rand) {
	nc, nt := gr.nc, gr.nt
	for i := 0; i < nc; i++ {
		r := b*nc + i
		gr.cin[3*r], gr.cin[3*r+1], gr.cin[3*r+2] = f.CTau[i], f.CXi[i], f.CY[i]
		gr.cx[2*r], gr.cx[2*r+1] = f.CTau[i], f.CXi[i]
	}
	for i := 0; i < nt; i++ {
		r := b*nt + i
		gr.tin[3*r], gr.tin[3*r+1], gr.tin[3*r+2] = f.TTau[i], f.TXi[i], f.TY[i]
		gr.tx[2*r], gr.tx[2*r+1] = f.TTau[i], f.TXi[i]
		gr.ty[r] = f.TY[i]
	}
	if gr.nr == 0 {
		return
	}
	kind, par := kindConst, f.Param
	switch f.Family {
	case PME:
		kind = kindPower
	case Stefan:
		kind = kindStefan
	}
	for k := 0; k < gr.nr; k++ {
		r := b*gr.nr + k
		tau := stepTau + (1-2*stepTau)*rng.Float64()
		xi := stepXi + (1-2*stepXi)*rng.Float64()
		pts := [5][2]float64{{tau, xi}, {tau + stepTau, xi}, {tau - stepTau, xi}, {tau, xi + stepXi}, {tau, xi - stepXi}}
		for s, p := range pts {
			q := 5*r + s
			gr.sx[2*q], gr.sx[2*q+1] = p[0], p[1]
		}
		gr.invT[r] = 1 / (2 * stepTau * f.Case.T)
		gr.invL2[r] = 1 / (stepXi * f.Case.L * stepXi * f.Case.L)
		gr.kind[r], gr.par[r] = float64(kind), par
	}
}
