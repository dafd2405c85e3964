package bilevel

import (
	"errors"
	"fmt"
)

// Status says why a solver stopped.
type Status int

const (
	// NotTerminated means the run has not finished (seen by recorders).
	NotTerminated Status = iota
	// Converged means the stationarity measure fell below the tolerance.
	Converged
	// IterationLimit means the iteration budget was used up.
	IterationLimit
	// Canceled means the context was canceled; the result is the last iterate.
	Canceled
	// RecorderStopped means a [Recorder] returned an error.
	RecorderStopped
	// Failure means the run stopped on an error (non-finite values or a failed
	// projection); the result holds the last good iterate.
	Failure
)

var statusNames = [...]string{"NotTerminated", "Converged", "IterationLimit", "Canceled", "RecorderStopped", "Failure"}

// String returns the name of the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Errors returned by the package. Callers branch on them with errors.Is;
// returned errors wrap them with detail.
var (
	// ErrDimension reports mismatched dimensions between a problem and the
	// vectors or projectors passed with it.
	ErrDimension = errors.New("bilevel: dimension mismatch")
	// ErrSettings reports an invalid setting (σ ≤ 0, negative step, ...).
	ErrSettings = errors.New("bilevel: invalid settings")
	// ErrNonFinite reports a NaN or Inf in the input or in an oracle's output.
	ErrNonFinite = errors.New("bilevel: non-finite value")
	// ErrInfeasible reports an empty feasible set.
	ErrInfeasible = errors.New("bilevel: infeasible")
	// ErrNotConverged reports that an inner iterative routine (a projection or
	// an inner solve) did not reach its tolerance within its iteration cap.
	ErrNotConverged = errors.New("bilevel: not converged")
)
