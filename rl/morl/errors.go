package morl

import "errors"

var (
	// ErrDimension reports mismatched numbers of objectives or a ragged
	// point set.
	ErrDimension = errors.New("morl: dimension mismatch")
	// ErrNotFinite reports a NaN or infinite objective value or setting.
	ErrNotFinite = errors.New("morl: non-finite value")
	// ErrEmpty reports an empty point set or weight grid.
	ErrEmpty = errors.New("morl: empty input")
	// ErrReference reports a reference point that no archive point dominates.
	ErrReference = errors.New("morl: reference point not dominated by any point")
	// ErrSettings reports an invalid setting, argument or agent.
	ErrSettings = errors.New("morl: invalid settings")
	// ErrSize reports a request whose result would exceed the package's
	// size limit (see [MaxGridSize]).
	ErrSize = errors.New("morl: size limit exceeded")
	// ErrPanic reports a panic inside a training task (a bug in a
	// user-supplied environment, policy or critic); the run returns it
	// instead of crashing the process.
	ErrPanic = errors.New("morl: panic in a training task")
)
