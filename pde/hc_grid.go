package pde

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MaxGridNodes is the largest grid [NewGrid] accepts (nt·nx nodes).
const MaxGridNodes = 1 << 24

// Grid is a uniform space-time grid of NT×NX nodes for PI-HC-MoE: node
// (j, i) sits at t = j·DT, x = i·DX and has the flat index p = j·NX + i
// (time-major), the layout of every grid vector and of the rows of a basis
// matrix. Build it with [NewGrid].
type Grid struct {
	NT, NX int
	DT, DX float64
}

// NewGrid returns the grid of nt×nx nodes with spacings dt and dx. It
// returns an error wrapping ErrSettings for fewer than 2 nodes per axis,
// more than [MaxGridNodes] nodes, or spacings that are not positive and
// finite.
func NewGrid(nt, nx int, dt, dx float64) (*Grid, error) {
	if nt < 2 || nx < 2 || nt > MaxGridNodes/nx {
		return nil, fmt.Errorf("%w: grid %d×%d (need ≥ 2 per axis, ≤ %d nodes)", ErrSettings, nt, nx, MaxGridNodes)
	}
	if !(dt > 0) || !(dx > 0) || math.IsInf(dt, 0) || math.IsInf(dx, 0) {
		return nil, fmt.Errorf("%w: spacings dt = %g, dx = %g must be positive and finite", ErrSettings, dt, dx)
	}
	return &Grid{NT: nt, NX: nx, DT: dt, DX: dx}, nil
}

// Size returns the number of nodes NT·NX.
func (g *Grid) Size() int { return g.NT * g.NX }

// Index returns the flat index of node (j, i).
func (g *Grid) Index(j, i int) int { return j*g.NX + i }

// Interior returns the nodes with time index ≥ 1 and interior x
// (1 ≤ i ≤ NX−2), the node set of the PDE rows and of the PDE loss.
func (g *Grid) Interior() []int {
	out := make([]int, 0, (g.NT-1)*(g.NX-2))
	for j := 1; j < g.NT; j++ {
		for i := 1; i < g.NX-1; i++ {
			out = append(out, g.Index(j, i))
		}
	}
	return out
}

// Axis selects the grid direction of a [Stencil].
type Axis int

// Axes.
const (
	// AxisT is the time direction (index j).
	AxisT Axis = iota
	// AxisX is the space direction (index i).
	AxisX
)

// tap is one weight of a stencil row: the node offset along the axis and
// its weight.
type tap struct {
	k int
	w float64
}

// Stencil is a finite-difference operator D on the vectors of one [Grid],
// acting along one axis: the first derivative is central inside and
// first-order one-sided at the two ends; the second derivative is the first
// applied twice (as in the official code), so that the constraint rows and
// the loss use the same operator. Build it with [NewStencil]; it is
// read-only and safe for concurrent use.
type Stencil struct {
	grid  *Grid
	axis  Axis
	order int
	rows  [][]tap // rows[a]: taps of the 1-D operator at axis position a
}

// NewStencil returns the derivative of the given order (1 or 2) along axis
// on g. It returns an error wrapping ErrSettings for a nil grid, an unknown
// axis or order.
func NewStencil(g *Grid, axis Axis, order int) (*Stencil, error) {
	if g == nil || g.NT < 2 || g.NX < 2 {
		return nil, fmt.Errorf("%w: stencil needs a grid from NewGrid", ErrSettings)
	}
	if axis != AxisT && axis != AxisX {
		return nil, fmt.Errorf("%w: unknown axis %d", ErrSettings, axis)
	}
	if order != 1 && order != 2 {
		return nil, fmt.Errorf("%w: derivative order %d (want 1 or 2)", ErrSettings, order)
	}
	n, h := g.NT, g.DT
	if axis == AxisX {
		n, h = g.NX, g.DX
	}
	d1 := firstDerivative(n, h)
	rows := d1
	if order == 2 {
		rows = compose(d1, d1, n)
	}
	return &Stencil{grid: g, axis: axis, order: order, rows: rows}, nil
}

// firstDerivative returns the rows of the 1-D first-derivative operator on
// n nodes of spacing h.
func firstDerivative(n int, h float64) [][]tap {
	rows := make([][]tap, n)
	rows[0] = []tap{{0, -1 / h}, {1, 1 / h}}
	rows[n-1] = []tap{{n - 2, -1 / h}, {n - 1, 1 / h}}
	for a := 1; a < n-1; a++ {
		rows[a] = []tap{{a - 1, -0.5 / h}, {a + 1, 0.5 / h}}
	}
	return rows
}

