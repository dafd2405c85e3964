package pde

import (
	"fmt"

	"github.com/optlearn/optlearn/linalg"

	"gonum.org/v1/gonum/mat"
)

// latentVarFloor is the paper's clamp on aggregated marginal variances.
const latentVarFloor = 1e-8

// LatentResult is the aggregate of a latent-variable (mixture) prediction.
type LatentResult struct {
	// Mean is avg_s μ̃_s.
	Mean []float64
	// Var is the mixture's marginal variance avg_s diag(Σ̃_s) + var_s(μ̃_s)
	// (population variance over samples), clamped at 1e-8.
	Var []float64
	// Cov is avg_s Σ̃_s, the covariance the paper uses for sampling; for
	// diagonal step-1 samples it is a [DiagPlusLowRank] of rank S.
	Cov Covariance
}

// AggregateLatent implements step 2 for latent-variable step-1 models such
// as the ANP: each latent sample s (mean mus[s], covariance covs[s]) is
// conditioned on c with [ConservationUpdate] and only then aggregated, so
// that (by linearity) the aggregated mean also satisfies G μ̃ = b. A nil c
// aggregates without constraining. It returns ErrEmpty for no samples,
// ErrDimension for ragged inputs and the errors of [ConservationUpdate].
func AggregateLatent(mus [][]float64, covs []Covariance, c *LinearConstraint) (LatentResult, error) {
	ns := len(mus)
	if ns == 0 {
		return LatentResult{}, fmt.Errorf("%w: no latent samples", ErrEmpty)
	}
	if len(covs) != ns {
		return LatentResult{}, fmt.Errorf("%w: %d means, %d covariances", ErrDimension, ns, len(covs))
	}
	n := len(mus[0])
	mean := make([]float64, n)
	sq := make([]float64, n)
	avgVar := make([]float64, n)
	upd := make([]Covariance, ns)
	for s := range mus {
		if len(mus[s]) != n || covs[s] == nil || covs[s].Dim() != n {
			return LatentResult{}, fmt.Errorf("%w: sample %d", ErrDimension, s)
		}
		mu2, cov2 := mus[s], covs[s]
		if !linalg.AllFinite(mu2) {
			return LatentResult{}, fmt.Errorf("%w: mean of sample %d", ErrNotFinite, s)
		}
		if err := checkStructure(cov2); err != nil {
			return LatentResult{}, fmt.Errorf("latent sample %d: %w", s, err)
		}
		if c != nil {
			var err error
			mu2, cov2, err = ConservationUpdate(mus[s], covs[s], *c)
			if err != nil {
				return LatentResult{}, fmt.Errorf("latent sample %d: %w", s, err)
			}
		}
		upd[s] = cov2
		for i, v := range mu2 {
			mean[i] += v
			sq[i] += v * v
		}
		for i, v := range cov2.Diag() {
			avgVar[i] += v
		}
	}
	if !linalg.AllFinite(avgVar) {
		return LatentResult{}, fmt.Errorf("%w: in the covariances", ErrNotFinite)
	}
	inv := 1 / float64(ns)
	for i := range mean {
		mean[i] *= inv
		v := avgVar[i]*inv + sq[i]*inv - mean[i]*mean[i]
		avgVar[i] = max(v, latentVarFloor)
	}
	return LatentResult{Mean: mean, Var: avgVar, Cov: averageCov(upd, n)}, nil
}

// averageCov returns avg_s covs[s], structured when every term is
// [Diagonal] or [DiagPlusRank1].
func averageCov(covs []Covariance, n int) Covariance {
	inv := 1 / float64(len(covs))
	d := make([]float64, n)
	var vs [][]float64
	var alphas []float64
	for _, c := range covs {
		switch c := c.(type) {
		case Diagonal:
			for i, v := range c {
				d[i] += inv * v
			}
		case *DiagPlusRank1:
			for i, v := range c.D {
				d[i] += inv * v
			}
			vs = append(vs, c.V)
			alphas = append(alphas, inv*c.Alpha)
		default:
			sum := mat.NewSymDense(n, nil)
			for _, c := range covs {
				sum.AddSym(sum, c.Dense())
			}
			sum.ScaleSym(inv, sum)
			return &Full{Sigma: sum}
		}
	}
	if len(vs) == 0 {
		return Diagonal(d)
	}
	u := mat.NewDense(n, len(vs), nil)
	cm := mat.NewSymDense(len(vs), nil)
	for j, v := range vs {
		u.SetCol(j, v)
		cm.SetSym(j, j, alphas[j])
	}
	return &DiagPlusLowRank{D: d, U: u, C: cm}
}

// Ensemble is a [LatentModel] whose latent samples are the predictions of
// its members, with equal weights.
type Ensemble []ProbModel

var _ LatentModel = Ensemble(nil)

// PredictLatent returns every member's prediction. It returns ErrEmpty for
// an empty ensemble and the first member error.
func (e Ensemble) PredictLatent(t float64, x []float64) ([][]float64, []Covariance, error) {
	if len(e) == 0 {
		return nil, nil, fmt.Errorf("%w: empty ensemble", ErrEmpty)
	}
	means := make([][]float64, len(e))
	covs := make([]Covariance, len(e))
	for s, m := range e {
		if m == nil {
			return nil, nil, fmt.Errorf("%w: ensemble member %d is nil", ErrSettings, s)
		}
		mu, cov, err := m.Predict(t, x)
		if err != nil {
			return nil, nil, fmt.Errorf("ensemble member %d: %w", s, err)
		}
		means[s], covs[s] = mu, cov
	}
	return means, covs, nil
}
