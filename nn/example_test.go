package nn_test

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
)

// Fit y = x² on [-1, 1] with a 1-16-1 tanh network.
func ExampleTrain() {
	rng := rand.New(rand.NewPCG(1, 0))
	n := 64
	X := mat.NewDense(n, 1, nil)
	Y := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		x := -1 + 2*float64(i)/float64(n-1)
		X.Set(i, 0, x)
		Y.Set(i, 0, x*x)
	}
	m, err := nn.NewMLP([]int{1, 16, 1}, nn.Tanh, rng)
	if err != nil {
		panic(err)
	}
	res, err := nn.Train(context.Background(), m, X, Y, &nn.TrainSettings{Epochs: 1000, LR: 0.02}, rng)
	if err != nil {
		panic(err)
	}
	fmt.Printf("train mse below 1e-3: %v\n", res.Loss < 1e-3)
	fmt.Printf("|f(0.5) - 0.25| < 0.02: %v\n", math.Abs(m.Predict(nil, []float64{0.5})[0]-0.25) < 0.02)
	// Output:
	// train mse below 1e-3: true
	// |f(0.5) - 0.25| < 0.02: true
}

// Differentiate a network by hand (no graph): value and input gradient.
func ExampleMLP_InputGrad() {
	m, _ := nn.NewMLPConst([]int{2, 1}, nn.Tanh, 0.5, 0)
	grad := make([]float64, 2)
	f := m.InputGrad(grad, []float64{1, 2})
	fmt.Printf("f=%.2f grad=%.2f\n", f, grad)
	// Output:
	// f=1.50 grad=[0.50 0.50]
}

// Minimise (x-3)² with Adam on a plain slice.
func ExampleAdam() {
	x := []float64{0}
	g := []float64{0}
	opt := nn.Adam{LR: 0.1}
	for i := 0; i < 300; i++ {
		g[0] = 2 * (x[0] - 3)
		opt.Step([][]float64{x}, [][]float64{g})
	}
	fmt.Printf("x = %.2f after %d steps\n", x[0], opt.Steps())
	// Output:
	// x = 3.00 after 300 steps
}

// Forward and backward passes over a whole minibatch, in a caller-owned
// workspace.
func ExampleMLP_ForwardBatch() {
	m, _ := nn.NewMLPConst([]int{2, 3, 1}, nn.Tanh, 0.5, 0)
	ws, _ := m.NewWorkspace(2)
	out, err := m.ForwardBatch(ws, []float64{1, 2, -1, 0}, 2) // 2 rows
	if err != nil {
		panic(err)
	}
	fmt.Printf("outputs %.4f\n", out)
	g := m.ZeroGrads()
	if err := m.BackwardBatch(ws, []float64{1, 1}, g, nil); err != nil {
		panic(err)
	}
	fmt.Printf("output bias gradient %.0f\n", g[3])
	// Output:
	// outputs [1.3577 -0.6932]
	// output bias gradient [2]
}

// Which matrix-product path the batched passes use on this build.
func ExampleBLAS() {
	fmt.Println(nn.BLAS() != "")
	// Output: true
}

// A workspace holds the buffers of the batched passes for up to Rows()
// rows; the size limit is checked before allocating.
func ExampleMLP_NewWorkspace() {
	m, _ := nn.NewMLPConst([]int{784, 256, 256, 10}, nn.ReLU, 0.01, 0)
	ws, err := m.NewWorkspace(256)
	fmt.Println(ws.Rows(), err)
	_, err = nn.NewMLPConst([]int{100_000, 100_000, 1}, nn.ReLU, 0, 0)
	fmt.Println(err != nil)
	// Output:
	// 256 <nil>
	// true
}
