package nn

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas/blas64"

	"github.com/optlearn/optlearn/linalg"
)

// Activation selects the hidden-layer nonlinearity of an [MLP].
type Activation int

const (
	// Tanh is the hyperbolic tangent.
	Tanh Activation = iota
	// ReLU is max(0, x).
	ReLU
	// Sigmoid is the logistic function 1/(1+exp(-x)).
	Sigmoid
)

// String returns the activation's name.
func (a Activation) String() string {
	switch a {
	case Tanh:
		return "tanh"
	case ReLU:
		return "relu"
	case Sigmoid:
		return "sigmoid"
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

// ErrShape is returned (wrapped) for invalid layer sizes or data whose
// dimensions do not match the network.
var ErrShape = errors.New("nn: bad shape")

// ErrNotFinite is returned (wrapped) when training data contain NaN or Inf.
var ErrNotFinite = errors.New("nn: data not finite")

// MaxParams is the largest number of weights and biases [NewMLP] and
// [NewMLPConst] accept (2²⁸ float64 values, 2 GiB), and the largest
// number of values per layer of a [Workspace]. Larger requests are
// refused before anything is allocated.
const MaxParams = 1 << 28

// MLP is a fully connected feed-forward network: hidden layers use Act, the
// output layer is linear. W[l] is row-major Sizes[l]×Sizes[l+1], B[l] has
// length Sizes[l+1]. The slices are the network's storage: graphs built by
// [MLP.Bind] and the [Adam] optimizer read and write them in place.
//
// An MLP keeps scratch buffers for [MLP.Predict], [MLP.InputGrad] and
// [MLP.Backward], so a single MLP must not be evaluated from several
// goroutines at once; use [MLP.Clone] per goroutine.
type MLP struct {
	Sizes []int
	Act   Activation
	W     [][]float64
	B     [][]float64

	// scratch: pre-activations and activations per layer.
	z, a [][]float64
	d    [][]float64
}

// NewMLP returns a network with the given layer sizes (at least input and
// output) and hidden activation. Weights are drawn from rng with Glorot
// uniform scaling, U(-s, s) with s = sqrt(6/(n_in+n_out)); biases are zero.
// It returns an error wrapping [ErrShape] if fewer than two sizes are given
// or a size is not positive, and an error if rng is nil or act unknown.
func NewMLP(sizes []int, act Activation, rng *rand.Rand) (*MLP, error) {
	m, err := newZeroMLP(sizes, act)
	if err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, errors.New("nn: nil *rand.Rand")
	}
	m.InitGlorot(rng)
	return m, nil
}

// NewMLPConst returns a network whose weights are all w and biases all b
// (the deterministic initialisation some reference codes use).
// Errors are as for [NewMLP] (rng is not needed).
func NewMLPConst(sizes []int, act Activation, w, b float64) (*MLP, error) {
	m, err := newZeroMLP(sizes, act)
	if err != nil {
		return nil, err
	}
	for l := range m.W {
		for i := range m.W[l] {
			m.W[l][i] = w
		}
		for i := range m.B[l] {
			m.B[l][i] = b
		}
	}
	return m, nil
}

func newZeroMLP(sizes []int, act Activation) (*MLP, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("%w: need at least 2 layer sizes, got %d", ErrShape, len(sizes))
	}
	total := 0
	for i, s := range sizes {
		if s <= 0 {
			return nil, fmt.Errorf("%w: layer size %d is %d", ErrShape, i, s)
		}
		if s > MaxParams {
			return nil, fmt.Errorf("%w: layer size %d is %d, above MaxParams = %d", ErrShape, i, s, MaxParams)
		}
		if i > 0 {
			// (in+1)·out parameters; both factors are <= MaxParams, so
			// compare by division to avoid overflow.
			if n := sizes[i-1] + 1; s > (MaxParams-total)/n {
				return nil, fmt.Errorf("%w: layers %v need more than MaxParams = %d weights (%d GB)", ErrShape, sizes, MaxParams, MaxParams*8>>30)
			}
			total += (sizes[i-1] + 1) * s
		}
	}
	if act < Tanh || act > Sigmoid {
		return nil, fmt.Errorf("nn: unknown activation %d", int(act))
	}
	m := &MLP{Sizes: append([]int(nil), sizes...), Act: act}
	L := len(sizes) - 1
	m.W = make([][]float64, L)
	m.B = make([][]float64, L)
	for l := 0; l < L; l++ {
		m.W[l] = make([]float64, sizes[l]*sizes[l+1])
		m.B[l] = make([]float64, sizes[l+1])
	}
	m.alloc()
	return m, nil
}

