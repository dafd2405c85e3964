package bilevel

import "math/rand/v2"

// Problem is a smooth bilevel problem given by first-order oracles for its
// upper-level and lower-level objectives. Gradients are written into
// caller-owned buffers (destination first); x and y are never modified.
//
// The penalty method ([Penalty]) reads UpperGrad as ∇f and LowerGrad as ∇g of
// Kwon et al.; [LVHBA] reads UpperGrad as ∇F and LowerGrad as ∇f of Yao et al.
type Problem interface {
	// Dims returns the dimensions of the upper-level variable x and of the
	// lower-level variable y.
	Dims() (nx, ny int)
	// UpperGrad writes the partial gradients of the upper-level objective at
	// (x, y) into gx (length nx) and gy (length ny).
	UpperGrad(gx, gy, x, y []float64)
	// LowerGrad writes the partial gradients of the lower-level objective at
	// (x, y) into gx and gy.
	LowerGrad(gx, gy, x, y []float64)
}

// UpperValuer is implemented by problems that can evaluate the upper-level
// objective. It is optional; traces report NaN values without it.
type UpperValuer interface {
	// UpperValue returns the upper-level objective at (x, y).
	UpperValue(x, y []float64) float64
}

// LowerValuer is implemented by problems that can evaluate the lower-level
// objective. It is optional; it is needed for the lower-level gap in traces
// and for ψσ values from [PenaltyOracle].
type LowerValuer interface {
	// LowerValue returns the lower-level objective at (x, y).
	LowerValue(x, y []float64) float64
}

// Lipschitz is implemented by problems that know the Lipschitz constants of
// ∇_y of their upper and lower objectives. The penalty method uses them for
// its default inner step β = 1/(σ·upper + lower).
type Lipschitz interface {
	// Lipschitz returns the Lipschitz constants of y ↦ ∇_y upper(x, y) and
	// y ↦ ∇_y lower(x, y).
	Lipschitz() (upper, lower float64)
}

// Stochastic is a [Problem] whose gradients are observed with noise. The
// Problem methods give the expected (noise-free) gradients; NewSample returns
// a handle through which noisy gradients are drawn.
type Stochastic interface {
	Problem
	// NewSample returns a new sample handle. Solvers call it once per stream
	// at start-up and then reuse the handle, so Draw must not allocate.
	NewSample() Sample
}

// Sample is one realisation (ζ, ξ) of the noise of a [Stochastic] problem.
// Between two calls of Draw every gradient call uses the same realisation,
// which lets a solver evaluate ∇_x g(x, y; ξ) and ∇_x g(x, z; ξ) with the same ξ.
type Sample interface {
	// Draw replaces the realisation by a fresh one drawn from rng.
	Draw(rng *rand.Rand)
	// UpperGrad writes ∇ of the upper objective for the current realisation.
	UpperGrad(gx, gy, x, y []float64)
	// LowerGrad writes ∇ of the lower objective for the current realisation.
	LowerGrad(gx, gy, x, y []float64)
}

// Constraints are the lower-level constraints g(x, y) ≤ 0 (g: ℝⁿ×ℝᵐ → ℝᵖ) of a
// constrained bilevel problem; they may couple x and y.
type Constraints interface {
	// NumConstraints returns p, the number of constraint functions.
	NumConstraints() int
	// Constraint writes g(x, y) into dst (length p).
	Constraint(dst, x, y []float64)
	// ConstraintVJP writes the vector–Jacobian product Σᵢ λᵢ∇gᵢ(x, y) into
	// gx (x block) and gy (y block).
	ConstraintVJP(gx, gy, x, y, lambda []float64)
}

// ConstrainedProblem is a bilevel problem whose lower level has the
// constraints g(x, y) ≤ 0, as solved by [LVHBA].
type ConstrainedProblem interface {
	Problem
	Constraints
}

// Projector is a Euclidean projection onto a closed convex set.
type Projector interface {
	// Project replaces v by its projection onto the set. It returns an error
	// (wrapping [ErrInfeasible] or [ErrNotConverged]) when the projection
	// cannot be computed; v then holds the best approximation found.
	Project(v []float64) error
}
