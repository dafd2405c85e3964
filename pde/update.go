package pde

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// minDen is the smallest S = gᵀΣg + σ² treated as nonzero: below it the
// σ→0 limit divides by (numerically) zero, see [ErrZeroVariance].
const minDen = 1e-300

// psdTol is the relative size of a negative updated variance, against the
// largest prior variance, beyond which the prior is reported as not PSD
// (rounding of the exact σ→0 update stays many orders below it).
const psdTol = 1e-8

// LinearConstraint is the linear observation G u = b + ε, ε ~ N(0,
// diag(NoiseVar)), that [ConservationUpdate] conditions on.
type LinearConstraint struct {
	// G is the m×n constraint matrix (for global conservation in 1-D, the
	// single row of quadrature weights from [TrapezoidWeights]).
	G *mat.Dense
	// B holds the m targets (for conservation, the exact U(t)).
	B []float64
	// NoiseVar holds the m noise variances σ_G². Nil means all zero: the
	// exact σ_G → 0 limit of the paper ("limiting_mode: physnp"), where
	// G μ̃ = b holds exactly. A +Inf entry drops its row (no information).
	NoiseVar []float64
}

// MassConstraint returns the single conservation constraint wᵀu = mass with
// zero noise (the σ_G → 0 limit). The weights are not copied.
func MassConstraint(w []float64, mass float64) LinearConstraint {
	return LinearConstraint{G: mat.NewDense(1, len(w), w), B: []float64{mass}}
}

// validate checks c against a prediction of size n and returns m.
func (c LinearConstraint) validate(n int) (int, error) {
	if c.G == nil {
		return 0, fmt.Errorf("%w: nil constraint matrix", ErrEmpty)
	}
	m, cols := c.G.Dims()
	if cols != n {
		return 0, fmt.Errorf("%w: G has %d columns, prediction has %d points", ErrDimension, cols, n)
	}
	if len(c.B) != m {
		return 0, fmt.Errorf("%w: G has %d rows, b has %d entries", ErrDimension, m, len(c.B))
	}
	if c.NoiseVar != nil && len(c.NoiseVar) != m {
		return 0, fmt.Errorf("%w: G has %d rows, NoiseVar has %d entries", ErrDimension, m, len(c.NoiseVar))
	}
	if !linalg.AllFinite(c.B) {
		return 0, fmt.Errorf("%w: in b", ErrNotFinite)
	}
	for i := 0; i < m; i++ {
		if !linalg.AllFinite(c.G.RawRowView(i)) {
			return 0, fmt.Errorf("%w: in row %d of G", ErrNotFinite, i)
		}
		if c.NoiseVar != nil {
			v := c.NoiseVar[i]
			if math.IsNaN(v) || v < 0 {
				return 0, fmt.Errorf("%w: noise variance %d is %g", ErrSettings, i, v)
			}
		}
	}
	return m, nil
}