// compose returns the rows of the product A·B of two 1-D operators.
func compose(a, b [][]tap, n int) [][]tap {
	out := make([][]tap, n)
	acc := make(map[int]float64)
	for r := range a {
		clear(acc)
		for _, ta := range a[r] {
			for _, tb := range b[ta.k] {
				acc[tb.k] += ta.w * tb.w
			}
		}
		for k := max(0, r-4); k <= min(n-1, r+4); k++ {
			if w, ok := acc[k]; ok && w != 0 {
				out[r] = append(out[r], tap{k, w})
			}
		}
	}
	return out
}

// Grid returns the grid the stencil was built for.
func (s *Stencil) Grid() *Grid { return s.grid }

// Row returns the taps of row p of D on the grid: the flat indices and
// weights with (Du)_p = Σ w·u[idx]. It returns ErrDimension for p outside
// the grid.
func (s *Stencil) Row(p int) (idx []int, w []float64, err error) {
	if p < 0 || p >= s.grid.Size() {
		return nil, nil, fmt.Errorf("%w: node %d outside a grid of %d", ErrDimension, p, s.grid.Size())
	}
	j, i := p/s.grid.NX, p%s.grid.NX
	a, stride, base := j, s.grid.NX, i
	if s.axis == AxisX {
		a, stride, base = i, 1, j*s.grid.NX
	}
	for _, t := range s.rows[a] {
		idx = append(idx, base+t.k*stride)
		w = append(w, t.w)
	}
	return idx, w, nil
}

// check validates a grid vector and a destination (nil-dst rule).
func (s *Stencil) check(dst, u []float64) ([]float64, error) {
	n := s.grid.Size()
	if len(u) != n {
		return nil, fmt.Errorf("%w: vector of %d values on a grid of %d×%d", ErrDimension, len(u), s.grid.NT, s.grid.NX)
	}
	return dstOf(dst, n, "dst")
}

// Apply sets dst = D u and returns dst (nil dst is allocated). It returns
// ErrDimension if u or a non-nil dst does not have one value per node.
// dst must not alias u.
func (s *Stencil) Apply(dst, u []float64) ([]float64, error) {
	dst, err := s.check(dst, u)
	if err != nil {
		return nil, err
	}
	s.apply(dst, u, false)
	return dst, nil
}

// ApplyT sets dst = Dᵀ v and returns dst, with the rules of [Stencil.Apply].
func (s *Stencil) ApplyT(dst, v []float64) ([]float64, error) {
	dst, err := s.check(dst, v)
	if err != nil {
		return nil, err
	}
	clear(dst)
	s.apply(dst, v, true)
	return dst, nil
}

// apply computes dst = D u, or dst += Dᵀ u when trans.
func (s *Stencil) apply(dst, u []float64, trans bool) {
	g := s.grid
	for j := 0; j < g.NT; j++ {
		for i := 0; i < g.NX; i++ {
			p := j*g.NX + i
			a, stride, base := j, g.NX, i
			if s.axis == AxisX {
				a, stride, base = i, 1, j*g.NX
			}
			if trans {
				for _, t := range s.rows[a] {
					dst[base+t.k*stride] += t.w * u[p]
				}
				continue
			}
			var v float64
			for _, t := range s.rows[a] {
				v += t.w * u[base+t.k*stride]
			}
			dst[p] = v
		}
	}
}

// ApplyCols returns D B, the derivative image of every column of B (one
// row per grid node). A nil dst is allocated; dst must have B's shape and
// not alias it. It returns ErrDimension if B has not one row per node.
func (s *Stencil) ApplyCols(dst, b *mat.Dense) (*mat.Dense, error) {
	if b == nil {
		return nil, fmt.Errorf("%w: nil basis", ErrDimension)
	}
	r, c := b.Dims()
	if r != s.grid.Size() {
		return nil, fmt.Errorf("%w: basis has %d rows, grid %d×%d", ErrDimension, r, s.grid.NT, s.grid.NX)
	}
	if dst == nil {
		dst = mat.NewDense(r, c, nil)
	} else if dr, dc := dst.Dims(); dr != r || dc != c {
		return nil, fmt.Errorf("%w: dst is %d×%d, want %d×%d", ErrDimension, dr, dc, r, c)
	}
	g := s.grid
	for j := 0; j < g.NT; j++ {
		for i := 0; i < g.NX; i++ {
			p := j*g.NX + i
			a, stride, base := j, g.NX, i
			if s.axis == AxisX {
				a, stride, base = i, 1, j*g.NX
			}
			out := dst.RawRowView(p)
			clear(out)
			for _, t := range s.rows[a] {
				src := b.RawRowView(base + t.k*stride)
				for n, v := range src {
					out[n] += t.w * v
				}
			}
		}
	}
	return dst, nil
}
