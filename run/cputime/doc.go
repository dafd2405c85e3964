// Package cputime reads the CPU clocks that the module's benchmarks and
// examples report beside wall time: on a shared machine, time spent
// descheduled inflates wall-clock rates but not CPU-clock rates. Process
// is the whole process's user+system time (getrusage); Thread the calling
// OS thread's (Linux), for a measurement pinned with
// runtime.LockOSThread. Both return false where the clock is unavailable.
//
//	c0, ok := cputime.Process()
//	work()
//	if c1, _ := cputime.Process(); ok && c1 > c0 {
//		b.ReportMetric(n/(c1-c0).Seconds(), "items/cpu-s")
//	}
package cputime
