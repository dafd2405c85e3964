package pde

import (
	"fmt"
	"math"
)

// Residual is a pointwise PDE residual F_p(u, u_t, u_x, u_xx) for
// PI-HC-MoE, with its analytic partial derivatives, so that the Jacobian of
// the constraint rows and the IFT cotangent are generic:
// ∂r_p/∂ω = dU·B_p + dUt·(B_t)_p + dUx·(B_x)_p + dUxx·(B_xx)_p.
type Residual interface {
	// Eval returns F at grid node p (its flat index, for source terms)
	// and ∂F/∂(u, u_t, u_x, u_xx).
	Eval(p int, u, ut, ux, uxx float64) (r float64, d [4]float64)
}

// Forced is a Residual minus a source term: r_p = F_p − Source[p]
// (Source has one value per grid node). It makes manufactured solutions.
// [HardConstraint] checks the length of Source against its grid before
// any call; Eval itself assumes a valid node index.
type Forced struct {
	F      Residual
	Source []float64
}

// Eval returns F's value minus Source[p], with F's partials.
func (f Forced) Eval(p int, u, ut, ux, uxx float64) (float64, [4]float64) {
	r, d := f.F.Eval(p, u, ut, ux, uxx)
	return r - f.Source[p], d
}

// DiffusionSorption is the residual r = u_τ − Kappa·h(u)·u_xx of the
// diffusion–sorption equation in normalised time, with h = 1/R and the
// retardation factor R(u) = 1 + 2.156911·(u + 1e-6)^(n_f − 1), n_f = 0.874,
// for u > 0 and R = 1 + 2.156911·(1e-6)^(n_f − 1) for u ≤ 0 (the clamp of
// the official code). With τ = t/500 s and D = 5e-4, Kappa = 0.25.
type DiffusionSorption struct {
	// Kappa is the diffusion coefficient in the residual's time unit.
	Kappa float64
}

// Constants of the diffusion–sorption retardation factor (PDEBench): φ =
// 0.29, ρ_s = 2880, k = 3.5e-4, n_f = 0.874 give
// ((1−φ)/φ)·ρ_s·k·n_f = 2.156911.
const (
	dsCoef = (1 - 0.29) / 0.29 * 2880 * 3.5e-4 * 0.874
	dsNf   = 0.874
	dsEps  = 1e-6
)

// Retardation returns R(u) and dR/du of the diffusion–sorption equation
// (clamped as described at [DiffusionSorption]).
func Retardation(u float64) (r, dr float64) {
	if u <= 0 {
		return 1 + dsCoef*math.Pow(dsEps, dsNf-1), 0
	}
	p := math.Pow(u+dsEps, dsNf-1)
	return 1 + dsCoef*p, dsCoef * (dsNf - 1) * p / (u + dsEps)
}

// Eval returns r = u_t − κ h(u) u_xx and its partials
// (−κ h'(u) u_xx, 1, 0, −κ h(u)).
func (ds DiffusionSorption) Eval(_ int, u, ut, _, uxx float64) (float64, [4]float64) {
	r, dr := Retardation(u)
	h := 1 / r
	dh := -dr / (r * r)
	return ut - ds.Kappa*h*uxx, [4]float64{-ds.Kappa * dh * uxx, 1, 0, -ds.Kappa * h}
}

// Heat is the linear residual r = u_t − Kappa·u_xx (the affine case of the
// gradient test).
type Heat struct {
	// Kappa is the diffusivity.
	Kappa float64
}

// Eval returns r = u_t − κ u_xx and its constant partials.
func (h Heat) Eval(_ int, _, ut, _, uxx float64) (float64, [4]float64) {
	return ut - h.Kappa*uxx, [4]float64{0, 1, 0, -h.Kappa}
}

// LinearRows are affine rows on a grid vector u: row k is
// Σ_l W[k][l]·u[Idx[k][l]] − Y[k]. PI-HC-MoE uses them for the initial and
// boundary conditions, which every expert sees in full.
type LinearRows struct {
	Idx [][]int
	W   [][]float64
	Y   []float64
}

// Len returns the number of rows.
func (c *LinearRows) Len() int {
	if c == nil {
		return 0
	}
	return len(c.Y)
}

