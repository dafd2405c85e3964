// Package cputime reads the CPU clocks that the module's benchmarks report
// beside wall time: on a shared machine, time spent descheduled inflates
// wall-clock rates but not CPU-clock rates. It is used by the test files
// of several packages; examples carry their own copy so that each builds
// alone outside the module.
//
//	c0, ok := cputime.Process()
//	work()
//	if c1, _ := cputime.Process(); ok && c1 > c0 {
//		b.ReportMetric(n/(c1-c0).Seconds(), "items/cpu-s")
//	}
package cputime
