package problems

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// Logistic is the constrained logistic regression of the paper:
//
//	min (1/N) Σᵢ log(1 + exp(−yᵢ aᵢᵀx))  s.t.  A x = b,  ‖x‖² = 1,
//
// with data rows aᵢ (rows of X), labels yᵢ = ±1, A k×d and b ∈ Rᵏ; m = k+1.
// It implements constrained.EqProblem. It keeps scratch space, so one value
// must not be used by concurrent solves.
type Logistic struct {
	// X is the N×d design matrix, one example aᵢ per row.
	X *linalg.CSR
	// Y holds the N labels, each ±1.
	Y []float64
	// A (k×d) and B (k) define the linear constraints A x = b.
	A *mat.Dense
	B []float64

	t []float64 // scratch: margins
}

// NewLogistic checks the shapes and returns the problem. It returns an error
// if X or A is nil or empty, len(y) ≠ rows of X, a label is not ±1, A's
// width is not the number of features, len(b) ≠ rows of A, k+1 > d, or X,
// A or b hold NaN or ±Inf.
func NewLogistic(X *linalg.CSR, y []float64, A *mat.Dense, b []float64) (*Logistic, error) {
	if X == nil || X.Rows == 0 || A == nil || A.IsEmpty() {
		return nil, errors.New("problems: empty logistic data (X or A is nil or empty)")
	}
	k, d := A.Dims()
	switch {
	case !linalg.AllFinite(X.Val):
		return nil, errors.New("problems: X holds NaN or Inf")
	case !linalg.AllFinite(A.RawMatrix().Data) || !linalg.AllFinite(b):
		return nil, errors.New("problems: A or b holds NaN or Inf")
	case len(y) != X.Rows:
		return nil, fmt.Errorf("problems: %d labels for %d rows", len(y), X.Rows)
	case d != X.Cols:
		return nil, fmt.Errorf("problems: A has %d columns, data %d features", d, X.Cols)
	case len(b) != k:
		return nil, fmt.Errorf("problems: len(b) = %d, A has %d rows", len(b), k)
	case k+1 > d:
		return nil, fmt.Errorf("problems: %d constraints exceed %d features", k+1, d)
	}
	for i, v := range y {
		if v != 1 && v != -1 {
			return nil, fmt.Errorf("problems: label %d is %v, want ±1", i, v)
		}
	}
	return &Logistic{X: X, Y: y, A: A, B: b, t: make([]float64, X.Rows)}, nil
}

// LinearConstraints draws A (k×d) and b (k) with N(0, 1) entries, redrawing b
// until the minimum-norm solution of A x = b has norm < 1, so that
// {Ax = b, ‖x‖ = 1} is non-empty (the spec's recipe). It returns an error
// for a nil rng, k < 1, k > d, or k·d above 10⁸ entries.
func LinearConstraints(rng *rand.Rand, k, d int) (*mat.Dense, []float64, error) {
	switch {
	case rng == nil:
		return nil, nil, errors.New("problems: LinearConstraints: rng is nil")
	case k < 1 || k > d:
		return nil, nil, fmt.Errorf("problems: LinearConstraints: need 1 <= k <= d, have k=%d d=%d", k, d)
	case float64(k)*float64(d) > maxEntries:
		return nil, nil, fmt.Errorf("problems: LinearConstraints: k·d = %d·%d entries exceed %g", k, d, float64(maxEntries))
	}
	A := mat.NewDense(k, d, nil)
	for i := range k {
		for j := range d {
			A.Set(i, j, rng.NormFloat64())
		}
	}
	var aat mat.SymDense
	aat.SymOuterK(1, A)
	var ch mat.Cholesky
	ok := ch.Factorize(&aat)
	b := make([]float64, k)
	for {
		for i := range b {
			b[i] = rng.NormFloat64()
		}
		if !ok {
			return A, b, nil
		}
		var y, x mat.VecDense
		if err := ch.SolveVecTo(&y, mat.NewVecDense(k, b)); err != nil {
			return A, b, nil
		}
		x.MulVec(A.T(), &y)
		if mat.Norm(&x, 2) < 1 {
			return A, b, nil
		}
	}
}

