//go:build !linux

package selective

import "time"

var start = time.Now()

// threadCPU falls back to wall time where the thread CPU clock is not
// available.
func threadCPU() time.Duration { return time.Since(start) }

// processCPU falls back to wall time.
func processCPU() time.Duration { return time.Since(start) }
