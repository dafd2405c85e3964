package pde

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// DefaultDiffusionAlpha is the neighbour correlation α = 0.9 of the paper's
// "with diffusion" rows.
const DefaultDiffusionAlpha = 0.9

// DiffusionRows returns the paper's optional "w/ diffusion" constraint: the
// n−2 second differences u_{i−1} − 2uᵢ + u_{i+1} = 0 with noise variances
//
//	v_{i−1} + 4vᵢ + v_{i+1} − 4α√(v_{i−1}vᵢ) + 2α²√(v_{i−1}v_{i+1}) − 4α√(vᵢv_{i+1}),
//
// the variance of the second difference under neighbour correlation α,
// computed from the step-1 marginal variances v. Stack it before the mass
// row ([Stack]) or apply it first; the two are the same Gaussian
// conditioning. It returns ErrEmpty for n < 3, ErrSettings unless
// 0 ≤ alpha < 1, and ErrNotFinite/ErrNotPSD for bad variances.
func DiffusionRows(variance []float64, alpha float64) (LinearConstraint, error) {
	n := len(variance)
	if n < 3 {
		return LinearConstraint{}, fmt.Errorf("%w: diffusion rows need 3 points, have %d", ErrEmpty, n)
	}
	if !(alpha >= 0 && alpha < 1) {
		return LinearConstraint{}, fmt.Errorf("%w: diffusion alpha = %g must be in [0, 1)", ErrSettings, alpha)
	}
	if !linalg.AllFinite(variance) {
		return LinearConstraint{}, fmt.Errorf("%w: in the variances", ErrNotFinite)
	}
	for i, v := range variance {
		if v < 0 {
			return LinearConstraint{}, fmt.Errorf("%w: variance %d is %g", ErrNotPSD, i, v)
		}
	}
	m := n - 2
	g := mat.NewDense(m, n, nil)
	nv := make([]float64, m)
	for r := 0; r < m; r++ {
		g.Set(r, r, 1)
		g.Set(r, r+1, -2)
		g.Set(r, r+2, 1)
		a, b, c := variance[r], variance[r+1], variance[r+2]
		v := a + 4*b + c - 4*alpha*math.Sqrt(a*b) + 2*alpha*alpha*math.Sqrt(a*c) - 4*alpha*math.Sqrt(b*c)
		nv[r] = math.Max(v, 0)
	}
	return LinearConstraint{G: g, B: make([]float64, m), NoiseVar: nv}, nil
}

// Stack returns the constraints cs stacked row-wise (a nil NoiseVar counts
// as zeros). It returns ErrDimension if the widths differ and ErrEmpty if
// there are none.
func Stack(cs ...LinearConstraint) (LinearConstraint, error) {
	if len(cs) == 0 {
		return LinearConstraint{}, fmt.Errorf("%w: nothing to stack", ErrEmpty)
	}
	rows, n := 0, -1
	for i, c := range cs {
		if c.G == nil {
			return LinearConstraint{}, fmt.Errorf("%w: constraint %d has no rows", ErrEmpty, i)
		}
		r, cols := c.G.Dims()
		if n >= 0 && cols != n {
			return LinearConstraint{}, fmt.Errorf("%w: constraint %d has width %d, not %d", ErrDimension, i, cols, n)
		}
		if len(c.B) != r || (c.NoiseVar != nil && len(c.NoiseVar) != r) {
			return LinearConstraint{}, fmt.Errorf("%w: constraint %d: b or NoiseVar length", ErrDimension, i)
		}
		n = cols
		rows += r
	}
	out := LinearConstraint{G: mat.NewDense(rows, n, nil), B: make([]float64, 0, rows), NoiseVar: make([]float64, 0, rows)}
	k := 0
	for _, c := range cs {
		r, _ := c.G.Dims()
		for i := 0; i < r; i++ {
			out.G.SetRow(k, c.G.RawRowView(i))
			k++
		}
		out.B = append(out.B, c.B...)
		if c.NoiseVar != nil {
			out.NoiseVar = append(out.NoiseVar, c.NoiseVar...)
		} else {
			out.NoiseVar = append(out.NoiseVar, make([]float64, r)...)
		}
	}
	return out, nil
}
