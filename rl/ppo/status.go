package ppo

import "errors"

// ErrConfig reports invalid settings or an incomplete agent.
var ErrConfig = errors.New("ppo: invalid configuration")
