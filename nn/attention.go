package nn

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"math/rand/v2"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Attention is multi-head scaled dot-product attention (Vaswani et al.,
// "Attention is all you need", NeurIPS 2017): queries come from one set
// of rows, keys and values from another (the same set for self-attention).
// For query rows Q (nq×DimQ), key rows K (nk×DimK) and value rows V
// (nk×DimV), head h computes
//
//	A_h = softmax_row( (Q·Wq[h]) (K·Wk[h])ᵀ / sqrt(HeadDim) )   nq×nk
//	O_h = A_h · (V·Wv[h])                                          nq×HeadDim
//
// and the output is Σ_h O_h·Wo[h] + 1·Boᵀ (nq×DimOut), which equals the
// usual concatenation of the heads times one output matrix. An optional
// mask (nq×nk, true = query i may attend key j) removes entries from the
// softmax, so causal or padded self-attention is the same layer.
//
// The projections Wq, Wk, Wv have no bias; the output projection has one.
// Weights are stored per head, each block row-major: Wq[h*DimQ*HeadDim:]
// is the DimQ×HeadDim matrix of head h (likewise Wk, Wv), and
// Wo[h*HeadDim*DimOut:] is the HeadDim×DimOut block of head h. The slices
// are the layer's storage: graphs built by [Attention.Bind] and an [Adam]
// step on [Attention.Params] read and write them in place.
//
// [Attention.Forward] evaluates the layer on plain slices without a graph;
// it keeps scratch buffers, so one Attention must not be evaluated from
// several goroutines at once (use [Attention.Clone] per goroutine).
type Attention struct {
	// DimQ, DimK and DimV are the widths of query, key and value rows.
	DimQ, DimK, DimV int
	// Heads is the number of heads and HeadDim the width of each.
	Heads, HeadDim int
	// DimOut is the width of the output rows.
	DimOut int
	// Wq, Wk, Wv, Wo and Bo are the weights (layout in the type's doc).
	Wq, Wk, Wv, Wo, Bo []float64

	// scratch of Forward.
	qp, kp, vp, sc, oh []float64
}

// NewAttention returns a layer with the given widths whose weights are
// drawn from rng with Glorot uniform scaling per head block,
// U(-s, s) with s = sqrt(6/(n_in+n_out)), and a zero output bias. It
// returns an error wrapping [ErrShape] if a width is not positive or the
// weights would exceed [MaxParams] values, and an error if rng is nil.
func NewAttention(dimQ, dimK, dimV, heads, headDim, dimOut int, rng *rand.Rand) (*Attention, error) {
	dims := [...]struct {
		name string
		v    int
	}{{"DimQ", dimQ}, {"DimK", dimK}, {"DimV", dimV}, {"Heads", heads}, {"HeadDim", headDim}, {"DimOut", dimOut}}
	total := 0
	for _, d := range dims {
		if d.v <= 0 || d.v > MaxParams {
			return nil, fmt.Errorf("%w: attention %s = %d", ErrShape, d.name, d.v)
		}
	}
	for _, in := range []int{dimQ, dimK, dimV, dimOut} {
		// heads·headDim·in values per matrix, compared by division.
		if headDim > MaxParams/heads || in > (MaxParams-total)/(heads*headDim) {
			return nil, fmt.Errorf("%w: attention %d×%d heads over widths (%d, %d, %d, %d) need more than MaxParams = %d weights",
				ErrShape, heads, headDim, dimQ, dimK, dimV, dimOut, MaxParams)
		}
		total += heads * headDim * in
	}
	if rng == nil {
		return nil, errors.New("nn: nil *rand.Rand")
	}
	hd := heads * headDim
	a := &Attention{DimQ: dimQ, DimK: dimK, DimV: dimV, Heads: heads, HeadDim: headDim, DimOut: dimOut,
		Wq: make([]float64, dimQ*hd), Wk: make([]float64, dimK*hd), Wv: make([]float64, dimV*hd),
		Wo: make([]float64, hd*dimOut), Bo: make([]float64, dimOut)}
	a.InitGlorot(rng)
	return a, nil
}

// InitGlorot redraws all weights from rng (in the order Wq, Wk, Wv, Wo)
// with Glorot uniform scaling of each head's block and sets Bo to zero.
func (a *Attention) InitGlorot(rng *rand.Rand) {
	fill := func(w []float64, nin, nout int) {
		s := math.Sqrt(6 / float64(nin+nout))
		for i := range w {
			w[i] = s * (2*rng.Float64() - 1)
		}
	}
	fill(a.Wq, a.DimQ, a.HeadDim)
	fill(a.Wk, a.DimK, a.HeadDim)
	fill(a.Wv, a.DimV, a.HeadDim)
	fill(a.Wo, a.HeadDim, a.DimOut)
	clear(a.Bo)
}

// Params returns the parameter slices in the order Wq, Wk, Wv, Wo, Bo.
// They alias the layer's storage.
func (a *Attention) Params() [][]float64 {
	return [][]float64{a.Wq, a.Wk, a.Wv, a.Wo, a.Bo}
}

// NumParams returns the total number of weights and biases.
func (a *Attention) NumParams() int {
	return len(a.Wq) + len(a.Wk) + len(a.Wv) + len(a.Wo) + len(a.Bo)
}

// ZeroGrads returns zeroed gradient buffers in the layout of
// [Attention.Params].
func (a *Attention) ZeroGrads() [][]float64 {
	g := make([][]float64, 0, 5)
	for _, p := range a.Params() {
		g = append(g, make([]float64, len(p)))
	}
	return g
}

// Clone returns a deep copy with its own scratch buffers.
func (a *Attention) Clone() *Attention {
	return &Attention{DimQ: a.DimQ, DimK: a.DimK, DimV: a.DimV, Heads: a.Heads, HeadDim: a.HeadDim, DimOut: a.DimOut,
		Wq: append([]float64(nil), a.Wq...), Wk: append([]float64(nil), a.Wk...),
		Wv: append([]float64(nil), a.Wv...), Wo: append([]float64(nil), a.Wo...),
		Bo: append([]float64(nil), a.Bo...)}
}

// checkWeights reports weight slices whose lengths do not match the widths
// (a layer assembled by hand or loaded from a file).
func (a *Attention) checkWeights() error {
	hd := a.Heads * a.HeadDim
	if a.Heads <= 0 || a.HeadDim <= 0 || a.DimQ <= 0 || a.DimK <= 0 || a.DimV <= 0 || a.DimOut <= 0 {
		return fmt.Errorf("%w: attention widths (q %d, k %d, v %d, heads %d×%d, out %d)", ErrShape,
			a.DimQ, a.DimK, a.DimV, a.Heads, a.HeadDim, a.DimOut)
	}
	for _, w := range [...]struct {
		name      string
		got, want int
	}{{"Wq", len(a.Wq), a.DimQ * hd}, {"Wk", len(a.Wk), a.DimK * hd}, {"Wv", len(a.Wv), a.DimV * hd},
		{"Wo", len(a.Wo), hd * a.DimOut}, {"Bo", len(a.Bo), a.DimOut}} {
		if w.got != w.want {
			return fmt.Errorf("%w: attention %s has %d values, want %d", ErrShape, w.name, w.got, w.want)
		}
	}
	return nil
}

// checkMask validates a mask for b batches of nq×nk scores: nil, nq·nk
// values shared by every batch, or b·nq·nk values; every query row must
// keep at least one key.
func checkMask(mask []bool, b, nq, nk int) error {
	if mask == nil {
		return nil
	}
	if len(mask) != nq*nk && len(mask) != b*nq*nk {
		return fmt.Errorf("%w: mask has %d values, want %d×%d = %d (or %d batches of them)", ErrShape, len(mask), nq, nk, nq*nk, b)
	}
	for r := 0; r < len(mask)/nk; r++ {
		keep := false
		for _, m := range mask[r*nk : (r+1)*nk] {
			keep = keep || m
		}
		if !keep {
			return fmt.Errorf("%w: mask row %d (query %d) keeps no key", ErrShape, r, r%nq)
		}
	}
	return nil
}

// Forward evaluates the layer without a graph on nq query rows q
// (row-major nq×DimQ) and nk key and value rows k (nk×DimK) and v
// (nk×DimV), with an optional mask (nil, or nq×nk row-major, true = keep).
// It writes the nq×DimOut output to dst (allocated when nil) and returns
// it. Its result equals the graph of [BoundAttention.Forward] to
// rounding (1e-12 in the tests). It returns an error wrapping [ErrShape]
// if nq or nk is not positive, a length does not match, dst is non-nil of
// the wrong length, a mask row keeps no key, or the weights do not match
// the widths. It allocates nothing once its scratch has grown to the
// largest nq, nk seen and dst is given.
func (a *Attention) Forward(dst, q, k, v []float64, nq, nk int, mask []bool) ([]float64, error) {
	if err := a.checkWeights(); err != nil {
		return nil, err
	}
	if nq <= 0 || nk <= 0 {
		return nil, fmt.Errorf("%w: attention over %d queries and %d keys", ErrShape, nq, nk)
	}
	if nq > MaxParams/max(a.DimQ, a.DimOut, a.Heads*a.HeadDim, nk) || nk > MaxParams/max(a.DimK, a.DimV, a.Heads*a.HeadDim) {
		return nil, fmt.Errorf("%w: attention over %d queries and %d keys exceeds MaxParams = %d values", ErrShape, nq, nk, MaxParams)
	}
	if len(q) != nq*a.DimQ || len(k) != nk*a.DimK || len(v) != nk*a.DimV {
		return nil, fmt.Errorf("%w: attention inputs of %d, %d, %d values, want %d×%d, %d×%d, %d×%d", ErrShape,
			len(q), len(k), len(v), nq, a.DimQ, nk, a.DimK, nk, a.DimV)
	}
	if err := checkMask(mask, 1, nq, nk); err != nil {
		return nil, err
	}
	if dst == nil {
		dst = make([]float64, nq*a.DimOut)
	} else if len(dst) != nq*a.DimOut {
		return nil, fmt.Errorf("%w: attention dst has %d values, want %d×%d", ErrShape, len(dst), nq, a.DimOut)
	}
	dh := a.HeadDim
	a.qp = grow(a.qp, nq*dh)
	a.kp = grow(a.kp, nk*dh)
	a.vp = grow(a.vp, nk*dh)
	a.sc = grow(a.sc, nk)
	a.oh = grow(a.oh, dh)
	for i := 0; i < nq; i++ {
		copy(dst[i*a.DimOut:(i+1)*a.DimOut], a.Bo)
	}
	scale := 1 / math.Sqrt(float64(dh))
	for h := 0; h < a.Heads; h++ {
		project(a.qp, q, a.Wq[h*a.DimQ*dh:(h+1)*a.DimQ*dh], nq, a.DimQ, dh)
		project(a.kp, k, a.Wk[h*a.DimK*dh:(h+1)*a.DimK*dh], nk, a.DimK, dh)
		project(a.vp, v, a.Wv[h*a.DimV*dh:(h+1)*a.DimV*dh], nk, a.DimV, dh)
		wo := a.Wo[h*dh*a.DimOut : (h+1)*dh*a.DimOut]
		for i := 0; i < nq; i++ {
			qi := a.qp[i*dh : (i+1)*dh]
			var m []bool
			if mask != nil {
				m = mask[i*nk : (i+1)*nk]
			}
			for j := 0; j < nk; j++ {
				s := 0.0
				for c, x := range a.kp[j*dh : (j+1)*dh] {
					s += qi[c] * x
				}
				a.sc[j] = s
			}
			softmaxRow(a.sc, a.sc, scale, m)
			oh := a.oh
			clear(oh)
			for j, w := range a.sc {
				if w == 0 {
					continue
				}
				for c, x := range a.vp[j*dh : (j+1)*dh] {
					oh[c] += w * x
				}
			}
			out := dst[i*a.DimOut : (i+1)*a.DimOut]
			for c, x := range oh {
				for o, w := range wo[c*a.DimOut : (c+1)*a.DimOut] {
					out[o] += x * w
				}
			}
		}
	}
	return dst, nil
}

// grow returns s resized to n, reallocating only when its capacity is short.
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// project writes dst = x·w for x rows×nin and w nin×nout, row-major.
func project(dst, x, w []float64, rows, nin, nout int) {
	clear(dst[:rows*nout])
	for r := 0; r < rows; r++ {
		d := dst[r*nout : (r+1)*nout]
		for i, xi := range x[r*nin : (r+1)*nin] {
			for j, wij := range w[i*nout : (i+1)*nout] {
				d[j] += xi * wij
			}
		}
	}
}

// softmaxRow writes softmax(scale·s) to dst over the entries whose mask is
// true (all when mask is nil); masked entries get exactly 0. dst may be s.
func softmaxRow(dst, s []float64, scale float64, mask []bool) {
	mx := math.Inf(-1)
	for j, x := range s {
		if (mask == nil || mask[j]) && scale*x > mx {
			mx = scale * x
		}
	}
	sum := 0.0
	for j, x := range s {
		if mask != nil && !mask[j] {
			dst[j] = 0
			continue
		}
		e := math.Exp(scale*x - mx)
		dst[j] = e
		sum += e
	}
	inv := 1 / sum
	for j := range dst {
		dst[j] *= inv
	}
}

// BoundAttention is an [Attention] whose parameters are bound into one
// gorgonia expression graph; the parameter nodes share storage with the
// layer's slices.
type BoundAttention struct {
	A *Attention
	// Wq, Wk, Wv, Wo hold one node per head (shapes DimQ×HeadDim,
	// DimK×HeadDim, DimV×HeadDim, HeadDim×DimOut); Bo is 1×DimOut.
	Wq, Wk, Wv, Wo []*gorgonia.Node
	Bo             *gorgonia.Node
}

// Bind creates the parameter nodes of a in g (names prefixed by name) and
// returns them. It returns an error wrapping [ErrShape] if the weight
// slices do not match the widths.
func (a *Attention) Bind(g *gorgonia.ExprGraph, name string) (*BoundAttention, error) {
	if err := a.checkWeights(); err != nil {
		return nil, err
	}
	b := &BoundAttention{A: a}
	dh := a.HeadDim
	mat := func(w []float64, r, c int, n string) *gorgonia.Node {
		t := tensor.New(tensor.WithShape(r, c), tensor.WithBacking(w))
		return gorgonia.NewMatrix(g, tensor.Float64, gorgonia.WithShape(r, c), gorgonia.WithName(name+"_"+n), gorgonia.WithValue(t))
	}
	for h := 0; h < a.Heads; h++ {
		b.Wq = append(b.Wq, mat(a.Wq[h*a.DimQ*dh:(h+1)*a.DimQ*dh], a.DimQ, dh, fmt.Sprintf("wq%d", h)))
		b.Wk = append(b.Wk, mat(a.Wk[h*a.DimK*dh:(h+1)*a.DimK*dh], a.DimK, dh, fmt.Sprintf("wk%d", h)))
		b.Wv = append(b.Wv, mat(a.Wv[h*a.DimV*dh:(h+1)*a.DimV*dh], a.DimV, dh, fmt.Sprintf("wv%d", h)))
		b.Wo = append(b.Wo, mat(a.Wo[h*dh*a.DimOut:(h+1)*dh*a.DimOut], dh, a.DimOut, fmt.Sprintf("wo%d", h)))
	}
	b.Bo = mat(a.Bo, 1, a.DimOut, "bo")
	return b, nil
}

// Learnables returns the parameter nodes: per head Wq, Wk, Wv, Wo (head
// 0 first), then Bo.
func (b *BoundAttention) Learnables() gorgonia.Nodes {
	n := make(gorgonia.Nodes, 0, 4*len(b.Wq)+1)
	for h := range b.Wq {
		n = append(n, b.Wq[h], b.Wk[h], b.Wv[h], b.Wo[h])
	}
	return append(n, b.Bo)
}

// Grads returns the gradients held by the parameter nodes after a
// tape-machine run with gorgonia.BindDualValues, copied into the layout
// of [Attention.Params] (dst from [Attention.ZeroGrads]; the gradients
// are ADDED to it). Gorgonia accumulates gradients across runs: call
// [BoundAttention.ZeroGrads] after using them.
func (b *BoundAttention) Grads(dst [][]float64) error {
	a := b.A
	if len(dst) != 5 {
		return fmt.Errorf("%w: %d gradient slices, want 5", ErrShape, len(dst))
	}
	for i, p := range a.Params() {
		if len(dst[i]) != len(p) {
			return fmt.Errorf("%w: gradient slice %d has %d values, want %d", ErrShape, i, len(dst[i]), len(p))
		}
	}
	dh := a.HeadDim
	add := func(dst []float64, n *gorgonia.Node) error {
		g, err := nodeGrad(n)
		if err != nil {
			return err
		}
		for i, v := range g {
			dst[i] += v
		}
		return nil
	}
	for h := 0; h < a.Heads; h++ {
		for _, p := range [...]struct {
			dst []float64
			n   *gorgonia.Node
		}{{dst[0][h*a.DimQ*dh : (h+1)*a.DimQ*dh], b.Wq[h]}, {dst[1][h*a.DimK*dh : (h+1)*a.DimK*dh], b.Wk[h]},
			{dst[2][h*a.DimV*dh : (h+1)*a.DimV*dh], b.Wv[h]}, {dst[3][h*dh*a.DimOut : (h+1)*dh*a.DimOut], b.Wo[h]}} {
			if err := add(p.dst, p.n); err != nil {
				return err
			}
		}
	}
	return add(dst[4], b.Bo)
}

// ZeroGrads sets the gradients held by the parameter nodes to zero.
func (b *BoundAttention) ZeroGrads() error {
	for _, n := range b.Learnables() {
		g, err := nodeGrad(n)
		if err != nil {
			return err
		}
		clear(g)
	}
	return nil
}

// nodeGrad returns the float64 gradient storage of a node.
func nodeGrad(n *gorgonia.Node) ([]float64, error) {
	g, err := n.Grad()
	if err != nil {
		return nil, fmt.Errorf("nn: gradient of %s: %w", n.Name(), err)
	}
	d, ok := g.Data().([]float64)
	if !ok {
		return nil, fmt.Errorf("nn: gradient of %s is %T, want []float64", n.Name(), g.Data())
	}
	return d, nil
}

// Forward returns the node computing the layer. q, k and v are nodes of
// the same graph, either matrices (nq×DimQ, nk×DimK, nk×DimV) or batches
// of them (B×nq×DimQ, B×nk×DimK, B×nk×DimV: B independent attention
// problems of the same size computed at once); the result is nq×DimOut or
// B×nq×DimOut. mask is nil, nq×nk row-major values shared by the batch,
// or B·nq·nk values (true = keep); the graph keeps a reference to it, so
// it must not change while the graph is used. It returns an error
// wrapping [ErrShape] for mismatched shapes or a mask row that keeps no
// key.
func (b *BoundAttention) Forward(q, k, v *gorgonia.Node, mask []bool) (*gorgonia.Node, error) {
	a := b.A
	qs, ks, vs := q.Shape(), k.Shape(), v.Shape()
	if len(qs) != len(ks) || len(qs) != len(vs) || (len(qs) != 2 && len(qs) != 3) {
		return nil, fmt.Errorf("%w: attention inputs of shapes %v, %v, %v: want all 2-d or all 3-d", ErrShape, qs, ks, vs)
	}
	batched := len(qs) == 3
	B := 1
	if batched {
		B = qs[0]
		if ks[0] != B || vs[0] != B {
			return nil, fmt.Errorf("%w: attention batches of %d, %d, %d", ErrShape, qs[0], ks[0], vs[0])
		}
		qs, ks, vs = qs[1:], ks[1:], vs[1:]
	}
	nq, nk := qs[0], ks[0]
	if qs[1] != a.DimQ || ks[1] != a.DimK || vs[1] != a.DimV || vs[0] != nk {
		return nil, fmt.Errorf("%w: attention inputs %v, %v, %v, want n×%d, m×%d, m×%d", ErrShape, qs, ks, vs, a.DimQ, a.DimK, a.DimV)
	}
	if err := checkMask(mask, B, nq, nk); err != nil {
		return nil, err
	}
	flat := func(n *gorgonia.Node, rows, cols int) (*gorgonia.Node, error) {
		if !batched {
			return n, nil
		}
		return gorgonia.Reshape(n, tensor.Shape{B * rows, cols})
	}
	q2, err := flat(q, nq, a.DimQ)
	if err != nil {
		return nil, err
	}
	k2, err := flat(k, nk, a.DimK)
	if err != nil {
		return nil, err
	}
	v2, err := flat(v, nk, a.DimV)
	if err != nil {
		return nil, err
	}
	dh := a.HeadDim
	sm := &maskedSoftmax{scale: 1 / math.Sqrt(float64(dh)), mask: mask, nq: nq, nk: nk}
	var out *gorgonia.Node
	for h := 0; h < a.Heads; h++ {
		proj := func(x, w *gorgonia.Node, rows int) (*gorgonia.Node, error) {
			p, err := gorgonia.Mul(x, w)
			if err != nil {
				return nil, err
			}
			return gorgonia.Reshape(p, tensor.Shape{B, rows, dh})
		}
		qh, err := proj(q2, b.Wq[h], nq)
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d query: %w", h, err)
		}
		kh, err := proj(k2, b.Wk[h], nk)
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d key: %w", h, err)
		}
		vh, err := proj(v2, b.Wv[h], nk)
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d value: %w", h, err)
		}
		s, err := gorgonia.BatchedMatMul(qh, kh, false, true)
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d scores: %w", h, err)
		}
		w, err := gorgonia.ApplyOp(sm, s)
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d softmax: %w", h, err)
		}
		oh, err := gorgonia.BatchedMatMul(w, vh)
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d values: %w", h, err)
		}
		oh, err = gorgonia.Reshape(oh, tensor.Shape{B * nq, dh})
		if err != nil {
			return nil, err
		}
		yh, err := gorgonia.Mul(oh, b.Wo[h])
		if err != nil {
			return nil, fmt.Errorf("nn: attention head %d output: %w", h, err)
		}
		if out == nil {
			out = yh
		} else if out, err = gorgonia.Add(out, yh); err != nil {
			return nil, err
		}
	}
	out, err = gorgonia.BroadcastAdd(out, b.Bo, nil, []byte{0})
	if err != nil {
		return nil, fmt.Errorf("nn: attention bias: %w", err)
	}
	if batched {
		return gorgonia.Reshape(out, tensor.Shape{B, nq, a.DimOut})
	}
	return out, nil
}

