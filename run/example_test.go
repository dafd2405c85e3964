package run_test

import (
	"context"
	"fmt"

	"github.com/optlearn/optlearn/run"
)

// bisectIter is what a package's Iter looks like: it embeds run.Progress
// and adds the method's own quantities.
type bisectIter struct {
	run.Progress
	Lo, Hi float64
}

func (it *bisectIter) Summary() string { return fmt.Sprintf("[%.4g, %.4g]", it.Lo, it.Hi) }

// Example shows the shape every long run of the library has: a Loop for
// the bookkeeping, a History for plots, and the final Status.
func Example() {
	f := func(x float64) float64 { return x*x - 2 }
	it := &bisectIter{Lo: 0, Hi: 2}
	var h run.History[bisectIter, *bisectIter]
	loop := run.Loop[*bisectIter]{Recorder: &h, MaxIter: 100}
	loop.Start(it)
	st := run.NotTerminated
	for st == run.NotTerminated {
		mid := (it.Lo + it.Hi) / 2
		if f(mid) > 0 {
			it.Hi = mid
		} else {
			it.Lo = mid
		}
		st, _ = loop.Next(context.Background(), it, it.Hi-it.Lo < 1e-6)
	}
	loop.End(it, st, nil)
	fmt.Printf("%v after %d iterations: √2 ≈ %.6f\n", h.Status, loop.Iterations(), it.Lo)
	// Output:
	// Converged after 21 iterations: √2 ≈ 1.414213
}
