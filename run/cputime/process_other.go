//go:build !unix

package cputime

import "time"

// Process reports false: getrusage is not available on this system.
func Process() (time.Duration, bool) { return 0, false }
