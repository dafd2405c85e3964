package constrained

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// condMax is the LU condition estimate above which K is treated as singular:
// beyond 1/ε₆₄ the solve carries no correct digits.
const condMax = 1 / 2.220446049250313e-16

// ExactLU is the deterministic reference "sketcher": a dense LU
// factorization of K with partial pivoting (gonum mat.LU) and one exact
// solve, i.e. the exact Newton/SQP step. Factor costs about n³/3
// multiply-adds (n²/3 row operations), the solve n row operations.
//
// The zero value is ready to use; it must not be shared by concurrent solves.
type ExactLU struct {
	lu mat.LU
	k  blas64.General
}

var _ Sketcher = (*ExactLU)(nil)

// Factor computes the LU factorization of K. It returns an error wrapping
// [ErrSingularKKT] if K is singular to working precision, [ErrDimension]
// for a nil or non-square K, [ErrNotFinite] if K holds NaN or ±Inf.
func (e *ExactLU) Factor(K *mat.Dense) (int64, error) {
	raw, err := checkK(K)
	e.k = blas64.General{}
	if err != nil {
		return 0, err
	}
	if !linalg.AllFinite(raw.Data) {
		return 0, fmt.Errorf("%w: K", ErrNotFinite)
	}
	n := int64(raw.Rows)
	e.lu.Factorize(K)
	if c := e.lu.Cond(); !(c < condMax) {
		return n * n / 3, fmt.Errorf("%w: LU condition estimate %.3g", ErrSingularKKT, c)
	}
	e.k = raw
	return n*n/3 + n, nil
}

// Solve overwrites z with K⁻¹b (unless ‖r‖ ≤ tol already or maxIter is 0)
// and r with the residual of the solve. It reports one step; rng is not
// used and may be nil.
func (e *ExactLU) Solve(ctx context.Context, z, r, b []float64, tol float64, maxIter int, rng *rand.Rand) (steps int, rowOps int64, err error) {
	if err := checkSolve(e.k, z, r, b, maxIter, rng, false); err != nil {
		return 0, 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if linalg.Nrm2(r) <= tol || maxIter == 0 {
		return 0, 0, nil
	}
	n := len(z)
	zv := mat.NewVecDense(n, z)
	bv := mat.NewVecDense(n, b)
	// SolveVecTo only reports a condition warning here: Factor has already
	// rejected a singular K, and the residual below measures the accuracy.
	if err := e.lu.SolveVecTo(zv, false, bv); err != nil {
		var cond mat.Condition
		if !errors.As(err, &cond) {
			return 0, 0, fmt.Errorf("%w: %w", ErrSingularKKT, err)
		}
	}
	residual(r, e.k, z, b)
	return 1, 3 * int64(n), nil
}
