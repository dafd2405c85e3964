package pde

import "errors"

// Errors returned by the package; detail is wrapped with %w.
var (
	// ErrDimension reports inputs whose sizes do not agree.
	ErrDimension = errors.New("pde: dimension mismatch")
	// ErrNotFinite reports a NaN or ±Inf in user data.
	ErrNotFinite = errors.New("pde: value is NaN or Inf")
	// ErrNotPSD reports a covariance that is not symmetric positive
	// semidefinite, detected by a failed factorisation or a negative
	// variance.
	ErrNotPSD = errors.New("pde: covariance is not positive semidefinite")
	// ErrZeroVariance reports a constraint with zero noise variance along
	// which the prediction has (numerically) zero variance, so that
	// S = GΣGᵀ + diag(σ²) is singular and the σ→0 limit is undefined. Use
	// [ProjectHardC] or a positive noise variance instead.
	ErrZeroVariance = errors.New("pde: zero variance along a noise-free constraint")
	// ErrUnsortedGrid reports a grid that is not strictly increasing.
	ErrUnsortedGrid = errors.New("pde: grid is not strictly increasing")
	// ErrEmpty reports an empty input.
	ErrEmpty = errors.New("pde: empty input")
	// ErrSettings reports an invalid setting or parameter (out of range, or
	// non-finite); the message names it.
	ErrSettings = errors.New("pde: invalid settings")
	// ErrInfeasible reports constraints that no point satisfies (the
	// non-negative projection with an unreachable mass).
	ErrInfeasible = errors.New("pde: infeasible constraints")
)