// UpdateDiag is the O(n) closed form of the conservation update for a
// diagonal covariance D = diag(d) and one constraint gᵀu = b + ε,
// ε ~ N(0, noiseVar) (paper eq. for the ANP case):
//
//	r = gᵀμ − b,  den = Σⱼ gⱼ² dⱼ + σ²,
//	μ̃ᵢ = μᵢ − dᵢ gᵢ r / den,   Σ̃ = D − (Dg)(Dg)ᵀ / den.
//
// It writes μ̃ into dstMu and v = Dg into dstV and returns them with
// alpha = −1/den, so that Σ̃ = diag(d) + alpha·v vᵀ. A nil dstMu or dstV
// is allocated (the library's nil-dst rule); a non-nil one of the wrong
// length is an error. The work is one fused pass (v, gᵀμ, vᵀg and a sign
// check of d in the same loop) and one AxpyTo; nothing is allocated when
// both destinations are given. dstMu may alias mu; dstV must not alias mu,
// d or g.
//
// It returns an error wrapping ErrDimension for mismatched lengths,
// ErrNotFinite if μ, d, g or b hold a NaN or Inf, ErrSettings for a
// negative or NaN noiseVar (+Inf is allowed: the constraint carries no
// information and μ̃ = μ), ErrNotPSD if some dᵢ < 0, and ErrZeroVariance if
// den < 1e-300; after an error dstMu and dstV are unspecified.
func UpdateDiag(dstMu, dstV, mu, d, g []float64, b, noiseVar float64) (muOut, v []float64, alpha float64, err error) {
	n := len(mu)
	if len(d) != n || len(g) != n {
		return nil, nil, 0, fmt.Errorf("%w: mean %d, variances %d, weights %d", ErrDimension, n, len(d), len(g))
	}
	if math.IsNaN(noiseVar) || noiseVar < 0 {
		return nil, nil, 0, fmt.Errorf("%w: noise variance %g must be ≥ 0", ErrSettings, noiseVar)
	}
	if math.IsNaN(b) || math.IsInf(b, 0) {
		return nil, nil, 0, fmt.Errorf("%w: target b = %g", ErrNotFinite, b)
	}
	if dstMu, err = dstOf(dstMu, n, "dstMu"); err != nil {
		return nil, nil, 0, err
	}
	if dstV, err = dstOf(dstV, n, "dstV"); err != nil {
		return nil, nil, 0, err
	}
	gm, den, neg := fusedDiag(dstV, mu, d, g)
	if math.IsNaN(gm) || math.IsInf(gm, 0) || math.IsNaN(den) || math.IsInf(den, 0) {
		return nil, nil, 0, fmt.Errorf("%w: in the mean, the variances or the weights", ErrNotFinite)
	}
	if neg {
		return nil, nil, 0, fmt.Errorf("%w: negative variance", ErrNotPSD)
	}
	den += noiseVar
	if !(den >= minDen) {
		return nil, nil, 0, fmt.Errorf("%w: gᵀDg + σ² = %g", ErrZeroVariance, den)
	}
	linalg.AxpyTo(dstMu, -(gm-b)/den, dstV, mu)
	return dstMu, dstV, -1 / den, nil
}

// dstOf applies the nil-dst rule to a length-n destination.
func dstOf(dst []float64, n int, name string) ([]float64, error) {
	if dst == nil {
		return make([]float64, n), nil
	}
	if len(dst) != n {
		return nil, fmt.Errorf("%w: %s has %d entries, want %d", ErrDimension, name, len(dst), n)
	}
	return dst, nil
}

// fusedDiag is the first pass of [UpdateDiag]: v = d∘g, gᵀμ and vᵀg with
// four independent accumulators each, and whether some dᵢ < 0. All slices
// have the same length.
func fusedDiag(v, mu, d, g []float64) (gm, den float64, neg bool) {
	n := len(v)
	mu, d, g = mu[:n], d[:n], g[:n]
	// On amd64 with AVX2+FMA an assembly body does the multiples of 8; the
	// Go loop below finishes (or, elsewhere, does everything).
	i, m0, s0, signs := fusedBlock(v, mu, d, g) // signs: sign bit set iff some dᵢ ≤ −0
	var m1, m2, m3, s1, s2, s3 float64
	for ; i+4 <= n; i += 4 {
		d0, d1, d2, d3 := d[i], d[i+1], d[i+2], d[i+3]
		g0, g1, g2, g3 := g[i], g[i+1], g[i+2], g[i+3]
		v0, v1, v2, v3 := d0*g0, d1*g1, d2*g2, d3*g3
		v[i], v[i+1], v[i+2], v[i+3] = v0, v1, v2, v3
		m0 += g0 * mu[i]
		m1 += g1 * mu[i+1]
		m2 += g2 * mu[i+2]
		m3 += g3 * mu[i+3]
		s0 += v0 * g0
		s1 += v1 * g1
		s2 += v2 * g2
		s3 += v3 * g3
		signs |= math.Float64bits(d0) | math.Float64bits(d1) | math.Float64bits(d2) | math.Float64bits(d3)
	}
	for ; i < n; i++ {
		vi := d[i] * g[i]
		v[i] = vi
		m0 += g[i] * mu[i]
		s0 += vi * g[i]
		signs |= math.Float64bits(d[i])
	}
	if signs>>63 != 0 { // rare: tell −0 from negative variances
		for _, di := range d {
			neg = neg || di < 0
		}
	}
	return (m0 + m1) + (m2 + m3), (s0 + s1) + (s2 + s3), neg
}

