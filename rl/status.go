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
)