func (m *MLP) alloc() {
	m.z = make([][]float64, len(m.Sizes))
	m.a = make([][]float64, len(m.Sizes))
	m.d = make([][]float64, len(m.Sizes))
	for l, s := range m.Sizes {
		m.z[l] = make([]float64, s)
		m.a[l] = make([]float64, s)
		m.d[l] = make([]float64, s)
	}
}

// InitGlorot redraws all weights from rng with Glorot uniform scaling and
// sets the biases to zero.
func (m *MLP) InitGlorot(rng *rand.Rand) {
	for l := range m.W {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		s := math.Sqrt(6 / float64(nin+nout))
		for i := range m.W[l] {
			m.W[l][i] = s * (2*rng.Float64() - 1)
		}
		for i := range m.B[l] {
			m.B[l][i] = 0
		}
	}
}

// In returns the input dimension.
func (m *MLP) In() int { return m.Sizes[0] }

// Out returns the output dimension.
func (m *MLP) Out() int { return m.Sizes[len(m.Sizes)-1] }

// Params returns the parameter slices in the order W[0], B[0], W[1], B[1], ...
// They alias the network's storage.
func (m *MLP) Params() [][]float64 {
	p := make([][]float64, 0, 2*len(m.W))
	for l := range m.W {
		p = append(p, m.W[l], m.B[l])
	}
	return p
}

// NumParams returns the total number of weights and biases.
func (m *MLP) NumParams() int {
	n := 0
	for l := range m.W {
		n += len(m.W[l]) + len(m.B[l])
	}
	return n
}

// Clone returns a deep copy with its own scratch buffers.
func (m *MLP) Clone() *MLP {
	c := &MLP{Sizes: append([]int(nil), m.Sizes...), Act: m.Act}
	c.W = make([][]float64, len(m.W))
	c.B = make([][]float64, len(m.B))
	for l := range m.W {
		c.W[l] = append([]float64(nil), m.W[l]...)
		c.B[l] = append([]float64(nil), m.B[l]...)
	}
	c.alloc()
	return c
}

func (m *MLP) act(x float64) float64 {
	switch m.Act {
	case Tanh:
		return math.Tanh(x)
	case ReLU:
		if x > 0 {
			return x
		}
		return 0
	default:
		return 1 / (1 + math.Exp(-x))
	}
}

// actDeriv returns the derivative given pre-activation z and activation a.
func (m *MLP) actDeriv(z, a float64) float64 {
	switch m.Act {
	case Tanh:
		return 1 - a*a
	case ReLU:
		if z > 0 {
			return 1
		}
		return 0
	default:
		return a * (1 - a)
	}
}

// blasMin is the layer size (inputs × outputs) from which the passes call
// blas64: below it the call overhead exceeds the work (a 5→12 layer is 10%
// faster in Go loops, a 64→64 layer 3× slower; BenchmarkMLPTiny).
const blasMin = 1024

// general views w as a rows×cols row-major blas64 matrix.
func general(rows, cols int, w []float64) blas64.General {
	return blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: w[:rows*cols]}
}

// forward fills the scratch buffers for input x.
func (m *MLP) forward(x []float64) {
	copy(m.a[0], x)
	L := len(m.W)
	for l := 0; l < L; l++ {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		z := m.z[l+1]
		copy(z, m.B[l])
		// z += Wᵀ a (W is nin×nout row-major).
		if nin*nout >= blasMin {
			linalg.Gemv(true, 1, general(nin, nout, m.W[l]), m.a[l], 1, z)
		} else {
			w, in := m.W[l], m.a[l]
			for i, xi := range in[:nin] {
				for j, wij := range w[i*nout : (i+1)*nout] {
					z[j] += xi * wij
				}
			}
		}
		out := m.a[l+1]
		if l == L-1 {
			copy(out, z)
		} else {
			for j := range z {
				out[j] = m.act(z[j])
			}
		}
	}
}

// Predict evaluates the network at x and writes the Out() outputs to dst,
// which is grown if it is too short; it returns dst. It panics if
// len(x) != In(). It does not allocate when dst has capacity.
func (m *MLP) Predict(dst, x []float64) []float64 {
	if len(x) != m.Sizes[0] {
		panic("nn: input length mismatch")
	}
	m.forward(x)
	out := m.a[len(m.a)-1]
	if cap(dst) < len(out) {
		dst = make([]float64, len(out))
	}
	dst = dst[:len(out)]
	copy(dst, out)
	return dst
}

