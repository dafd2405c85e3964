package rl

import "errors"

var (
	// ErrAction reports an action outside the environment's action space.
	ErrAction = errors.New("rl: action outside the action space")
	// ErrReward reports a NaN or infinite reward.
	ErrReward = errors.New("rl: non-finite reward")
	// ErrWeights reports preference weights of the wrong length, negative,
	// non-finite or not summing to 1.
	ErrWeights = errors.New("rl: invalid preference weights")
	// ErrSettings reports an invalid argument or setting.
	ErrSettings = errors.New("rl: invalid settings")
	// ErrSpace reports a malformed observation or action space.
	ErrSpace = errors.New("rl: malformed space")
	// ErrDimension reports a slice of the wrong length (a reward slice
	// that does not match the number of objectives, say).
	ErrDimension = errors.New("rl: dimension mismatch")
	// ErrRand reports a nil *rand.Rand where randomness is needed.
	ErrRand = errors.New("rl: nil *rand.Rand")
)

// MaxObjectives bounds the number of objectives an environment may report
// (the library's C-MORL and metrics are practical up to about 9).
const MaxObjectives = 64
