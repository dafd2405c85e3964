//go:build unix

package learned_test

import (
	"syscall"
	"time"
)

// cpuTime returns the process's user+system CPU time (for throughput
// figures that a loaded machine does not inflate the way wall time is).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