// backward propagates upstream gradient dout (length Out()) after forward.
// If gparams is non-nil, parameter gradients are ADDED to it (same layout as
// [MLP.Params]); if gin is non-nil the input gradient is written to it.
func (m *MLP) backward(dout []float64, gparams [][]float64, gin []float64) {
	L := len(m.W)
	copy(m.d[L], dout)
	for l := L - 1; l >= 0; l-- {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		dz := m.d[l+1] // gradient wrt z[l+1] (for l == L-1 linear output)
		big := nin*nout >= blasMin
		if gparams != nil {
			// ∂W += a dzᵀ, ∂b += dz.
			gw, gb := gparams[2*l], gparams[2*l+1]
			if big {
				linalg.Ger(1, m.a[l], dz, general(nin, nout, gw))
			} else {
				for i, xi := range m.a[l][:nin] {
					row := gw[i*nout : (i+1)*nout]
					for j, d := range dz[:nout] {
						row[j] += xi * d
					}
				}
			}
			for j, d := range dz[:nout] {
				gb[j] += d
			}
		}
		if l == 0 && gin == nil {
			break
		}
		// da = W dz.
		da := m.d[l]
		if big {
			linalg.Gemv(false, 1, general(nin, nout, m.W[l]), dz, 0, da)
		} else {
			w := m.W[l]
			for i := range da[:nin] {
				s := 0.0
				for j, wij := range w[i*nout : (i+1)*nout] {
					s += wij * dz[j]
				}
				da[i] = s
			}
		}
		if l > 0 {
			for i := range da {
				da[i] *= m.actDeriv(m.z[l][i], m.a[l][i])
			}
		}
	}
	if gin != nil {
		copy(gin, m.d[0])
	}
}

// InputGrad evaluates a single-output network at x, writes ∂f/∂x to grad and
// returns f(x). It panics if Out() != 1 or the lengths do not match In().
func (m *MLP) InputGrad(grad, x []float64) float64 {
	if m.Out() != 1 {
		panic("nn: InputGrad needs a single output")
	}
	if len(x) != m.Sizes[0] || len(grad) != m.Sizes[0] {
		panic("nn: input length mismatch")
	}
	m.forward(x)
	f := m.a[len(m.a)-1][0]
	one := [1]float64{1}
	m.backward(one[:], nil, grad)
	return f
}

// Backward evaluates the network at x, then adds the gradient of
// Σ_k dout[k]·f_k(x) with respect to the parameters to gparams (same layout
// as [MLP.Params]) and, if gin is non-nil, writes the input gradient to gin.
// It writes the outputs to out (length Out()). It panics on length mismatch.
func (m *MLP) Backward(out, x, dout []float64, gparams [][]float64, gin []float64) {
	if len(x) != m.Sizes[0] || len(dout) != m.Out() || len(out) != m.Out() {
		panic("nn: length mismatch")
	}
	if gparams != nil && len(gparams) != 2*len(m.W) {
		panic("nn: gparams length mismatch")
	}
	m.forward(x)
	copy(out, m.a[len(m.a)-1])
	m.backward(dout, gparams, gin)
}

// Backprop is [MLP.Backward] without its forward pass: it propagates dout
// through the state left by the last [MLP.Predict], [MLP.InputGrad] or
// [MLP.Backward] call, which must have been made on the input of interest
// with the current parameters. It saves a forward pass when the outputs
// are needed before their gradient (a softmax policy's log-probability).
// It panics on length mismatch.
func (m *MLP) Backprop(dout []float64, gparams [][]float64, gin []float64) {
	if len(dout) != m.Out() || (gin != nil && len(gin) != m.In()) {
		panic("nn: length mismatch")
	}
	if gparams != nil && len(gparams) != 2*len(m.W) {
		panic("nn: gparams length mismatch")
	}
	m.backward(dout, gparams, gin)
}

// ZeroGrads returns zeroed gradient buffers in the layout of [MLP.Params].
func (m *MLP) ZeroGrads() [][]float64 {
	g := make([][]float64, 0, 2*len(m.W))
	for l := range m.W {
		g = append(g, make([]float64, len(m.W[l])), make([]float64, len(m.B[l])))
	}
	return g
}
