//go:build unix

package ef21grpc

import (
	"math"
	"syscall"
)

// cpuTime returns the process's user+system CPU seconds, a measure that a
// loaded machine distorts less than wall time.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return math.NaN()
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
