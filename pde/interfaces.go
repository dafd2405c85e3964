package pde

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Covariance is a symmetric positive semidefinite n×n covariance matrix of a
// Gaussian prediction on a grid. The package provides [Diagonal],
// [DiagPlusRank1], [DiagPlusLowRank] and [Full]; [ConservationUpdate] keeps
// the structured ones structured, and accepts any other implementation
// through its Dense form.
type Covariance interface {
	// Dim returns n.
	Dim() int
	// Diag returns a new slice holding the n marginal variances Σᵢᵢ.
	Diag() []float64
	// Dense returns a new n×n dense copy of Σ.
	Dense() *mat.SymDense
}

// ProbModel is a step-1 probabilistic model: for a time t and a sorted grid
// x it returns a Gaussian prediction N(mean, cov) of u(t, x). [GP] is one;
// any user model (a neural process, an ensemble) can be plugged in.
type ProbModel interface {
	Predict(t float64, x []float64) (mean []float64, cov Covariance, err error)
}

// ExactSolution is a closed-form solution u(t, x) of a conservation law
// together with its conserved quantity U(t) = ∫_Ω u(t, x) dx.
type ExactSolution interface {
	// U returns u(t, x).
	U(t, x float64) float64
	// Mass returns U(t), the exact integral of u(t, ·) over the domain.
	Mass(t float64) float64
	// Front returns the position of the moving front (shock or
	// free boundary) at time t, and false if the solution has none.
	Front(t float64) (float64, bool)
}

// Sampler draws from N(mean, Σ) for a fixed covariance Σ; build one with
// [NewSampler].
type Sampler interface {
	// Sample writes one draw into dst and returns it. A nil dst is
	// allocated; a dst or mean whose length is not Σ's dimension is an
	// error wrapping ErrDimension, a nil rng one wrapping ErrSettings.
	// dst must not alias mean.
	Sample(dst, mean []float64, rng *rand.Rand) ([]float64, error)
}

// LatentModel is a step-1 model whose prediction is a mixture over latent
// samples (an attentive neural process's latent draws, or the members of an
// ensemble): sample s is N(means[s], covs[s]). [AggregateLatent] constrains
// each sample before aggregating.
type LatentModel interface {
	PredictLatent(t float64, x []float64) (means [][]float64, covs []Covariance, err error)
}
