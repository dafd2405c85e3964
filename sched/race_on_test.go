//go:build race

package sched_test

// raceEnabled: the race detector slows everything down about tenfold, so
// the cancellation tests check promptness only without it.
const raceEnabled = true
