//go:build race

package morl

// raceEnabled: the race detector slows every step about tenfold, so the
// latency bounds of TestCancel are only logged.
const raceEnabled = true