// validate checks the rows against a grid of n nodes.
func (c *LinearRows) validate(n int) error {
	if c == nil {
		return nil
	}
	if len(c.Idx) != len(c.Y) || len(c.W) != len(c.Y) {
		return fmt.Errorf("%w: condition rows: %d index lists, %d weight lists, %d targets", ErrDimension, len(c.Idx), len(c.W), len(c.Y))
	}
	for k := range c.Y {
		if len(c.Idx[k]) != len(c.W[k]) {
			return fmt.Errorf("%w: condition row %d has %d indices and %d weights", ErrDimension, k, len(c.Idx[k]), len(c.W[k]))
		}
		for l, p := range c.Idx[k] {
			if p < 0 || p >= n {
				return fmt.Errorf("%w: condition row %d uses node %d of a grid of %d", ErrDimension, k, p, n)
			}
			if w := c.W[k][l]; math.IsNaN(w) || math.IsInf(w, 0) {
				return fmt.Errorf("%w: condition row %d weight %d", ErrNotFinite, k, l)
			}
		}
		if math.IsNaN(c.Y[k]) || math.IsInf(c.Y[k], 0) {
			return fmt.Errorf("%w: condition row %d target", ErrNotFinite, k)
		}
	}
	return nil
}

// Eval returns the row values for the grid vector u (nil dst allocates).
// It returns ErrDimension for a dst of the wrong length or rows that use
// nodes outside u.
func (c *LinearRows) Eval(dst, u []float64) ([]float64, error) {
	if err := c.validate(len(u)); err != nil {
		return nil, err
	}
	if dst, err := dstOf(dst, c.Len(), "dst"); err != nil {
		return nil, err
	} else {
		for k := range dst {
			v := -c.Y[k]
			for l, p := range c.Idx[k] {
				v += c.W[k][l] * u[p]
			}
			dst[k] = v
		}
		return dst, nil
	}
}

// DiffusionSorptionConditions returns the condition rows of the reduced
// diffusion–sorption setup on g (x from 0 to 1, D the physical diffusion
// coefficient): the relative initial condition (u(0, x_i) − u0_i)/u0_i on
// the whole x-grid, and for every t_j > 0 the Dirichlet row u(t_j, 0) − 1
// and the Robin row u(t_j, 1) − D·u_x(t_j, 1) with dx's one-sided stencil.
// It returns ErrDimension if u0 has not NX values or dx is not an x
// stencil of g, ErrSettings if some u0_i ≤ 0 or D is not finite.
func DiffusionSorptionConditions(g *Grid, dx *Stencil, u0 []float64, d float64) (*LinearRows, error) {
	if g == nil || dx == nil || dx.grid.NT != g.NT || dx.grid.NX != g.NX || dx.axis != AxisX || dx.order != 1 {
		return nil, fmt.Errorf("%w: need a grid and its first-order x stencil", ErrDimension)
	}
	if len(u0) != g.NX {
		return nil, fmt.Errorf("%w: u0 has %d values, grid has %d x-nodes", ErrDimension, len(u0), g.NX)
	}
	if math.IsNaN(d) || math.IsInf(d, 0) {
		return nil, fmt.Errorf("%w: D = %g", ErrSettings, d)
	}
	c := &LinearRows{}
	for i, v := range u0 {
		if !(v > 0) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: u0[%d] = %g must be positive and finite (relative IC rows divide by it)", ErrSettings, i, v)
		}
		c.Idx = append(c.Idx, []int{g.Index(0, i)})
		c.W = append(c.W, []float64{1 / v})
		c.Y = append(c.Y, 1)
	}
	for j := 1; j < g.NT; j++ {
		c.Idx = append(c.Idx, []int{g.Index(j, 0)})
		c.W = append(c.W, []float64{1})
		c.Y = append(c.Y, 1)
		p := g.Index(j, g.NX-1)
		idx, w, _ := dx.Row(p)
		row := []int{p}
		ws := []float64{1}
		for l := range idx {
			row = append(row, idx[l])
			ws = append(ws, -d*w[l])
		}
		c.Idx = append(c.Idx, row)
		c.W = append(c.W, ws)
		c.Y = append(c.Y, 0)
	}
	return c, nil
}
