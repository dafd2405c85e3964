package ppo

import "errors"

// Errors returned (wrapped, with detail) by this package.
var (
	// ErrSettings reports an invalid or non-finite setting (naming the
	// field), an incomplete agent or a model that does not fit the
	// environment.
	ErrSettings = errors.New("ppo: invalid settings")
	// ErrDimension reports slices or batches of the wrong length.
	ErrDimension = errors.New("ppo: dimension mismatch")
	// ErrNotFinite reports a NaN or Inf in a gradient or loss.
	ErrNotFinite = errors.New("ppo: not finite")
	// ErrPanic reports a panic recovered inside a rollout goroutine (from
	// a user's environment or policy); the message holds the panic value.
	ErrPanic = errors.New("ppo: panic in rollout")
)
