package nn

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/run"
)

// ErrSettings is returned (wrapped) for invalid or non-finite settings,
// naming the field.
var ErrSettings = errors.New("nn: invalid settings")

// TrainSettings configures [Train]. The zero value works.
type TrainSettings struct {
	// Epochs is the number of passes over the data (the iteration cap: one
	// iteration of Train is one epoch). Zero means 200.
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
	// Status is Converged when Patience stopped the run, IterationLimit
	// after Epochs epochs, Canceled when ctx ended it.
	Status run.Status
}

// chunkRows bounds the rows of one forward/backward pass: a larger
// minibatch is processed in chunks whose gradients add up (in the same
// order of rows), so memory stays bounded and ctx is checked between
// chunks.
const chunkRows = 128

// Train fits m to minimise the mean squared error between m(X) and Y with
// Adam (X is n×In(), Y is n×Out()), on minibatches through the batched
// passes [MLP.ForwardBatch] and [MLP.BackwardBatch]. Shuffling uses rng
// (only when minibatching). ctx is checked between chunks of at most 128
// rows; on cancellation Train returns the partial result and ctx.Err().
// It returns an error wrapping [ErrShape] on dimension mismatch or empty
// data, [ErrNotFinite] naming the row if X or Y holds NaN or Inf, and
// [ErrSettings] naming a negative or non-finite setting; if the loss
// overflows during training it stops with an error wrapping
// [ErrNotFinite] (and Status Failure).
func Train(ctx context.Context, m *MLP, X, Y *mat.Dense, s *TrainSettings, rng *rand.Rand) (TrainResult, error) {
	set, err := s.withDefaults()
	if err != nil {
		return TrainResult{}, err
	}
	if err := checkData(m, X, Y); err != nil {
		return TrainResult{}, err
	}
	n, _ := X.Dims()
	bs := set.BatchSize
	if bs == 0 || bs > n {
		bs = n
	}
	if bs < n && rng == nil {
		return TrainResult{}, fmt.Errorf("%w: minibatch training needs a *rand.Rand", ErrSettings)
	}
	tr, err := newTrainer(m, X, Y, bs, set)
	if err != nil {
		return TrainResult{}, err
	}
	return tr.run(ctx, rng)
}

// withDefaults validates s and fills its defaults.
func (s *TrainSettings) withDefaults() (TrainSettings, error) {
	var set TrainSettings
	if s != nil {
		set = *s
	}
	set.Epochs = cmp.Or(set.Epochs, 200)
	set.LR = cmp.Or(set.LR, 0.01)
	for _, f := range []struct {
		name string
		v    float64
	}{{"Epochs", float64(set.Epochs)}, {"BatchSize", float64(set.BatchSize)}, {"LR", set.LR}, {"WeightDecay", set.WeightDecay}, {"Patience", float64(set.Patience)}, {"MinDelta", set.MinDelta}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) {
			return set, fmt.Errorf("%w: %s = %v (want finite, >= 0)", ErrSettings, f.name, f.v)
		}
	}
	return set, nil
}

// checkData checks the shapes of X and Y against m and that they are finite.
func checkData(m *MLP, X, Y *mat.Dense) error {
	if m == nil || X == nil || Y == nil {
		return fmt.Errorf("%w: nil network or data", ErrShape)
	}
	if X.IsEmpty() || Y.IsEmpty() {
		return fmt.Errorf("%w: empty data", ErrShape)
	}
	n, d := X.Dims()
	ny, k := Y.Dims()
	if n != ny || d != m.In() || k != m.Out() {
		return fmt.Errorf("%w: X %d×%d, Y %d×%d for network %d->%d", ErrShape, n, d, ny, k, m.In(), m.Out())
	}
	for i := range n {
		for j := range d {
			if v := X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: X row %d, column %d is %v", ErrNotFinite, i, j, v)
			}
		}
		for j := range k {
			if v := Y.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: Y row %d, column %d is %v", ErrNotFinite, i, j, v)
			}
		}
	}
	return nil
}

