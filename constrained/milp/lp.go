package milp

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// Sense is the direction of a constraint row.
type Sense int8

// Senses.
const (
	// LE is aᵀx ≤ b.
	LE Sense = iota
	// GE is aᵀx ≥ b.
	GE
	// EQ is aᵀx = b.
	EQ
)

// Problem is a mixed-integer linear program:
//
//	minimise cᵀx  subject to  A x (≤ | ≥ | =) b row by row,  Lower ≤ x ≤ Upper,
//	x_j integer where Integer[j].
//
// Bounds may be infinite (−Inf lower, +Inf upper).
type Problem struct {
	// C is the cost vector (length n).
	C []float64
	// A holds the constraint rows (m × n); nil means no rows.
	A *mat.Dense
	// Sense gives each row's direction (length m).
	Sense []Sense
	// B is the right-hand side (length m).
	B []float64
	// Lower and Upper bound the variables. Nil Lower means 0 for every
	// variable; nil Upper means +Inf.
	Lower, Upper []float64
	// Integer marks the integer variables. Nil means none (an LP).
	Integer []bool
}

// validate checks the shapes and values of p.
func (p *Problem) validate() (n int, err error) {
	if p == nil {
		return 0, fmt.Errorf("%w: nil problem", ErrSettings)
	}
	n = len(p.C)
	if n == 0 {
		return 0, fmt.Errorf("%w: no variables", ErrDimension)
	}
	m := 0
	if p.A != nil {
		var cols int
		m, cols = p.A.Dims()
		if cols != n {
			return 0, fmt.Errorf("%w: A has %d columns, C has %d", ErrDimension, cols, n)
		}
	}
	if len(p.Sense) != m || len(p.B) != m {
		return 0, fmt.Errorf("%w: %d rows, %d senses, %d right-hand sides", ErrDimension, m, len(p.Sense), len(p.B))
	}
	if (p.Lower != nil && len(p.Lower) != n) || (p.Upper != nil && len(p.Upper) != n) || (p.Integer != nil && len(p.Integer) != n) {
		return 0, fmt.Errorf("%w: bounds or integrality of the wrong length for %d variables", ErrDimension, n)
	}
	for j, c := range p.C {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return 0, fmt.Errorf("%w: C[%d] = %v", ErrNotFinite, j, c)
		}
	}
	for i, b := range p.B {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return 0, fmt.Errorf("%w: B[%d] = %v", ErrNotFinite, i, b)
		}
		if p.Sense[i] < LE || p.Sense[i] > EQ {
			return 0, fmt.Errorf("%w: row %d has sense %d", ErrSettings, i, p.Sense[i])
		}
	}
	if p.A != nil {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				if v := p.A.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return 0, fmt.Errorf("%w: A[%d][%d] = %v", ErrNotFinite, i, j, v)
				}
			}
		}
	}
	for j := 0; j < n; j++ {
		l, u := p.lower(j), p.upper(j)
		if math.IsNaN(l) || math.IsInf(l, 1) || math.IsNaN(u) || math.IsInf(u, -1) {
			return 0, fmt.Errorf("%w: variable %d has bounds [%v, %v]", ErrSettings, j, l, u)
		}
		if l > u {
			return 0, fmt.Errorf("%w: variable %d has bounds [%v, %v]", ErrInfeasible, j, l, u)
		}
	}
	return n, nil
}

func (p *Problem) lower(j int) float64 {
	if p.Lower == nil {
		return 0
	}
	return p.Lower[j]
}

func (p *Problem) upper(j int) float64 {
	if p.Upper == nil {
		return math.Inf(1)
	}
	return p.Upper[j]
}

// lpTol is the tolerance passed to gonum's simplex; lpPerturb the right-hand
// side shift tried once when a degenerate LP makes it fail (Bland's rule
// cycling or a singular basis).
const (
	lpTol     = 1e-10
	lpPerturb = 1e-9
)

// errLPInfeasible and errLPUnbounded are what solveLP reports.
var (
	errLPInfeasible = errors.New("infeasible")
	errLPUnbounded  = errors.New("unbounded")
)