// ConservationUpdate conditions the Gaussian prediction N(mu, cov) on the
// linear constraint c (step 2 of ProbConserv, Hansen et al. 2023):
//
//	S = GΣGᵀ + diag(σ_G²),
//	μ̃ = μ − ΣGᵀ S⁻¹ (Gμ − b),   Σ̃ = Σ − ΣGᵀ S⁻¹ GΣ.
//
// With c.NoiseVar nil (the σ_G → 0 limit) G μ̃ = b holds exactly and
// Σ̃ Gᵀ = 0. The result keeps the structure of cov:
//
//   - [Diagonal] and m = 1: the O(n) closed form [UpdateDiag], returning a
//     [DiagPlusRank1] (never densified);
//   - [Diagonal], [DiagPlusRank1], [DiagPlusLowRank]: a [DiagPlusLowRank]
//     whose rank grows by m, at cost O(n·m·(k+m));
//   - [Full] or any other Covariance: a [Full], at cost O(n²m), with the
//     Cholesky factor of S (never an explicit inverse, and never a
//     factorisation of Σ, which may be singular, e.g. a GP posterior).
//
// Inputs are not modified. It returns an error wrapping ErrDimension for
// mismatched sizes, ErrNotFinite for NaN/Inf in mu, cov or c, ErrNotPSD if
// a variance is negative, if the Cholesky factorisation of S fails, or if an
// updated variance comes out negative (Σ indefinite), and ErrZeroVariance
// when a noise-free constraint sees zero variance (documented fallback:
// call [ProjectHardC]). Rows of c with NoiseVar = +Inf are ignored; if none
// remain, copies of mu and cov are returned.
func ConservationUpdate(mu []float64, cov Covariance, c LinearConstraint) ([]float64, Covariance, error) {
	n := len(mu)
	if n == 0 {
		return nil, nil, fmt.Errorf("%w: empty mean", ErrEmpty)
	}
	if cov == nil || cov.Dim() != n {
		return nil, nil, fmt.Errorf("%w: covariance does not match the %d-point mean", ErrDimension, n)
	}
	m, err := c.validate(n)
	if err != nil {
		return nil, nil, err
	}
	if !linalg.AllFinite(mu) {
		return nil, nil, fmt.Errorf("%w: in the mean", ErrNotFinite)
	}
	c = dropInfiniteRows(c, m)
	if c.G == nil {
		return slices.Clone(mu), copyCov(cov), nil
	}
	m, _ = c.G.Dims()
	if err := checkStructure(cov); err != nil {
		return nil, nil, err
	}
	if d, ok := cov.(Diagonal); ok && m == 1 {
		var nv float64
		if c.NoiseVar != nil {
			nv = c.NoiseVar[0]
		}
		mu2, v, alpha, err := UpdateDiag(nil, nil, mu, d, c.G.RawRowView(0), c.B[0], nv)
		if err != nil {
			return nil, nil, err
		}
		return mu2, &DiagPlusRank1{D: slices.Clone([]float64(d)), V: v, Alpha: alpha}, nil
	}
	return updateGeneral(mu, cov, c)
}

// dropInfiniteRows returns c without the rows whose noise variance is +Inf
// (G nil if none remain).
func dropInfiniteRows(c LinearConstraint, m int) LinearConstraint {
	if c.NoiseVar == nil {
		return c
	}
	var keep []int
	for i, v := range c.NoiseVar {
		if !math.IsInf(v, 1) {
			keep = append(keep, i)
		}
	}
	if len(keep) == m {
		return c
	}
	if len(keep) == 0 {
		return LinearConstraint{}
	}
	_, n := c.G.Dims()
	out := LinearConstraint{G: mat.NewDense(len(keep), n, nil), B: make([]float64, len(keep)), NoiseVar: make([]float64, len(keep))}
	for k, i := range keep {
		out.G.SetRow(k, c.G.RawRowView(i))
		out.B[k] = c.B[i]
		out.NoiseVar[k] = c.NoiseVar[i]
	}
	return out
}