// SyntheticLogistic builds the spec's synthetic instance: n rows
// aᵢ ~ 3 N(0, I_d)/√d, yᵢ = +1 with probability sigmoid(aᵢᵀw₀) (w₀ uniform
// on the unit sphere) and −1 otherwise, and k linear constraints from
// [LinearConstraints]. The spec uses n = 2000, d = 50, k = 10. It returns
// an error for a nil rng, n < 1, k < 1, k+1 > d, or n·d above 10⁸ entries.
func SyntheticLogistic(rng *rand.Rand, n, d, k int) (*Logistic, error) {
	switch {
	case rng == nil:
		return nil, errors.New("problems: SyntheticLogistic: rng is nil")
	case n < 1 || k < 1 || k+1 > d:
		return nil, fmt.Errorf("problems: SyntheticLogistic: need n >= 1 and 1 <= k < d, have n=%d d=%d k=%d", n, d, k)
	case float64(n)*float64(d) > maxEntries:
		return nil, fmt.Errorf("problems: SyntheticLogistic: n·d = %d·%d entries exceed %g", n, d, float64(maxEntries))
	}
	w0 := make([]float64, d)
	for i := range w0 {
		w0[i] = rng.NormFloat64()
	}
	linalg.Scal(1/linalg.Nrm2(w0), w0)
	rows := make([]linalg.Sparse, n)
	y := make([]float64, n)
	row := make([]float64, d)
	s := 3 / math.Sqrt(float64(d))
	for i := range n {
		rows[i].Reset(d)
		for j := range d {
			row[j] = s * rng.NormFloat64()
			rows[i].Append(j, row[j])
		}
		y[i] = -1
		if rng.Float64() < sigmoid(linalg.Dot(row, w0)) {
			y[i] = 1
		}
	}
	X, err := linalg.NewCSRFromRows(d, rows)
	if err != nil {
		return nil, err
	}
	A, b, err := LinearConstraints(rng, k, d)
	if err != nil {
		return nil, err
	}
	return NewLogistic(X, y, A, b)
}

// maxEntries bounds the dense data the generators allocate (800 MB).
const maxEntries = 1e8

// Ones returns a vector of n ones (the paper's x₀ and λ₀); nil for n <= 0.
func Ones(n int) []float64 {
	if n <= 0 {
		return nil
	}
	x := make([]float64, n)
	for i := range x {
		x[i] = 1
	}
	return x
}

func sigmoid(t float64) float64 {
	if t >= 0 {
		return 1 / (1 + math.Exp(-t))
	}
	e := math.Exp(t)
	return e / (1 + e)
}

// softplus returns log(1 + eᵗ) without overflow.
func softplus(t float64) float64 {
	if t > 0 {
		return t + math.Log1p(math.Exp(-t))
	}
	return math.Log1p(math.Exp(t))
}

// Dims returns (d, k+1).
func (p *Logistic) Dims() (d, m int) {
	k, d := p.A.Dims()
	return d, k + 1
}

// Func returns the mean logistic loss.
func (p *Logistic) Func(x []float64) float64 {
	p.X.MulVec(p.t, x)
	s := 0.0
	for i, t := range p.t {
		s += softplus(-p.Y[i] * t)
	}
	return s / float64(len(p.t))
}

// Grad stores the gradient of the mean logistic loss in g.
func (p *Logistic) Grad(g, x []float64) {
	p.X.MulVec(p.t, x)
	inv := 1 / float64(len(p.t))
	for i, t := range p.t {
		p.t[i] = -p.Y[i] * sigmoid(-p.Y[i]*t) * inv
	}
	p.X.MulVecTrans(g, p.t)
}

// Cons stores (A x − b, ‖x‖² − 1) in c.
func (p *Logistic) Cons(c, x []float64) {
	k, _ := p.A.Dims()
	linalg.Copy(c[:k], p.B)
	linalg.Gemv(false, 1, p.A.RawMatrix(), x, -1, c[:k])
	c[k] = linalg.SqNorm(x) - 1
}

// Jac stores [A; 2xᵀ] in J.
func (p *Logistic) Jac(J *mat.Dense, x []float64) {
	k, d := p.A.Dims()
	J.Slice(0, k, 0, d).(*mat.Dense).Copy(p.A)
	for j := range d {
		J.Set(k, j, 2*x[j])
	}
}

// HessLag stores (1/N) Σ σᵢ(1−σᵢ) aᵢaᵢᵀ + 2λ_{k+1} I in H.
func (p *Logistic) HessLag(H *mat.SymDense, x, l []float64) {
	k, d := p.A.Dims()
	p.X.MulVec(p.t, x)
	raw := H.RawSymmetric()
	for i := range d {
		linalg.Zero(raw.Data[i*raw.Stride+i : i*raw.Stride+d])
	}
	inv := 1 / float64(len(p.t))
	for r, t := range p.t {
		s := sigmoid(t)
		w := s * (1 - s) * inv
		idx, val := p.X.Row(r)
		for a, i := range idx {
			// Upper triangle of row i: columns idx[a:].
			linalg.AxpyIdx(w*val[a], val[a:], idx[a:], raw.Data[i*raw.Stride:])
		}
	}
	for i := range d {
		raw.Data[i*raw.Stride+i] += 2 * l[k]
	}
}
