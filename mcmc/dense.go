package mcmc

import (
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// denseMetric is a dense inverse mass matrix M⁻¹ = L·Lᵀ held as its lower
// Cholesky factor L (row-major). Momenta are drawn from N(0, M), that is
// p = L⁻ᵀz with z standard normal; the kinetic energy is ½|Lᵀp|² and the
// velocity M⁻¹p = L(Lᵀp).
type denseMetric struct {
	d   int
	l   []float64 // L, row-major d×d
	tmp []float64
}

func newDenseMetric(scale []float64) *denseMetric {
	d := len(scale)
	m := &denseMetric{d: d, l: make([]float64, d*d), tmp: make([]float64, d)}
	for i, s := range scale {
		m.l[i*d+i] = s
	}
	return m
}

// momentum draws p ~ N(0, M) by back substitution of Lᵀp = z.
func (m *denseMetric) momentum(p []float64, rng *rand.Rand) {
	d := m.d
	for i := range p {
		p[i] = rng.NormFloat64()
	}
	for i := d - 1; i >= 0; i-- {
		v := p[i]
		for k := i + 1; k < d; k++ {
			v -= m.l[k*d+i] * p[k]
		}
		p[i] = v / m.l[i*d+i]
	}
}

// ltp writes Lᵀp into m.tmp.
func (m *denseMetric) ltp(p []float64) {
	d := m.d
	for i := 0; i < d; i++ {
		v := 0.0
		for k := i; k < d; k++ {
			v += m.l[k*d+i] * p[k]
		}
		m.tmp[i] = v
	}
}

// kinetic returns ½ pᵀM⁻¹p.
func (m *denseMetric) kinetic(p []float64) float64 {
	m.ltp(p)
	k := 0.0
	for _, v := range m.tmp {
		k += 0.5 * v * v
	}
	return k
}

// velocity writes M⁻¹p into v.
func (m *denseMetric) velocity(v, p []float64) {
	m.ltp(p)
	d := m.d
	for i := 0; i < d; i++ {
		s := 0.0
		for k := 0; k <= i; k++ {
			s += m.l[i*d+k] * m.tmp[k]
		}
		v[i] = s
	}
}

func (m *denseMetric) drift(x, v, p []float64, eps float64) {
	m.velocity(v, p)
	for i := range x {
		x[i] += eps * v[i]
	}
}

// estimate sets M⁻¹ to the window's sample covariance shrunk toward
// 1e-3·I with Stan's weights n/(n+5) and 5/(n+5). It keeps the previous
// metric if the estimate is not positive definite.
func (m *denseMetric) estimate(win [][]float64) {
	d, n := m.d, float64(len(win))
	x := mat.NewDense(len(win), d, nil)
	for i, w := range win {
		x.SetRow(i, w)
	}
	var cov mat.SymDense
	stat.CovarianceMatrix(&cov, x, nil)
	cov.ScaleSym(n/(n+5), &cov)
	for i := 0; i < d; i++ {
		cov.SetSym(i, i, cov.At(i, i)+1e-3*(5/(n+5)))
	}
	var ch mat.Cholesky
	if !ch.Factorize(&cov) {
		return
	}
	var l mat.TriDense
	ch.LTo(&l)
	for i := 0; i < d; i++ {
		for j := 0; j < d; j++ {
			m.l[i*d+j] = l.At(i, j)
		}
	}
}
