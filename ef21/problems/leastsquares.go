package problems

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/mat"
)

// ErrInput reports invalid problem data: no clients, an empty client,
// mismatched sizes, NaN or Inf.
var ErrInput = errors.New("problems: invalid input")

// LeastSquares is the distributed least-squares problem
//
//	f(x) = (1/n) Σᵢ fᵢ(x),  fᵢ(x) = (1/(2mᵢ)) ‖Aᵢx − bᵢ‖²,
//
// with client i holding the dense mᵢ × d matrix Aᵢ and bᵢ. Its smoothness
// constants are exact: Lᵢ = λmax(AᵢᵀAᵢ)/mᵢ and L = λmax((1/n)Σᵢ AᵢᵀAᵢ/mᵢ),
// from gonum's symmetric eigendecomposition. Its minimiser comes from the
// normal equations (Cholesky). It implements the ef21 Oracle, StochOracle
// and Smooth interfaces; Grad and StochGrad are safe for concurrent calls
// with distinct i.
type LeastSquares struct {
	d     int
	a     [][]float64 // a[i]: mᵢ × d, row-major
	b     [][]float64
	res   [][]float64 // per-client residual scratch
	li    []float64
	l     float64
	xstar []float64
	fstar float64
	supp  [][]int // columns where Aᵢ has a nonzero
}

// NewLeastSquares returns the problem with client matrices a[i] (mᵢ × d,
// row-major, len(a[i]) = mᵢ·d) and targets b[i] (len mᵢ). The data are
// copied. It returns an error wrapping ErrInput for no client, an empty
// client, inconsistent sizes, d outside [1, 8192] (the d × d Gram matrices
// are dense), NaN or Inf, or a singular AᵀA.
func NewLeastSquares(d int, a, b [][]float64) (*LeastSquares, error) {
	n := len(a)
	if n == 0 || d < 1 || d > 1<<13 || len(b) != n {
		return nil, fmt.Errorf("%w: %d clients, d = %d, %d targets", ErrInput, n, d, len(b))
	}
	p := &LeastSquares{d: d, a: make([][]float64, n), b: make([][]float64, n), res: make([][]float64, n), li: make([]float64, n)}
	h := mat.NewSymDense(d, nil)
	rhs := make([]float64, d)
	for i := range n {
		m := len(b[i])
		if m == 0 || len(a[i]) != m*d {
			return nil, fmt.Errorf("%w: client %d: %d targets, %d matrix entries, want m·%d with m ≥ 1", ErrInput, i, m, len(a[i]), d)
		}
		if !linalg.AllFinite(a[i]) || !linalg.AllFinite(b[i]) {
			return nil, fmt.Errorf("%w: client %d: NaN or Inf", ErrInput, i)
		}
		p.a[i] = append([]float64(nil), a[i]...)
		p.b[i] = append([]float64(nil), b[i]...)
		p.res[i] = make([]float64, m)
		var supp []int
		for c := range d {
			for r := range m {
				if p.a[i][r*d+c] != 0 {
					supp = append(supp, c)
					break
				}
			}
		}
		p.supp = append(p.supp, supp)
		ai := mat.NewDense(m, d, p.a[i])
		var hi mat.SymDense
		hi.SymOuterK(1/float64(m), ai.T())
		p.li[i] = lambdaMax(&hi)
		h.AddSym(h, &hi)
		for r := range m {
			linalg.Axpy(p.b[i][r]/float64(m*n), p.a[i][r*d:(r+1)*d], rhs)
		}
	}
	h.ScaleSym(1/float64(n), h)
	p.l = lambdaMax(h)
	var ch mat.Cholesky
	if !ch.Factorize(h) {
		return nil, fmt.Errorf("%w: AᵀA is singular", ErrInput)
	}
	xs := mat.NewVecDense(d, nil)
	if err := ch.SolveVecTo(xs, mat.NewVecDense(d, rhs)); err != nil {
		return nil, fmt.Errorf("%w: normal equations: %v", ErrInput, err)
	}
	p.xstar = xs.RawVector().Data
	p.fstar = p.Value(p.xstar)
	return p, nil
}

// maxDense bounds the matrix entries NewHeterogeneous draws (n·m·d) and the
// dimension of NewLeastSquares (whose d × d Gram matrices it factorises).
const maxDense = 1 << 26

// badCall fills dst with NaN and returns NaN: the answer of an oracle
// method to arguments it cannot use (it has no error result).
func badCall(dst []float64) float64 {
	for k := range dst {
		dst[k] = math.NaN()
	}
	return math.NaN()
}

