//go:build race

package nn_test

// raceOn: the race detector slows the Go loops about tenfold, so the
// cancellation test allows a proportionally longer lag.
const raceOn = true
