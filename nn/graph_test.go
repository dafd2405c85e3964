package nn_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/optlearn/optlearn/nn"
)

// The gorgonia graph gradient of the MSE equals the hand-written backward
// pass, and gradients do not leak between runs once zeroed.
func TestBoundGradMatchesBackward(t *testing.T) {
	m, _ := nn.NewMLP([]int{2, 4, 1}, nn.Sigmoid, rand.New(rand.NewPCG(1, 0)))
	xb := []float64{0.5, -0.3, 1.2, 0.7, -1, 0.1}
	yb := []float64{0.1, 0.2, -0.4}
	g := gorgonia.NewGraph()
	xn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(3, 2), gorgonia.WithName("x"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(3, 2), tensor.WithBacking(xb))))
	yn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(3, 1), gorgonia.WithName("y"),
		gorgonia.WithValue(tensor.New(tensor.WithShape(3, 1), tensor.WithBacking(yb))))
	b := m.Bind(g, "m")
	p, err := b.Forward(xn)
	if err != nil {
		t.Fatal(err)
	}
	c := gorgonia.Must(gorgonia.Mean(gorgonia.Must(gorgonia.Square(gorgonia.Must(gorgonia.Sub(p, yn))))))
	if _, err := gorgonia.Grad(c, b.Learnables()...); err != nil {
		t.Fatal(err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(b.Learnables()...))
	defer vm.Close()
	want := m.ZeroGrads()
	out := []float64{0}
	for i := 0; i < 3; i++ {
		pred := m.Predict(nil, xb[2*i:2*i+2])[0]
		m.Backward(out, xb[2*i:2*i+2], []float64{2 * (pred - yb[i]) / 3}, want, nil)
	}
	for run := 0; run < 2; run++ {
		if err := vm.RunAll(); err != nil {
			t.Fatal(err)
		}
		got, err := b.Grads()
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			for j := range want[i] {
				if math.Abs(got[i][j]-want[i][j]) > 1e-12 {
					t.Errorf("run %d grad[%d][%d] = %g, want %g", run, i, j, got[i][j], want[i][j])
				}
			}
		}
		if err := b.ZeroGrads(); err != nil {
			t.Fatal(err)
		}
		vm.Reset()
	}
}
