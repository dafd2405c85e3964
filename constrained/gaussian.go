package constrained

import (
	"context"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// GaussianSketch is the Gaussian-vector sketcher of AdaSketch-Newton-GV: each
// step draws s ~ N(0, I), forms w = Kᵀ s and projects z onto
// {z : sᵀK z = sᵀb},
//
//	z ← z − (sᵀr/‖w‖²) w,   sᵀr = wᵀz − sᵀb,
//
// which costs one matrix-vector product (n row operations) plus four vector
// operations. The residual r, needed only by the stopping test, is
// recomputed every Check steps.
//
// The zero value is ready to use. A GaussianSketch holds workspace and must
// not be shared by concurrent solves.
type GaussianSketch struct {
	// Check is the number of steps between full residual evaluations.
	// Zero means 4.
	Check int

	k    blas64.General
	s, w []float64
}

var _ Sketcher = (*GaussianSketch)(nil)

// Factor stores K. It fails only with [ErrDimension] for a nil or
// non-square K.
func (g *GaussianSketch) Factor(K *mat.Dense) (int64, error) {
	raw, err := checkK(K)
	g.k = raw
	if err != nil {
		return 0, err
	}
	g.s = resize(g.s, g.k.Rows)
	g.w = resize(g.w, g.k.Cols)
	return 0, nil
}

// Solve runs Gaussian sketch steps from z until ‖K z − b‖₂ ≤ tol or maxIter
// steps, checking ctx before every step (each costs n row operations). It
// does not allocate.
func (g *GaussianSketch) Solve(ctx context.Context, z, r, b []float64, tol float64, maxIter int, rng *rand.Rand) (steps int, rowOps int64, err error) {
	if err := checkSolve(g.k, z, r, b, maxIter, rng, true); err != nil {
		return 0, 0, err
	}
	n := g.k.Rows
	if linalg.Nrm2(r) <= tol {
		return 0, 0, nil
	}
	check := g.Check
	if check <= 0 {
		check = 4
	}
	for steps < maxIter {
		if err := ctx.Err(); err != nil {
			return steps, rowOps, err
		}
		for i := range g.s {
			g.s[i] = rng.NormFloat64()
		}
		linalg.Gemv(true, 1, g.k, g.s, 0, g.w)
		ww := linalg.SqNorm(g.w)
		steps++
		rowOps += int64(n) + 4
		if ww > 0 {
			sr := linalg.Dot(g.w, z) - linalg.Dot(g.s, b)
			linalg.Axpy(-sr/ww, g.w, z)
		}
		if steps%check == 0 || steps == maxIter {
			residual(r, g.k, z, b)
			rowOps += int64(n)
			if linalg.Nrm2(r) <= tol {
				break
			}
		}
	}
	return steps, rowOps, nil
}
