package optim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/optlearn/optlearn/nn/optim"
)

func TestAdamMinimisesQuadratic(t *testing.T) {
	x := []float64{5, -4}
	g := make([]float64, 2)
	opt := optim.Adam{LR: 0.1}
	for range 2000 {
		g[0], g[1] = 2*(x[0]-1), 2*(x[1]+1)
		opt.Step([][]float64{x}, [][]float64{g})
	}
	if math.Abs(x[0]-1) > 1e-6 || math.Abs(x[1]+1) > 1e-6 {
		t.Errorf("Adam ended at %v, want [1 -1]", x)
	}
}

// The first step of Adam moves every coordinate by LR against the sign of
// its gradient, whatever the gradient's scale (bias-corrected moments).
func TestAdamFirstStep(t *testing.T) {
	x := []float64{0, 0, 0}
	g := []float64{1e-3, -50, 7}
	opt := optim.Adam{LR: 0.01, Eps: 1e-12}
	opt.Step([][]float64{x}, [][]float64{g})
	want := []float64{-0.01, 0.01, -0.01}
	for i := range x {
		if math.Abs(x[i]-want[i]) > 1e-9 {
			t.Fatalf("after one step x = %v, want %v", x, want)
		}
	}
	asc := optim.Adam{LR: 0.01, Ascent: true}
	y := []float64{0}
	asc.Step([][]float64{y}, [][]float64{{3}})
	if math.Abs(y[0]-0.01) > 1e-9 {
		t.Errorf("ascent step moved to %v, want 0.01", y[0])
	}
}

func TestAdamNoAllocation(t *testing.T) {
	p := [][]float64{make([]float64, 100)}
	g := [][]float64{make([]float64, 100)}
	var opt optim.Adam
	opt.Step(p, g)
	if n := testing.AllocsPerRun(10, func() { opt.Step(p, g) }); n != 0 {
		t.Errorf("Adam.Step allocates %v times", n)
	}
}

// Minimise (x-3)² with Adam on a plain slice.
func ExampleAdam() {
	x := []float64{0}
	g := []float64{0}
	opt := optim.Adam{LR: 0.1}
	for i := 0; i < 300; i++ {
		g[0] = 2 * (x[0] - 3)
		opt.Step([][]float64{x}, [][]float64{g})
	}
	fmt.Printf("x = %.2f after %d steps\n", x[0], opt.Steps())
	// Output:
	// x = 3.00 after 300 steps
}

// Step refuses a NaN gradient and leaves the parameters as they were.
func ExampleAdam_Step() {
	x := []float64{1}
	opt := optim.Adam{LR: 0.1}
	err := opt.Step([][]float64{x}, [][]float64{{math.NaN()}})
	fmt.Println(x, err)
	// Output: [1] optim: gradient not finite: gradient 0[0] = NaN
}
