package learned

import (
	"fmt"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/optlearn/optlearn/nn"
)

// GraphLogits builds the network as a gorgonia expression graph for one
// encoded observation and returns its N+1 logits (−Inf for illegal
// actions). It is the reference the fast pass ([Policy.Logits], used by
// inference and training) is tested against (equal to 1e-12): the
// attention is [nn.Attention] (its masked softmax; q/k/v biases enter as
// a last weight row against a constant-1 input column), the feed-forward
// blocks and heads are [nn.MLP], LayerNorm and the embedding look-ups
// (one-hot products) are gorgonia ops. Enc1 runs as one attention over all
// tokens with a block-diagonal mask, which equals attention within each
// window. It is slow (a graph per observation): use it for checks only.
// The graph shares n's weights; errors wrap ErrWeights or ErrDimension.
func (n *Net) GraphLogits(in *Input) ([]float64, error) {
	if n == nil || len(n.W) != NumParams {
		return nil, fmt.Errorf("%w: network does not have %d weights", ErrWeights, NumParams)
	}
	if err := in.check(); err != nil {
		return nil, err
	}
	g := gorgonia.NewGraph()
	gb := &graphBuilder{g: g, w: n.W}
	out, err := gb.build(in)
	if err != nil {
		return nil, err
	}
	vm := gorgonia.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		return nil, fmt.Errorf("learned: graph: %w", err)
	}
	vals := out.Value().Data().([]float64)
	logits := append([]float64(nil), vals...)
	for a := range logits {
		if !in.Legal[a] {
			logits[a] = negInf
		}
	}
	return logits, nil
}

// check validates the shapes of in.
func (in *Input) check() error {
	if in == nil || in.J <= 0 {
		return fmt.Errorf("%w: empty input", ErrDimension)
	}
	T := in.J * 5
	if len(in.Row) != T || len(in.Fix) != T || len(in.Leg) != T || len(in.Start) != T || len(in.Dur) != T ||
		len(in.Pos) != T || len(in.Pad) != T || len(in.JobMask) != in.J*in.J || len(in.Legal) != in.J+1 {
		return fmt.Errorf("%w: input fields do not fit %d jobs", ErrDimension, in.J)
	}
	for i := 0; i < T; i++ {
		if in.Pos[i] >= MaxPos || in.Row[i] > 2 || in.Fix[i] > 1 || in.Leg[i] > 1 {
			return fmt.Errorf("%w: token %d out of range", ErrDimension, i)
		}
	}
	return nil
}

type graphBuilder struct {
	g *gorgonia.ExprGraph
	w []float64
	k int
}

func (b *graphBuilder) name(s string) string { b.k++; return fmt.Sprintf("%s%d", s, b.k) }

// param binds the r×c block of weights at off.
func (b *graphBuilder) param(off, r, c int) *gorgonia.Node {
	t := tensor.New(tensor.WithShape(r, c), tensor.WithBacking(b.w[off:off+r*c]))
	return gorgonia.NewMatrix(b.g, tensor.Float64, gorgonia.WithShape(r, c), gorgonia.WithName(b.name("w")), gorgonia.WithValue(t))
}

// constant returns an r×c constant node.
func (b *graphBuilder) constant(v []float64, r, c int) *gorgonia.Node {
	t := tensor.New(tensor.WithShape(r, c), tensor.WithBacking(v))
	return gorgonia.NewMatrix(b.g, tensor.Float64, gorgonia.WithShape(r, c), gorgonia.WithName(b.name("c")), gorgonia.WithValue(t))
}

// layerNorm is LN over the rows of the r×Dim node x with gain/bias at off.
func (b *graphBuilder) layerNorm(x *gorgonia.Node, r, off int) (*gorgonia.Node, error) {
	ones := make([]float64, Dim)
	for i := range ones {
		ones[i] = 1.0 / Dim
	}
	avg := b.constant(ones, Dim, 1)
	mu := gorgonia.Must(gorgonia.Mul(x, avg))
	xc := gorgonia.Must(gorgonia.BroadcastSub(x, mu, nil, []byte{1}))
	va := gorgonia.Must(gorgonia.Mul(gorgonia.Must(gorgonia.Square(xc)), avg))
	eps := gorgonia.NewConstant(lnEps)
	rs := gorgonia.Must(gorgonia.Pow(gorgonia.Must(gorgonia.Add(va, eps)), gorgonia.NewConstant(-0.5)))
	xh := gorgonia.Must(gorgonia.BroadcastHadamardProd(xc, rs, nil, []byte{1}))
	y := gorgonia.Must(gorgonia.BroadcastHadamardProd(xh, b.param(off, 1, Dim), nil, []byte{0}))
	return gorgonia.BroadcastAdd(y, b.param(off+Dim, 1, Dim), nil, []byte{0})
}