// maskedSoftmax is the gorgonia op y = softmax(scale·x) over the last axis
// of a B×nq×nk tensor, with masked entries exactly 0. (gorgonia's own
// SoftMax takes the stabilising maximum from the first element of the
// whole tensor rather than of each row, and starts a goroutine per row.)
type maskedSoftmax struct {
	scale  float64
	mask   []bool
	nq, nk int
}

func (op *maskedSoftmax) Arity() int { return 1 }

func (op *maskedSoftmax) Type() hm.Type {
	t := hm.TypeVariable('a')
	return hm.NewFnType(t, t)
}

func (op *maskedSoftmax) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%w: softmax input shape %v", ErrShape, in[0])
	}
	return s.Clone(), nil
}

func (op *maskedSoftmax) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 1 {
		return nil, fmt.Errorf("%w: softmax takes 1 input, got %d", ErrShape, len(in))
	}
	x, ok := in[0].Data().([]float64)
	if !ok || len(x)%(op.nq*op.nk) != 0 {
		return nil, fmt.Errorf("%w: softmax input %T of shape %v", ErrShape, in[0].Data(), in[0].Shape())
	}
	y := make([]float64, len(x))
	shared := len(op.mask) == op.nq*op.nk
	for r := 0; r < len(x)/op.nk; r++ {
		var m []bool
		if op.mask != nil {
			mr := r
			if shared {
				mr = r % op.nq
			}
			m = op.mask[mr*op.nk : (mr+1)*op.nk]
		}
		softmaxRow(y[r*op.nk:(r+1)*op.nk], x[r*op.nk:(r+1)*op.nk], op.scale, m)
	}
	return tensor.New(tensor.WithShape(in[0].Shape().Clone()...), tensor.WithBacking(y)), nil
}