// copyCov returns a deep copy of the package's covariance types, or the
// dense form of any other.
func copyCov(cov Covariance) Covariance {
	switch c := cov.(type) {
	case Diagonal:
		return Diagonal(slices.Clone([]float64(c)))
	case *DiagPlusRank1:
		return &DiagPlusRank1{D: slices.Clone(c.D), V: slices.Clone(c.V), Alpha: c.Alpha}
	case *DiagPlusLowRank:
		out := &DiagPlusLowRank{D: slices.Clone(c.D)}
		if c.U != nil {
			out.U = mat.DenseCopyOf(c.U)
			out.C = mat.NewSymDense(c.C.SymmetricDim(), nil)
			out.C.CopySym(c.C)
		}
		return out
	default:
		return &Full{Sigma: cov.Dense()}
	}
}

// structuredDiag returns the diagonal part D of a structured covariance
// and whether cov is structured, checking D ≥ 0 and finite.
func structuredParts(cov Covariance) (d []float64, u *mat.Dense, cm *mat.SymDense, ok bool) {
	switch c := cov.(type) {
	case Diagonal:
		return c, nil, nil, true
	case *DiagPlusRank1:
		n := len(c.D)
		return c.D, mat.NewDense(n, 1, slices.Clone(c.V)), mat.NewSymDense(1, []float64{c.Alpha}), true
	case *DiagPlusLowRank:
		return c.D, c.U, c.C, true
	}
	return nil, nil, nil, false
}

// updateGeneral is the Cholesky path of [ConservationUpdate] for m ≥ 1 and
// any covariance.
func updateGeneral(mu []float64, cov Covariance, c LinearConstraint) ([]float64, Covariance, error) {
	n := len(mu)
	m, _ := c.G.Dims()
	prior := cov.Diag()
	if !linalg.AllFinite(prior) {
		return nil, nil, fmt.Errorf("%w: in the covariance", ErrNotFinite)
	}
	maxVar := 0.0
	for i, v := range prior {
		if v < 0 {
			return nil, nil, fmt.Errorf("%w: variance %d is %g", ErrNotPSD, i, v)
		}
		maxVar = math.Max(maxVar, v)
	}
	d, u, cm, structured := structuredParts(cov)
	var full *mat.SymDense
	if !structured {
		if f, ok := cov.(*Full); ok {
			full = f.Sigma
		} else {
			full = cov.Dense()
		}
	}
	// P = Σ Gᵀ, n×m.
	p := mat.NewDense(n, m, nil)
	if structured {
		col := make([]float64, n)
		sc := &DiagPlusLowRank{D: d, U: u, C: cm}
		for j := 0; j < m; j++ {
			if _, err := sc.MulVec(col, c.G.RawRowView(j)); err != nil {
				return nil, nil, err
			}
			p.SetCol(j, col)
		}
	} else {
		p.Mul(full, c.G.T())
	}
	// S = G P + diag(σ²), symmetrised.
	var gp mat.Dense
	gp.Mul(c.G, p)
	s := mat.NewSymDense(m, nil)
	for i := 0; i < m; i++ {
		for j := i; j < m; j++ {
			s.SetSym(i, j, 0.5*(gp.At(i, j)+gp.At(j, i)))
		}
		nv := 0.0
		if c.NoiseVar != nil {
			nv = c.NoiseVar[i]
		}
		if sii := s.At(i, i); math.IsNaN(sii) || math.IsInf(sii, 0) {
			return nil, nil, fmt.Errorf("%w: in the covariance (S[%d,%d] = %g)", ErrNotFinite, i, i, sii)
		} else if nv == 0 && !(sii >= minDen) {
			g := c.G.RawRowView(i)
			if sii < -psdTol*maxVar*linalg.Dot(g, g) {
				return nil, nil, fmt.Errorf("%w: row %d has gᵀΣg = %g < 0", ErrNotPSD, i, sii)
			}
			return nil, nil, fmt.Errorf("%w: row %d has gᵀΣg = %g", ErrZeroVariance, i, sii)
		}
		s.SetSym(i, i, s.At(i, i)+nv)
	}
	var chol mat.Cholesky
	if ok := chol.Factorize(s); !ok {
		return nil, nil, fmt.Errorf("%w: Cholesky factorisation of S = GΣGᵀ + diag(σ²) failed", ErrNotPSD)
	}
	// μ̃ = μ − P S⁻¹ (Gμ − b).
	r := mat.NewVecDense(m, nil)
	r.MulVec(c.G, mat.NewVecDense(n, mu))
	for i := range c.B {
		r.SetVec(i, r.AtVec(i)-c.B[i])
	}
	var w mat.VecDense
	if err := chol.SolveVecTo(&w, r); err != nil && !isCondition(err) {
		return nil, nil, fmt.Errorf("%w: S is singular: %v", ErrNotPSD, err)
	}
	mu2 := slices.Clone(mu)
	corr := mat.NewVecDense(n, nil)
	corr.MulVec(p, &w)
	linalg.Axpy(-1, corr.RawVector().Data, mu2)
	if !linalg.AllFinite(mu2) {
		return nil, nil, fmt.Errorf("%w: in the updated mean", ErrNotFinite)
	}
	// X = P U⁻¹ with S = UᵀU, so that P S⁻¹ Pᵀ = X Xᵀ.
	var uf mat.TriDense
	chol.UTo(&uf)
	blas64.Trsm(blas.Right, blas.NoTrans, 1, uf.RawTriangular(), p.RawMatrix())
	x := p
	var out Covariance
	if structured {
		k := 0
		if u != nil {
			_, k = u.Dims()
		}
		u2 := mat.NewDense(n, k+m, nil)
		c2 := mat.NewSymDense(k+m, nil)
		if k > 0 {
			u2.Slice(0, n, 0, k).(*mat.Dense).Copy(u)
			for i := 0; i < k; i++ {
				for j := i; j < k; j++ {
					c2.SetSym(i, j, cm.At(i, j))
				}
			}
		}
		u2.Slice(0, n, k, k+m).(*mat.Dense).Copy(x)
		for i := k; i < k+m; i++ {
			c2.SetSym(i, i, -1)
		}
		out = &DiagPlusLowRank{D: slices.Clone(d), U: u2, C: c2}
	} else {
		s2 := mat.NewSymDense(n, nil)
		s2.CopySym(full)
		s2.SymRankK(s2, -1, x)
		out = &Full{Sigma: s2}
	}
	post := out.Diag()
	for i, v := range post {
		if v < -psdTol*maxVar || math.IsNaN(v) {
			return nil, nil, fmt.Errorf("%w: updated variance %d is %g (prior %g)", ErrNotPSD, i, v, prior[i])
		}
	}
	return mu2, out, nil
}

