// Package gantt draws Gantt charts of job-shop schedules of package sched
// with gonum/plot: one row per machine, one bar per operation coloured by
// job (labelled with the job index when there is room), a dashed line at
// the makespan. It is a package of its own so that importing sched does not
// pull in the plotting libraries.
//
// Symbols: the bar of operation (j,k) spans [Schedule.Start[j][k],
// Start[j][k] + Instance.Dur[j][k]) on row Instance.Mach[j][k].
//
// Usage:
//
//	in, _ := instances.Load("ft06")
//	s, _ := sched.NonDelay(in, sched.MWKR)
//	err := gantt.Save("ft06.svg", in, s, "ft06 MWKR", 0, 0) // size in cm; 0 = default
package gantt
