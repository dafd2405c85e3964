package bilevel

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// EPSettings configures [TrainEP]. The zero value gives the spec's E3
// setting: exact backpropagation ([ImplicitBP]), Adam with learning rate
// 2e-3, batches of 50, 15 epochs, free phases of T1 = 150 steps for
// training and 500 for evaluation, no homeostasis. A nil *EPSettings means
// the zero value.
type EPSettings struct {
	// Estimator computes the neuron error vectors δ. Nil means [ImplicitBP]
	// (the exact gradient).
	Estimator Estimator
	// MaxIter is the number of epochs (one iteration = one pass over the
	// training set in batches). Zero means 15.
	MaxIter int
	// BatchSize is the number of samples per Adam step. Zero means 50.
	BatchSize int
	// LearningRate is Adam's step (β₁ = 0.9, β₂ = 0.999, ε = 1e-8). Zero
	// means 2e-3.
	LearningRate float64
	// FreeSteps is the number T1 of free-phase steps per training sample.
	// Zero means 150.
	FreeSteps int
	// EvalSteps is the number of free-phase steps when evaluating the test
	// accuracy and the alignment. Zero means 500.
	EvalSteps int
	// FreeTol stops a free phase early when its residual ‖Φ(u) − u‖ is at
	// most FreeTol. Zero means 1e-10; negative runs every step.
	FreeTol float64
	// Homeostasis is the Jacobian homeostasis term (Coef λ_h; Draws is K_ε
	// per sample, so a batch of 50 with Draws = 5 averages 250 draws).
	// Coef zero turns it off.
	Homeostasis HomeostaticLoss
	// AlignSamples is the number of training samples (the first ones) on
	// which the alignment cos(δ, δ_BP) is measured at the start and after
	// every epoch. Zero means 100; negative turns the measurement off.
	AlignSamples int
	// TimeLimit stops the run (Status [run.TimeLimit]) after this wall
	// time, checked after every batch. Zero means none; negative is an
	// error.
	TimeLimit time.Duration
	// Rand shuffles the training set every epoch and draws the homeostasis
	// ε. Nil means rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
	// Recorder, if non-nil, receives an [EPIter] at the start, after every
	// epoch and at the end.
	Recorder EPRecorder
}

// EPIter is the state of [TrainEP] passed to an [EPRecorder] (start, every
// epoch, end). Its embedded [run.Progress] counts epochs.
type EPIter struct {
	run.Progress
	// TrainLoss and TrainAccuracy are the means over the epoch's training
	// samples at their (T1-step) free states, before each batch's update;
	// NaN at the start.
	TrainLoss, TrainAccuracy float64
	// TestLoss and TestAccuracy are measured on the test set with
	// EvalSteps free steps.
	TestLoss, TestAccuracy float64
	// EvalResidual and EvalResidualMax are the mean and largest residual
	// ‖Φ(u) − u‖ of the evaluation free phases; FreeResidual and
	// FreeResidualMax those of the epoch's training free phases (NaN at the
	// start).
	EvalResidual, EvalResidualMax float64
	FreeResidual, FreeResidualMax float64
	// EvalUnconverged is the fraction of test samples whose evaluation free
	// phase ended with a residual above 1e-6 (the spec's threshold for
	// comparing estimators).
	EvalUnconverged float64
	// Alignment is the mean of cos(δ, δ_BP) over the AlignSamples samples
	// (NaN if turned off).
	Alignment float64
	// WeightAngle is [EPNet.WeightAngle] in degrees, JacSymIndex
	// [EPNet.JacSymIndex], and Asymmetry the closed-form homeostatic loss
	// Σ‖W_l − B_lᵀ‖²/dim.
	WeightAngle, JacSymIndex, Asymmetry float64
}

