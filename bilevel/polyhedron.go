package bilevel

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
)

const (
	// defaultPolyTol is the default maximum constraint violation (spec R2: 1e-8).
	defaultPolyTol = 1e-8
	// defaultPolySweeps caps the Hildreth sweeps of one Project call.
	defaultPolySweeps = 100000
	// defaultInfeasibleRadius: no feasible point with ‖p‖ ≤ radius·(1+‖v‖)
	// means the polyhedron is reported empty.
	defaultInfeasibleRadius = 1e10
	// polyShuffleSeed seeds the default row-order generator (reproducibility).
	polyShuffleSeed = 1
	// farkasCheckEvery is the number of sweeps between infeasibility tests.
	farkasCheckEvery = 16
)

// Polyhedron is the Euclidean projection onto {v : Av ≤ b}, computed by
// Hildreth's dual coordinate ascent (equivalently Dykstra's algorithm for an
// intersection of halfspaces). The rows of A are sparse.
//
// Project solves min ½‖u − v‖² s.t. Au ≤ b through its dual: with multipliers
// λ ≥ 0 and u = v − Aᵀλ, each step maximises the dual in one coordinate
// (rows visited in a random order each sweep, see Shuffle),
//
//	δ = max(−λᵢ, (aᵢᵀu − bᵢ)/‖aᵢ‖²),  λᵢ += δ,  u −= δ·aᵢ,
//
// sweeping i = 1..m until every step changes aᵢᵀu by at most Tol and the
// largest violation is at most Tol. The multipliers are kept between calls as
// a warm start, which makes a sequence of nearby projections cheap.
//
// Emptiness is detected with a Farkas certificate: every 16 sweeps the change
// d ≥ 0 of the multipliers is tested; since bᵀd ≥ (Aᵀd)ᵀp for every feasible p,
// −bᵀd/‖Aᵀd‖ is a lower bound on the norm of every feasible point, and when it
// exceeds InfeasibleRadius·(1+‖v‖) Project returns [ErrInfeasible].
//
// A Polyhedron is not safe for concurrent use.
type Polyhedron struct {
	// Tol is the maximum constraint violation of the result. Zero means 1e-8.
	Tol float64
	// MaxSweeps caps the sweeps of one call. Zero means 100000.
	MaxSweeps int
	// InfeasibleRadius scales the Farkas test (see the type comment). Zero
	// means 1e10.
	InfeasibleRadius float64
	// Relax is the over-relaxation factor ω ∈ (0, 2) of the dual step
	// δ = max(−λᵢ, ω(aᵢᵀu − bᵢ)/‖aᵢ‖²) (projected SOR, Mangasarian 1977);
	// ω = 1 is Hildreth's method. Zero means 1.
	Relax float64

	// Shuffle is the source of the random row order of each sweep
	// (randomised coordinate ascent, much faster than cyclic order on
	// correlated rows). NewPolyhedron sets it to a generator with a fixed
	// seed, so results are reproducible; nil means cyclic order.
	Shuffle *rand.Rand

	// Sweeps is the number of sweeps the last Project call made.
	Sweeps int
	// Violation is the largest violation max(Av − b)₊ after the last call.
	Violation float64

	n      int
	rowPtr []int
	idx    []int
	val    []float64
	b      []float64
	inv2   []float64 // 1/‖aᵢ‖², 0 for zero rows
	lambda []float64
	snap   []float64
	atd    []float64
	order  []int
}

// NewPolyhedron returns the projection onto {v ∈ ℝⁿ : rows[i]ᵀv ≤ b[i]}.
// The rows are copied. It returns an error wrapping [ErrDimension] if
// n < 1, len(rows) != len(b), a row's dimension is not n or a row has an
// index outside [0, n) or as many indices as values, [ErrNotFinite] for
// non-finite data, and [ErrInfeasible] for a zero row with b[i] < 0.
func NewPolyhedron(n int, rows []linalg.Sparse, b []float64) (*Polyhedron, error) {
	if n <= 0 || n > MaxDim {
		return nil, fmt.Errorf("%w: polyhedron dimension %d outside [1, MaxDim = %d]", ErrDimension, n, MaxDim)
	}
	if len(rows) != len(b) {
		return nil, fmt.Errorf("%w: %d rows but %d right-hand sides", ErrDimension, len(rows), len(b))
	}
	if !linalg.AllFinite(b) {
		return nil, fmt.Errorf("%w: right-hand side", ErrNotFinite)
	}
	p := &Polyhedron{n: n, rowPtr: make([]int, 1, len(rows)+1), b: append([]float64(nil), b...)}
	p.inv2 = make([]float64, len(rows))
	for i := range rows {
		r := &rows[i]
		if r.N != n {
			return nil, fmt.Errorf("%w: row %d has dimension %d, want %d", ErrDimension, i, r.N, n)
		}
		if len(r.Index) != len(r.Value) {
			return nil, fmt.Errorf("%w: row %d has %d indices and %d values", ErrDimension, i, len(r.Index), len(r.Value))
		}
		for _, j := range r.Index {
			if j < 0 || j >= n {
				return nil, fmt.Errorf("%w: row %d has index %d outside [0, %d)", ErrDimension, i, j, n)
			}
		}
		if !linalg.AllFinite(r.Value) {
			return nil, fmt.Errorf("%w: row %d", ErrNotFinite, i)
		}
		s := linalg.SqNorm(r.Value)
		if s == 0 {
			if b[i] < 0 {
				return nil, fmt.Errorf("%w: row %d is zero with b = %g < 0", ErrInfeasible, i, b[i])
			}
		} else {
			p.inv2[i] = 1 / s
		}
		p.idx = append(p.idx, r.Index...)
		p.val = append(p.val, r.Value...)
		p.rowPtr = append(p.rowPtr, len(p.idx))
	}
	m := len(rows)
	p.lambda = make([]float64, m)
	p.snap = make([]float64, m)
	p.atd = make([]float64, n)
	p.order = make([]int, m)
	for i := range p.order {
		p.order[i] = i
	}
	p.Shuffle = rand.New(rand.NewPCG(polyShuffleSeed, 0))
	return p, nil
}

