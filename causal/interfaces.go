package causal

import (
	"context"
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

// ContextFitter is a [Regressor] whose training can be interrupted: the
// pipeline calls FitContext instead of Fit when a model implements it, so
// that a canceled context stops a long fit ([MLPRegressor] does).
type ContextFitter interface {
	Regressor
	FitContext(ctx context.Context, X *mat.Dense, y []float64) error
}

// fitContext fits r, through FitContext when r implements it; otherwise
// it checks ctx before the (uninterruptible) Fit.
func fitContext(ctx context.Context, r Regressor, X *mat.Dense, y []float64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c, ok := r.(ContextFitter); ok {
		return c.FitContext(ctx, X, y)
	}
	return r.Fit(X, y)
}

// defaultLearner is the learner used when Settings leave it nil: ridge on
// 200 random Fourier features with the raw inputs as extra linear features,
// so that a predictor extrapolates linearly when an intervention moves a
// variable outside its training range.
func defaultLearner() Learner { return NewRFFLearner(0, 0, 0, true) }