// Summary returns the epoch's main figures, for [EPPrinter].
func (it *EPIter) Summary() string {
	var parts []string
	add := func(format string, v float64) {
		if !math.IsNaN(v) {
			parts = append(parts, fmt.Sprintf(format, v))
		}
	}
	add("loss %.4f", it.TrainLoss)
	add("test acc %.3f", it.TestAccuracy)
	add("align %.3f", it.Alignment)
	add("angle %.1f°", it.WeightAngle)
	add("residual %.2g", it.EvalResidualMax)
	return strings.Join(parts, "  ")
}

// EPRecorder receives the [EPIter] of a training run (see [run.Recorder]).
type EPRecorder = run.Recorder[*EPIter]

// EPHistory keeps every [EPIter] of a training run, for plots.
type EPHistory = run.History[EPIter, *EPIter]

// EPPrinter writes a progress line at most every two seconds.
type EPPrinter = run.Printer[*EPIter]

var (
	_ EPRecorder = (*EPHistory)(nil)
	_ EPRecorder = (*EPPrinter)(nil)
)

// EPResult is the outcome of [TrainEP]: the last epoch's figures.
type EPResult struct {
	// Last is the state after the last epoch (or at the start if none
	// finished).
	Last EPIter
	// Iterations is the number of completed epochs.
	Iterations int
	// Status is [run.Completed] after MaxIter epochs.
	Status run.Status
}

// epDefaults fills the zero fields of s and checks every field.
func epDefaults(s *EPSettings) error {
	if err := firstErr(nonNegInt("MaxIter", s.MaxIter), nonNegInt("BatchSize", s.BatchSize), nonNeg("LearningRate", s.LearningRate),
		nonNegInt("FreeSteps", s.FreeSteps), nonNegInt("EvalSteps", s.EvalSteps), finite("FreeTol", s.FreeTol),
		run.CheckTimeLimit(s.TimeLimit)); err != nil {
		return err
	}
	if h := s.Homeostasis; math.IsNaN(h.Coef) || math.IsInf(h.Coef, 0) || h.Coef < 0 {
		return fmt.Errorf("%w: Homeostasis.Coef = %g must be finite and non-negative", ErrSettings, h.Coef)
	}
	if s.Estimator == nil {
		s.Estimator = ImplicitBP{}
	}
	if h, ok := s.Estimator.(HolomorphicEP); ok {
		if err := h.check(); err != nil {
			return err
		}
	}
	s.MaxIter = cmp.Or(s.MaxIter, 15)
	s.BatchSize = cmp.Or(s.BatchSize, 50)
	s.LearningRate = cmp.Or(s.LearningRate, 2e-3)
	s.FreeSteps = cmp.Or(s.FreeSteps, 150)
	s.EvalSteps = cmp.Or(s.EvalSteps, 500)
	s.FreeTol = cmp.Or(s.FreeTol, 1e-10)
	s.AlignSamples = cmp.Or(s.AlignSamples, 100)
	if s.Rand == nil {
		s.Rand = rand.New(rand.NewPCG(defaultSeed, 0))
	}
	return nil
}

// epTrainer is one training run.
type epTrainer struct {
	net         *EPNet
	train, test *EPData
	s           EPSettings
	loop        run.Loop[*EPIter]
	it          EPIter

	grad, m, v [][]float64
	params     [][]float64
	order      []int
	u, delta   []float64
	bp         []float64
	step       int
}

// TrainEP trains net (in place) on the training set with the settings'
// estimator and Adam, reporting the spec's metrics after every epoch:
// training loss and accuracy, test accuracy (with EvalSteps free steps and
// the residual of those free phases, which is reported, not hidden),
// alignment cos(δ, δ_BP) with the exact gradient, the weight angle and the
// Jacobian symmetry. Each batch's update is the mean over its samples of
// δ_l s_{l−1}ᵀ (and the readout's direct gradient) plus Coef·∇L_homeo, then
// one Adam step. The run is deterministic for a given Rand.
//
// It returns an error wrapping [ErrSettings] (naming the field),
// [ErrDimension] or [ErrNotFinite] for bad input, the estimator's error
// (Status [run.Failure], the net keeps the last update), the recorder's
// error wrapped (Status [run.RecorderStopped]) or ctx.Err() (Status
// [run.Canceled], checked after every batch and every 50 evaluation
// samples).
func TrainEP(ctx context.Context, net *EPNet, train, test *EPData, settings *EPSettings) (EPResult, error) {
	t, err := newEPTrainer(net, train, test, settings)
	if err != nil {
		return EPResult{Status: run.Failure}, err
	}
	return t.run(ctx)
}

