//go:build race

package gpme

// raceEnabled: the race detector slows every instruction down about
// tenfold, so latency bounds measured in wall time are relaxed.
const raceEnabled = true