// solveLP solves the LP relaxation of p with the bounds lo, hi (which
// replace p's) and returns x and cᵀx. It brings the LP into gonum's
// standard form (min cᵀz, Az = b, z ≥ 0): fixed variables are substituted
// out, the others shifted to z = x − lo, finite upper bounds and
// inequalities get slack columns, zero rows are checked and dropped, zero
// columns fixed at their bound.
func solveLP(p *Problem, lo, hi []float64, gonum bool) ([]float64, float64, error) {
	x, f, err := solveLPForm(p, lo, hi, false, gonum)
	if errors.Is(err, ErrNumerical) {
		// gonum's simplex can stall on a singular basis in degenerate LPs
		// with equality rows; written as pairs of inequalities, each with
		// its own slack, the system always has full row rank.
		x, f, err = solveLPForm(p, lo, hi, true, gonum)
	}
	return x, f, err
}

// solveLPForm is solveLP with equality rows kept (split false) or written
// as two inequalities (split true).
func solveLPForm(p *Problem, lo, hi []float64, split, gonum bool) ([]float64, float64, error) {
	n := len(p.C)
	m := len(p.B)
	// Each non-fixed variable x_j becomes columns of z ≥ 0:
	//   lo finite:            x = lo + z     (and z ≤ hi − lo by a row if hi is finite)
	//   lo = −Inf, hi finite: x = hi − z
	//   both infinite:        x = z⁺ − z⁻    (two columns)
	col := make([]int, n) // first column of x_j, −1 if fixed
	sign := make([]float64, n)
	base := make([]float64, n) // the constant part of x_j
	nz := 0
	for j := 0; j < n; j++ {
		switch {
		case hi[j]-lo[j] <= 0:
			col[j], base[j] = -1, lo[j]
		case !math.IsInf(lo[j], -1):
			col[j], sign[j], base[j] = nz, 1, lo[j]
			nz++
		case !math.IsInf(hi[j], 1):
			col[j], sign[j], base[j] = nz, -1, hi[j]
			nz++
		default:
			col[j], sign[j] = nz, 1
			nz += 2
		}
	}
	free := func(j int) bool { return col[j] >= 0 && math.IsInf(lo[j], -1) && math.IsInf(hi[j], 1) }
	rhs := make([]float64, m)
	copy(rhs, p.B)
	for j := 0; j < n; j++ {
		if base[j] == 0 {
			continue
		}
		for i := 0; i < m; i++ {
			rhs[i] -= p.A.At(i, j) * base[j]
		}
	}
	var rows []int
	for i := 0; i < m; i++ {
		empty := true
		for j := 0; j < n && empty; j++ {
			if col[j] >= 0 && p.A.At(i, j) != 0 {
				empty = false
			}
		}
		if !empty {
			rows = append(rows, i)
			continue
		}
		if !rowHolds(p.Sense[i], 0, rhs[i]) {
			return nil, 0, errLPInfeasible
		}
	}
	var ub []int // variables shifted from a finite lower bound that also have a finite upper bound
	for j := 0; j < n; j++ {
		if col[j] >= 0 && sign[j] == 1 && !free(j) && !math.IsInf(hi[j], 1) {
			ub = append(ub, j)
		}
	}
	type lpRow struct {
		i     int
		sense Sense
	}
	var lr []lpRow
	for _, i := range rows {
		if split && p.Sense[i] == EQ {
			lr = append(lr, lpRow{i, LE}, lpRow{i, GE})
			continue
		}
		lr = append(lr, lpRow{i, p.Sense[i]})
	}
	nSlack := 0
	for _, r := range lr {
		if r.sense != EQ {
			nSlack++
		}
	}
	mm := len(lr) + len(ub)
	nn := nz + nSlack + len(ub)
	c := make([]float64, nn)
	for j := 0; j < n; j++ {
		if col[j] < 0 {
			continue
		}
		c[col[j]] = sign[j] * p.C[j]
		if free(j) {
			c[col[j]+1] = -p.C[j]
		}
	}
	if mm == 0 {
		z := make([]float64, nn)
		for k, ck := range c {
			if ck < 0 {
				return nil, 0, errLPUnbounded
			}
			z[k] = 0
		}
		x := recover0(n, col, sign, base, free, z)
		return x, dotC(p.C, x), nil
	}
	A := mat.NewDense(mm, nn, nil)
	b := make([]float64, mm)
	s := nz
	for r, row := range lr {
		i := row.i
		for j := 0; j < n; j++ {
			if col[j] < 0 {
				continue
			}
			a := p.A.At(i, j)
			A.Set(r, col[j], sign[j]*a)
			if free(j) {
				A.Set(r, col[j]+1, -a)
			}
		}
		b[r] = rhs[i]
		switch row.sense {
		case LE:
			A.Set(r, s, 1)
			s++
		case GE:
			A.Set(r, s, -1)
			s++
		}
	}
	for k, j := range ub {
		r := len(lr) + k
		A.Set(r, col[j], 1)
		A.Set(r, s, 1)
		s++
		b[r] = hi[j] - lo[j]
	}
	// a column in no row is dropped by simplex and stays at 0, which is
	// optimal unless its cost is negative
	for k := 0; k < nz; k++ {
		if c[k] >= 0 {
			continue
		}
		zero := true
		for r := 0; r < mm && zero; r++ {
			zero = A.At(r, k) == 0
		}
		if zero {
			return nil, 0, errLPUnbounded
		}
	}
	z, err := simplex(c, A, b, gonum)
	if err != nil {
		return nil, 0, err
	}
	x := recover0(n, col, sign, base, free, z)
	return x, dotC(p.C, x), nil
}

