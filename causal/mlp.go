package causal

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
)

// MLPRegressor is the [Regressor] role of the library's one MLP: it fits
// an [nn.MLP] with [nn.Train] (mean squared error, Adam) and predicts with
// it. The stable predictors and structural equations of the official code
// are such networks ([NewMLPLearner], [NewEquationLearner]).
type MLPRegressor struct {
	// Hidden are the hidden-layer widths. Nil means one layer of 12 (the
	// official stable predictor), or max(1, d/2) for d inputs with
	// AutoHidden.
	Hidden []int
	// Act is the hidden activation. The paper's networks use nn.Sigmoid,
	// which [NewMLPLearner] and [NewEquationLearner] set; note that the
	// zero value of nn.Activation is nn.Tanh.
	Act nn.Activation
	// Train configures nn.Train (nil: its defaults).
	Train *nn.TrainSettings
	// Rand initialises the weights and shuffles minibatches. Nil means a
	// fixed seed, PCG(1, 0).
	Rand *rand.Rand
	// AutoHidden, with Hidden nil, uses one hidden layer of max(1, d/2)
	// units for d inputs (the official structural equations).
	AutoHidden bool
	// ConstInit initialises every weight to 1 and every bias to 0 (the
	// official code) instead of Glorot draws from Rand.
	ConstInit bool

	// Net is the fitted network, set by Fit.
	Net *nn.MLP
	in  [1]float64
}

var (
	_ Differentiable = (*MLPRegressor)(nil)
	_ ContextFitter  = (*MLPRegressor)(nil)
)

// NewMLPLearner returns a [Learner] of [MLPRegressor] models with the
// given hidden widths (nil: one layer of 12) and the paper's sigmoid
// activation, trained with train (nil: nn.Train's defaults). For another
// activation write the Learner: func(r *rand.Rand) Regressor { return
// &MLPRegressor{Act: nn.Tanh, Rand: r} }.
func NewMLPLearner(hidden []int, train *nn.TrainSettings) Learner {
	return func(rng *rand.Rand) Regressor {
		return &MLPRegressor{Hidden: hidden, Act: nn.Sigmoid, Train: train, Rand: rng}
	}
}

// NewEquationLearner returns the official code's structural-equation
// learner: an [MLPRegressor] with one sigmoid hidden layer of max(1, d/2)
// units, weights initialised to 1 and biases to 0, trained full batch with
// Adam (step 0.01) for at most 5000 iterations, stopping early when the
// loss has not improved by 0.01 for 1000 iterations.
func NewEquationLearner() Learner {
	return func(rng *rand.Rand) Regressor {
		return &MLPRegressor{AutoHidden: true, ConstInit: true, Act: nn.Sigmoid, Rand: rng,
			Train: &nn.TrainSettings{Epochs: 5000, LR: 0.01, Patience: 1000, MinDelta: 0.01}}
	}
}

// Fit trains a fresh network: FitContext with a background context.
func (m *MLPRegressor) Fit(X *mat.Dense, y []float64) error {
	return m.FitContext(context.Background(), X, y)
}

// FitContext trains a fresh network; ctx stops nn.Train. Errors wrap
// [ErrData], [ErrNotFinite], [ErrSettings], come from nn.NewMLP and
// nn.Train, or are ctx.Err().
func (m *MLPRegressor) FitContext(ctx context.Context, X *mat.Dense, y []float64) error {
	n, d, err := checkXY(X, y)
	if err != nil {
		return err
	}
	rng := orDefault(m.Rand)
	if t := m.Train; t != nil {
		for _, v := range []float64{t.LR, t.WeightDecay, t.MinDelta} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: %w: MLPRegressor.Train has LR %v, WeightDecay %v, MinDelta %v", ErrSettings, ErrNotFinite, t.LR, t.WeightDecay, t.MinDelta)
			}
		}
	}
	hidden := m.Hidden
	switch {
	case hidden == nil && m.AutoHidden:
		hidden = []int{max(1, d/2)}
	case hidden == nil:
		hidden = []int{12}
	}
	sizes := append(append([]int{d}, hidden...), 1)
	params := 0
	for l := 0; l+1 < len(sizes); l++ {
		if sizes[l+1] < 1 || sizes[l+1] > maxFeatures {
			return fmt.Errorf("%w: MLPRegressor layer width %d (want 1..%d)", ErrSettings, sizes[l+1], maxFeatures)
		}
		params += sizes[l] * sizes[l+1]
	}
	if params > maxDesign/100 {
		return fmt.Errorf("%w: MLPRegressor with %d weights is too large (at most %d)", ErrSettings, params, maxDesign/100)
	}
	var net *nn.MLP
	if m.ConstInit {
		net, err = nn.NewMLPConst(sizes, m.Act, 1, 0)
	} else {
		net, err = nn.NewMLP(sizes, m.Act, rng)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrSettings, err)
	}
	Y := mat.NewDense(n, 1, append([]float64(nil), y...))
	if _, err := nn.Train(ctx, net, X, Y, m.Train, rng); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("causal: training MLP: %w", err)
	}
	m.Net = net
	return nil
}

// Predict evaluates the network; it panics before Fit.
func (m *MLPRegressor) Predict(x []float64) float64 {
	return m.Net.Predict(m.in[:0], x)[0]
}

// PredictGrad writes ∂f/∂x to grad and returns f(x).
func (m *MLPRegressor) PredictGrad(grad, x []float64) float64 {
	return m.Net.InputGrad(grad, x)
}

// defaultSeed is the seed used wherever a Rand is nil: PCG(1, 0).
const defaultSeed = 1

// orDefault returns r, or a generator with the documented fixed seed
// PCG(1, 0) when r is nil.
func orDefault(r *rand.Rand) *rand.Rand {
	if r != nil {
		return r
	}
	return rand.New(rand.NewPCG(defaultSeed, 0))
}
