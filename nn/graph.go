package nn

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Bound is an [MLP] whose parameters are bound into one gorgonia expression
// graph. The parameter nodes' values share storage with the MLP's W and B
// slices, so updating the slices (for example with [Adam]) updates the graph
// and vice versa.
type Bound struct {
	M       *MLP
	Weights []*gorgonia.Node // Weights[l] has shape Sizes[l]×Sizes[l+1]
	Biases  []*gorgonia.Node // Biases[l] has shape 1×Sizes[l+1]
}

// Bind creates the parameter nodes of m in g (names prefixed by name) and
// returns them. Binding the same MLP into two graphs shares the weights.
func (m *MLP) Bind(g *gorgonia.ExprGraph, name string) *Bound {
	b := &Bound{M: m}
	for l := range m.W {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		wt := tensor.New(tensor.WithShape(nin, nout), tensor.WithBacking(m.W[l]))
		bt := tensor.New(tensor.WithShape(1, nout), tensor.WithBacking(m.B[l]))
		b.Weights = append(b.Weights, gorgonia.NewMatrix(g, tensor.Float64,
			gorgonia.WithShape(nin, nout), gorgonia.WithName(fmt.Sprintf("%s_w%d", name, l)), gorgonia.WithValue(wt)))
		b.Biases = append(b.Biases, gorgonia.NewMatrix(g, tensor.Float64,
			gorgonia.WithShape(1, nout), gorgonia.WithName(fmt.Sprintf("%s_b%d", name, l)), gorgonia.WithValue(bt)))
	}
	return b
}

// Forward returns the node computing the network on x, a batch×In() matrix
// node of the same graph; the result has shape batch×Out().
func (b *Bound) Forward(x *gorgonia.Node) (*gorgonia.Node, error) {
	h := x
	L := len(b.Weights)
	for l := 0; l < L; l++ {
		xw, err := gorgonia.Mul(h, b.Weights[l])
		if err != nil {
			return nil, fmt.Errorf("nn: layer %d: %w", l, err)
		}
		z, err := gorgonia.BroadcastAdd(xw, b.Biases[l], nil, []byte{0})
		if err != nil {
			return nil, fmt.Errorf("nn: layer %d bias: %w", l, err)
		}
		if l == L-1 {
			h = z
			break
		}
		switch b.M.Act {
		case Tanh:
			h, err = gorgonia.Tanh(z)
		case ReLU:
			h, err = gorgonia.Rectify(z)
		default:
			h, err = gorgonia.Sigmoid(z)
		}
		if err != nil {
			return nil, fmt.Errorf("nn: layer %d activation: %w", l, err)
		}
	}
	return h, nil
}

// Learnables returns the parameter nodes in the order of [MLP.Params]
// (W[0], B[0], W[1], B[1], ...).
func (b *Bound) Learnables() gorgonia.Nodes {
	n := make(gorgonia.Nodes, 0, 2*len(b.Weights))
	for l := range b.Weights {
		n = append(n, b.Weights[l], b.Biases[l])
	}
	return n
}

// Grads returns the gradients held by the parameter nodes after a
// tape-machine run with gorgonia.BindDualValues, in the order of
// [MLP.Params]. The slices alias gorgonia's gradient storage. Gorgonia
// ACCUMULATES gradients across runs of a tape machine: zero the returned
// slices (or call [Bound.ZeroGrads]) after using them.
func (b *Bound) Grads() ([][]float64, error) {
	nodes := b.Learnables()
	out := make([][]float64, len(nodes))
	for i, n := range nodes {
		g, err := n.Grad()
		if err != nil {
			return nil, fmt.Errorf("nn: gradient of %s: %w", n.Name(), err)
		}
		d, ok := g.Data().([]float64)
		if !ok {
			return nil, fmt.Errorf("nn: gradient of %s is %T, want []float64", n.Name(), g.Data())
		}
		out[i] = d
	}
	return out, nil
}

// ZeroGrads sets the gradients held by the parameter nodes to zero (gorgonia
// accumulates them across runs).
func (b *Bound) ZeroGrads() error {
	gs, err := b.Grads()
	if err != nil {
		return err
	}
	for _, g := range gs {
		clear(g)
	}
	return nil
}