// trainer holds the buffers of one Train run.
type trainer struct {
	m      *MLP
	X, Y   *mat.Dense
	set    TrainSettings
	bs     int
	ws     *Workspace
	xb, yb []float64 // one chunk of rows
	dout   []float64
	params [][]float64
	grads  [][]float64
	opt    Adam
	perm   []int
}

func newTrainer(m *MLP, X, Y *mat.Dense, bs int, set TrainSettings) (*trainer, error) {
	n, _ := X.Dims()
	rows := min(bs, chunkRows)
	ws, err := m.NewWorkspace(rows)
	if err != nil {
		return nil, err
	}
	t := &trainer{m: m, X: X, Y: Y, set: set, bs: bs, ws: ws,
		xb: make([]float64, rows*m.In()), yb: make([]float64, rows*m.Out()), dout: make([]float64, rows*m.Out()),
		params: m.Params(), grads: m.ZeroGrads(), opt: Adam{LR: set.LR}, perm: make([]int, n)}
	for i := range t.perm {
		t.perm[i] = i
	}
	return t, nil
}

// run is the epoch loop: shuffle, one Adam step per minibatch, the
// patience test.
func (t *trainer) run(ctx context.Context, rng *rand.Rand) (TrainResult, error) {
	n := len(t.perm)
	nb := n / t.bs
	res := TrainResult{Status: run.IterationLimit}
	best, since := math.Inf(1), 0
	for range t.set.Epochs {
		if t.bs < n {
			rng.Shuffle(n, func(i, j int) { t.perm[i], t.perm[j] = t.perm[j], t.perm[i] })
		}
		sum := 0.0
		for b := range nb {
			mse, err := t.step(ctx, t.perm[b*t.bs:(b+1)*t.bs])
			if err != nil {
				res.Status = run.Failure
				if ctx.Err() != nil {
					res.Status = run.Canceled
				}
				return res, err
			}
			res.Steps++
			if math.IsNaN(mse) || math.IsInf(mse, 0) {
				res.Status = run.Failure
				return res, fmt.Errorf("%w: the loss of step %d is %v", ErrNotFinite, res.Steps, mse)
			}
			sum += mse
		}
		res.Loss = sum / float64(nb)
		res.History = append(res.History, res.Loss)
		res.Epochs++
		if t.set.Patience > 0 {
			if res.Loss < best-t.set.MinDelta {
				best, since = res.Loss, 0
			} else if since++; since >= t.set.Patience {
				res.Status = run.Converged
				break
			}
		}
	}
	return res, nil
}

// step takes one Adam step on the rows idx and returns their mean squared
// error before the step. The gradient of the mean over |idx|·Out() errors
// (plus the weight decay) is accumulated chunk by chunk.
func (t *trainer) step(ctx context.Context, idx []int) (float64, error) {
	for _, g := range t.grads {
		clear(g)
	}
	m := t.m
	d, k := m.In(), m.Out()
	scale := 2 / float64(len(idx)*k)
	sse := 0.0
	for c := 0; c < len(idx); c += chunkRows {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		rows := idx[c:min(c+chunkRows, len(idx))]
		for r, row := range rows {
			mat.Row(t.xb[r*d:(r+1)*d], row, t.X)
			mat.Row(t.yb[r*k:(r+1)*k], row, t.Y)
		}
		nr := len(rows)
		out, err := m.ForwardBatch(t.ws, t.xb[:nr*d], nr)
		if err != nil {
			return 0, err
		}
		for i, y := range out {
			e := y - t.yb[i]
			sse += e * e
			t.dout[i] = scale * e
		}
		if err := m.BackwardBatch(t.ws, t.dout[:nr*k], t.grads, nil); err != nil {
			return 0, fmt.Errorf("nn: %w (the network's outputs overflowed)", err)
		}
	}
	if wd := t.set.WeightDecay; wd > 0 {
		for l, w := range m.W {
			g := t.grads[2*l]
			for i, v := range w {
				g[i] += 2 * wd * v
			}
		}
	}
	if err := t.opt.Step(t.params, t.grads); err != nil {
		return 0, err
	}
	return sse / float64(len(idx)*k), nil
}
