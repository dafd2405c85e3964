package anp

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/pde/gpme"
)

// DefaultDraws is the paper's number of latent samples.
const DefaultDraws = 100

// maxDraws bounds Predictor.Draws.
const maxDraws = 1 << 16

// Predictor is a trained [Model] given the contexts of one problem: a
// latent-variable step-1 model of ProbConserv ([pde.LatentModel]). Each
// of Draws latent samples z_s ~ q(z | C) gives a Gaussian prediction with
// diagonal covariance; [pde.AggregateLatent] constrains each sample and
// aggregates them (step 7 of the method).
type Predictor struct {
	// Model is the trained network.
	Model *Model
	// Case gives the domain used to normalise t and x (T, X0, L).
	Case gpme.Case
	// Contexts are the observations, in the raw coordinates of Case.
	Contexts gpme.Contexts
	// Draws is the number of latent samples. Zero means 100; negative is
	// an error.
	Draws int
	// Rand draws the latent samples (consumed at each call). Nil means
	// rand.New(rand.NewPCG(1, 0)) at each call, so the same call gives the
	// same prediction.
	Rand *rand.Rand
}

var _ pde.LatentModel = (*Predictor)(nil)

// PredictLatent returns, for each latent sample, the predictive mean and
// the diagonal covariance (variances σ²) of u(t, x) on the grid x. It
// returns an error wrapping [ErrSettings] for a nil model, a case with a
// non-positive T or L or bad Draws, [ErrDimension] or [ErrEmpty] for bad
// contexts or an empty grid, and [ErrNotFinite] for NaN or Inf in t, x or
// the contexts.
func (p *Predictor) PredictLatent(t float64, x []float64) ([][]float64, []pde.Covariance, error) {
	c := p.Case
	if p.Model == nil || !(c.T > 0) || !(c.L > 0) || math.IsInf(c.T, 0) || math.IsInf(c.L, 0) || math.IsNaN(c.X0) || math.IsInf(c.X0, 0) {
		return nil, nil, fmt.Errorf("%w: Predictor needs a model and a case with finite T > 0, L > 0 and X0", ErrSettings)
	}
	draws := p.Draws
	if draws < 0 || draws > maxDraws {
		return nil, nil, fmt.Errorf("%w: Predictor.Draws = %d outside [0, %d]", ErrSettings, draws, maxDraws)
	}
	draws = cmp.Or(draws, DefaultDraws)
	if math.IsNaN(t) || math.IsInf(t, 0) {
		return nil, nil, fmt.Errorf("%w: t = %v", ErrNotFinite, t)
	}
	cx := p.Contexts
	if _, err := checkPoints("context", cx.T, cx.X, cx.Y); err != nil {
		return nil, nil, err
	}
	tau, xi, y := Normalize(c, cx)
	cond, err := p.Model.Condition(tau, xi, y)
	if err != nil {
		return nil, nil, err
	}
	qt := make([]float64, len(x))
	qx := make([]float64, len(x))
	for i, v := range x {
		qt[i] = t / c.T
		qx[i] = (v - c.X0) / c.L
	}
	rng := p.Rand
	if rng == nil {
		rng = rand.New(rand.NewPCG(1, 0))
	}
	zs := cond.Sample(draws, rng)
	means, stds, err := cond.Decode(qt, qx, zs)
	if err != nil {
		return nil, nil, err
	}
	covs := make([]pde.Covariance, draws)
	for s, sd := range stds {
		v := make(pde.Diagonal, len(sd))
		for i, d := range sd {
			v[i] = d * d
		}
		covs[s] = v
	}
	return means, covs, nil
}

// Sample draws n latent values z = ZMean + ZStd ⊙ ε, ε ~ N(0, I), from rng.
func (c *Conditioned) Sample(n int, rng *rand.Rand) [][]float64 {
	zs := make([][]float64, n)
	for s := range zs {
		z := make([]float64, len(c.ZMean))
		for i := range z {
			z[i] = c.ZMean[i] + c.ZStd[i]*rng.NormFloat64()
		}
		zs[s] = z
	}
	return zs
}
