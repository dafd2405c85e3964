package bilevel

import (
	"fmt"
	"math"

	"github.com/optlearn/optlearn/linalg"
)

// Identity is the projection onto the whole space: it leaves v unchanged.
type Identity struct{}

var (
	_ Projector = Identity{}
	_ Projector = (*Box)(nil)
	_ Projector = (*Ball)(nil)
	_ Projector = (*Halfspace)(nil)
	_ Projector = (*Polyhedron)(nil)
)

// Project does nothing and returns nil.
func (Identity) Project(v []float64) error { return nil }

// Box is the projection onto {v : Lo ≤ v ≤ Hi} (componentwise). Infinite
// bounds are allowed.
type Box struct {
	Lo, Hi []float64
}

// NewBox returns the box [lo, hi]. It returns an error wrapping
// [ErrDimension] if the lengths differ, [ErrNotFinite] if a bound is NaN and
// [ErrInfeasible] if lo[i] > hi[i] for some i. The slices are not copied.
func NewBox(lo, hi []float64) (*Box, error) {
	if len(lo) != len(hi) {
		return nil, fmt.Errorf("%w: box bounds have lengths %d and %d", ErrDimension, len(lo), len(hi))
	}
	for i := range lo {
		if math.IsNaN(lo[i]) || math.IsNaN(hi[i]) {
			return nil, fmt.Errorf("%w: box bound %d is NaN", ErrNotFinite, i)
		}
		if lo[i] > hi[i] {
			return nil, fmt.Errorf("%w: box bound %d has lo %g > hi %g", ErrInfeasible, i, lo[i], hi[i])
		}
	}
	return &Box{Lo: lo, Hi: hi}, nil
}

// Project clips v to the box. It returns an error wrapping [ErrDimension] if
// len(v) differs from the box dimension.
func (b *Box) Project(v []float64) error {
	if len(v) != len(b.Lo) || len(v) != len(b.Hi) {
		return fmt.Errorf("%w: box of dimension %d, vector of length %d", ErrDimension, len(b.Lo), len(v))
	}
	for i, vi := range v {
		v[i] = math.Min(math.Max(vi, b.Lo[i]), b.Hi[i])
	}
	return nil
}

// Ball is the projection onto the Euclidean ball {v : ‖v − Center‖ ≤ Radius}.
type Ball struct {
	Center []float64
	Radius float64
}

// NewBall returns the ball of the given centre and radius. It returns an
// error wrapping [ErrInfeasible] for a negative radius and [ErrNotFinite] for
// a NaN radius or a non-finite centre. The centre is not copied.
func NewBall(center []float64, radius float64) (*Ball, error) {
	if math.IsNaN(radius) || !linalg.AllFinite(center) {
		return nil, fmt.Errorf("%w: ball centre or radius", ErrNotFinite)
	}
	if radius < 0 {
		return nil, fmt.Errorf("%w: ball radius %g < 0", ErrInfeasible, radius)
	}
	return &Ball{Center: center, Radius: radius}, nil
}

// Project moves v radially onto the ball if it lies outside. It returns an
// error wrapping [ErrDimension] on a length mismatch.
func (b *Ball) Project(v []float64) error {
	if len(v) != len(b.Center) {
		return fmt.Errorf("%w: ball of dimension %d, vector of length %d", ErrDimension, len(b.Center), len(v))
	}
	d := math.Sqrt(linalg.DistSq(v, b.Center))
	if d <= b.Radius {
		return nil
	}
	s := b.Radius / d
	for i, c := range b.Center {
		v[i] = c + s*(v[i]-c)
	}
	return nil
}

// Halfspace is the projection onto {v : Aᵀv ≤ B}.
type Halfspace struct {
	A []float64
	B float64

	a2 float64 // ‖A‖², cached by NewHalfspace
}

// NewHalfspace returns the halfspace {v : aᵀv ≤ b}. It returns an error
// wrapping [ErrNotFinite] for non-finite data and [ErrInfeasible] if a = 0
// and b < 0 (the empty set). The slice a is not copied.
func NewHalfspace(a []float64, b float64) (*Halfspace, error) {
	if !linalg.AllFinite(a) || math.IsNaN(b) || math.IsInf(b, 0) {
		return nil, fmt.Errorf("%w: halfspace data", ErrNotFinite)
	}
	a2 := linalg.SqNorm(a)
	if a2 == 0 && b < 0 {
		return nil, fmt.Errorf("%w: halfspace 0ᵀv ≤ %g", ErrInfeasible, b)
	}
	return &Halfspace{A: a, B: b, a2: a2}, nil
}

// Project moves v onto the boundary hyperplane if Aᵀv > B:
// v ← v − ((Aᵀv − B)/‖A‖²)·A. It returns an error wrapping [ErrDimension] on a
// length mismatch and [ErrInfeasible] if A = 0 and B < 0.
func (h *Halfspace) Project(v []float64) error {
	if len(v) != len(h.A) {
		return fmt.Errorf("%w: halfspace of dimension %d, vector of length %d", ErrDimension, len(h.A), len(v))
	}
	if h.a2 == 0 {
		h.a2 = linalg.SqNorm(h.A)
	}
	r := linalg.Dot(h.A, v) - h.B
	if r <= 0 {
		return nil
	}
	if h.a2 == 0 {
		return fmt.Errorf("%w: halfspace 0ᵀv ≤ %g", ErrInfeasible, h.B)
	}
	linalg.Axpy(-r/h.a2, h.A, v)
	return nil
}
