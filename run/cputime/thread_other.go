//go:build !linux

package cputime

import "time"

// Thread reports false: the per-thread CPU clock is read only on Linux.
func Thread() (time.Duration, bool) { return 0, false }
