package pde

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// eigTol is the relative size (against the largest eigenvalue) of a
// negative eigenvalue accepted as rounding of a PSD matrix and clamped to 0.
const eigTol = 1e-8

// epsilon is the float64 unit roundoff.
const epsilon = 0x1p-52

// NewSampler returns a [Sampler] for N(·, cov) without an n×n factorisation
// for the structured types:
//
//   - [Diagonal]: x = μ + D^½ z, O(n) per draw;
//   - [DiagPlusRank1] with D > 0 where V ≠ 0: x = μ + D^½(z + γ w wᵀz),
//     w = D^{-½}V, γ = (√(1 + Alpha‖w‖²) − 1)/‖w‖², the symmetric square
//     root of I + Alpha w wᵀ; O(n) per draw. For the σ→0 conservation
//     update this has the law of Matheron's rule μ̃ + y − Dg(gᵀy)/den, y ~ N(0, D);
//   - [DiagPlusLowRank] with D > 0 and U of full column rank: the same with
//     the k×k square root, O(nk) per draw after O(nk²) set-up;
//   - otherwise (including [Full]): an eigendecomposition, O(n²) per draw.
//
// A Sampler keeps work buffers and is not safe for concurrent use.
// It returns ErrNotPSD if cov has a clearly negative eigenvalue and
// ErrNotFinite for NaN/Inf.
func NewSampler(cov Covariance) (Sampler, error) {
	if cov == nil || cov.Dim() == 0 {
		return nil, fmt.Errorf("%w: no covariance", ErrEmpty)
	}
	if err := checkStructure(cov); err != nil {
		return nil, err
	}
	switch c := cov.(type) {
	case Diagonal:
		sd, err := sqrtDiag(c)
		if err != nil {
			return nil, err
		}
		return &diagSampler{sd: sd}, nil
	case *DiagPlusRank1:
		if s, err := newRank1Sampler(c); s != nil || err != nil {
			return s, err
		}
	case *DiagPlusLowRank:
		if s, err := newLowRankSampler(c); s != nil || err != nil {
			return s, err
		}
	}
	return newDenseSampler(cov.Dense())
}

func sqrtDiag(d []float64) ([]float64, error) {
	sd := make([]float64, len(d))
	for i, v := range d {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: variance %d", ErrNotFinite, i)
		}
		if v < 0 {
			return nil, fmt.Errorf("%w: variance %d is %g", ErrNotPSD, i, v)
		}
		sd[i] = math.Sqrt(v)
	}
	return sd, nil
}

type diagSampler struct{ sd []float64 }

func (s *diagSampler) Sample(dst, mean []float64, rng *rand.Rand) ([]float64, error) {
	dst, err := prepare(dst, mean, len(s.sd), rng)
	if err != nil {
		return nil, err
	}
	for i, v := range s.sd {
		dst[i] = mean[i] + v*rng.NormFloat64()
	}
	return dst, nil
}

// prepare applies the nil-dst rule to a draw of size n and checks mean and
// rng.
func prepare(dst, mean []float64, n int, rng *rand.Rand) ([]float64, error) {
	if rng == nil {
		return nil, fmt.Errorf("%w: nil *rand.Rand", ErrSettings)
	}
	if len(mean) != n {
		return nil, fmt.Errorf("%w: mean has %d entries, the covariance is %d×%d", ErrDimension, len(mean), n, n)
	}
	return dstOf(dst, n, "dst")
}

// rank1Sampler draws μ + sd∘(z + γ w (wᵀz)), or μ + y + √alpha·v·z₀ when
// alpha ≥ 0.
type rank1Sampler struct {
	sd, w, v []float64
	gamma    float64
	pos      bool
}

