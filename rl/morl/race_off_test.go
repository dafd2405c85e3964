//go:build !race

package morl

// raceEnabled: see race_on_test.go.
const raceEnabled = false
