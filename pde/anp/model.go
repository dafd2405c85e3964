package anp

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/nn"
)

// Errors returned (wrapped, with detail) by the package.
var (
	// ErrSettings reports an invalid setting or configuration field; the
	// message names it.
	ErrSettings = errors.New("anp: invalid settings")
	// ErrDimension reports inputs whose sizes do not agree (context and
	// target columns, a weights file of another shape).
	ErrDimension = errors.New("anp: dimension mismatch")
	// ErrEmpty reports an empty context or target set or data set.
	ErrEmpty = errors.New("anp: empty input")
	// ErrNotFinite reports NaN or Inf in inputs or a diverged loss.
	ErrNotFinite = errors.New("anp: value is NaN or Inf")
	// ErrCheckpoint reports a weights file that is not a checkpoint of this
	// format or version.
	ErrCheckpoint = errors.New("anp: bad checkpoint")
)

// Architecture fixes the layer sizes of a [Model]. Zero fields take the
// defaults below.
type Architecture struct {
	// Hidden is the width of every hidden layer, of the representations
	// and of the attention output. Zero means 32 (the paper: 128).
	Hidden int
	// Latent is the dimension of z. Zero means Hidden.
	Latent int
	// Heads is the number of attention heads; Hidden must be a multiple.
	// Zero means 4.
	Heads int
	// SelfAttention adds a residual self-attention layer over the context
	// representations of the deterministic path.
	SelfAttention bool
}

// maxHidden bounds Hidden, Latent and Heads (checked before allocating).
const maxHidden = 1024

func (c Architecture) withDefaults() (Architecture, error) {
	c.Hidden = cmp.Or(c.Hidden, 32)
	c.Latent = cmp.Or(c.Latent, c.Hidden)
	c.Heads = cmp.Or(c.Heads, 4)
	for _, f := range []struct {
		name string
		v    int
	}{{"Hidden", c.Hidden}, {"Latent", c.Latent}, {"Heads", c.Heads}} {
		if f.v < 0 || f.v > maxHidden {
			return c, fmt.Errorf("%w: Architecture.%s = %d outside [1, %d] (zero means the default)", ErrSettings, f.name, f.v, maxHidden)
		}
	}
	if c.Hidden%c.Heads != 0 {
		return c, fmt.Errorf("%w: Architecture.Hidden = %d is not a multiple of Architecture.Heads = %d", ErrSettings, c.Hidden, c.Heads)
	}
	return c, nil
}

// Model is an attentive neural process (Kim et al., "Attentive Neural
// Processes", ICLR 2019) on points (τ, ξ) ∈ [0, 1]² (normalised time and
// space) with scalar values y.
//
// Deterministic path: r_i = Det([τ_i, ξ_i, y_i]) for each context i
// (optionally r ← r + SelfAttn(r, r, r)); for a target the query is
// QK([τ, ξ]) and the keys QK([τ_i, ξ_i]), and r* = Cross(query, keys, r).
// Latent path: s = mean_i Lat([τ_i, ξ_i, y_i]), h = LatHead(s),
// q(z | C) = N(ZMean(h), diag σ_z²) with σ_z = 0.1 + 0.9·sigmoid(ZStd(h)).
// Decoder: [μ, ρ] = Dec([r*, z, τ, ξ]) and the predictive standard
// deviation σ = 0.001 + softplus(ρ). Every network uses tanh hidden layers
// and a linear output ([nn.MLP]); the attention layers are [nn.Attention].
//
// A Model is trained with [Train] and saved with [Model.Save]; predictions
// go through [Model.Condition]. It is not safe for concurrent use (the
// networks keep scratch buffers): use [Model.Clone] per goroutine.
type Model struct {
	Arch Architecture
	// Det, Lat: context encoders 3 → H → H → H.
	Det, Lat *nn.MLP
	// QK embeds query and key coordinates 2 → H → H.
	QK *nn.MLP
	// Self is the optional self-attention (nil without SelfAttention);
	// Cross is the target-to-context attention.
	Self, Cross *nn.Attention
	// LatHead (H → H → H), ZMean (H → Latent) and ZStd (H → Latent) map the
	// pooled latent representation to q(z).
	LatHead, ZMean, ZStd *nn.MLP
	// Dec maps [r*, z, τ, ξ] (H + Latent + 2) → H → H → 2 to (μ, ρ).
	Dec *nn.MLP
}

