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

// SparseRK is the randomized Kaczmarz sketcher of [RK] on a compressed-row
// copy of K: a step costs 2 nnz(Kᵢ) multiply-adds instead of 2n, and a
// residual check nnz(K) instead of n². KKT matrices of discretised PDEs
// have a handful of nonzeros per row, so this is where sketching saves
// work. Rows are sampled uniformly (as RK, the official code); the
// arithmetic skips exact zeros, so iterates may differ from RK's in the
// last bits.
//
// RowOps counts multiply-adds divided by n, as for the other sketchers, so
// the figures compare directly with one dense LU factorisation (n²/3 row
// operations). Factor scans the dense K once (n row operations).
//
// The zero value is ready to use; it holds workspace and must not be
// shared by concurrent solves.
type SparseRK struct {
	// Check is the number of steps between full residual evaluations.
	// Zero means n, the order of K.
	Check int

	n      int
	rowPtr []int
	col    []int
	val    []float64
	rowSq  []float64
	madds  int64 // multiply-adds not yet reported as whole row operations
}

var _ Sketcher = (*SparseRK)(nil)

// Factor compresses the nonzeros of K by rows and stores their squared
// norms. It returns an error wrapping [ErrSingularKKT] for a zero row,
// [ErrDimension] for a nil or non-square K, [ErrNotFinite] for NaN or ±Inf.
func (s *SparseRK) Factor(K *mat.Dense) (int64, error) {
	s.n = 0
	raw, err := checkK(K)
	if err != nil {
		return 0, err
	}
	n := raw.Rows
	s.rowPtr = append(s.rowPtr[:0], 0)
	s.col, s.val = s.col[:0], s.val[:0]
	s.rowSq = resize(s.rowSq, n)
	for i := range n {
		sq := 0.0
		for j, v := range raw.Data[i*raw.Stride : i*raw.Stride+n] {
			if v != 0 {
				s.col = append(s.col, j)
				s.val = append(s.val, v)
				sq += v * v
			}
		}
		s.rowPtr = append(s.rowPtr, len(s.col))
		if math.IsNaN(sq) || math.IsInf(sq, 0) {
			return int64(n), fmt.Errorf("%w: row %d of K", ErrNotFinite, i)
		}
		if sq == 0 {
			return int64(n), fmt.Errorf("%w: row %d of K is zero", ErrSingularKKT, i)
		}
		s.rowSq[i] = sq
	}
	s.n = n
	s.madds = 0
	return int64(n), nil
}

// Solve runs Kaczmarz steps from z until ‖K z − b‖₂ ≤ tol or maxIter steps,
// checking ctx every 256 steps. It does not allocate.
func (s *SparseRK) Solve(ctx context.Context, z, r, b []float64, tol float64, maxIter int, rng *rand.Rand) (steps int, rowOps int64, err error) {
	if err := checkSolve(blas64.General{Rows: s.n, Cols: s.n}, z, r, b, maxIter, rng, true); err != nil {
		return 0, 0, err
	}
	n := s.n
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
				return steps, s.flush(), err
			}
		}
		i := rng.IntN(n)
		lo, hi := s.rowPtr[i], s.rowPtr[i+1]
		ri := -b[i]
		for k := lo; k < hi; k++ {
			ri += s.val[k] * z[s.col[k]]
		}
		a := -ri / s.rowSq[i]
		for k := lo; k < hi; k++ {
			z[s.col[k]] += a * s.val[k]
		}
		steps++
		s.madds += 2 * int64(hi-lo)
		if steps%check == 0 || steps == maxIter {
			s.residual(r, z, b)
			if linalg.Nrm2(r) <= tol {
				break
			}
		}
	}
	return steps, s.flush(), nil
}

// residual stores r = K z − b (nnz(K) multiply-adds).
func (s *SparseRK) residual(r, z, b []float64) {
	for i := range s.n {
		v := -b[i]
		for k := s.rowPtr[i]; k < s.rowPtr[i+1]; k++ {
			v += s.val[k] * z[s.col[k]]
		}
		r[i] = v
	}
	s.madds += int64(len(s.val))
}

// flush returns the whole row operations accumulated so far and keeps the
// remainder.
func (s *SparseRK) flush() int64 {
	ops := s.madds / int64(s.n)
	s.madds -= ops * int64(s.n)
	return ops
}
