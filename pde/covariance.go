package pde

import (
	"fmt"
	"slices"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// Diagonal is the covariance diag(s₁², …, sₙ²) of independent marginals, the
// form an attentive neural process (and [DiagModel]) returns.
type Diagonal []float64

// DiagPlusRank1 is the covariance Σ = diag(D) + Alpha·V Vᵀ. The O(n)
// conservation update of a [Diagonal] returns it with V = D∘g and
// Alpha = −1/(gᵀDg + σ²); it is never densified unless Dense is called.
type DiagPlusRank1 struct {
	D     []float64
	V     []float64
	Alpha float64
}

// DiagPlusLowRank is the covariance Σ = diag(D) + U C Uᵀ with U n×k and C
// k×k symmetric (possibly indefinite, as long as Σ is PSD). Updates with
// m > 1 constraints of a structured covariance, and averages of
// [DiagPlusRank1] covariances, return it.
type DiagPlusLowRank struct {
	D []float64
	U *mat.Dense
	C *mat.SymDense
}

// Full is a dense covariance matrix.
type Full struct {
	Sigma *mat.SymDense
}

var (
	_ Covariance = Diagonal(nil)
	_ Covariance = (*DiagPlusRank1)(nil)
	_ Covariance = (*DiagPlusLowRank)(nil)
	_ Covariance = (*Full)(nil)
)

// Dim returns n.
func (d Diagonal) Dim() int { return len(d) }

// Diag returns a copy of the variances.
func (d Diagonal) Diag() []float64 { return slices.Clone([]float64(d)) }

// Dense returns diag(d) as a dense matrix.
func (d Diagonal) Dense() *mat.SymDense {
	s := mat.NewSymDense(len(d), nil)
	for i, v := range d {
		s.SetSym(i, i, v)
	}
	return s
}

// MulVec sets dst = Σx and returns dst. A nil dst is allocated; a dst or
// x whose length is not n is an error wrapping [ErrDimension].
func (d Diagonal) MulVec(dst, x []float64) ([]float64, error) {
	dst, err := prepareDst(dst, x, len(d))
	if err != nil {
		return nil, err
	}
	for i, v := range d {
		dst[i] = v * x[i]
	}
	return dst, nil
}

// prepareDst applies the library's nil-dst rule for a length-n result: nil
// is allocated, any other length (of dst or of the input x) is an error.
func prepareDst(dst, x []float64, n int) ([]float64, error) {
	if len(x) != n {
		return nil, fmt.Errorf("%w: x has %d entries, Σ is %d×%d", ErrDimension, len(x), n, n)
	}
	return dstOf(dst, n, "dst")
}

// Dim returns n.
func (c *DiagPlusRank1) Dim() int { return len(c.D) }

// Diag returns Dᵢ + Alpha·Vᵢ².
func (c *DiagPlusRank1) Diag() []float64 {
	out := make([]float64, len(c.D))
	for i, d := range c.D {
		out[i] = d + c.Alpha*c.V[i]*c.V[i]
	}
	return out
}

// Dense returns Σ as a dense matrix (O(n²) memory).
func (c *DiagPlusRank1) Dense() *mat.SymDense {
	n := len(c.D)
	s := mat.NewSymDense(n, nil)
	s.SymRankOne(s, c.Alpha, mat.NewVecDense(n, slices.Clone(c.V)))
	for i, d := range c.D {
		s.SetSym(i, i, s.At(i, i)+d)
	}
	return s
}

// MulVec sets dst = Σx in O(n) and returns dst. A nil dst is allocated; a
// dst or x whose length is not n, or a V of another length than D, is an
// error wrapping [ErrDimension].
func (c *DiagPlusRank1) MulVec(dst, x []float64) ([]float64, error) {
	if len(c.V) != len(c.D) {
		return nil, fmt.Errorf("%w: DiagPlusRank1 has %d diagonal entries and %d in V", ErrDimension, len(c.D), len(c.V))
	}
	dst, err := prepareDst(dst, x, len(c.D))
	if err != nil {
		return nil, err
	}
	a := c.Alpha * linalg.Dot(c.V, x)
	for i, d := range c.D {
		dst[i] = d*x[i] + a*c.V[i]
	}
	return dst, nil
}

// Dim returns n.
func (c *DiagPlusLowRank) Dim() int { return len(c.D) }

// Diag returns Dᵢ + (U C Uᵀ)ᵢᵢ in O(nk²).
func (c *DiagPlusLowRank) Diag() []float64 {
	n := len(c.D)
	out := slices.Clone(c.D)
	if c.U == nil {
		return out
	}
	_, k := c.U.Dims()
	var uc mat.Dense
	uc.Mul(c.U, c.C)
	for i := 0; i < n; i++ {
		out[i] += linalg.Dot(uc.RawRowView(i)[:k], c.U.RawRowView(i)[:k])
	}
	return out
}

// Dense returns Σ as a dense matrix (O(n²k)).
func (c *DiagPlusLowRank) Dense() *mat.SymDense {
	n := len(c.D)
	s := mat.NewSymDense(n, nil)
	if c.U != nil {
		var uc, ucu mat.Dense
		uc.Mul(c.U, c.C)
		ucu.Mul(&uc, c.U.T())
		for i := 0; i < n; i++ {
			for j := i; j < n; j++ {
				s.SetSym(i, j, 0.5*(ucu.At(i, j)+ucu.At(j, i)))
			}
		}
	}
	for i, d := range c.D {
		s.SetSym(i, i, s.At(i, i)+d)
	}
	return s
}

// MulVec sets dst = Σx in O(nk) and returns dst. A nil dst is allocated;
// a dst or x whose length is not n, or U and C of other sizes, is an error
// wrapping [ErrDimension].
func (c *DiagPlusLowRank) MulVec(dst, x []float64) ([]float64, error) {
	n := len(c.D)
	if err := checkStructure(c); err != nil {
		return nil, err
	}
	dst, err := prepareDst(dst, x, n)
	if err != nil {
		return nil, err
	}
	if c.U == nil {
		for i, d := range c.D {
			dst[i] = d * x[i]
		}
		return dst, nil
	}
	_, k := c.U.Dims()
	ux := mat.NewVecDense(k, nil)
	ux.MulVec(c.U.T(), mat.NewVecDense(n, x))
	cux := mat.NewVecDense(k, nil)
	cux.MulVec(c.C, ux)
	out := mat.NewVecDense(n, dst)
	out.MulVec(c.U, cux)
	for i, d := range c.D {
		dst[i] += d * x[i]
	}
	return dst, nil
}

// Dim returns n (0 for a nil Sigma).
func (c *Full) Dim() int {
	if c.Sigma == nil {
		return 0
	}
	return c.Sigma.SymmetricDim()
}

// Diag returns the diagonal of Sigma.
func (c *Full) Diag() []float64 {
	n := c.Dim()
	out := make([]float64, n)
	for i := range out {
		out[i] = c.Sigma.At(i, i)
	}
	return out
}

// Dense returns a copy of Sigma.
func (c *Full) Dense() *mat.SymDense {
	s := mat.NewSymDense(c.Dim(), nil)
	s.CopySym(c.Sigma)
	return s
}

// MulVec sets dst = Σx and returns dst. A nil dst is allocated (the
// library's nil-dst rule); a dst or x whose length is not n, or a nil or
// empty Sigma, is an error wrapping [ErrDimension].
func (c *Full) MulVec(dst, x []float64) ([]float64, error) {
	n := c.Dim()
	if n == 0 {
		return nil, fmt.Errorf("%w: Full has no Sigma", ErrDimension)
	}
	dst, err := prepareDst(dst, x, n)
	if err != nil {
		return nil, err
	}
	mat.NewVecDense(n, dst).MulVec(c.Sigma, mat.NewVecDense(n, x))
	return dst, nil
}
