package causal

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Regressor is a scalar regression model. Fit trains on the rows of X
// (n×d) against y (length n) and returns an error for mismatched sizes,
// empty or non-finite data. Predict evaluates one row of length d; it
// panics if called before a successful Fit or with the wrong length.
type Regressor interface {
	Fit(X *mat.Dense, y []float64) error
	Predict(x []float64) float64
}

// Differentiable is a [Regressor] that also returns its input gradient: it
// writes ∂f/∂x to grad (length d) and returns f(x). The gradient-ascent
// worst-case estimator needs the stable predictor and every regenerated
// structural equation to be Differentiable.
type Differentiable interface {
	Regressor
	PredictGrad(grad, x []float64) float64
}

// Learner returns a fresh, unfitted [Regressor]; rng seeds its random parts
// (random features, initial weights) and must be used, not stored for
// later reseeding.
type Learner func(rng *rand.Rand) Regressor

// Recorder receives progress reports of [Model.WorstCaseRisk]: at the start
// and end of every ascent restart and at every recorded step (every
// RiskSettings.RecordEvery steps), and at the start and end of a grid run.
// A non-nil error stops the run; WorstCaseRisk then returns the estimate
// so far with Status RecorderStopped and that error. Recorders must not
// modify the RiskIter.
type Recorder interface {
	Record(it *RiskIter) error
}
