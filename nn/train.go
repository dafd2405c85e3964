package nn

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TrainSettings configures [Train]. The zero value works.
type TrainSettings struct {
	// Epochs is the number of passes over the data. Zero means 200.
	Epochs int
	// BatchSize is the minibatch size. Zero, or a value >= the number of
	// rows, means full batch. Rows are reshuffled from rng each epoch and a
	// final partial batch is dropped (all rows are used over the epochs).
	BatchSize int
	// LR is Adam's step size. Zero means 0.01.
	LR float64
	// WeightDecay adds WeightDecay·Σ‖W‖² (weights only, not biases) to the
	// loss. Zero means none.
	WeightDecay float64
	// Patience stops training when the epoch loss has not improved by more
	// than MinDelta for Patience consecutive epochs. Zero means never.
	Patience int
	// MinDelta is the improvement threshold for Patience. Zero means 0.
	MinDelta float64
}

// TrainResult reports a [Train] run.
type TrainResult struct {
	// Loss is the mean squared error of the last epoch (mean over its batches).
	Loss float64
	// Epochs and Steps count completed epochs and Adam steps.
	Epochs, Steps int
	// History holds the loss of every epoch.
	History []float64
}

// Train fits m to minimise the mean squared error between m(X) and Y with
// Adam on a gorgonia graph (X is n×In(), Y is n×Out()). Shuffling uses rng
// (only when minibatching). On cancellation it returns the partial result
// and ctx.Err(). It returns an error wrapping [ErrShape] on dimension
// mismatch or empty data and [ErrNotFinite] if X or Y holds NaN or Inf.
func Train(ctx context.Context, m *MLP, X, Y *mat.Dense, s *TrainSettings, rng *rand.Rand) (TrainResult, error) {
	var set TrainSettings
	if s != nil {
		set = *s
	}
	if set.Epochs == 0 {
		set.Epochs = 200
	}
	if set.LR == 0 {
		set.LR = 0.01
	}
	if set.Epochs < 0 || set.BatchSize < 0 || set.LR < 0 || set.WeightDecay < 0 || set.Patience < 0 {
		return TrainResult{}, errors.New("nn: negative training setting")
	}
	n, d := X.Dims()
	ny, k := Y.Dims()
	if n == 0 || n != ny || d != m.In() || k != m.Out() {
		return TrainResult{}, fmt.Errorf("%w: X %d×%d, Y %d×%d for network %d->%d", ErrShape, n, d, ny, k, m.In(), m.Out())
	}
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			if v := X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return TrainResult{}, fmt.Errorf("%w: X[%d,%d]=%v", ErrNotFinite, i, j, v)
			}
		}
		for j := 0; j < k; j++ {
			if v := Y.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return TrainResult{}, fmt.Errorf("%w: Y[%d,%d]=%v", ErrNotFinite, i, j, v)
			}
		}
	}
	bs := set.BatchSize
	if bs == 0 || bs > n {
		bs = n
	}
	if bs < n && rng == nil {
		return TrainResult{}, errors.New("nn: minibatch training needs a *rand.Rand")
	}

	g := gorgonia.NewGraph()
	xb := make([]float64, bs*d)
	yb := make([]float64, bs*k)
	xt := tensor.New(tensor.WithShape(bs, d), tensor.WithBacking(xb))
	yt := tensor.New(tensor.WithShape(bs, k), tensor.WithBacking(yb))
	xn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(bs, d), gorgonia.WithName("x"), gorgonia.WithValue(xt))
	yn := gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(bs, k), gorgonia.WithName("y"), gorgonia.WithValue(yt))
	b := m.Bind(g, "mlp")
	pred, err := b.Forward(xn)
	if err != nil {
		return TrainResult{}, err
	}
	diff, err := gorgonia.Sub(pred, yn)
	if err != nil {
		return TrainResult{}, fmt.Errorf("nn: loss: %w", err)
	}
	sq, err := gorgonia.Square(diff)
	if err != nil {
		return TrainResult{}, fmt.Errorf("nn: loss: %w", err)
	}
	mse, err := gorgonia.Mean(sq)
	if err != nil {
		return TrainResult{}, fmt.Errorf("nn: loss: %w", err)
	}
	cost := mse
	if set.WeightDecay > 0 {
		for _, w := range b.Weights {
			w2, err := gorgonia.Square(w)
			if err != nil {
				return TrainResult{}, err
			}
			sw, err := gorgonia.Sum(w2)
			if err != nil {
				return TrainResult{}, err
			}
			pen, err := gorgonia.Mul(sw, gorgonia.NewConstant(set.WeightDecay))
			if err != nil {
				return TrainResult{}, err
			}
			if cost, err = gorgonia.Add(cost, pen); err != nil {
				return TrainResult{}, err
			}
		}
	}
	var mseVal gorgonia.Value
	gorgonia.Read(mse, &mseVal)
	learn := b.Learnables()
	if _, err := gorgonia.Grad(cost, learn...); err != nil {
		return TrainResult{}, fmt.Errorf("nn: grad: %w", err)
	}
	vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(learn...))
	defer vm.Close()

	opt := Adam{LR: set.LR}
	params := m.Params()
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	nb := n / bs
	res := TrainResult{}
	best, since := math.Inf(1), 0
	for ep := 0; ep < set.Epochs; ep++ {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if bs < n {
			rng.Shuffle(n, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		}
		sum := 0.0
		for bi := 0; bi < nb; bi++ {
			for r := 0; r < bs; r++ {
				row := perm[bi*bs+r]
				for j := 0; j < d; j++ {
					xb[r*d+j] = X.At(row, j)
				}
				for j := 0; j < k; j++ {
					yb[r*k+j] = Y.At(row, j)
				}
			}
			if err := vm.RunAll(); err != nil {
				return res, fmt.Errorf("nn: run: %w", err)
			}
			grads, err := b.Grads()
			if err != nil {
				return res, err
			}
			opt.Step(params, grads)
			for _, g := range grads {
				clear(g)
			}
			sum += mseVal.Data().(float64)
			vm.Reset()
			res.Steps++
		}
		res.Loss = sum / float64(nb)
		res.History = append(res.History, res.Loss)
		res.Epochs++
		if set.Patience > 0 {
			if res.Loss < best-set.MinDelta {
				best, since = res.Loss, 0
			} else if since++; since >= set.Patience {
				break
			}
		}
	}
	return res, nil
}
