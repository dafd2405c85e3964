package constrained

import (
	"context"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Objective is a smooth objective f: Rᵈ → R.
type Objective interface {
	// Func returns f(x). It must not modify x.
	Func(x []float64) float64
	// Grad stores ∇f(x) in g (len d). It must not modify x.
	Grad(g, x []float64)
}

// Constraints are m smooth equality constraints c(x) = 0.
type Constraints interface {
	// Cons stores c(x) in c (len m).
	Cons(c, x []float64)
	// Jac stores the m×d Jacobian G(x) = ∂c/∂x in J, which the caller
	// allocates with the right shape.
	Jac(J *mat.Dense, x []float64)
}

// LagrangianHessian evaluates the Hessian of the Lagrangian.
type LagrangianHessian interface {
	// HessLag stores ∇²ₓL(x, λ) = ∇²f(x) + Σⱼ λⱼ ∇²cⱼ(x) in H (d×d).
	HessLag(H *mat.SymDense, x, l []float64)
}

// EqProblem is an equality-constrained nonlinear program
//
//	min f(x)  subject to  c(x) = 0,   x ∈ Rᵈ, c: Rᵈ → Rᵐ,
//
// with analytic first and second derivatives. Dims reports (d, m).
type EqProblem interface {
	Dims() (d, m int)
	Objective
	Constraints
	LagrangianHessian
}

// HessVecer is an optional interface of an [EqProblem]: the product of the
// Hessian of the Lagrangian with a vector, dst = ∇²ₓL(x, λ) v. [CheckDerivatives]
// checks it when the problem implements it.
type HessVecer interface {
	HessLagVec(dst, x, l, v []float64)
}

// Sketcher approximately solves the (d+m)×(d+m) KKT system K z = b of one
// outer iteration. The solver calls Factor once each time K changes and then
// Solve one or more times (once per penalty retry) on the same K, continuing
// from the z and r that the previous call left.
//
// Implementations keep their workspace between calls, so one value must not
// be used by two concurrent solves.
type Sketcher interface {
	// Factor prepares for systems with matrix K (for example row norms or an
	// LU factorization). It returns the work in row operations (multiply-adds
	// divided by the order n of K) and an error wrapping [ErrSingularKKT] if
	// K is found to be singular, [ErrDimension] if K is not square, or
	// [ErrNotFinite] if it holds NaN or ±Inf. K must not be modified.
	Factor(K *mat.Dense) (rowOps int64, err error)
	// Solve iterates from z, where r = K z − b on entry, until ‖r‖₂ ≤ tol or
	// maxIter steps, and leaves the updated z and its exact residual r. It
	// returns the number of steps, the work in row operations, and an error:
	// ctx's error if ctx ended (checked at least every few hundred row
	// operations' worth of steps, so the call returns within milliseconds),
	// [ErrDimension] for slices of the wrong length or a call before Factor,
	// [ErrSettings] for a nil rng (randomized sketchers) or a negative maxIter.
	Solve(ctx context.Context, z, r, b []float64, tol float64, maxIter int, rng *rand.Rand) (steps int, rowOps int64, err error)
}
