package constrained_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/run"
)

// AdaSketch-Newton with randomized Kaczmarz on HS40.
func ExampleSolve() {
	p := problems.HS40()
	res, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
		Tol:      1e-6,
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
		Tol:      1e-6,
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
	// from (0,0,0): constrained: singular constraint Jacobian (LICQ fails): λmin(G Gᵀ) = 0 < XiGMin = 0.01
}

func ExampleCheckDerivatives() {
	p := problems.HS77()
	rep, err := constrained.CheckDerivatives(p, p.X0, []float64{0.5, -1}, 1e-6)
	fmt.Println(err == nil, rep.Max() < 1e-6)
	// Output:
	// true true
}

// A History keeps every outer iteration for plots; a Printer (here to
// stderr, so the output below stays reproducible) writes progress lines.
func ExampleHistory() {
	p := problems.HS28()
	h := &constrained.History{}
	printer := &constrained.Printer{W: os.Stderr}
	res, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
		Sketcher: &constrained.ExactLU{},
		Recorder: run.Tee(h, printer),
	})
	fmt.Println(res.Status, err)
	for _, it := range h.Iters {
		fmt.Printf("iter %d: f %.4g, kkt %.3g, alpha %g\n", it.Iteration, it.F, it.KKT, it.Alpha)
	}
	// Output:
	// Converged <nil>
	// iter 0: f 13, kkt 7.48, alpha 0
	// iter 1: f 0, kkt 0, alpha 1
}

// The inexact SQP baseline (ℓ1 merit, GMRES under the Byrd–Curtis–Nocedal
// termination tests), in its adaptive variant.
func ExampleSolveSQP() {
	p := problems.HS77()
	res, err := constrained.SolveSQP(context.Background(), p, p.X0, nil, &constrained.SQPSettings{Adaptive: true})
	fmt.Printf("%v %v after %d iterations: f = %.4f (f* = %.4f)\n", res.Status, err, res.Iterations, res.F, p.FStar)
	// Output:
	// Converged <nil> after 9 iterations: f = 0.2415 (f* = 0.2415)
}

// The augmented Lagrangian baseline: one iteration is one multiplier
// update after an inexact Newton solve of the subproblem.
func ExampleSolveAL() {
	p := problems.HS77()
	res, err := constrained.SolveAL(context.Background(), p, p.X0, nil, nil)
	fmt.Printf("%v %v after %d multiplier updates (%d Newton steps): f = %.4f\n", res.Status, err, res.Iterations, res.Retries, res.F)
	// Output:
	// Converged <nil> after 4 multiplier updates (24 Newton steps): f = 0.2415
}

// GMRES solves a nonsymmetric system to a relative residual of 1e-10.
func ExampleGMRES() {
	A := mat.NewDense(3, 3, []float64{4, 1, 0, -1, 3, 1, 0, 2, 5})
	b := []float64{1, 2, 3}
	x := make([]float64, 3)
	var g constrained.GMRES
	res, err := g.Solve(context.Background(), A, x, b, &constrained.GMRESSettings{Tol: 1e-10})
	fmt.Printf("%v %v after %d steps: x = (%.4f, %.4f, %.4f)\n", res.Status, err, res.Iterations, x[0], x[1], x[2])
	// Output:
	// Converged <nil> after 3 steps: x = (0.1053, 0.5789, 0.3684)
}

// SparseRK runs the same Kaczmarz steps as RK on the nonzeros of K only:
// on the PDE problem it needs the same outer iterations with far fewer row
// operations.
func ExampleSparseRK() {
	p, _ := problems.NewPDE(3)
	_, m := p.Dims()
	for _, sk := range []constrained.Sketcher{&constrained.RK{}, &constrained.SparseRK{}} {
		res, err := constrained.Solve(context.Background(), p, p.X0(), problems.Ones(m), &constrained.Settings{
			Tol: 1e-6, Sketcher: sk, Rand: rand.New(rand.NewPCG(1, 0)), Norm: constrained.Frobenius,
		})
		fmt.Printf("%T: %v %v after %d iterations, %d row operations\n", sk, res.Status, err, res.Iterations, res.RowOps)
	}
	// Output:
	// *constrained.RK: Converged <nil> after 4 iterations, 1200140 row operations
	// *constrained.SparseRK: Converged <nil> after 4 iterations, 168057 row operations
}
