package constrained

import (
	"fmt"
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
// [ErrSingularKKT] if K has a zero row.
func (s *RK) Factor(K *mat.Dense) (int64, error) {
	s.k = K.RawMatrix()
	n := s.k.Rows
	s.rowSq = resize(s.rowSq, n)
	s.cum = resize(s.cum, n)
	total := 0.0
	for i := range n {
		row := s.k.Data[i*s.k.Stride : i*s.k.Stride+s.k.Cols]
		s.rowSq[i] = linalg.SqNorm(row)
		if s.rowSq[i] == 0 {
			return int64(n), fmt.Errorf("%w: row %d of K is zero", ErrSingularKKT, i)
		}
		total += s.rowSq[i]
		s.cum[i] = total
	}
	return int64(n), nil
}

// Solve runs Kaczmarz steps from z until ‖K z − b‖₂ ≤ tol or maxIter steps.
// It does not allocate.
func (s *RK) Solve(z, r, b []float64, tol float64, maxIter int, rng *rand.Rand) (steps int, rowOps int64) {
	n := s.k.Rows
	if linalg.Nrm2(r) <= tol {
		return 0, 0
	}
	check := s.Check
	if check <= 0 {
		check = n
	}
	for steps < maxIter {
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
	return steps, rowOps
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