// New returns a model with the given architecture, its weights drawn from
// rng (Glorot uniform, zero biases) in a fixed order. It returns an error
// wrapping [ErrSettings] for a bad Architecture or a nil rng.
func New(c Architecture, rng *rand.Rand) (*Model, error) {
	c, err := c.withDefaults()
	if err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, fmt.Errorf("%w: New needs a *rand.Rand", ErrSettings)
	}
	m := &Model{Arch: c}
	h, dz := c.Hidden, c.Latent
	mk := func(sizes ...int) *nn.MLP {
		if err != nil {
			return nil
		}
		var n *nn.MLP
		n, err = nn.NewMLP(sizes, nn.Tanh, rng)
		return n
	}
	m.Det = mk(3, h, h, h)
	m.Lat = mk(3, h, h, h)
	m.QK = mk(2, h, h)
	m.LatHead = mk(h, h, h)
	m.ZMean = mk(h, dz)
	m.ZStd = mk(h, dz)
	m.Dec = mk(h+dz+2, h, h, 2)
	if err != nil {
		return nil, fmt.Errorf("anp: %w", err)
	}
	if c.SelfAttention {
		if m.Self, err = nn.NewAttention(h, h, h, c.Heads, h/c.Heads, h, rng); err != nil {
			return nil, fmt.Errorf("anp: %w", err)
		}
	}
	if m.Cross, err = nn.NewAttention(h, h, h, c.Heads, h/c.Heads, h, rng); err != nil {
		return nil, fmt.Errorf("anp: %w", err)
	}
	return m, nil
}

// named is one parameter tensor of a model, in checkpoint order.
type named struct {
	name  string
	shape []int
	data  []float64
}

// tensors lists every parameter slice with a name and shape, in the fixed
// order used by [Model.Params] and the checkpoint format.
func (m *Model) tensors() []named {
	var out []named
	addMLP := func(name string, n *nn.MLP) {
		for l := range n.W {
			out = append(out,
				named{fmt.Sprintf("%s.W%d", name, l), []int{n.Sizes[l], n.Sizes[l+1]}, n.W[l]},
				named{fmt.Sprintf("%s.B%d", name, l), []int{n.Sizes[l+1]}, n.B[l]})
		}
	}
	addAtt := func(name string, a *nn.Attention) {
		out = append(out,
			named{name + ".Wq", []int{a.Heads, a.DimQ, a.HeadDim}, a.Wq},
			named{name + ".Wk", []int{a.Heads, a.DimK, a.HeadDim}, a.Wk},
			named{name + ".Wv", []int{a.Heads, a.DimV, a.HeadDim}, a.Wv},
			named{name + ".Wo", []int{a.Heads, a.HeadDim, a.DimOut}, a.Wo},
			named{name + ".Bo", []int{a.DimOut}, a.Bo})
	}
	addMLP("det", m.Det)
	if m.Self != nil {
		addAtt("self", m.Self)
	}
	addMLP("qk", m.QK)
	addAtt("cross", m.Cross)
	addMLP("lat", m.Lat)
	addMLP("lathead", m.LatHead)
	addMLP("zmean", m.ZMean)
	addMLP("zstd", m.ZStd)
	addMLP("dec", m.Dec)
	return out
}

// Params returns every parameter slice (aliasing the model's storage) in
// the checkpoint order: det, self (if any), qk, cross, lat, lathead,
// zmean, zstd, dec; an MLP contributes W0, B0, W1, ..., an attention Wq,
// Wk, Wv, Wo, Bo.
func (m *Model) Params() [][]float64 {
	ts := m.tensors()
	p := make([][]float64, len(ts))
	for i, t := range ts {
		p[i] = t.data
	}
	return p
}

// NumParams returns the number of weights and biases.
func (m *Model) NumParams() int {
	n := 0
	for _, p := range m.Params() {
		n += len(p)
	}
	return n
}

// Clone returns a deep copy with its own scratch buffers.
func (m *Model) Clone() *Model {
	c := &Model{Arch: m.Arch, Det: m.Det.Clone(), Lat: m.Lat.Clone(), QK: m.QK.Clone(),
		Cross: m.Cross.Clone(), LatHead: m.LatHead.Clone(), ZMean: m.ZMean.Clone(), ZStd: m.ZStd.Clone(), Dec: m.Dec.Clone()}
	if m.Self != nil {
		c.Self = m.Self.Clone()
	}
	return c
}

// Link functions shared by the graph and the fast pass (same formulas, so
// the two agree to rounding).

// zStd maps the raw latent output to σ_z = 0.1 + 0.9·sigmoid(v).
func zStd(v float64) float64 { return 0.1 + 0.9/(1+math.Exp(-v)) }

func zStdDeriv(v float64) float64 {
	s := 1 / (1 + math.Exp(-v))
	return 0.9 * s * (1 - s)
}

// minStd is the floor of the predictive standard deviation.
const minStd = 1e-3

// yStd maps the raw decoder output to σ = 0.001 + softplus(v), computed
// stably.
func yStd(v float64) float64 { return minStd + softplus(v) }

func softplus(v float64) float64 {
	if v > 0 {
		return v + math.Log1p(math.Exp(-v))
	}
	return math.Log1p(math.Exp(v))
}

func yStdDeriv(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
