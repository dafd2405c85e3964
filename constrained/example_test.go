package constrained_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
)

// AdaSketch-Newton with randomized Kaczmarz on HS40.
func ExampleSolve() {
	p := problems.HS40()
	res, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
		Eps:      1e-6,
		Sketcher: &constrained.RK{},
		Rand:     rand.New(rand.NewPCG(1, 0)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v after %d iterations: f = %.4g (f* = %.4g)\n", res.Status, res.Iterations, res.F, p.FStar)
	// Output:
	// Converged after 4 iterations: f = -0.25 (f* = -0.25)
}

// The Gaussian sketch on the PDE-constrained control problem.
func ExampleGaussianSketch() {
	p, _ := problems.NewPDE(2)
	_, m := p.Dims()
	res, err := constrained.Solve(context.Background(), p, p.X0(), problems.Ones(m), &constrained.Settings{
		Eps:      1e-6,
		Sketcher: &constrained.GaussianSketch{},
		Rand:     rand.New(rand.NewPCG(1, 0)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, _, fstar, _ := p.Solution()
	fmt.Printf("%v: f = %.4g, exact f* = %.4g\n", res.Status, res.F, fstar)
	// Output:
	// Converged: f = 4.085, exact f* = 4.085
}

// The exact-LU baseline converges to HS61's local KKT point from (1, 1, 1)
// and reports the singular Jacobian at (0, 0, 0).
func ExampleExactLU() {
	p := problems.HS61()
	res, _ := constrained.Solve(context.Background(), p, []float64{1, 1, 1}, nil, &constrained.Settings{Sketcher: &constrained.ExactLU{}})
	fmt.Printf("from (1,1,1): %v, f = %.5g\n", res.Status, res.F)
	_, err := constrained.Solve(context.Background(), p, []float64{0, 0, 0}, nil, &constrained.Settings{Sketcher: &constrained.ExactLU{}})
	fmt.Println("from (0,0,0):", err)
	// Output:
	// from (1,1,1): Converged, f = -81.919
	// from (0,0,0): constrained: singular constraint Jacobian (LICQ fails): λmin(G Gᵀ) = 0 < 0.01
}

func ExampleCheckDerivatives() {
	p := problems.HS77()
	rep, err := constrained.CheckDerivatives(p, p.X0, []float64{0.5, -1}, 1e-6)
	fmt.Println(err == nil, rep.Max() < 1e-6)
	// Output:
	// true true
}

// A Printer traces every outer iteration.
func ExamplePrinter() {
	p := problems.HS28()
	_, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
		Sketcher: &constrained.ExactLU{},
		Recorder: constrained.Printer{W: os.Stdout},
	})
	fmt.Println(err)
	// Output:
	//  iter            f        kkt    alpha        mu        nu     delta     inner
	//     0           13  7.483e+00
	//     1            0  0.000e+00        1         1       0.1     1e-06         1
	// status Converged after 1 iterations, kkt 0.000e+00
	// <nil>
}
