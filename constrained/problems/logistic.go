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
// if X has no rows, len(y) ≠ rows of X, a label is not ±1, A's width is not
// the number of features, len(b) ≠ rows of A, or k+1 > d.
func NewLogistic(X *linalg.CSR, y []float64, A *mat.Dense, b []float64) (*Logistic, error) {
	if X == nil || X.Rows == 0 || A == nil {
		return nil, errors.New("problems: empty logistic data")
	}
	k, d := A.Dims()
	switch {
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
// {Ax = b, ‖x‖ = 1} is non-empty (the spec's recipe). It panics if k > d.
func LinearConstraints(rng *rand.Rand, k, d int) (*mat.Dense, []float64) {
	if k > d {
		panic("problems: k > d")
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
			return A, b
		}
		var y, x mat.VecDense
		if err := ch.SolveVecTo(&y, mat.NewVecDense(k, b)); err != nil {
			return A, b
		}
		x.MulVec(A.T(), &y)
		if mat.Norm(&x, 2) < 1 {
			return A, b
		}
	}
}

// SyntheticLogistic builds the spec's synthetic instance: n rows
// aᵢ ~ 3 N(0, I_d)/√d, yᵢ = +1 with probability sigmoid(aᵢᵀw₀) (w₀ uniform
// on the unit sphere) and −1 otherwise, and k linear constraints from
// [LinearConstraints]. The spec uses n = 2000, d = 50, k = 10.
func SyntheticLogistic(rng *rand.Rand, n, d, k int) *Logistic {
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
		panic(err) // indices are in range by construction
	}
	A, b := LinearConstraints(rng, k, d)
	p, err := NewLogistic(X, y, A, b)
	if err != nil {
		panic(err)
	}
	return p
}

// Ones returns a vector of n ones (the paper's x₀ and λ₀).
func Ones(n int) []float64 {
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
