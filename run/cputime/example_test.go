package cputime_test

import (
	"fmt"

	"github.com/optlearn/optlearn/run/cputime"
)

// ExampleProcess measures the CPU time of some work, as the benchmarks do
// beside the wall time.
func ExampleProcess() {
	c0, ok := cputime.Process()
	x := 0.0
	for i := range 10_000_000 {
		x += float64(i & 3)
	}
	c1, _ := cputime.Process()
	fmt.Println(x > 0, !ok || c1 >= c0)
	// Output: true true
}
