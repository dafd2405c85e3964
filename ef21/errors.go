package ef21

import "errors"

// Sentinel errors. Errors from Run, NewClient and NewServer wrap one of
// them; a run that stops with Status run.Failure returns an error wrapping
// the sentinel that says what went wrong (ErrNotFinite or ErrPanic).
var (
	// ErrDimension reports inconsistent sizes: x0 against Oracle.Dim, a
	// client with Dim 0, per-client slices of the wrong length, or a
	// problem too large to allocate (see MaxElements).
	ErrDimension = errors.New("ef21: dimension mismatch")
	// ErrSettings reports an invalid setting (P outside (0,1], bad weights,
	// negative step size, compressor unusable in this dimension, nil
	// random source ...). The message names the field.
	ErrSettings = errors.New("ef21: invalid settings")
	// ErrSmoothness reports missing or invalid smoothness constants.
	ErrSmoothness = errors.New("ef21: invalid smoothness constants")
	// ErrNotFinite reports a NaN or Inf in x0, a gradient or an iterate.
	ErrNotFinite = errors.New("ef21: not finite")
	// ErrPanic reports a panic in user code (an Oracle or a Compressor)
	// called from one of Run's worker goroutines; the panic is recovered
	// so that the caller's process survives, and the run ends with Status
	// run.Failure.
	ErrPanic = errors.New("ef21: panic in an oracle or compressor")
)
