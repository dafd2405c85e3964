package nn

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchShapes are the shapes of BenchmarkTrainStep and of
// testdata/mlp_torch.py, which times the same step in PyTorch.
var benchShapes = []struct {
	name  string
	sizes []int
}{
	{"4-64-64-2", []int{4, 64, 64, 2}},
	{"784-256-256-10", []int{784, 256, 256, 10}},
}

// BenchmarkTrainStep times one training step on a minibatch of 256 rows:
// forward pass, mean-squared-error gradient, backward pass and Adam,
// with tanh hidden layers. It reports samples/s; compare with
// `python3 nn/testdata/mlp_torch.py --threads 1` in the same run.
func BenchmarkTrainStep(b *testing.B) {
	const rows = 256
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 0))
			m, err := NewMLP(s.sizes, Tanh, rng)
			if err != nil {
				b.Fatal(err)
			}
			ws, err := m.NewWorkspace(rows)
			if err != nil {
				b.Fatal(err)
			}
			X := make([]float64, rows*m.In())
			T := make([]float64, rows*m.Out())
			for i := range X {
				X[i] = rng.NormFloat64()
			}
			for i := range T {
				T[i] = rng.NormFloat64()
			}
			dOut := make([]float64, len(T))
			g := m.ZeroGrads()
			params := m.Params()
			opt := Adam{LR: 1e-4}
			for b.Loop() {
				Y, err := m.ForwardBatch(ws, X, rows)
				if err != nil {
					b.Fatal(err)
				}
				for i, y := range Y {
					dOut[i] = 2 * (y - T[i]) / float64(len(Y))
				}
				for _, gi := range g {
					clear(gi)
				}
				if err := m.BackwardBatch(ws, dOut, g, nil); err != nil {
					b.Fatal(err)
				}
				opt.Step(params, g)
			}
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

// BenchmarkTrainStepPerSample is the same step through the per-sample
// passes (Backward row by row), the path the batched one replaces.
func BenchmarkTrainStepPerSample(b *testing.B) {
	const rows = 256
	for _, s := range benchShapes {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 0))
			m, _ := NewMLP(s.sizes, Tanh, rng)
			in, out := m.In(), m.Out()
			X := make([]float64, rows*in)
			T := make([]float64, rows*out)
			for i := range X {
				X[i] = rng.NormFloat64()
			}
			y := make([]float64, out)
			d := make([]float64, out)
			g := m.ZeroGrads()
			params := m.Params()
			opt := Adam{LR: 1e-4}
			for b.Loop() {
				for _, gi := range g {
					clear(gi)
				}
				for r := range rows {
					m.Predict(y, X[r*in:(r+1)*in])
					for k := range out {
						d[k] = 2 * (y[k] - T[r*out+k]) / float64(rows*out)
					}
					m.Backprop(d, g, nil)
				}
				opt.Step(params, g)
			}
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}

var _ = fmt.Sprint
