package bilevel

import "errors"

// Errors returned by the package. Callers branch on them with errors.Is;
// returned errors wrap them with detail. A run that ends with Status
// [run.Failure] returns an error wrapping one of them.
var (
	// ErrDimension reports mismatched dimensions between a problem and the
	// vectors or projectors passed with it.
	ErrDimension = errors.New("bilevel: dimension mismatch")
	// ErrSettings reports an invalid setting (σ ≤ 0, negative step, NaN, ...);
	// the message names the field.
	ErrSettings = errors.New("bilevel: invalid settings")
	// ErrNotFinite reports a NaN or Inf in the input or in an oracle's output.
	ErrNotFinite = errors.New("bilevel: non-finite value")
	// ErrInfeasible reports an empty feasible set.
	ErrInfeasible = errors.New("bilevel: infeasible")
	// ErrNotConverged reports that an inner iterative routine (a projection,
	// an inner solve or a fixed-point relaxation) did not reach its tolerance
	// within its iteration cap.
	ErrNotConverged = errors.New("bilevel: not converged")
)