// encoder is one pre-LN Transformer encoder layer over the r×Dim node x
// with the r×r mask, weights at off.
func (b *graphBuilder) encoder(x *gorgonia.Node, r int, mask []bool, off int) (n *gorgonia.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("learned: graph: %v", p)
		}
	}()
	l := b.w[off : off+lSize]
	y, err := b.layerNorm(x, r, off+lLN1g)
	if err != nil {
		return nil, err
	}
	// nn.Attention has no q/k/v bias: append a 1-column to y and the bias
	// as the projection's last row.
	aug := func(wo, bo int) []float64 {
		m := make([]float64, (Dim+1)*Dim)
		copy(m, l[wo:wo+Dim*Dim])
		copy(m[Dim*Dim:], l[bo:bo+Dim])
		return m
	}
	att := &nn.Attention{DimQ: Dim + 1, DimK: Dim + 1, DimV: Dim + 1, Heads: 1, HeadDim: Dim, DimOut: Dim,
		Wq: aug(lWq, lBq), Wk: aug(lWk, lBk), Wv: aug(lWv, lBv), Wo: l[lWo : lWo+Dim*Dim], Bo: l[lBo : lBo+Dim]}
	ba, err := att.Bind(b.g, b.name("att"))
	if err != nil {
		return nil, err
	}
	one := make([]float64, r)
	for i := range one {
		one[i] = 1
	}
	ya := gorgonia.Must(gorgonia.Concat(1, y, b.constant(one, r, 1)))
	a, err := ba.Forward(ya, ya, ya, mask)
	if err != nil {
		return nil, err
	}
	x1 := gorgonia.Must(gorgonia.Add(x, a))
	y2, err := b.layerNorm(x1, r, off+lLN2g)
	if err != nil {
		return nil, err
	}
	ff := &nn.MLP{Sizes: []int{Dim, FF, Dim}, Act: nn.ReLU,
		W: [][]float64{l[lW1 : lW1+Dim*FF], l[lW2 : lW2+FF*Dim]}, B: [][]float64{l[lC1 : lC1+FF], l[lC2 : lC2+Dim]}}
	f, err := ff.Bind(b.g, b.name("ff")).Forward(y2)
	if err != nil {
		return nil, err
	}
	return gorgonia.Add(x1, f)
}

// head is the MLP 8→32 tanh→1 at off on the J×Dim node z.
func (b *graphBuilder) head(z *gorgonia.Node, off int) (*gorgonia.Node, error) {
	h := b.w[off : off+hSize]
	m := &nn.MLP{Sizes: []int{Dim, Hidden, 1}, Act: nn.Tanh,
		W: [][]float64{h[hU : hU+Dim*Hidden], h[hV : hV+Hidden]}, B: [][]float64{h[hA : hA+Hidden], h[hB : hB+1]}}
	return m.Bind(b.g, b.name("head")).Forward(z)
}

func (b *graphBuilder) build(in *Input) (out *gorgonia.Node, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("learned: graph: %v", p)
		}
	}()
	J := in.J
	T := J * 5
	// Embedding look-ups as one-hot products.
	ohFix := make([]float64, T*2)
	ohLeg := make([]float64, T*2)
	ohTok := make([]float64, T*3)
	raw := make([]float64, T*2)
	pos := make([]float64, T*Dim)
	for i := 0; i < T; i++ {
		if r := in.Row[i]; r >= 0 {
			ohTok[i*3+int(r)] = 1
			continue
		}
		ohFix[i*2+int(in.Fix[i])] = 1
		ohLeg[i*2+int(in.Leg[i])] = 1
		raw[i*2], raw[i*2+1] = in.Start[i], in.Dur[i]
		copy(pos[i*Dim:(i+1)*Dim], pe[in.Pos[i]*Dim:(in.Pos[i]+1)*Dim])
	}
	ef := gorgonia.Must(gorgonia.Mul(b.constant(ohFix, T, 2), b.param(oFix, 2, 1)))
	el := gorgonia.Must(gorgonia.Mul(b.constant(ohLeg, T, 2), b.param(oLeg, 2, 1)))
	feat := gorgonia.Must(gorgonia.Concat(1, ef, el, b.constant(raw, T, 2)))
	feat = gorgonia.Must(gorgonia.Add(feat, gorgonia.Must(gorgonia.Mul(b.constant(ohTok, T, 3), b.param(oTok, 3, 4)))))
	x0 := gorgonia.Must(gorgonia.Mul(feat, b.param(oWin, 4, Dim)))
	x0 = gorgonia.Must(gorgonia.BroadcastAdd(x0, b.param(oBin, 1, Dim), nil, []byte{0}))
	x0 = gorgonia.Must(gorgonia.Add(x0, b.constant(pos, T, Dim)))
	// Enc1: block-diagonal mask over the windows, END padding masked.
	m1 := make([]bool, T*T)
	for i := 0; i < T; i++ {
		for k := 0; k < 5; k++ {
			j := (i/5)*5 + k
			m1[i*T+j] = !in.Pad[j]
		}
	}
	e1, err := b.encoder(x0, T, m1, oEnc1)
	if err != nil {
		return nil, err
	}
	pool := make([]float64, J*T)
	for i := 0; i < T; i++ {
		pool[(i/5)*T+i] = 1.0 / 5
	}
	h := gorgonia.Must(gorgonia.Mul(b.constant(pool, J, T), e1))
	e2, err := b.encoder(h, J, append([]bool(nil), in.JobMask...), oEnc2)
	if err != nil {
		return nil, err
	}
	z := gorgonia.Must(gorgonia.Add(e2, h))
	lj, err := b.head(z, oJob)
	if err != nil {
		return nil, err
	}
	ln, err := b.head(z, oNoop)
	if err != nil {
		return nil, err
	}
	avg := make([]float64, J)
	for i := range avg {
		avg[i] = 1 / float64(J)
	}
	noop := gorgonia.Must(gorgonia.Mul(b.constant(avg, 1, J), ln))
	all := gorgonia.Must(gorgonia.Concat(0, lj, noop))
	return all, nil
}
