//go:build !race

package learned_test

const raceFactor = 1
