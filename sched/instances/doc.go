// Package instances ships the job-shop benchmark instances that the sched
// tests and examples need: ft06, ft10, la01–la05 (standard format, gzipped,
// embedded), the bounds of the ft, la and ta families, and the 80 Taillard
// instances ta01–ta80, regenerated exactly from their seeds.
//
// The instance files and bounds come from ScheduleOpt/benchmarks (commit
// 79f0edc1, CC BY-SA 4.0); the frozen Taillard BKS row is from
// thomasWeise/jsspInstancesAndResults (2020), as listed in the spec.
//
// Usage:
//
//	in, err := instances.Load("ft06")
//	if err != nil { ... }
//	fmt.Println(in.N, in.M, in.BKS) // 6 6 55
package instances