// NewHeterogeneous draws the synthetic problem R1 of the spec: x_true ~ N(0, I);
// client i's m × d matrix has N(0, sᵢ²) entries with
// sᵢ = spread^(i/(2(n−1))), so that Lᵢ ∝ spread^(i/(n−1)); and
// bᵢ = Aᵢx_true + 0.1·sᵢ·N(0, 1). Draw order: x_true, then for each client
// its matrix row by row and then its noise.
func NewHeterogeneous(n, d, m int, spread float64, rng *rand.Rand) (*LeastSquares, error) {
	switch {
	case rng == nil:
		return nil, fmt.Errorf("%w: nil rng", ErrInput)
	case n < 1 || d < 1 || m < 1 || !(spread >= 1) || math.IsInf(spread, 0):
		return nil, fmt.Errorf("%w: n = %d, d = %d, m = %d, spread = %v", ErrInput, n, d, m, spread)
	case d > maxDense || m > maxDense/d || n > maxDense/(m*d):
		return nil, fmt.Errorf("%w: n·m·d = %d·%d·%d entries exceed %d", ErrInput, n, m, d, maxDense)
	}
	xt := make([]float64, d)
	for j := range xt {
		xt[j] = rng.NormFloat64()
	}
	a, b := make([][]float64, n), make([][]float64, n)
	for i := range n {
		s := 1.0
		if n > 1 {
			s = math.Pow(spread, float64(i)/float64(2*(n-1)))
		}
		a[i] = make([]float64, m*d)
		for k := range a[i] {
			a[i][k] = s * rng.NormFloat64()
		}
		b[i] = make([]float64, m)
		for r := range m {
			b[i][r] = linalg.Dot(a[i][r*d:(r+1)*d], xt) + 0.1*s*rng.NormFloat64()
		}
	}
	return NewLeastSquares(d, a, b)
}

// NewR1 returns problem R1 of the spec with its sizes: n = 20 clients,
// d = 30, m = 40 rows per client.
func NewR1(spread float64, rng *rand.Rand) (*LeastSquares, error) {
	return NewHeterogeneous(20, 30, 40, spread, rng)
}

// N returns the number of clients.
func (p *LeastSquares) N() int { return len(p.a) }

// Dim returns d.
func (p *LeastSquares) Dim() int { return p.d }

// Grad writes ∇fᵢ(x) = Aᵢᵀ(Aᵢx − bᵢ)/mᵢ into dst and returns fᵢ(x). For i
// outside [0, N()) or dst or x not of length Dim() it returns NaN (and
// fills dst with NaN), which ef21.Run reports as ErrNotFinite.
func (p *LeastSquares) Grad(i int, dst, x []float64) float64 {
	if i < 0 || i >= len(p.a) || len(dst) != p.d || len(x) != p.d {
		return badCall(dst)
	}
	a, b, r := p.a[i], p.b[i], p.res[i]
	d := p.d
	f := 0.0
	for k := range r {
		r[k] = linalg.Dot(a[k*d:(k+1)*d], x) - b[k]
		f += r[k] * r[k]
	}
	linalg.Zero(dst)
	m := float64(len(r))
	for k, v := range r {
		linalg.Axpy(v/m, a[k*d:(k+1)*d], dst)
	}
	return f / (2 * m)
}

// StochGrad writes (1/B) Σ_{k∈S} aₖ(aₖᵀx − bₖ) into dst, for B = batch rows
// S of client i drawn uniformly with replacement: an unbiased estimate of
// ∇fᵢ(x). Invalid arguments (as for Grad, or batch < 1 or a nil rng) fill
// dst with NaN.
func (p *LeastSquares) StochGrad(i int, dst, x []float64, batch int, rng *rand.Rand) {
	if i < 0 || i >= len(p.a) || len(dst) != p.d || len(x) != p.d || batch < 1 || rng == nil {
		badCall(dst)
		return
	}
	a, b := p.a[i], p.b[i]
	d := p.d
	linalg.Zero(dst)
	for range batch {
		k := rng.IntN(len(b))
		row := a[k*d : (k+1)*d]
		linalg.Axpy((linalg.Dot(row, x)-b[k])/float64(batch), row, dst)
	}
}

// Value returns f(x), or NaN if len(x) ≠ Dim().
func (p *LeastSquares) Value(x []float64) float64 {
	if len(x) != p.d {
		return math.NaN()
	}
	f := 0.0
	d := p.d
	for i, a := range p.a {
		s := 0.0
		for k, bk := range p.b[i] {
			r := linalg.Dot(a[k*d:(k+1)*d], x) - bk
			s += r * r
		}
		f += s / (2 * float64(len(p.b[i])))
	}
	return f / float64(len(p.a))
}

// LocalSmoothness returns Lᵢ = λmax(AᵢᵀAᵢ)/mᵢ, or NaN for i outside
// [0, N()).
func (p *LeastSquares) LocalSmoothness(i int) float64 {
	if i < 0 || i >= len(p.li) {
		return math.NaN()
	}
	return p.li[i]
}

// Smoothness returns L = λmax((1/n) Σᵢ AᵢᵀAᵢ/mᵢ).
func (p *LeastSquares) Smoothness() float64 { return p.l }

// Support returns the columns in which Aᵢ has a nonzero entry, outside
// which ∇fᵢ is 0 (read only), or nil for i outside [0, N()).
func (p *LeastSquares) Support(i int) []int {
	if i < 0 || i >= len(p.supp) {
		return nil
	}
	return p.supp[i]
}

// Minimum returns the minimiser x* (a copy) and f* = f(x*).
func (p *LeastSquares) Minimum() ([]float64, float64) {
	return append([]float64(nil), p.xstar...), p.fstar
}
