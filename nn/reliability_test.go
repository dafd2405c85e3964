package nn_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"go.uber.org/goleak"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/run"
)

// TestBadInputTable feeds every exported entry point of nn and nn/optim
// bad input and expects an error naming the problem (never a panic, never
// an allocation of the requested size).
func TestBadInputTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	m, _ := nn.NewMLP([]int{2, 3, 1}, nn.Tanh, rng)
	ws, _ := m.NewWorkspace(4)
	X := mat.NewDense(4, 2, []float64{1, 2, 3, 4, 5, 6, 7, 8})
	Y := mat.NewDense(4, 1, nil)
	nan := math.NaN()
	withNaN := func(r, c int) *mat.Dense { d := mat.DenseCopyOf(X); d.Set(r, c, nan); return d }
	train := func(s *nn.TrainSettings) error {
		_, err := nn.Train(context.Background(), m.Clone(), X, Y, s, rng)
		return err
	}
	p := [][]float64{{0, 0}}
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"NewMLP one size", func() error { _, err := nn.NewMLP([]int{3}, nn.Tanh, rng); return err }, nn.ErrShape},
		{"NewMLP zero width", func() error { _, err := nn.NewMLP([]int{3, 0, 1}, nn.Tanh, rng); return err }, nn.ErrShape},
		{"NewMLP negative width", func() error { _, err := nn.NewMLP([]int{3, -5, 1}, nn.Tanh, rng); return err }, nn.ErrShape},
		{"NewMLP 80 GB of weights", func() error { _, err := nn.NewMLP([]int{100_000, 100_000, 1}, nn.Tanh, rng); return err }, nn.ErrShape},
		{"NewMLP size overflowing int", func() error { _, err := nn.NewMLP([]int{1 << 40, 1 << 40}, nn.Tanh, rng); return err }, nn.ErrShape},
		{"NewMLP nil rng", func() error { _, err := nn.NewMLP([]int{3, 1}, nn.Tanh, nil); return err }, nil},
		{"NewMLP unknown activation", func() error { _, err := nn.NewMLP([]int{3, 1}, nn.Activation(9), rng); return err }, nil},
		{"NewMLPConst 80 GB", func() error { _, err := nn.NewMLPConst([]int{1 << 20, 1 << 15}, nn.Sigmoid, 1, 0); return err }, nn.ErrShape},
		{"NewWorkspace 0 rows", func() error { _, err := m.NewWorkspace(0); return err }, nn.ErrShape},
		{"NewWorkspace too many rows", func() error { _, err := m.NewWorkspace(1 << 40); return err }, nn.ErrShape},
		{"ForwardBatch batch of size 0", func() error { _, err := m.ForwardBatch(ws, nil, 0); return err }, nn.ErrShape},
		{"ForwardBatch mismatched width", func() error { _, err := m.ForwardBatch(ws, make([]float64, 5), 2); return err }, nn.ErrShape},
		{"ForwardBatch NaN row", func() error { _, err := m.ForwardBatch(ws, []float64{0, 0, 0, nan}, 2); return err }, nn.ErrNotFinite},
		{"ForwardBatch nil workspace", func() error { _, err := m.ForwardBatch(nil, make([]float64, 2), 1); return err }, nn.ErrShape},
		{"BackwardBatch wrong dOut", func() error {
			m.ForwardBatch(ws, make([]float64, 4), 2)
			return m.BackwardBatch(ws, make([]float64, 1), nil, nil)
		}, nn.ErrShape},
		{"BackwardBatch Inf dOut", func() error {
			m.ForwardBatch(ws, make([]float64, 4), 2)
			return m.BackwardBatch(ws, []float64{math.Inf(-1), 0}, nil, nil)
		}, nn.ErrNotFinite},
		{"Train nil network", func() error { _, err := nn.Train(context.Background(), nil, X, Y, nil, rng); return err }, nn.ErrShape},
		{"Train nil X", func() error { _, err := nn.Train(context.Background(), m, nil, Y, nil, rng); return err }, nn.ErrShape},
		{"Train mismatched width", func() error {
			_, err := nn.Train(context.Background(), m, mat.NewDense(4, 3, nil), Y, nil, rng)
			return err
		}, nn.ErrShape},
		{"Train mismatched rows", func() error {
			_, err := nn.Train(context.Background(), m, X, mat.NewDense(3, 1, nil), nil, rng)
			return err
		}, nn.ErrShape},
		{"Train NaN in X", func() error { _, err := nn.Train(context.Background(), m, withNaN(2, 1), Y, nil, rng); return err }, nn.ErrNotFinite},
		{"Train Inf in Y", func() error {
			y := mat.NewDense(4, 1, nil)
			y.Set(3, 0, math.Inf(1))
			_, err := nn.Train(context.Background(), m, X, y, nil, rng)
			return err
		}, nn.ErrNotFinite},
		{"Train NaN LR", func() error { return train(&nn.TrainSettings{LR: nan}) }, nn.ErrSettings},
		{"Train negative LR", func() error { return train(&nn.TrainSettings{LR: -1}) }, nn.ErrSettings},
		{"Train Inf LR", func() error { return train(&nn.TrainSettings{LR: math.Inf(1)}) }, nn.ErrSettings},
		{"Train NaN WeightDecay", func() error { return train(&nn.TrainSettings{WeightDecay: nan}) }, nn.ErrSettings},
		{"Train NaN MinDelta", func() error { return train(&nn.TrainSettings{MinDelta: nan}) }, nn.ErrSettings},
		{"Train negative Epochs", func() error { return train(&nn.TrainSettings{Epochs: -1}) }, nn.ErrSettings},
		{"Train negative BatchSize", func() error { return train(&nn.TrainSettings{BatchSize: -1}) }, nn.ErrSettings},
		{"Train negative Patience", func() error { return train(&nn.TrainSettings{Patience: -1}) }, nn.ErrSettings},
		{"Train minibatches without rng", func() error {
			_, err := nn.Train(context.Background(), m.Clone(), X, Y, &nn.TrainSettings{BatchSize: 2}, nil)
			return err
		}, nn.ErrSettings},
		{"Train diverging (outputs overflow)", func() error {
			big := mat.NewDense(4, 1, []float64{1e300, -1e300, 1e300, -1e300})
			_, err := nn.Train(context.Background(), m.Clone(), X, big, &nn.TrainSettings{Epochs: 5}, rng)
			return err
		}, nn.ErrNotFinite},
		{"Adam NaN LR", func() error { a := optim.Adam{LR: nan}; return a.Step(p, p) }, optim.ErrSettings},
		{"Adam negative LR", func() error { a := optim.Adam{LR: -1}; return a.Step(p, p) }, optim.ErrSettings},
		{"Adam Beta1 = 1", func() error { a := optim.Adam{Beta1: 1}; return a.Step(p, p) }, optim.ErrSettings},
		{"Adam Beta2 = 1", func() error { a := optim.Adam{Beta2: 1}; return a.Step(p, p) }, optim.ErrSettings},
		{"Adam Beta1 NaN", func() error { a := optim.Adam{Beta1: nan}; return a.Step(p, p) }, optim.ErrSettings},
		{"Adam Eps < 0", func() error { a := optim.Adam{Eps: -1e-8}; return a.Step(p, p) }, optim.ErrSettings},
		{"Adam NaN gradient", func() error { var a optim.Adam; return a.Step([][]float64{{1, 2}}, [][]float64{{0, nan}}) }, optim.ErrNotFinite},
		{"Adam slice count", func() error { var a optim.Adam; return a.Step(p, [][]float64{{0, 0}, {1}}) }, optim.ErrDimension},
		{"Adam slice length", func() error { var a optim.Adam; return a.Step(p, [][]float64{{0}}) }, optim.ErrDimension},
		{"Adam shapes changed", func() error {
			var a optim.Adam
			if err := a.Step(p, p); err != nil {
				return err
			}
			return a.Step([][]float64{{0}}, [][]float64{{0}})
		}, optim.ErrDimension},
	}
	for _, c := range cases {
		err := c.run()
		if c.want == nil {
			if err == nil {
				t.Errorf("%s: no error", c.name)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	t.Logf("%d bad-input cases", len(cases))
	// A NaN gradient leaves Adam's parameters unchanged.
	x := []float64{1, 2}
	var a optim.Adam
	a.Step([][]float64{x}, [][]float64{{nan, 1}})
	if x[0] != 1 || x[1] != 2 || a.Steps() != 0 {
		t.Errorf("a rejected step changed the parameters to %v (steps %d)", x, a.Steps())
	}
}

// Train stops within 100 ms of cancel, also inside a long epoch (one
// minibatch of 20000 rows: the context is checked every 128 rows), and
// leaks no goroutine.
func TestTrainCancelPrompt(t *testing.T) {
	defer goleak.VerifyNone(t)
	rng := rand.New(rand.NewPCG(2, 0))
	const n = 20000
	X := mat.NewDense(n, 64, nil)
	Y := mat.NewDense(n, 1, nil)
	for i := range n {
		for j := range 64 {
			X.Set(i, j, rng.NormFloat64())
		}
		Y.Set(i, 0, rng.NormFloat64())
	}
	m, _ := nn.NewMLP([]int{64, 256, 256, 1}, nn.Tanh, rng)
	for _, bs := range []int{0, 512} {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		var res nn.TrainResult
		go func() {
			var err error
			res, err = nn.Train(ctx, m, X, Y, &nn.TrainSettings{Epochs: 1000, BatchSize: bs}, rng)
			done <- err
		}()
		time.Sleep(50 * time.Millisecond)
		at := time.Now()
		cancel()
		select {
		case err := <-done:
			limit := 100 * time.Millisecond
			if raceOn {
				limit *= 10
			}
			if lag := time.Since(at); lag > limit {
				t.Errorf("batch %d: returned %v after cancel", bs, lag)
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("batch %d: err = %v", bs, err)
			}
			if res.Status != run.Canceled {
				t.Errorf("batch %d: status %v", bs, res.Status)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("batch %d: Train did not return within 5 s of cancel", bs)
		}
	}
}
