package parl

import "errors"

// Sentinel errors; errors returned by the package wrap one of them (or the
// context's error) with detail.
var (
	// ErrMDP: the MDP is malformed (see [MDP.Validate]).
	ErrMDP = errors.New("parl: invalid MDP")
	// ErrDimension: a vector's length does not match the feature dimension.
	ErrDimension = errors.New("parl: dimension mismatch")
	// ErrSettings: a setting is out of range, NaN or Inf.
	ErrSettings = errors.New("parl: invalid settings")
	// ErrNotFinite: NaN or Inf in an input or a feedback value.
	ErrNotFinite = errors.New("parl: NaN or Inf")
	// ErrFeedback: a Feedback returned an invalid label or value.
	ErrFeedback = errors.New("parl: invalid feedback")
)
