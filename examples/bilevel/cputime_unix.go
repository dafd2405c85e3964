//go:build unix

package main

import (
	"syscall"
	"time"
)

// cpuTime returns the user+system CPU time of the process (the solver is
// single-threaded, so differences measure its run time without the noise of
// other processes on a shared machine).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return wallTime()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
