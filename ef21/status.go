package ef21

import "errors"

// Status tells why Run stopped.
type Status int

// The statuses a Run ends with.
const (
	// NotTerminated is the zero value, never returned by Run.
	NotTerminated Status = iota
	// Converged means ‖∇f(xᵗ)‖² ≤ Settings.Tol.
	Converged
	// IterationLimit means Settings.Iters rounds were done.
	IterationLimit
	// Canceled means the context was cancelled.
	Canceled
	// RecorderError means the Recorder returned an error.
	RecorderError
	// Failure means a NaN or Inf appeared; Result.X is the last finite iterate.
	Failure
)

var statusNames = [...]string{"NotTerminated", "Converged", "IterationLimit", "Canceled", "RecorderError", "Failure"}

// String returns the name of s.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "Status(?)"
	}
	return statusNames[s]
}

// Sentinel errors. Errors from Run wrap one of them.
var (
	// ErrDimension reports inconsistent sizes: x0 against Oracle.Dim, a
	// client with Dim 0, or per-client slices of the wrong length.
	ErrDimension = errors.New("ef21: dimension mismatch")
	// ErrSettings reports an invalid setting (P outside (0,1], bad weights,
	// negative step size, compressor unusable in this dimension ...).
	ErrSettings = errors.New("ef21: invalid settings")
	// ErrSmoothness reports missing or invalid smoothness constants.
	ErrSmoothness = errors.New("ef21: invalid smoothness constants")
	// ErrNotFinite reports a NaN or Inf in x0, a gradient or an iterate.
	ErrNotFinite = errors.New("ef21: not finite")
)