func newRank1Sampler(c *DiagPlusRank1) (Sampler, error) {
	if len(c.V) != len(c.D) {
		return nil, fmt.Errorf("%w: V has %d entries, D has %d", ErrDimension, len(c.V), len(c.D))
	}
	sd, err := sqrtDiag(c.D)
	if err != nil {
		return nil, err
	}
	if !linalg.AllFinite(c.V) || math.IsNaN(c.Alpha) || math.IsInf(c.Alpha, 0) {
		return nil, fmt.Errorf("%w: in V or Alpha", ErrNotFinite)
	}
	if c.Alpha >= 0 {
		return &rank1Sampler{sd: sd, v: c.V, gamma: math.Sqrt(c.Alpha), pos: true}, nil
	}
	w := make([]float64, len(sd))
	for i, s := range sd {
		switch {
		case c.V[i] == 0:
		case s == 0:
			return nil, fmt.Errorf("%w: variance %d is %g", ErrNotPSD, i, c.Alpha*c.V[i]*c.V[i])
		default:
			w[i] = c.V[i] / s
		}
	}
	ww := linalg.SqNorm(w)
	if ww == 0 {
		return &diagSampler{sd: sd}, nil
	}
	q := 1 + c.Alpha*ww
	if q < -eigTol {
		return nil, fmt.Errorf("%w: 1 + Alpha‖D^{-1/2}V‖² = %g", ErrNotPSD, q)
	}
	if q <= 4*float64(len(sd))*epsilon {
		// 1 + Alpha‖w‖² = σ²/den is 0 in the σ→0 limit; its rounding
		// error (~n·ε) would otherwise enter the draws as √q.
		q = 0
	}
	return &rank1Sampler{sd: sd, w: w, gamma: (math.Sqrt(q) - 1) / ww}, nil
}

func (s *rank1Sampler) Sample(dst, mean []float64, rng *rand.Rand) ([]float64, error) {
	n := len(s.sd)
	dst, err := prepare(dst, mean, n, rng)
	if err != nil {
		return nil, err
	}
	if s.pos {
		z0 := s.gamma * rng.NormFloat64()
		for i, sd := range s.sd {
			dst[i] = mean[i] + sd*rng.NormFloat64() + z0*s.v[i]
		}
		return dst, nil
	}
	var wz float64
	for i := range dst {
		z := rng.NormFloat64()
		dst[i] = z
		wz += s.w[i] * z
	}
	a := s.gamma * wz
	for i, sd := range s.sd {
		dst[i] = mean[i] + sd*(dst[i]+a*s.w[i])
	}
	return dst, nil
}

// lowRankSampler draws μ + sd∘(z + W A Wᵀ z) with (I + W A Wᵀ)² = I + W C Wᵀ.
type lowRankSampler struct {
	sd   []float64
	w, a *mat.Dense
	t1   *mat.VecDense
	t2   *mat.VecDense
	z    []float64
}

func newLowRankSampler(c *DiagPlusLowRank) (Sampler, error) {
	sd, err := sqrtDiag(c.D)
	if err != nil {
		return nil, err
	}
	n := len(sd)
	if c.U == nil {
		return &diagSampler{sd: sd}, nil
	}
	r, k := c.U.Dims()
	if r != n || c.C == nil || c.C.SymmetricDim() != k {
		return nil, fmt.Errorf("%w: U is %d×%d, C does not match, D has %d", ErrDimension, r, k, n)
	}
	if 2*k > n {
		return nil, nil // the dense path is as cheap
	}
	w := mat.NewDense(n, k, nil)
	for i := 0; i < n; i++ {
		if sd[i] == 0 {
			return nil, nil
		}
		for j := 0; j < k; j++ {
			w.Set(i, j, c.U.At(i, j)/sd[i])
		}
	}
	// Gram = WᵀW = RᵀR; C̃ = R C Rᵀ = V Λ Vᵀ; Ã = V(√(1+Λ) − 1)Vᵀ;
	// A = R⁻¹ Ã R⁻ᵀ.
	gram := mat.NewSymDense(k, nil)
	gram.SymOuterK(1, w.T())
	var ch mat.Cholesky
	if !ch.Factorize(gram) {
		return nil, nil // rank-deficient U: use the dense path
	}
	var rt mat.TriDense
	ch.UTo(&rt) // gram = RᵀR with R upper
	var rc, ct mat.Dense
	rc.Mul(&rt, c.C)
	ct.Mul(&rc, rt.T())
	cs := mat.NewSymDense(k, nil)
	for i := 0; i < k; i++ {
		for j := i; j < k; j++ {
			cs.SetSym(i, j, 0.5*(ct.At(i, j)+ct.At(j, i)))
		}
	}
	var es mat.EigenSym
	if !es.Factorize(cs, true) {
		return nil, fmt.Errorf("%w: eigendecomposition failed", ErrNotPSD)
	}
	lam := es.Values(nil)
	var vec mat.Dense
	es.VectorsTo(&vec)
	scale := 1.0
	for _, l := range lam {
		scale = math.Max(scale, math.Abs(l))
	}
	for j, l := range lam {
		if 1+l < -eigTol*scale {
			return nil, fmt.Errorf("%w: eigenvalue %g of the whitened covariance", ErrNotPSD, 1+l)
		}
		lam[j] = math.Sqrt(math.Max(1+l, 0)) - 1
	}
	var vl, at mat.Dense
	vl.Apply(func(_, j int, v float64) float64 { return v * lam[j] }, &vec)
	at.Mul(&vl, vec.T())
	// A = R⁻¹ Ã R⁻ᵀ.
	var ri mat.TriDense
	if err := ri.InverseTri(&rt); err != nil {
		return nil, nil
	}
	var tmp, a mat.Dense
	tmp.Mul(&ri, &at)
	a.Mul(&tmp, ri.T())
	return &lowRankSampler{sd: sd, w: w, a: &a, t1: mat.NewVecDense(k, nil), t2: mat.NewVecDense(k, nil), z: make([]float64, n)}, nil
}