// Dim returns the dimension n of the space.
func (p *Polyhedron) Dim() int { return p.n }

// NumConstraints returns the number of rows of A.
func (p *Polyhedron) NumConstraints() int { return len(p.b) }

// Reset forgets the warm-start multipliers.
func (p *Polyhedron) Reset() { linalg.Zero(p.lambda) }

// rowDot returns aᵢᵀv.
func (p *Polyhedron) rowDot(i int, v []float64) float64 {
	s := 0.0
	for k := p.rowPtr[i]; k < p.rowPtr[i+1]; k++ {
		s += p.val[k] * v[p.idx[k]]
	}
	return s
}

// rowAxpy computes v += a·aᵢ.
func (p *Polyhedron) rowAxpy(i int, a float64, v []float64) {
	for k := p.rowPtr[i]; k < p.rowPtr[i+1]; k++ {
		v[p.idx[k]] += a * p.val[k]
	}
}

// MaxViolation returns max(Av − b)₊, or NaN if len(v) is not the dimension.
func (p *Polyhedron) MaxViolation(v []float64) float64 {
	if len(v) != p.n {
		return math.NaN()
	}
	viol := 0.0
	for i, bi := range p.b {
		viol = math.Max(viol, p.rowDot(i, v)-bi)
	}
	return viol
}

// Project replaces v by its projection onto the polyhedron. It returns an
// error wrapping [ErrDimension] if len(v) is not the dimension,
// [ErrNotFinite] if v is not finite, [ErrInfeasible] when the Farkas test
// proves the set empty (within InfeasibleRadius) and [ErrNotConverged] after
// MaxSweeps sweeps; v then holds the last iterate; [ErrSettings] for a
// negative or non-finite Tol, MaxSweeps or InfeasibleRadius (the message
// names the field). It does not allocate. Its run time is bounded by
// MaxSweeps; solvers check their context between projections.
func (p *Polyhedron) Project(v []float64) error {
	if len(v) != p.n {
		return fmt.Errorf("%w: polyhedron of dimension %d, vector of length %d", ErrDimension, p.n, len(v))
	}
	if !linalg.AllFinite(v) {
		return fmt.Errorf("%w: vector to project", ErrNotFinite)
	}
	if err := firstErr(nonNeg("Polyhedron.Tol", p.Tol), nonNegInt("Polyhedron.MaxSweeps", p.MaxSweeps),
		nonNeg("Polyhedron.InfeasibleRadius", p.InfeasibleRadius), finite("Polyhedron.Relax", p.Relax)); err != nil {
		return err
	}
	tol := p.Tol
	tol = cmp.Or(tol, defaultPolyTol)
	maxSweeps := p.MaxSweeps
	maxSweeps = cmp.Or(maxSweeps, defaultPolySweeps)
	radius := p.InfeasibleRadius
	radius = cmp.Or(radius, defaultInfeasibleRadius)
	radius *= 1 + linalg.Nrm2(v)
	omega := p.Relax
	omega = cmp.Or(omega, 1)
	if !(omega > 0 && omega < 2) {
		return fmt.Errorf("%w: Polyhedron.Relax = %g not in (0, 2)", ErrSettings, omega)
	}
	// Warm start: u = v − Aᵀλ.
	for i, l := range p.lambda {
		if l != 0 {
			p.rowAxpy(i, -l, v)
		}
	}
	copy(p.snap, p.lambda)
	p.Sweeps = 0
	for p.Sweeps < maxSweeps {
		p.Sweeps++
		if p.Shuffle != nil {
			p.Shuffle.Shuffle(len(p.order), func(i, j int) { p.order[i], p.order[j] = p.order[j], p.order[i] })
		}
		change := 0.0
		m := len(p.b)
		for j := range m {
			i := p.order[j]
			inv := p.inv2[i]
			if inv == 0 {
				continue
			}
			r := p.rowDot(i, v) - p.b[i]
			d := math.Max(-p.lambda[i], omega*r*inv)
			if d == 0 {
				continue
			}
			p.lambda[i] += d
			p.rowAxpy(i, -d, v)
			change = math.Max(change, math.Abs(d)/inv)
		}
		if change <= tol {
			p.Violation = p.MaxViolation(v)
			if p.Violation <= tol {
				return nil
			}
		}
		if p.Sweeps%farkasCheckEvery == 0 {
			if p.farkas(radius) {
				p.Violation = p.MaxViolation(v)
				return fmt.Errorf("%w: polyhedron is empty (Farkas certificate after %d sweeps)", ErrInfeasible, p.Sweeps)
			}
			copy(p.snap, p.lambda)
		}
	}
	p.Violation = p.MaxViolation(v)
	return fmt.Errorf("%w: Hildreth projection after %d sweeps, violation %g", ErrNotConverged, p.Sweeps, p.Violation)
}

// farkas tests d = (λ − snap)₊ as a certificate of emptiness.
func (p *Polyhedron) farkas(radius float64) bool {
	linalg.Zero(p.atd)
	bd := 0.0
	for i, l := range p.lambda {
		d := l - p.snap[i]
		if d <= 0 {
			continue
		}
		bd += p.b[i] * d
		p.rowAxpy(i, d, p.atd)
	}
	if bd >= 0 {
		return false
	}
	return -bd > radius*linalg.Nrm2(p.atd)
}
