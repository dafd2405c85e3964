package ild

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Simulation is the spec's (and the official code's) synthetic generator:
// a linear latent SCM with a global strictly upper-triangular A whose
// columns in Intervened are redrawn per domain, one bias per domain added
// to those columns, a leaky ReLU, a per-coordinate scale from the pooled
// training set, and a mixing matrix G with |det G| = 1.
type Simulation struct {
	// M is the dimension, D the number of domains.
	M, D int
	// Intervened lists the 0-based latent nodes whose mechanisms differ
	// across domains.
	Intervened []int
	// BiasScale scales the per-domain biases. Zero means 2.
	BiasScale float64
	// Slope is the leaky-ReLU slope. Zero means 0.5.
	Slope float64
}

// Dataset is a simulated data set with its ground truth.
type Dataset struct {
	// Train, Val and Test hold the samples per domain.
	Train, Val, Test *Data
	// TestEps holds the exogenous noise of every test sample (the same ε
	// pushed through another domain is the true counterfactual).
	TestEps [][][]float64
	// Truth is the generating model in the package's parameterisation
	// (L = diag(1/s) Aᵀ diag(s), S = diag(1/s), b = bias/s, W = Gᵀ, c = 0).
	Truth *Model
}

// Generate draws a data set of nTrain, nVal and nTest samples per domain.
// It returns an error wrapping [ErrSettings] for sizes out of range or
// intervened nodes outside [0, M).
func (s Simulation) Generate(nTrain, nVal, nTest int, rng *rand.Rand) (*Dataset, error) {
	m := s.M
	if m < 1 || m > maxDim || s.D < 1 || s.D > maxDomains || nTrain < 2 || nVal < 1 || nTest < 1 || rng == nil || len(s.Intervened) == 0 {
		return nil, fmt.Errorf("%w: M %d, D %d, sizes %d/%d/%d, %d intervened", ErrSettings, m, s.D, nTrain, nVal, nTest, len(s.Intervened))
	}
	for _, j := range s.Intervened {
		if j < 0 || j >= m {
			return nil, fmt.Errorf("%w: intervened node %d outside [0, %d)", ErrSettings, j, m)
		}
	}
	scale := s.BiasScale
	scale = cmp.Or(scale, 2)
	slope := s.Slope
	slope = cmp.Or(slope, 0.5)
	upper := func() []float64 {
		a := make([]float64, m*m)
		for i := 0; i < m; i++ {
			for j := i + 1; j < m; j++ {
				a[i*m+j] = rng.NormFloat64()
			}
		}
		return a
	}
	A := upper()
	As := make([][]float64, s.D)
	bias := make([]float64, s.D)
	for d := 0; d < s.D; d++ {
		Ad := upper()
		As[d] = append([]float64(nil), A...)
		for _, j := range s.Intervened {
			for i := 0; i < m; i++ {
				As[d][i*m+j] = Ad[i*m+j]
			}
		}
		bias[d] = (4*rng.Float64() - 2) * math.Sqrt(float64(m)/float64(len(s.Intervened))) * scale
	}
	isInt := make([]bool, m)
	for _, j := range s.Intervened {
		isInt[j] = true
	}
	G := make([]float64, m*m)
	for i := range G {
		G[i] = rng.NormFloat64()
	}
	var lu mat.LU
	lu.Factorize(mat.NewDense(m, m, G))
	det := lu.Det()
	if det == 0 {
		return nil, fmt.Errorf("%w: singular mixing matrix drawn", ErrSingular)
	}
	f := math.Copysign(1, det) / math.Pow(math.Abs(det), 1/float64(m))
	for i := range G {
		G[i] *= f
	}
	// latents before the scale: z_pre (row) = ε (I − A_d)⁻¹ → z_j = ε_j + Σ_{i<j} z_i A_d[i][j]
	latent := func(eps []float64, d int) []float64 {
		z := make([]float64, m)
		for j := 0; j < m; j++ {
			v := eps[j]
			for i := 0; i < j; i++ {
				v += z[i] * As[d][i*m+j]
			}
			z[j] = v
		}
		for j := 0; j < m; j++ {
			if isInt[j] {
				z[j] += bias[d]
			}
			if z[j] < 0 {
				z[j] *= slope
			}
		}
		return z
	}
	draw := func(n int) ([][][]float64, [][][]float64) {
		zs, es := make([][][]float64, s.D), make([][][]float64, s.D)
		for d := 0; d < s.D; d++ {
			for i := 0; i < n; i++ {
				eps := make([]float64, m)
				for j := range eps {
					eps[j] = rng.NormFloat64()
				}
				es[d] = append(es[d], eps)
				zs[d] = append(zs[d], latent(eps, d))
			}
		}
		return zs, es
	}
	zTrain, _ := draw(nTrain)
	zVal, _ := draw(nVal)
	zTest, eTest := draw(nTest)
	// pooled training std per coordinate
	std := make([]float64, m)
	for j := 0; j < m; j++ {
		var sum, sq, n float64
		for d := range zTrain {
			for _, z := range zTrain[d] {
				sum += z[j]
				sq += z[j] * z[j]
				n++
			}
		}
		mean := sum / n
		std[j] = math.Sqrt(sq/n - mean*mean)
		if !(std[j] > 0) {
			return nil, fmt.Errorf("%w: latent %d has zero variance", ErrSingular, j)
		}
	}
	mix := func(zs [][][]float64) *Data {
		out := &Data{X: make([][][]float64, s.D)}
		for d := range zs {
			for _, z := range zs[d] {
				x := make([]float64, m)
				for k := 0; k < m; k++ {
					v := 0.0
					for j := 0; j < m; j++ {
						v += z[j] / std[j] * G[j*m+k] // x = z G (row vectors)
					}
					x[k] = v
				}
				out.X[d] = append(out.X[d], x)
			}
		}
		return out
	}
	truth, _ := New(m, s.D, 0, Dense, slope)
	for i := 0; i < m; i++ {
		for j := 0; j < m; j++ {
			truth.W[i*m+j] = G[j*m+i] // W = Gᵀ
		}
	}
	for d := 0; d < s.D; d++ {
		for j := 0; j < m; j++ {
			truth.S[d][j] = 1 / std[j]
			for i := 0; i < j; i++ {
				truth.L[d][j*m+i] = As[d][i*m+j] * std[i] / std[j] // diag(1/s) Aᵀ diag(s)
			}
			if isInt[j] {
				truth.B[d][j] = bias[d] / std[j]
			}
		}
	}
	return &Dataset{Train: mix(zTrain), Val: mix(zVal), Test: mix(zTest), TestEps: eTest, Truth: truth}, nil
}

// CFError is the paper's counterfactual error: for every ordered pair of
// domains d ≠ d', the mean squared error (over test samples and
// coordinates) between model's counterfactual of x_d and the true one,
// truth.Decode(ε, d'), averaged over the pairs. With identity true, the
// model is ignored and the error is that of the identity baseline (x_d
// itself as the counterfactual).
func CFError(model, truth *Model, test *Data, eps [][][]float64, identity bool) (float64, error) {
	D := truth.D
	if D < 2 {
		return 0, fmt.Errorf("%w: counterfactuals need two domains", ErrSettings)
	}
	total, pairs := 0.0, 0
	for d := 0; d < D; d++ {
		for dp := 0; dp < D; dp++ {
			if d == dp {
				continue
			}
			se, n := 0.0, 0
			for i, x := range test.X[d] {
				want, err := truth.Decode(nil, eps[d][i], dp)
				if err != nil {
					return 0, err
				}
				got := x
				if !identity {
					if got, err = model.Counterfactual(nil, x, d, dp); err != nil {
						return 0, err
					}
				}
				for k := range want {
					se += (got[k] - want[k]) * (got[k] - want[k])
					n++
				}
			}
			total += se / float64(n)
			pairs++
		}
	}
	return total / float64(pairs), nil
}
