package selective

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Synthetic is one data set of the spec's synthetic study with its truth.
type Synthetic struct {
	X    *mat.Dense
	T, Y []int
	// YAll holds every unit's outcome (including the untested: for the
	// oracle prevalence π*).
	YAll []int
	// BetaY, BetaD and S are the true parameters (α = 1).
	BetaY, BetaD []float64
	S            float64
}

// Generate draws a synthetic data set as the official generator does, with
// uniform Z and α = 1 exactly (the model well specified): n units, an
// intercept and m−1 standard-normal features re-standardised to mean 0 and
// sd 1; s ~ N(2, 0.1²), β_Y,0 ~ N(−2, 0.1²), β_D,0 ~ N(2, 0.1²),
// β_Y,1.. ~ N(0, 1), β_D,1 ~ N(0, 1), β_D,2.. = 0.
func Generate(n, m int, rng *rand.Rand) (*Synthetic, error) {
	if n < 2*minTested || m < 2 || rng == nil || float64(n)*float64(m) > 1<<26 {
		return nil, fmt.Errorf("%w: n %d, m %d", ErrSettings, n, m)
	}
	X := standardFeatures(n, m, rng)
	syn := &Synthetic{X: X, T: make([]int, n), Y: make([]int, n), YAll: make([]int, n), BetaY: make([]float64, m), BetaD: make([]float64, m)}
	syn.S = 2 + 0.1*rng.NormFloat64()
	syn.BetaY[0] = -2 + 0.1*rng.NormFloat64()
	syn.BetaD[0] = 2 + 0.1*rng.NormFloat64()
	for j := 1; j < m; j++ {
		syn.BetaY[j] = rng.NormFloat64()
	}
	syn.BetaD[1] = rng.NormFloat64()
	for i := 0; i < n; i++ {
		a, e := 0.0, 0.0
		for j := 0; j < m; j++ {
			a += X.At(i, j) * syn.BetaY[j]
			e += X.At(i, j) * syn.BetaD[j]
		}
		r := a + syn.S*rng.Float64()
		if rng.Float64() < sigmoid(r) {
			syn.YAll[i] = 1
		}
		if rng.Float64() < sigmoid(r+e) {
			syn.T[i] = 1
			syn.Y[i] = syn.YAll[i]
		} else {
			syn.Y[i] = Untested
		}
	}
	return syn, nil
}

// Theta returns the true θ for a model with expertise set free.
func (syn *Synthetic) Theta(free []int) []float64 {
	th := append([]float64(nil), syn.BetaY...)
	for _, j := range free {
		th = append(th, syn.BetaD[j])
	}
	return append(th, math.Log(syn.S))
}

// standardFeatures returns n rows of an intercept and m−1 standard-normal
// features, each re-standardised to mean 0 and sd 1 (the official
// generator's recipe).
func standardFeatures(n, m int, rng *rand.Rand) *mat.Dense {
	X := mat.NewDense(n, m, nil)
	for j := 1; j < m; j++ {
		col := make([]float64, n)
		mean := 0.0
		for i := range col {
			col[i] = rng.NormFloat64()
			mean += col[i] / float64(n)
		}
		sd := 0.0
		for _, v := range col {
			sd += (v - mean) * (v - mean)
		}
		sd = math.Sqrt(sd / float64(n-1))
		for i, v := range col {
			X.Set(i, j, (v-mean)/sd)
		}
	}
	for i := 0; i < n; i++ {
		X.Set(i, 0, 1)
	}
	return X
}
