package constrained

import "errors"

// Sentinel errors. A run that ends with Status run.Failure returns an error
// wrapping one of ErrSingularJacobian, ErrPenaltyBlowUp, ErrInnerCap,
// ErrLineSearch, ErrNotFinite or ErrSingularKKT, so callers branch with
// errors.Is. Errors returned by the package wrap one of them (or the
// context's error, or the Recorder's error).
var (
	// ErrSingularJacobian: λmin(G Gᵀ) < Settings.XiGMin, the constraint
	// Jacobian is (numerically) rank deficient (LICQ fails).
	ErrSingularJacobian = errors.New("constrained: singular constraint Jacobian (LICQ fails)")
	// ErrPenaltyBlowUp: the penalty safeguard (μ > MuMax or ν < NuMin)
	// was reached without a descent direction of the merit function.
	ErrPenaltyBlowUp = errors.New("constrained: penalty parameters blew up without a descent direction")
	// ErrInnerCap: the line search failed after an inner solve had hit
	// its step cap, so the inexact direction was too poor to make progress.
	ErrInnerCap = errors.New("constrained: inner solver cap hit and line search failed")
	// ErrLineSearch: the line search failed after MaxBacktrack halvings.
	ErrLineSearch = errors.New("constrained: line search failed")
	// ErrNotFinite: NaN or ±Inf in an input or from a problem callback.
	ErrNotFinite = errors.New("constrained: NaN or Inf")
	// ErrSingularKKT: a Sketcher found the KKT matrix singular.
	ErrSingularKKT = errors.New("constrained: singular KKT matrix")
	// ErrDimension: sizes of arguments and the problem disagree, or m > d.
	ErrDimension = errors.New("constrained: dimension mismatch")
	// ErrSettings: a Settings field or argument is invalid (negative, NaN,
	// out of range, or a required value is nil); the message names it.
	ErrSettings = errors.New("constrained: invalid settings")
	// ErrDerivative: CheckDerivatives found an error above its tolerance.
	ErrDerivative = errors.New("constrained: derivative check failed")
)
