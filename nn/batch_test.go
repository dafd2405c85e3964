package nn

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// batchShapes are the network shapes the library trains: PPO's 4-64-64-2
// tanh policy, the causal predictors (5-12-1 sigmoid, one-hidden-unit nets)
// and an MNIST-sized classifier.
var batchShapes = []struct {
	sizes []int
	act   Activation
	rows  int
}{
	{[]int{4, 64, 64, 2}, Tanh, 37},
	{[]int{4, 64, 64, 1}, Tanh, 256},
	{[]int{5, 12, 1}, Sigmoid, 65},
	{[]int{3, 1, 1}, Sigmoid, 9},
	{[]int{1, 1, 1}, Tanh, 1},
	{[]int{6, 1, 2}, ReLU, 70},
	{[]int{784, 256, 256, 10}, ReLU, 12},
	{[]int{784, 256, 256, 10}, Tanh, 3},
}

// The batched passes equal the per-sample reference (Predict and
// Backward summed over rows) to 1e-12.
// Both pure-Go paths are checked: the assembly kernel (where the CPU has
// it) and gonum's Dgemm.
func TestBatchMatchesPerSample(t *testing.T) {
	defer func(k bool) { useKernel = k }(useKernel)
	for _, k := range []bool{hasFMA, false} {
		useKernel = k
		testBatchMatchesPerSample(t)
	}
}

func testBatchMatchesPerSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	for _, c := range batchShapes {
		m, err := NewMLP(c.sizes, c.act, rng)
		if err != nil {
			t.Fatal(err)
		}
		for i := range m.B {
			for j := range m.B[i] {
				m.B[i][j] = 0.1 * rng.NormFloat64()
			}
		}
		in, out := m.In(), m.Out()
		X := make([]float64, c.rows*in)
		for i := range X {
			X[i] = rng.NormFloat64()
		}
		dOut := make([]float64, c.rows*out)
		for i := range dOut {
			dOut[i] = rng.NormFloat64()
		}
		ws, err := m.NewWorkspace(c.rows + 3)
		if err != nil {
			t.Fatal(err)
		}
		Y, err := m.ForwardBatch(ws, X, c.rows)
		if err != nil {
			t.Fatal(err)
		}
		gb := m.ZeroGrads()
		dX := make([]float64, c.rows*in)
		if err := m.BackwardBatch(ws, dOut, gb, dX); err != nil {
			t.Fatal(err)
		}
		gs := m.ZeroGrads()
		y := make([]float64, out)
		gin := make([]float64, in)
		for r := range c.rows {
			m.Backward(y, X[r*in:(r+1)*in], dOut[r*out:(r+1)*out], gs, gin)
			for k := range out {
				if !closeRel(Y[r*out+k], y[k]) {
					t.Fatalf("%v %v: output [%d,%d] batched %v, per-sample %v", c.sizes, c.act, r, k, Y[r*out+k], y[k])
				}
			}
			for j := range in {
				if !closeRel(dX[r*in+j], gin[j]) {
					t.Fatalf("%v %v: dX [%d,%d] batched %v, per-sample %v", c.sizes, c.act, r, j, dX[r*in+j], gin[j])
				}
			}
		}
		for p := range gs {
			for j := range gs[p] {
				if !closeRel(gb[p][j], gs[p][j]) {
					t.Fatalf("%v %v: grad %d[%d] batched %v, per-sample %v", c.sizes, c.act, p, j, gb[p][j], gs[p][j])
				}
			}
		}
	}
}

// A step of the batched passes allocates nothing.
func TestBatchZeroAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for _, sizes := range [][]int{{4, 64, 64, 2}, {784, 256, 256, 10}} {
		m, _ := NewMLP(sizes, Tanh, rng)
		const rows = 256
		ws, _ := m.NewWorkspace(rows)
		X := make([]float64, rows*m.In())
		dOut := make([]float64, rows*m.Out())
		for i := range X {
			X[i] = rng.Float64()
		}
		g := m.ZeroGrads()
		var opt Adam
		step := func() {
			if _, err := m.ForwardBatch(ws, X, rows); err != nil {
				t.Fatal(err)
			}
			if err := m.BackwardBatch(ws, dOut, g, nil); err != nil {
				t.Fatal(err)
			}
			opt.Step(m.Params(), g)
		}
		step()
		params := m.Params()
		step = func() {
			m.ForwardBatch(ws, X, rows)
			m.BackwardBatch(ws, dOut, g, nil)
			opt.Step(params, g)
		}
		if n := testing.AllocsPerRun(3, step); n != 0 {
			t.Errorf("%v: %v allocations per step", sizes, n)
		}
	}
}

func TestBatchBadInput(t *testing.T) {
	m, _ := NewMLP([]int{3, 4, 2}, Tanh, rand.New(rand.NewPCG(1, 0)))
	other, _ := NewMLP([]int{3, 5, 2}, Tanh, rand.New(rand.NewPCG(1, 0)))
	ws, _ := m.NewWorkspace(4)
	wsOther, _ := other.NewWorkspace(4)
	fresh, _ := m.NewWorkspace(4)
	X := make([]float64, 2*3)
	nan := make([]float64, 3*3)
	nan[7] = math.NaN()
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"workspace of 0 rows", func() error { _, err := m.NewWorkspace(0); return err }, ErrShape},
		{"workspace too large", func() error { _, err := m.NewWorkspace(1 << 40); return err }, ErrShape},
		{"nil workspace", func() error { _, err := m.ForwardBatch(nil, X, 2); return err }, ErrShape},
		{"workspace of another shape", func() error { _, err := m.ForwardBatch(wsOther, X, 2); return err }, ErrShape},
		{"batch of size 0", func() error { _, err := m.ForwardBatch(ws, nil, 0); return err }, ErrShape},
		{"more rows than the workspace", func() error { _, err := m.ForwardBatch(ws, make([]float64, 15), 5); return err }, ErrShape},
		{"mismatched input width", func() error { _, err := m.ForwardBatch(ws, X, 3); return err }, ErrShape},
		{"NaN in row 2", func() error { _, err := m.ForwardBatch(ws, nan, 3); return err }, ErrNotFinite},
		{"backward before forward", func() error { return m.BackwardBatch(fresh, make([]float64, 4), nil, nil) }, ErrShape},
		{"backward dOut length", func() error {
			m.ForwardBatch(ws, X, 2)
			return m.BackwardBatch(ws, make([]float64, 3), nil, nil)
		}, ErrShape},
		{"backward dX length", func() error {
			m.ForwardBatch(ws, X, 2)
			return m.BackwardBatch(ws, make([]float64, 4), nil, make([]float64, 5))
		}, ErrShape},
		{"backward grads layout", func() error {
			m.ForwardBatch(ws, X, 2)
			return m.BackwardBatch(ws, make([]float64, 4), other.ZeroGrads(), nil)
		}, ErrShape},
		{"backward NaN", func() error {
			m.ForwardBatch(ws, X, 2)
			return m.BackwardBatch(ws, []float64{0, 0, math.Inf(1), 0}, m.ZeroGrads(), nil)
		}, ErrNotFinite},
	}
	for _, c := range cases {
		err := c.run()
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	_, err := m.ForwardBatch(ws, nan, 3)
	if err == nil || !contains(err.Error(), "row 2") {
		t.Errorf("NaN error %v does not name row 2", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