func (op *maskedSoftmax) ReturnsPtr() bool     { return false }
func (op *maskedSoftmax) CallsExtern() bool    { return false }
func (op *maskedSoftmax) OverwritesInput() int { return -1 }
func (op *maskedSoftmax) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.maskedSoftmax{%v,%d,%d,%p,%d}", op.scale, op.nq, op.nk, op.mask, len(op.mask))
}

func (op *maskedSoftmax) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *maskedSoftmax) String() string { return fmt.Sprintf("maskedSoftmax{%v}", op.scale) }

// DiffWRT and SymDiff make the op differentiable: ∂x = scale·y⊙(g − Σ g⊙y)
// row by row (masked entries have y = 0 and get 0).
func (op *maskedSoftmax) DiffWRT(int) []bool { return []bool{true} }

func (op *maskedSoftmax) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	d, err := gorgonia.ApplyOp(&softmaxGrad{scale: op.scale, nk: op.nk}, out, grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{d}, nil
}

// softmaxGrad computes the input gradient of [maskedSoftmax] from its
// output y and the output gradient g.
type softmaxGrad struct {
	scale float64
	nk    int
}

func (op *softmaxGrad) Arity() int { return 2 }

func (op *softmaxGrad) Type() hm.Type {
	t := hm.TypeVariable('a')
	return hm.NewFnType(t, t, t)
}

