package srm

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/nn/optim"
)

// Errors.
var (
	// ErrSettings: a setting is out of range.
	ErrSettings = errors.New("srm: invalid settings")
	// ErrDimension: feature vectors of different lengths, or none.
	ErrDimension = errors.New("srm: dimension mismatch")
	// ErrNotFinite: NaN or Inf in the features.
	ErrNotFinite = errors.New("srm: NaN or Inf")
)

// Settings configures [Fit]. The zero value is the spec's training: an MLP
// with two hidden layers of 64 ReLU units, Adam with learning rate 1e-3,
// batches of 128 pairs, 2 epochs, L2 weight 1e-4.
type Settings struct {
	// Hidden are the hidden layer widths. Nil means {64, 64}.
	Hidden []int
	// LR is Adam's learning rate. Zero means 1e-3.
	LR float64
	// Batch is the number of pairs per step. Zero means 128.
	Batch int
	// Epochs is the number of passes over the pairs. Zero means 2.
	Epochs int
	// L2 is the weight decay λ of λ/2·‖θ‖² added to the loss. Zero means
	// 1e-4; negative means none.
	L2 float64
	// Rand initialises the weights and shuffles the pairs. Nil means
	// rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
}

// Model is a step reward model r(x): an MLP from a step's features to a
// scalar score, trained on preference pairs with the Bradley–Terry loss
// −log σ(r(chosen) − r(rejected)).
type Model struct {
	net *nn.MLP
	out []float64
}

// Score returns r(x). It panics if len(x) is not the model's input width
// (a programmer error: the features come from one featuriser).
func (m *Model) Score(x []float64) float64 {
	m.out = m.net.Predict(m.out, x)
	return m.out[0]
}

// In returns the feature length the model takes.
func (m *Model) In() int { return m.net.In() }

// Fit trains a model on the pairs (chosen[k] preferred to rejected[k]).
// ctx is checked every batch. It returns an error wrapping [ErrDimension]
// for no pairs or features of unequal lengths, [ErrNotFinite] for NaN or
// Inf features, [ErrSettings] for bad settings, and the context's error.
func Fit(ctx context.Context, chosen, rejected [][]float64, s *Settings) (*Model, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if set.Hidden == nil {
		set.Hidden = []int{64, 64}
	}
	set.LR = cmp.Or(set.LR, 1e-3)
	set.Batch = cmp.Or(set.Batch, 128)
	set.Epochs = cmp.Or(set.Epochs, 2)
	set.L2 = cmp.Or(set.L2, 1e-4)
	if set.Rand == nil {
		set.Rand = rand.New(rand.NewPCG(1, 0))
	}
	if !(set.LR > 0) || set.Batch < 1 || set.Epochs < 1 || math.IsNaN(set.L2) {
		return nil, fmt.Errorf("%w: LR %v, Batch %d, Epochs %d, L2 %v", ErrSettings, set.LR, set.Batch, set.Epochs, set.L2)
	}
	if len(chosen) == 0 || len(chosen) != len(rejected) {
		return nil, fmt.Errorf("%w: %d chosen, %d rejected", ErrDimension, len(chosen), len(rejected))
	}
	d := len(chosen[0])
	for k := range chosen {
		if len(chosen[k]) != d || len(rejected[k]) != d {
			return nil, fmt.Errorf("%w: pair %d has %d and %d features, want %d", ErrDimension, k, len(chosen[k]), len(rejected[k]), d)
		}
		for _, v := range [2][]float64{chosen[k], rejected[k]} {
			for _, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("%w: pair %d", ErrNotFinite, k)
				}
			}
		}
	}
	sizes := append(append([]int{d}, set.Hidden...), 1)
	net, err := nn.NewMLP(sizes, nn.ReLU, set.Rand)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	adam := optim.Adam{LR: set.LR}
	params := net.Params()
	grads := net.ZeroGrads()
	order := make([]int, len(chosen))
	for k := range order {
		order[k] = k
	}
	out := make([]float64, 1)
	dout := make([]float64, 1)
	for ep := 0; ep < set.Epochs; ep++ {
		set.Rand.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < len(order); start += set.Batch {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			batch := order[start:min(start+set.Batch, len(order))]
			for _, g := range grads {
				clear(g)
			}
			inv := 1 / float64(len(batch))
			for _, k := range batch {
				rc := net.Predict(out, chosen[k])[0]
				rr := net.Predict(out, rejected[k])[0]
				// L = −log σ(rc − rr): dL/drc = −σ(rr − rc), dL/drr = +σ(rr − rc)
				g := sigmoid(rr-rc) * inv
				dout[0] = -g
				net.Backward(out, chosen[k], dout, grads, nil)
				dout[0] = g
				net.Backward(out, rejected[k], dout, grads, nil)
			}
			if set.L2 > 0 {
				for l, p := range params {
					for j, v := range p {
						grads[l][j] += set.L2 * v
					}
				}
			}
			if err := adam.Step(params, grads); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrNotFinite, err)
			}
		}
	}
	return &Model{net: net}, nil
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Accuracy returns the fraction of pairs the model orders correctly
// (r(chosen) > r(rejected)); NaN for no pairs.
func (m *Model) Accuracy(chosen, rejected [][]float64) float64 {
	if len(chosen) == 0 {
		return math.NaN()
	}
	ok := 0
	for k := range chosen {
		if m.Score(chosen[k]) > m.Score(rejected[k]) {
			ok++
		}
	}
	return float64(ok) / float64(len(chosen))
}

// Beam is the paper's SRM-guided search (its Algorithm 1): from root,
// every state of the beam proposes c candidate next states (next draws one
// with rng), the candidates are scored by score(parent, child), and the
// next beam keeps the B best over all candidates (ties to the earlier
// candidate); when every state of the beam is terminal, it returns the
// best-scored one. B = 1 is greedy search. With score nil and B = c = 1 it
// is plain sampling (Pass@1). maxSteps bounds the depth.
func Beam[S any](root S, next func(s S, rng *rand.Rand) S, terminal func(S) bool, score func(parent, child S) float64, B, c, maxSteps int, rng *rand.Rand) S {
	type scored struct {
		s S
		v float64
	}
	beam := []scored{{s: root}}
	for step := 0; step < maxSteps; step++ {
		done := true
		for _, b := range beam {
			if !terminal(b.s) {
				done = false
			}
		}
		if done {
			break
		}
		var cand []scored
		for _, b := range beam {
			if terminal(b.s) {
				cand = append(cand, b)
				continue
			}
			for k := 0; k < c; k++ {
				ch := next(b.s, rng)
				v := 0.0
				if score != nil {
					v = score(b.s, ch)
				}
				cand = append(cand, scored{ch, v})
			}
		}
		// stable selection of the B best
		beam = beam[:0]
		used := make([]bool, len(cand))
		for len(beam) < B && len(beam) < len(cand) {
			best := -1
			for k, x := range cand {
				if !used[k] && (best < 0 || x.v > cand[best].v) {
					best = k
				}
			}
			used[best] = true
			beam = append(beam, cand[best])
		}
	}
	best := beam[0]
	for _, b := range beam[1:] {
		if b.v > best.v {
			best = b
		}
	}
	return best.s
}

// Clone returns a copy of m that can score from another goroutine.
func (m *Model) Clone() *Model { return &Model{net: m.net.Clone()} }
