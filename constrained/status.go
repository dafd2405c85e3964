package constrained

import "errors"

// Status says why [Solve] stopped.
type Status int

// Status values. Converged is the only success.
const (
	// NotTerminated is the zero Status, seen by a Recorder during a run.
	NotTerminated Status = iota
	// Converged: the KKT residual ‖(∇ₓL, c)‖₂ reached Settings.Eps.
	Converged
	// IterationLimit: Settings.MaxIter outer iterations without convergence.
	IterationLimit
	// SingularJacobian: λmin(G Gᵀ) fell below Settings.XiGMin (LICQ fails).
	SingularJacobian
	// PenaltyBlowUp: the penalty safeguard (μ > MuMax or ν < NuMin) accepted
	// a direction that is not a descent direction of the merit function.
	PenaltyBlowUp
	// InnerCap: the line search failed after the inner solver had hit its
	// step cap, so the inexact direction was too poor to make progress.
	InnerCap
	// LineSearchFailure: backtracking reached MaxBacktrack halvings.
	LineSearchFailure
	// NonFinite: a user callback returned NaN or ±Inf.
	NonFinite
	// SingularKKT: the sketcher found the KKT matrix singular.
	SingularKKT
	// Canceled: the context was canceled.
	Canceled
	// RecorderStop: the Recorder returned an error.
	RecorderStop
)

var statusNames = [...]string{
	NotTerminated:     "NotTerminated",
	Converged:         "Converged",
	IterationLimit:    "IterationLimit",
	SingularJacobian:  "SingularJacobian",
	PenaltyBlowUp:     "PenaltyBlowUp",
	InnerCap:          "InnerCap",
	LineSearchFailure: "LineSearchFailure",
	NonFinite:         "NonFinite",
	SingularKKT:       "SingularKKT",
	Canceled:          "Canceled",
	RecorderStop:      "RecorderStop",
}

// String returns the name of s.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "Status(?)"
	}
	return statusNames[s]
}

// Err returns the sentinel error of a failure status, or nil for
// NotTerminated and Converged. Canceled and RecorderStop return nil because
// Solve returns the underlying error instead.
func (s Status) Err() error {
	switch s {
	case IterationLimit:
		return ErrIterationLimit
	case SingularJacobian:
		return ErrSingularJacobian
	case PenaltyBlowUp:
		return ErrPenaltyBlowUp
	case InnerCap:
		return ErrInnerCap
	case LineSearchFailure:
		return ErrLineSearch
	case NonFinite:
		return ErrNonFinite
	case SingularKKT:
		return ErrSingularKKT
	}
	return nil
}

// Sentinel errors. Errors returned by [Solve] and [CheckDerivatives] wrap one
// of them (or the context's error), so callers can branch with errors.Is.
var (
	// ErrIterationLimit: MaxIter outer iterations without convergence.
	ErrIterationLimit = errors.New("constrained: iteration limit reached")
	// ErrSingularJacobian: λmin(G Gᵀ) < XiGMin, the constraint Jacobian is
	// (numerically) rank deficient.
	ErrSingularJacobian = errors.New("constrained: singular constraint Jacobian (LICQ fails)")
	// ErrPenaltyBlowUp: the penalty safeguard accepted a non-descent direction.
	ErrPenaltyBlowUp = errors.New("constrained: penalty parameters blew up without a descent direction")
	// ErrInnerCap: the line search failed after a capped inner solve.
	ErrInnerCap = errors.New("constrained: inner sketch cap hit and line search failed")
	// ErrLineSearch: the line search failed after MaxBacktrack halvings.
	ErrLineSearch = errors.New("constrained: line search failed")
	// ErrNonFinite: NaN or ±Inf in the start point or from a callback.
	ErrNonFinite = errors.New("constrained: NaN or Inf from a problem callback")
	// ErrSingularKKT: a Sketcher found the KKT matrix singular.
	ErrSingularKKT = errors.New("constrained: singular KKT matrix")
	// ErrDimension: the sizes of x0, l0 and the problem disagree, or m > d.
	ErrDimension = errors.New("constrained: dimension mismatch")
	// ErrSettings: a Settings field is negative, NaN or out of range.
	ErrSettings = errors.New("constrained: invalid settings")
	// ErrDerivative: CheckDerivatives found an error above its tolerance.
	ErrDerivative = errors.New("constrained: derivative check failed")
)