func (op *softmaxGrad) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%w: softmax gradient input shape %v", ErrShape, in[0])
	}
	return s.Clone(), nil
}

func (op *softmaxGrad) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	if len(in) != 2 {
		return nil, fmt.Errorf("%w: softmax gradient takes 2 inputs, got %d", ErrShape, len(in))
	}
	y, ok1 := in[0].Data().([]float64)
	g, ok2 := in[1].Data().([]float64)
	if !ok1 || !ok2 || len(y) != len(g) || len(y)%op.nk != 0 {
		return nil, fmt.Errorf("%w: softmax gradient inputs of shapes %v, %v", ErrShape, in[0].Shape(), in[1].Shape())
	}
	dx := make([]float64, len(y))
	for r := 0; r < len(y)/op.nk; r++ {
		yr, gr := y[r*op.nk:(r+1)*op.nk], g[r*op.nk:(r+1)*op.nk]
		s := 0.0
		for j, v := range yr {
			s += v * gr[j]
		}
		for j, v := range yr {
			dx[r*op.nk+j] = op.scale * v * (gr[j] - s)
		}
	}
	return tensor.New(tensor.WithShape(in[0].Shape().Clone()...), tensor.WithBacking(dx)), nil
}

func (op *softmaxGrad) ReturnsPtr() bool     { return false }
func (op *softmaxGrad) CallsExtern() bool    { return false }
func (op *softmaxGrad) OverwritesInput() int { return -1 }
func (op *softmaxGrad) WriteHash(h hash.Hash) {
	fmt.Fprintf(h, "nn.softmaxGrad{%v,%d}", op.scale, op.nk)
}

func (op *softmaxGrad) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}

func (op *softmaxGrad) String() string { return fmt.Sprintf("softmaxGrad{%v}", op.scale) }
