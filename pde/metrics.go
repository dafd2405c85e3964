package pde

import (
	"fmt"
	"math"
	"slices"

	"github.com/optlearn/optlearn/linalg"
)

// LogLikVarFloor is the clamp applied to variances before
// [GaussianLogLik] (near-zero variances make the log-likelihood explode).
const LogLikVarFloor = 1e-8

// MSE returns the mean of (predᵢ − truthᵢ)². It returns ErrDimension or
// ErrEmpty for mismatched or empty inputs and ErrNotFinite for a NaN or
// Inf in them.
func MSE(pred, truth []float64) (float64, error) {
	if len(pred) != len(truth) {
		return 0, fmt.Errorf("%w: %d predictions, %d true values", ErrDimension, len(pred), len(truth))
	}
	if len(pred) == 0 {
		return 0, fmt.Errorf("%w: no points", ErrEmpty)
	}
	if !linalg.AllFinite(pred) || !linalg.AllFinite(truth) {
		return 0, fmt.Errorf("%w: in the predictions or the true values", ErrNotFinite)
	}
	return linalg.DistSq(pred, truth) / float64(len(pred)), nil
}

// ConservationError returns the signed conservation error wᵀmean − mass,
// with w the same quadrature weights as the constraint row and mass = U(t)
// at the same t. It returns ErrDimension for mismatched lengths and
// ErrNotFinite for a NaN or Inf in the inputs.
func ConservationError(mean, w []float64, mass float64) (float64, error) {
	if len(mean) != len(w) {
		return 0, fmt.Errorf("%w: %d values, %d weights", ErrDimension, len(mean), len(w))
	}
	if !linalg.AllFinite(mean) || !linalg.AllFinite(w) || math.IsNaN(mass) || math.IsInf(mass, 0) {
		return 0, fmt.Errorf("%w: in the mean, the weights or the mass", ErrNotFinite)
	}
	return linalg.Dot(w, mean) - mass, nil
}

// GaussianLogLik returns the mean over points of log N(truthᵢ; meanᵢ, varᵢ)
// with each variance clamped below at [LogLikVarFloor]. It returns
// ErrDimension or ErrEmpty for mismatched or empty inputs and ErrNotFinite
// for a NaN or Inf in them.
func GaussianLogLik(truth, mean, variance []float64) (float64, error) {
	n := len(truth)
	if len(mean) != n || len(variance) != n {
		return 0, fmt.Errorf("%w: %d true values, %d means, %d variances", ErrDimension, n, len(mean), len(variance))
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: no points", ErrEmpty)
	}
	if !linalg.AllFinite(truth) || !linalg.AllFinite(mean) || !linalg.AllFinite(variance) {
		return 0, fmt.Errorf("%w: in the true values, means or variances", ErrNotFinite)
	}
	var s float64
	for i, y := range truth {
		v := math.Max(variance[i], LogLikVarFloor)
		r := y - mean[i]
		s += -0.5*math.Log(2*math.Pi*v) - 0.5*r*r/v
	}
	return s / float64(n), nil
}

// ShockPosition returns the front of one sampled profile: the first grid
// node x[i] with sample[i] ≤ 0, or the last node if there is none. It
// returns ErrEmpty or ErrDimension if the lengths are zero or differ.
func ShockPosition(x, sample []float64) (float64, error) {
	if len(x) == 0 {
		return 0, fmt.Errorf("%w: no grid", ErrEmpty)
	}
	if len(x) != len(sample) {
		return 0, fmt.Errorf("%w: grid %d, sample %d", ErrDimension, len(x), len(sample))
	}
	for i, v := range sample {
		if v <= 0 {
			return x[i], nil
		}
	}
	return x[len(x)-1], nil
}

// MedianShock returns the median of [ShockPosition] over the samples (the
// mean of the two middle values for an even count). It returns ErrEmpty
// for no samples and ErrDimension for a sample of the wrong length.
func MedianShock(x []float64, samples [][]float64) (float64, error) {
	if len(samples) == 0 || len(x) == 0 {
		return 0, fmt.Errorf("%w: no samples", ErrEmpty)
	}
	pos := make([]float64, len(samples))
	for s, smp := range samples {
		if len(smp) != len(x) {
			return 0, fmt.Errorf("%w: sample %d has %d values, grid %d", ErrDimension, s, len(smp), len(x))
		}
		pos[s], _ = ShockPosition(x, smp)
	}
	return median(pos), nil
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return 0.5 * (v[n/2-1] + v[n/2])
}
