package problems

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PDE is the linear-quadratic PDE-constrained control problem of the
// paper's code: a state w and a control z on the N×N interior grid of
// [−1, 1]² (h = 2/(N+1), zero Dirichlet boundary),
//
//	min ½‖w − w_true‖² + 0.05‖z‖²  s.t.  (Δₕw)/h² + z = 0,
//
// where Δₕ is the 5-point Laplacian (sum of the 4 neighbours − 4w) and
// w_true(i, j) = sin(4 + 0.1(i − (N+1)/2)/√15) + cos(3 + 0.1(j − (N+1)/2)/√15).
// x = (w, z) with grid point (i, j), 1 ≤ i, j ≤ N, at index (i−1)N + (j−1);
// d = 2N², m = N². It implements constrained.EqProblem and HessVecer and is
// safe for concurrent use.
type PDE struct {
	// N is the number of interior grid points per side.
	N     int
	h2    float64
	wTrue []float64
}

// maxDenseOrder bounds the order of the dense KKT matrix Solution factors
// (2 GB).
const maxDenseOrder = 1 << 14

// NewPDE returns the problem on an N×N grid. It returns an error if N < 1
// or N > 1000 (d = 2·10⁶ variables; the dense Jacobian a solver builds
// would not fit in memory far below that).
func NewPDE(n int) (*PDE, error) {
	if n < 1 || n > 1000 {
		return nil, fmt.Errorf("problems: PDE grid size N = %d must be in [1, 1000]", n)
	}
	h := 2 / float64(n+1)
	p := &PDE{N: n, h2: h * h, wTrue: make([]float64, n*n)}
	mid := float64(n+1) / 2
	for i := 1; i <= n; i++ {
		for j := 1; j <= n; j++ {
			p.wTrue[(i-1)*n+j-1] = math.Sin(4+0.1*(float64(i)-mid)/math.Sqrt(15)) + math.Cos(3+0.1*(float64(j)-mid)/math.Sqrt(15))
		}
	}
	return p, nil
}

// Dims returns (2N², N²).
func (p *PDE) Dims() (d, m int) { return 2 * p.N * p.N, p.N * p.N }

// X0 returns the start point of the paper's code, all ones (λ₀ is all ones too).
func (p *PDE) X0() []float64 {
	d, _ := p.Dims()
	x := make([]float64, d)
	for i := range x {
		x[i] = 1
	}
	return x
}

// WTrue returns the target state (read only).
func (p *PDE) WTrue() []float64 { return p.wTrue }

// Func returns ½‖w − w_true‖² + 0.05‖z‖².
func (p *PDE) Func(x []float64) float64 {
	k := p.N * p.N
	s := 0.0
	for i := range k {
		s += 0.5*sq(x[i]-p.wTrue[i]) + 0.05*x[k+i]*x[k+i]
	}
	return s
}

// Grad stores (w − w_true, 0.1 z) in g.
func (p *PDE) Grad(g, x []float64) {
	k := p.N * p.N
	for i := range k {
		g[i] = x[i] - p.wTrue[i]
		g[k+i] = 0.1 * x[k+i]
	}
}

// Cons stores (Δₕw)/h² + z in c.
func (p *PDE) Cons(c, x []float64) {
	n, k := p.N, p.N*p.N
	for i := range n {
		for j := range n {
			r := i*n + j
			v := -4 * x[r]
			if i > 0 {
				v += x[r-n]
			}
			if i < n-1 {
				v += x[r+n]
			}
			if j > 0 {
				v += x[r-1]
			}
			if j < n-1 {
				v += x[r+1]
			}
			c[r] = v/p.h2 + x[k+r]
		}
	}
}

// Jac stores the constant Jacobian [Δₕ/h², I] in J.
func (p *PDE) Jac(J *mat.Dense, x []float64) {
	J.Zero()
	n, k := p.N, p.N*p.N
	inv := 1 / p.h2
	for i := range n {
		for j := range n {
			r := i*n + j
			J.Set(r, r, -4*inv)
			if i > 0 {
				J.Set(r, r-n, inv)
			}
			if i < n-1 {
				J.Set(r, r+n, inv)
			}
			if j > 0 {
				J.Set(r, r-1, inv)
			}
			if j < n-1 {
				J.Set(r, r+1, inv)
			}
			J.Set(r, k+r, 1)
		}
	}
}

// HessLag stores the constant diag(1,…,1, 0.1,…,0.1) in H.
func (p *PDE) HessLag(H *mat.SymDense, x, l []float64) {
	d, _ := p.Dims()
	k := p.N * p.N
	for i := range d {
		for j := i; j < d; j++ {
			H.SetSym(i, j, 0)
		}
		if i < k {
			H.SetSym(i, i, 1)
		} else {
			H.SetSym(i, i, 0.1)
		}
	}
}

// HessLagVec stores diag(1, 0.1) v in dst.
func (p *PDE) HessLagVec(dst, x, l, v []float64) {
	k := p.N * p.N
	for i := range k {
		dst[i] = v[i]
		dst[k+i] = 0.1 * v[k+i]
	}
}

// Solution returns the exact KKT point (x*, λ*) and f(x*) from a dense LU
// solve of the (linear) KKT system. It returns an error if the system is
// singular.
func (p *PDE) Solution() (x, l []float64, f float64, err error) {
	d, m := p.Dims()
	n := d + m
	if n > maxDenseOrder {
		return nil, nil, 0, fmt.Errorf("problems: PDE.Solution: the dense KKT matrix of order %d exceeds %d (N <= 73)", n, maxDenseOrder)
	}
	J := mat.NewDense(m, d, nil)
	p.Jac(J, nil)
	K := mat.NewDense(n, n, nil)
	rhs := mat.NewVecDense(n, nil)
	k := p.N * p.N
	for i := range d {
		if i < k {
			K.Set(i, i, 1)
			rhs.SetVec(i, p.wTrue[i])
		} else {
			K.Set(i, i, 0.1)
		}
	}
	K.Slice(0, d, d, n).(*mat.Dense).Copy(J.T())
	K.Slice(d, n, 0, d).(*mat.Dense).Copy(J)
	var lu mat.LU
	lu.Factorize(K)
	sol := mat.NewVecDense(n, nil)
	if err := lu.SolveVecTo(sol, false, rhs); err != nil {
		var c mat.Condition
		if !errors.As(err, &c) {
			return nil, nil, 0, err
		}
	}
	x = append([]float64(nil), sol.RawVector().Data[:d]...)
	l = append([]float64(nil), sol.RawVector().Data[d:]...)
	return x, l, p.Func(x), nil
}
