//go:build !unix

package main

import "time"

// cpuTime falls back to the wall time since start-up where getrusage is
// not available: an upper bound on the single-threaded solver's CPU time.
func cpuTime() time.Duration { return wallTime() }
