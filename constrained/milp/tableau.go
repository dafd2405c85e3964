package milp

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// Tolerances of the tableau simplex: a pivot element below pivotTol is
// treated as zero; a reduced cost above −optTol counts as non-negative; a
// phase-1 residual below feasTol·(1+‖b‖∞) counts as feasible.
const (
	pivotTol = 1e-9
	optTol   = 1e-9
	feasTol  = 1e-8
	// blandAfter is the number of consecutive degenerate pivots after which
	// the entering rule switches from Dantzig's to Bland's (no cycling).
	blandAfter = 50
)

// tableauSimplex solves min cᵀz s.t. A z = b, z ≥ 0 by the two-phase
// primal simplex on a dense tableau: phase 1 minimises the sum of one
// artificial per row from the artificial basis, drives the artificials out
// (dropping redundant rows), phase 2 minimises cᵀz. Each pivot costs
// O(m·n), where gonum's lp.Simplex refactorises the basis (O(m³)) at every
// pivot; on the master problems of package robust (about 200 rows) that is
// the difference between milliseconds and a second per LP.
func tableauSimplex(c []float64, A *mat.Dense, b []float64) ([]float64, error) {
	m, n := A.Dims()
	// a column with a single positive entry (a slack) starts basic in its
	// row; the other rows get an artificial column
	unit := make([]int, m)
	for i := range unit {
		unit[i] = -1
	}
	sign := make([]float64, m)
	for i := range sign {
		sign[i] = 1
		if b[i] < 0 {
			sign[i] = -1
		}
	}
	for j := 0; j < n; j++ {
		at, cnt := -1, 0
		for i := 0; i < m && cnt < 2; i++ {
			if A.At(i, j) != 0 {
				at, cnt = i, cnt+1
			}
		}
		if cnt == 1 && unit[at] < 0 && sign[at]*A.At(at, j) > 0 {
			unit[at] = j
		}
	}
	var artRows []int
	for i := 0; i < m; i++ {
		if unit[i] < 0 {
			artRows = append(artRows, i)
		}
	}
	na := len(artRows)
	w := n + na + 1 // columns: z, artificials, rhs
	t := make([]float64, (m+1)*w)
	row := func(i int) []float64 { return t[i*w : (i+1)*w] }
	bmax := 0.0
	basis := make([]int, m)
	for i := 0; i < m; i++ {
		r := row(i)
		for j := 0; j < n; j++ {
			r[j] = sign[i] * A.At(i, j)
		}
		r[w-1] = sign[i] * b[i]
		bmax = math.Max(bmax, math.Abs(b[i]))
		if j := unit[i]; j >= 0 {
			inv := 1 / r[j]
			for k := range r {
				r[k] *= inv
			}
			r[j] = 1
			basis[i] = j
		}
	}
	obj := row(m)
	nz := make([]int, 0, w) // the pivot row's non-zero columns, reused
	for k, i := range artRows {
		r := row(i)
		r[n+k] = 1
		basis[i] = n + k
		// phase 1 objective: minimise the sum of the artificials; reduced
		// costs −Σ of their rows, −Σ of their right-hand sides
		for j := 0; j < n; j++ {
			obj[j] -= r[j]
		}
		obj[w-1] -= r[w-1]
	}
	if na > 0 {
		if err := iterate(t, w, m, n+na, basis, nz); err != nil {
			return nil, err
		}
		if -obj[w-1] > feasTol*(1+bmax) {
			return nil, errLPInfeasible
		}
		// drive artificials out of the basis; a row with no usable pivot
		// is redundant: its artificial stays basic at zero and its column
		// never enters again
		for i := 0; i < m; i++ {
			if basis[i] < n {
				continue
			}
			r := row(i)
			for j := 0; j < n; j++ {
				if math.Abs(r[j]) > pivotTol {
					pivot(t, w, m, i, j, basis, nz)
					break
				}
			}
		}
	}
	// phase 2 objective row: c − Σᵢ c_B(i) row_i
	clear(obj)
	copy(obj, c)
	for i := 0; i < m; i++ {
		if basis[i] >= n {
			continue
		}
		cb := c[basis[i]]
		if cb == 0 {
			continue
		}
		r := row(i)
		for j := 0; j < n; j++ {
			obj[j] -= cb * r[j]
		}
		obj[w-1] -= cb * r[w-1]
	}
	if err := iterate(t, w, m, n, basis, nz); err != nil {
		return nil, err
	}
	z := make([]float64, n)
	for i, j := range basis {
		if j < n {
			z[j] = math.Max(row(i)[w-1], 0)
		}
	}
	return z, nil
}

// iterate pivots until no column below ncols has a negative reduced cost
// (the objective row is row m). It returns errLPUnbounded for an entering
// column with no positive entry and ErrNumerical past an iteration cap.
func iterate(t []float64, w, m, ncols int, basis, nz []int) error {
	obj := t[m*w : (m+1)*w]
	maxIter := 50 * (m + ncols)
	degenerate := 0
	for it := 0; it < maxIter; it++ {
		e := -1
		if degenerate < blandAfter {
			best := -optTol
			for j := 0; j < ncols; j++ {
				if obj[j] < best {
					best, e = obj[j], j
				}
			}
		} else {
			for j := 0; j < ncols; j++ {
				if obj[j] < -optTol {
					e = j
					break
				}
			}
		}
		if e < 0 {
			return nil
		}
		r, ratio := -1, math.Inf(1)
		for i := 0; i < m; i++ {
			a := t[i*w+e]
			if a <= pivotTol {
				continue
			}
			q := t[i*w+w-1] / a
			if q < ratio-1e-12 || (q <= ratio+1e-12 && r >= 0 && basis[i] < basis[r]) {
				r, ratio = i, q
			}
		}
		if r < 0 {
			return errLPUnbounded
		}
		if ratio <= 1e-12 {
			degenerate++
		} else {
			degenerate = 0
		}
		pivot(t, w, m, r, e, basis, nz)
	}
	return ErrNumerical
}

// pivot makes column e basic in row r, updating only the columns where
// the pivot row is non-zero.
func pivot(t []float64, w, m, r, e int, basis []int, nz []int) {
	pr := t[r*w : (r+1)*w]
	inv := 1 / pr[e]
	nz = nz[:0]
	for j, v := range pr {
		if v != 0 {
			pr[j] = v * inv
			nz = append(nz, j)
		}
	}
	pr[e] = 1
	for i := 0; i <= m; i++ {
		if i == r {
			continue
		}
		ri := t[i*w : (i+1)*w]
		f := ri[e]
		if f == 0 {
			continue
		}
		for _, j := range nz {
			ri[j] -= f * pr[j]
		}
		ri[e] = 0
	}
	basis[r] = e
}