// ProjectHardC is the HardC baseline of the paper: the Euclidean projection
// of mu onto {u : G u = b}, μ̃ = μ − Gᵀ(GGᵀ + diag(σ²))⁻¹(Gμ − b), which is
// [ConservationUpdate] with Σ = I. It spreads the correction uniformly over
// the grid and leaves the variance unchanged (the caller keeps its own).
// It returns the errors of [ConservationUpdate].
func ProjectHardC(mu []float64, c LinearConstraint) ([]float64, error) {
	ones := make(Diagonal, len(mu))
	for i := range ones {
		ones[i] = 1
	}
	mu2, _, err := ConservationUpdate(mu, ones, c)
	return mu2, err
}

// isCondition reports whether err is only gonum's ill-conditioning warning
// (the solution is still computed).
func isCondition(err error) bool {
	var c mat.Condition
	return errors.As(err, &c)
}

// checkStructure validates the internal shapes of the package's structured
// covariance types.
func checkStructure(cov Covariance) error {
	switch c := cov.(type) {
	case *DiagPlusRank1:
		if len(c.V) != len(c.D) {
			return fmt.Errorf("%w: DiagPlusRank1 has %d diagonal entries and %d in V", ErrDimension, len(c.D), len(c.V))
		}
		if !linalg.AllFinite(c.V) || math.IsNaN(c.Alpha) || math.IsInf(c.Alpha, 0) {
			return fmt.Errorf("%w: in DiagPlusRank1 V or Alpha", ErrNotFinite)
		}
	case *DiagPlusLowRank:
		if c.U == nil {
			return nil
		}
		r, k := c.U.Dims()
		if r != len(c.D) || c.C == nil || c.C.SymmetricDim() != k {
			return fmt.Errorf("%w: DiagPlusLowRank U is %d×%d for %d points, C does not match", ErrDimension, r, k, len(c.D))
		}
	}
	return nil
}