func (s *lowRankSampler) Sample(dst, mean []float64, rng *rand.Rand) ([]float64, error) {
	n := len(s.sd)
	dst, err := prepare(dst, mean, n, rng)
	if err != nil {
		return nil, err
	}
	z := s.z
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	zv := mat.NewVecDense(n, z)
	s.t1.MulVec(s.w.T(), zv)
	s.t2.MulVec(s.a, s.t1)
	out := mat.NewVecDense(n, dst)
	out.MulVec(s.w, s.t2)
	for i, sd := range s.sd {
		dst[i] = mean[i] + sd*(z[i]+dst[i])
	}
	return dst, nil
}

// denseSampler draws μ + B z with B = V diag(√λ) from Σ = V Λ Vᵀ.
type denseSampler struct {
	b *mat.Dense
	z []float64
}

func newDenseSampler(s *mat.SymDense) (Sampler, error) {
	n := s.SymmetricDim()
	for i := 0; i < n; i++ {
		if !linalg.AllFinite(s.RawSymmetric().Data[i*s.RawSymmetric().Stride+i : i*s.RawSymmetric().Stride+n]) {
			return nil, fmt.Errorf("%w: in the covariance", ErrNotFinite)
		}
	}
	var es mat.EigenSym
	if !es.Factorize(s, true) {
		return nil, fmt.Errorf("%w: eigendecomposition failed", ErrNotPSD)
	}
	lam := es.Values(nil)
	top := 0.0
	for _, l := range lam {
		top = math.Max(top, math.Abs(l))
	}
	for j, l := range lam {
		if l < -eigTol*top {
			return nil, fmt.Errorf("%w: eigenvalue %g (largest %g)", ErrNotPSD, l, top)
		}
		lam[j] = math.Sqrt(math.Max(l, 0))
	}
	var b mat.Dense
	es.VectorsTo(&b)
	b.Apply(func(_, j int, v float64) float64 { return v * lam[j] }, &b)
	return &denseSampler{b: &b, z: make([]float64, n)}, nil
}

func (s *denseSampler) Sample(dst, mean []float64, rng *rand.Rand) ([]float64, error) {
	n := len(s.z)
	dst, err := prepare(dst, mean, n, rng)
	if err != nil {
		return nil, err
	}
	z := s.z
	for i := range z {
		z[i] = rng.NormFloat64()
	}
	mat.NewVecDense(n, dst).MulVec(s.b, mat.NewVecDense(n, z))
	linalg.Axpy(1, mean, dst)
	return dst, nil
}