// recover0 maps the standard-form solution z back to x.
func recover0(n int, col []int, sign, base []float64, free func(int) bool, z []float64) []float64 {
	x := make([]float64, n)
	for j := 0; j < n; j++ {
		x[j] = base[j]
		if col[j] < 0 {
			continue
		}
		x[j] += sign[j] * z[col[j]]
		if free(j) {
			x[j] -= z[col[j]+1]
		}
	}
	return x
}

// simplex calls gonum's lp.Simplex, dropping all-zero columns (which it
// rejects), retrying once with a perturbed right-hand side on the failures
// degenerate LPs cause, and mapping its errors.
func simplex(c []float64, A *mat.Dense, b []float64, gonum bool) ([]float64, error) {
	m, n := A.Dims()
	var keep []int
	for j := 0; j < n; j++ {
		for i := 0; i < m; i++ {
			if A.At(i, j) != 0 {
				keep = append(keep, j)
				break
			}
		}
	}
	Ak := A
	ck := c
	if len(keep) < n {
		Ak = mat.NewDense(m, len(keep), nil)
		ck = make([]float64, len(keep))
		for k, j := range keep {
			for i := 0; i < m; i++ {
				Ak.Set(i, k, A.At(i, j))
			}
			ck[k] = c[j]
		}
	}
	if gonum && m > len(keep) {
		// gonum's simplex needs at least as many columns as rows
		return nil, fmt.Errorf("%w: %d rows for %d columns", ErrNumerical, m, len(keep))
	}
	if !gonum {
		zk, err := tableauSimplex(ck, Ak, b)
		if err != nil {
			return nil, err
		}
		z := make([]float64, n)
		for k, j := range keep {
			z[j] = zk[k]
		}
		return z, nil
	}
	_, zk, err := lp.Simplex(ck, Ak, b, lpTol, nil)
	if err != nil && !errors.Is(err, lp.ErrInfeasible) && !errors.Is(err, lp.ErrUnbounded) {
		bp := make([]float64, len(b))
		for i, v := range b {
			bp[i] = v + lpPerturb*float64(i%7+1)
		}
		_, zk, err = lp.Simplex(ck, Ak, bp, lpTol, nil)
	}
	switch {
	case errors.Is(err, lp.ErrInfeasible):
		return nil, errLPInfeasible
	case errors.Is(err, lp.ErrUnbounded):
		return nil, errLPUnbounded
	case err != nil:
		return nil, fmt.Errorf("%w: %w", ErrNumerical, err)
	}
	z := make([]float64, n)
	for k, j := range keep {
		z[j] = max(zk[k], 0)
	}
	return z, nil
}

func rowHolds(s Sense, lhs, b float64) bool {
	const tol = 1e-9
	switch s {
	case LE:
		return lhs <= b+tol
	case GE:
		return lhs >= b-tol
	}
	return math.Abs(lhs-b) <= tol
}

func dotC(c, x []float64) float64 {
	s := 0.0
	for j := range c {
		s += c[j] * x[j]
	}
	return s
}