func newEPTrainer(net *EPNet, train, test *EPData, settings *EPSettings) (*epTrainer, error) {
	if err := net.valid(); err != nil {
		return nil, err
	}
	var s EPSettings
	if settings != nil {
		s = *settings
	}
	if err := epDefaults(&s); err != nil {
		return nil, err
	}
	if err := train.check("training", net.Sizes[0], net.Classes); err != nil {
		return nil, err
	}
	if err := test.check("test", net.Sizes[0], net.Classes); err != nil {
		return nil, err
	}
	t := &epTrainer{net: net, train: train, test: test, s: s,
		grad: net.NewGrad(), m: net.NewGrad(), v: net.NewGrad(), params: net.Params(),
		order: make([]int, train.Len()), u: make([]float64, net.Dim()),
		delta: make([]float64, net.Dim()), bp: make([]float64, net.Dim())}
	for i := range t.order {
		t.order[i] = i
	}
	t.loop = run.Loop[*EPIter]{Recorder: s.Recorder, MaxIter: s.MaxIter, TimeLimit: s.TimeLimit}
	return t, nil
}

func (t *epTrainer) run(ctx context.Context) (EPResult, error) {
	end := func(st run.Status, err error) (EPResult, error) {
		err = t.loop.End(&t.it, st, err)
		return EPResult{Last: t.it, Iterations: t.loop.Iterations(), Status: st}, err
	}
	t.it.TrainLoss, t.it.TrainAccuracy, t.it.FreeResidual, t.it.FreeResidualMax = math.NaN(), math.NaN(), math.NaN(), math.NaN()
	if st, err := t.measure(ctx); err != nil {
		return end(st, err)
	}
	if err := t.loop.Start(&t.it); err != nil {
		return end(run.RecorderStopped, err)
	}
	for {
		if st, err := t.epoch(ctx); err != nil || st != run.NotTerminated {
			return end(st, err)
		}
		if st, err := t.measure(ctx); err != nil {
			return end(st, err)
		}
		st, err := t.loop.Next(ctx, &t.it, false)
		if st == run.IterationLimit {
			st = run.Completed // a fixed budget of epochs, no convergence test
		}
		if st != run.NotTerminated {
			return end(st, err)
		}
	}
}

// epoch makes one pass over the shuffled training set.
func (t *epTrainer) epoch(ctx context.Context) (run.Status, error) {
	s := &t.s
	net := t.net
	s.Rand.Shuffle(len(t.order), func(i, j int) { t.order[i], t.order[j] = t.order[j], t.order[i] })
	var loss, correct, res, resMax float64
	n := len(t.order)
	for b0 := 0; b0 < n; b0 += s.BatchSize {
		batch := t.order[b0:min(b0+s.BatchSize, n)]
		for _, g := range t.grad {
			linalg.Zero(g)
		}
		w := 1 / float64(len(batch))
		for _, i := range batch {
			x, y := t.train.Input(i), t.train.Y[i]
			linalg.Zero(t.u)
			fp := net.relax(t.u, x, s.FreeSteps, s.FreeTol)
			if !linalg.AllFinite(t.u) {
				return run.Failure, fmt.Errorf("%w: free phase of training sample %d diverged (residual %g)", ErrNotFinite, i, fp.Residual)
			}
			res += fp.Residual
			resMax = math.Max(resMax, fp.Residual)
			if _, err := s.Estimator.Delta(t.delta, net, x, y, t.u); err != nil {
				return run.Failure, fmt.Errorf("bilevel: training sample %d: %w", i, err)
			}
			l, err := net.AccumulateGrad(t.grad, w, x, y, t.u, t.delta)
			if err != nil {
				return run.Failure, err
			}
			_, ok, _ := net.Loss(t.u, y)
			loss += l
			if ok {
				correct++
			}
		}
		if h := s.Homeostasis; h.Coef > 0 {
			if h.Draws > 0 {
				h.Draws *= len(batch)
			} else if h.Draws == 0 {
				h.Draws = 5 * len(batch)
			}
			if err := h.AddGrad(t.grad, net, s.Rand); err != nil {
				return run.Failure, err
			}
		}
		t.adam()
		if st, err := t.loop.Check(ctx); st != run.NotTerminated {
			return st, err
		}
	}
	t.it.TrainLoss, t.it.TrainAccuracy = loss/float64(n), correct/float64(n)
	t.it.FreeResidual, t.it.FreeResidualMax = res/float64(n), resMax
	return run.NotTerminated, nil
}

