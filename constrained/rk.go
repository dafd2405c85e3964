package constrained

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// RK is the randomized Kaczmarz sketcher of AdaSketch-Newton-RK: each step
// picks a row i of K uniformly at random (as in the official code) and
// projects z onto {z : Kᵢ z = bᵢ},
//
//	z ← z − ((Kᵢ z − bᵢ)/‖Kᵢ‖²) Kᵢᵀ,
//
// which costs two row operations (one dot product and one axpy with Kᵢ).
// The full residual r = K z − b, needed only by the stopping test
// ‖r‖ ≤ tol, is recomputed from scratch every Check steps (n row
// operations), which also removes drift.
//
// The zero value is ready to use. An RK holds workspace and must not be
// shared by concurrent solves.
type RK struct {
	// Check is the number of steps between full residual evaluations.
	// Zero means n, the order of K, so the test costs one row operation
	// per step on average.
	Check int
	// Weighted samples row i with probability ‖Kᵢ‖²/‖K‖²_F (the variant of
	// the theory) instead of uniformly (the official code).
	Weighted bool

	k     blas64.General
	rowSq []float64
	cum   []float64
}

var _ Sketcher = (*RK)(nil)

// Factor stores K and its squared row norms. It returns an error wrapping
// [ErrSingularKKT] if K has a zero row, [ErrDimension] if K is nil or not
// square, [ErrNotFinite] if a row norm is not finite.
func (s *RK) Factor(K *mat.Dense) (int64, error) {
	s.k = blas64.General{}
	raw, err := checkK(K)
	if err != nil {
		return 0, err
	}
	n := raw.Rows
	s.rowSq = resize(s.rowSq, n)
	s.cum = resize(s.cum, n)
	total := 0.0
	for i := range n {
		row := raw.Data[i*raw.Stride : i*raw.Stride+raw.Cols]
		s.rowSq[i] = linalg.SqNorm(row)
		if s.rowSq[i] == 0 {
			return int64(n), fmt.Errorf("%w: row %d of K is zero", ErrSingularKKT, i)
		}
		if math.IsNaN(s.rowSq[i]) || math.IsInf(s.rowSq[i], 0) {
			return int64(n), fmt.Errorf("%w: row %d of K", ErrNotFinite, i)
		}
		total += s.rowSq[i]
		s.cum[i] = total
	}
	s.k = raw
	return int64(n), nil
}

// Solve runs Kaczmarz steps from z until ‖K z − b‖₂ ≤ tol or maxIter steps,
// checking ctx every 256 steps. It does not allocate.
func (s *RK) Solve(ctx context.Context, z, r, b []float64, tol float64, maxIter int, rng *rand.Rand) (steps int, rowOps int64, err error) {
	if err := checkSolve(s.k, z, r, b, maxIter, rng, true); err != nil {
		return 0, 0, err
	}
	n := s.k.Rows
	if linalg.Nrm2(r) <= tol {
		return 0, 0, nil
	}
	check := s.Check
	if check <= 0 {
		check = n
	}
	for steps < maxIter {
		if steps%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return steps, rowOps, err
			}
		}
		var i int
		if s.Weighted {
			i = sampleCum(s.cum, rng)
		} else {
			i = rng.IntN(n)
		}
		row := s.k.Data[i*s.k.Stride : i*s.k.Stride+s.k.Cols]
		ri := linalg.Dot(row, z) - b[i]
		linalg.Axpy(-ri/s.rowSq[i], row, z)
		steps++
		rowOps += 2
		if steps%check == 0 || steps == maxIter {
			residual(r, s.k, z, b)
			rowOps += int64(n)
			if linalg.Nrm2(r) <= tol {
				break
			}
		}
	}
	return steps, rowOps, nil
}

// ctxEvery is the number of RK steps between two context checks: 256 steps
// of two row operations take well under a millisecond at n = 10⁴.
const ctxEvery = 256

// checkK returns K's raw storage after checking that K is a non-empty
// square matrix.
func checkK(K *mat.Dense) (blas64.General, error) {
	if K == nil || K.IsEmpty() {
		return blas64.General{}, fmt.Errorf("%w: K is nil or empty", ErrDimension)
	}
	raw := K.RawMatrix()
	if raw.Rows != raw.Cols {
		return blas64.General{}, fmt.Errorf("%w: K is %d×%d, not square", ErrDimension, raw.Rows, raw.Cols)
	}
	return raw, nil
}

// checkSolve validates the arguments of a Sketcher's Solve against the
// factored K (zero if Factor was not called or failed).
func checkSolve(k blas64.General, z, r, b []float64, maxIter int, rng *rand.Rand, needRand bool) error {
	n := k.Rows
	switch {
	case n == 0:
		return fmt.Errorf("%w: Solve called before a successful Factor", ErrDimension)
	case len(z) != n || len(r) != n || len(b) != n:
		return fmt.Errorf("%w: len(z)=%d len(r)=%d len(b)=%d, K has order %d", ErrDimension, len(z), len(r), len(b), n)
	case maxIter < 0:
		return fmt.Errorf("%w: maxIter = %d is negative", ErrSettings, maxIter)
	case needRand && rng == nil:
		return fmt.Errorf("%w: rng is nil", ErrSettings)
	}
	return nil
}

// sampleCum returns i with probability (cum[i]-cum[i-1])/cum[n-1].
func sampleCum(cum []float64, rng *rand.Rand) int {
	u := rng.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cum[mid] <= u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// residual stores r = K z − b.
func residual(r []float64, k blas64.General, z, b []float64) {
	linalg.Copy(r, b)
	linalg.Gemv(false, 1, k, z, -1, r)
}

// resize returns x with length n, reusing its storage when possible.
func resize(x []float64, n int) []float64 {
	if cap(x) >= n {
		return x[:n]
	}
	return make([]float64, n)
}
