package causal

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
)

// MLP is a small neural-network regressor trained with gorgonia through
// package nn (mean squared error, Adam).
type MLP struct {
	// Hidden are the hidden-layer widths. Nil means one layer of 12 (the
	// official stable predictor).
	Hidden []int
	// Act is the hidden activation (zero value nn.Tanh; the official code
	// uses nn.Sigmoid).
	Act nn.Activation
	// Train configures nn.Train (nil: its defaults).
	Train *nn.TrainSettings
	// Rand initialises the weights and shuffles minibatches; required.
	Rand *rand.Rand
	// AutoHidden, with Hidden nil, uses one hidden layer of max(1, d/2)
	// units for d inputs (the official structural equations).
	AutoHidden bool
	// ConstInit initialises every weight to 1 and every bias to 0 (the
	// official code) instead of Glorot draws from Rand.
	ConstInit bool

	Net *nn.MLP // set by Fit
	in  [1]float64
}

var _ Differentiable = (*MLP)(nil)

// NewMLPLearner returns a [Learner] of [MLP] models.
func NewMLPLearner(hidden []int, act nn.Activation, train *nn.TrainSettings) Learner {
	return func(rng *rand.Rand) Regressor {
		return &MLP{Hidden: hidden, Act: act, Train: train, Rand: rng}
	}
}

// NewEquationLearner returns the official code's structural-equation
// learner: an [MLP] with one sigmoid hidden layer of max(1, d/2) units,
// weights initialised to 1 and biases to 0, trained full batch with Adam
// (step 0.01) for at most 5000 iterations, stopping early when the loss has
// not improved by 0.01 for 1000 iterations.
func NewEquationLearner() Learner {
	return func(rng *rand.Rand) Regressor {
		return &MLP{AutoHidden: true, ConstInit: true, Act: nn.Sigmoid, Rand: rng,
			Train: &nn.TrainSettings{Epochs: 5000, LR: 0.01, Patience: 1000, MinDelta: 0.01}}
	}
}

// Fit trains a fresh network. Errors wrap [ErrData], [ErrNotFinite],
// [ErrSettings] (nil Rand) or come from nn.Train.
func (m *MLP) Fit(X *mat.Dense, y []float64) error {
	n, d, err := checkXY(X, y)
	if err != nil {
		return err
	}
	if m.Rand == nil {
		return fmt.Errorf("%w: MLP needs Rand", ErrSettings)
	}
	hidden := m.Hidden
	switch {
	case hidden == nil && m.AutoHidden:
		hidden = []int{max(1, d/2)}
	case hidden == nil:
		hidden = []int{12}
	}
	sizes := append(append([]int{d}, hidden...), 1)
	var net *nn.MLP
	if m.ConstInit {
		net, err = nn.NewMLPConst(sizes, m.Act, 1, 0)
	} else {
		net, err = nn.NewMLP(sizes, m.Act, m.Rand)
	}
	if err != nil {
		return fmt.Errorf("causal: %w", err)
	}
	Y := mat.NewDense(n, 1, append([]float64(nil), y...))
	if _, err := nn.Train(context.Background(), net, X, Y, m.Train, m.Rand); err != nil {
		return fmt.Errorf("causal: training MLP: %w", err)
	}
	m.Net = net
	return nil
}

// Predict evaluates the network; it panics before Fit.
func (m *MLP) Predict(x []float64) float64 {
	return m.Net.Predict(m.in[:0], x)[0]
}

// PredictGrad writes ∂f/∂x to grad and returns f(x).
func (m *MLP) PredictGrad(grad, x []float64) float64 {
	return m.Net.InputGrad(grad, x)
}