// adam applies one Adam step with the gradient in t.grad.
func (t *epTrainer) adam() {
	const b1, b2, eps = 0.9, 0.999, 1e-8
	t.step++
	c1 := 1 - math.Pow(b1, float64(t.step))
	c2 := 1 - math.Pow(b2, float64(t.step))
	lr := t.s.LearningRate
	for k, p := range t.params {
		g, m, v := t.grad[k], t.m[k], t.v[k]
		for i := range p {
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			p[i] -= lr * (m[i] / c1) / (math.Sqrt(v[i]/c2) + eps)
		}
	}
}

// measure evaluates the test set, the alignment and the weight metrics into
// t.it.
func (t *epTrainer) measure(ctx context.Context) (run.Status, error) {
	s := &t.s
	net := t.net
	var loss, correct, res, resMax, unconv float64
	for i := range t.test.Len() {
		if i%50 == 49 {
			if st, err := t.loop.Check(ctx); st != run.NotTerminated {
				return st, err
			}
		}
		x, y := t.test.Input(i), t.test.Y[i]
		linalg.Zero(t.u)
		fp := net.relax(t.u, x, s.EvalSteps, s.FreeTol)
		if !linalg.AllFinite(t.u) {
			return run.Failure, fmt.Errorf("%w: free phase of test sample %d diverged (residual %g)", ErrNotFinite, i, fp.Residual)
		}
		l, ok, _ := net.Loss(t.u, y)
		loss += l
		if ok {
			correct++
		}
		res += fp.Residual
		resMax = math.Max(resMax, fp.Residual)
		if fp.Residual > 1e-6 {
			unconv++
		}
	}
	n := float64(t.test.Len())
	t.it.TestLoss, t.it.TestAccuracy, t.it.EvalResidual, t.it.EvalResidualMax = loss/n, correct/n, res/n, resMax
	t.it.EvalUnconverged = unconv / n
	t.it.Alignment = math.NaN()
	if k := min(s.AlignSamples, t.train.Len()); k > 0 {
		sum := 0.0
		for i := range k {
			x, y := t.train.Input(i), t.train.Y[i]
			linalg.Zero(t.u)
			net.relax(t.u, x, s.EvalSteps, s.FreeTol)
			if _, err := s.Estimator.Delta(t.delta, net, x, y, t.u); err != nil {
				return run.Failure, fmt.Errorf("bilevel: alignment sample %d: %w", i, err)
			}
			if _, err := (ImplicitBP{}).Delta(t.bp, net, x, y, t.u); err != nil {
				return run.Failure, fmt.Errorf("bilevel: alignment sample %d: %w", i, err)
			}
			sum += Alignment(t.delta, t.bp)
		}
		t.it.Alignment = sum / float64(k)
	}
	t.it.WeightAngle, t.it.JacSymIndex, t.it.Asymmetry = net.WeightAngle(), net.JacSymIndex(), net.asymmetry()
	return run.NotTerminated, nil
}
