package famo2o

import "errors"

// Errors returned (wrapped, with detail) by this package.
var (
	// ErrSettings reports an invalid setting (the message names the field).
	ErrSettings = errors.New("famo2o: invalid settings")
	// ErrDimension reports data or models whose sizes do not match.
	ErrDimension = errors.New("famo2o: dimension mismatch")
	// ErrNotFinite reports NaN or Inf in a data set or a training quantity.
	ErrNotFinite = errors.New("famo2o: value not finite")
	// ErrEmpty reports an empty data set.
	ErrEmpty = errors.New("famo2o: empty data set")
	// ErrPanic reports a panic in a user's environment or behaviour policy,
	// recovered and turned into an error.
	ErrPanic = errors.New("famo2o: panic in user code")
)
