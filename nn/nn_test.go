package nn_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
)

func TestSameSeedSameWeights(t *testing.T) {
	a, err := nn.NewMLP([]int{3, 5, 2}, nn.Tanh, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := nn.NewMLP([]int{3, 5, 2}, nn.Tanh, rand.New(rand.NewPCG(7, 0)))
	c, _ := nn.NewMLP([]int{3, 5, 2}, nn.Tanh, rand.New(rand.NewPCG(8, 0)))
	if diff := cmp.Diff(a.Params(), b.Params()); diff != "" {
		t.Errorf("same seed, different weights (-a +b):\n%s", diff)
	}
	if cmp.Equal(a.Params(), c.Params()) {
		t.Errorf("different seeds gave identical weights")
	}
}

func sinData(n int, rng *rand.Rand) (*mat.Dense, *mat.Dense) {
	X := mat.NewDense(n, 1, nil)
	Y := mat.NewDense(n, 1, nil)
	for i := 0; i < n; i++ {
		x := 4*rng.Float64() - 2
		X.Set(i, 0, x)
		Y.Set(i, 0, math.Sin(2*x))
	}
	return X, Y
}

func TestTrainFitsSine(t *testing.T) {
	for _, tc := range []struct {
		name string
		act  nn.Activation
		bs   int
	}{
		{"tanh/full", nn.Tanh, 0},
		{"relu/minibatch", nn.ReLU, 32},
		{"sigmoid/full", nn.Sigmoid, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 0))
			X, Y := sinData(256, rng)
			m, err := nn.NewMLP([]int{1, 24, 1}, tc.act, rng)
			if err != nil {
				t.Fatal(err)
			}
			epochs := 1500
			if tc.bs > 0 {
				epochs = 200
			}
			res, err := nn.Train(context.Background(), m, X, Y, &nn.TrainSettings{Epochs: epochs, BatchSize: tc.bs, LR: 0.02}, rng)
			if err != nil {
				t.Fatal(err)
			}
			// Evaluate with the plain-Go forward pass: checks that the graph
			// trained the shared storage.
			mse := 0.0
			for i := 0; i < 200; i++ {
				x := -1.9 + 3.8*float64(i)/199
				d := m.Predict(nil, []float64{x})[0] - math.Sin(2*x)
				mse += d * d / 200
			}
			if mse > 0.01 || res.Loss > 0.01 {
				t.Errorf("fit mse %.4g (train loss %.4g), want < 0.01", mse, res.Loss)
			}
		})
	}
}

func TestTrainDeterministic(t *testing.T) {
	run := func() [][]float64 {
		rng := rand.New(rand.NewPCG(3, 0))
		X, Y := sinData(64, rng)
		m, _ := nn.NewMLP([]int{1, 8, 1}, nn.Tanh, rng)
		if _, err := nn.Train(context.Background(), m, X, Y, &nn.TrainSettings{Epochs: 20, BatchSize: 16}, rng); err != nil {
			t.Fatal(err)
		}
		return m.Params()
	}
	if diff := cmp.Diff(run(), run()); diff != "" {
		t.Errorf("training not deterministic:\n%s", diff)
	}
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	for _, act := range []nn.Activation{nn.Tanh, nn.Sigmoid, nn.ReLU} {
		m, _ := nn.NewMLP([]int{3, 4, 3, 1}, act, rng)
		for l := range m.B {
			for i := range m.B[l] {
				m.B[l][i] = 0.3 * rng.NormFloat64()
			}
		}
		x := []float64{0.3, -0.7, 1.1}
		gin := make([]float64, 3)
		f := m.InputGrad(gin, x)
		const h = 1e-6
		for j := range x {
			xp := append([]float64(nil), x...)
			xp[j] += h
			xm := append([]float64(nil), x...)
			xm[j] -= h
			fd := (m.Predict(nil, xp)[0] - m.Predict(nil, xm)[0]) / (2 * h)
			if math.Abs(fd-gin[j]) > 1e-6 {
				t.Errorf("%v: input grad %d: %g vs fd %g", act, j, gin[j], fd)
			}
		}
		gp := m.ZeroGrads()
		out := make([]float64, 1)
		m.Backward(out, x, []float64{1}, gp, nil)
		if out[0] != f {
			t.Errorf("Backward output %g != %g", out[0], f)
		}
		params := m.Params()
		for pi, p := range params {
			for j := range p {
				old := p[j]
				p[j] = old + h
				fp := m.Predict(nil, x)[0]
				p[j] = old - h
				fm := m.Predict(nil, x)[0]
				p[j] = old
				if fd := (fp - fm) / (2 * h); math.Abs(fd-gp[pi][j]) > 1e-6 {
					t.Errorf("%v: param grad [%d][%d]: %g vs fd %g", act, pi, j, gp[pi][j], fd)
				}
			}
		}
	}
}

func TestAdamMinimisesQuadratic(t *testing.T) {
	x := []float64{3, -2}
	g := make([]float64, 2)
	opt := nn.Adam{LR: 0.1}
	for i := 0; i < 500; i++ {
		g[0], g[1] = 2*(x[0]-1), 2*(x[1]+1)
		opt.Step([][]float64{x}, [][]float64{g})
	}
	if math.Abs(x[0]-1) > 1e-3 || math.Abs(x[1]+1) > 1e-3 {
		t.Errorf("Adam ended at %v, want [1 -1]", x)
	}
}

func TestBadInput(t *testing.T) {
	if _, err := nn.NewMLP([]int{3}, nn.Tanh, rand.New(rand.NewPCG(1, 0))); !errors.Is(err, nn.ErrShape) {
		t.Errorf("one layer: err = %v, want ErrShape", err)
	}
	if _, err := nn.NewMLP([]int{3, 0, 1}, nn.Tanh, rand.New(rand.NewPCG(1, 0))); !errors.Is(err, nn.ErrShape) {
		t.Errorf("zero width: err = %v, want ErrShape", err)
	}
	if _, err := nn.NewMLP([]int{3, 1}, nn.Tanh, nil); err == nil {
		t.Errorf("nil rng: no error")
	}
	m, _ := nn.NewMLP([]int{2, 3, 1}, nn.Tanh, rand.New(rand.NewPCG(1, 0)))
	X := mat.NewDense(4, 3, nil)
	Y := mat.NewDense(4, 1, nil)
	if _, err := nn.Train(context.Background(), m, X, Y, nil, nil); !errors.Is(err, nn.ErrShape) {
		t.Errorf("mismatch: err = %v, want ErrShape", err)
	}
	X = mat.NewDense(4, 2, nil)
	X.Set(1, 1, math.NaN())
	if _, err := nn.Train(context.Background(), m, X, Y, nil, nil); !errors.Is(err, nn.ErrNotFinite) {
		t.Errorf("NaN: err = %v, want ErrNotFinite", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	X.Set(1, 1, 0)
	if _, err := nn.Train(ctx, m, X, Y, nil, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err = %v", err)
	}
}
