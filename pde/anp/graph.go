package anp

import (
	"fmt"
	"hash"
	"hash/fnv"
	"math"
	"sync/atomic"

	"github.com/chewxy/hm"
	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/optlearn/optlearn/nn"
)

// Stencil steps of the SoftC residual, in normalised units (τ, ξ).
const (
	stepTau = 0.02
	stepXi  = 0.02
)

// graph is the training graph of a [Model] for a fixed batch shape: B
// functions, each with nc contexts, nt targets and (SoftC) nr residual
// points. Its inputs are backed by the slices below, which the trainer
// overwrites before each run.
type graph struct {
	m                 *Model
	B, nc, nt, nr, dz int
	lambda            float64

	g  *gorgonia.ExprGraph
	vm gorgonia.VM

	// inputs (row-major): contexts [τ, ξ, y] and [τ, ξ]; targets likewise
	// and their values; ε of the reparameterised z; stencil queries.
	cin, cx, tin, tx, ty, eps, sx []float64
	// per residual point: 1/(2 h_τ T), 1/(h_ξ L)², and the diffusivity
	// parameters (kind, value) read by the k(u) op.
	invT, invL2 []float64
	kind, par   []float64

	loss, nll, kl, res *gorgonia.Node
	mu, sigma          *gorgonia.Node // B·nt × 1
	zMeanC, zStdC      *gorgonia.Node // B × dz
	zMeanT, zStdT      *gorgonia.Node

	mlps  []*nn.Bound
	atts  []*nn.BoundAttention
	order []func() ([][]float64, error) // gradient slices per network, in Params order
	learn gorgonia.Nodes
}

// opID makes the hashes of distinct elementwise ops distinct, so gorgonia
// never merges two of them.
var opID atomic.Uint64

// elemOp applies f elementwise (f receives the flat index, for per-row
// parameters); its derivative is the elementwise op df, multiplied by the
// incoming gradient. A nil df makes the op non-differentiable.
type elemOp struct {
	name  string
	id    uint64
	f, df func(i int, v float64) float64
}

func newElemOp(name string, f, df func(int, float64) float64) *elemOp {
	return &elemOp{name: name, id: opID.Add(1), f: f, df: df}
}

func (op *elemOp) Arity() int { return 1 }
func (op *elemOp) Type() hm.Type {
	t := hm.TypeVariable('a')
	return hm.NewFnType(t, t)
}
func (op *elemOp) InferShape(in ...gorgonia.DimSizer) (tensor.Shape, error) {
	s, ok := in[0].(tensor.Shape)
	if !ok {
		return nil, fmt.Errorf("%w: %s input shape %v", ErrDimension, op.name, in[0])
	}
	return s.Clone(), nil
}
func (op *elemOp) Do(in ...gorgonia.Value) (gorgonia.Value, error) {
	x, ok := in[0].Data().([]float64)
	if !ok {
		return nil, fmt.Errorf("%w: %s input %T", ErrDimension, op.name, in[0].Data())
	}
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = op.f(i, v)
	}
	return tensor.New(tensor.WithShape(in[0].Shape().Clone()...), tensor.WithBacking(y)), nil
}
func (op *elemOp) ReturnsPtr() bool      { return false }
func (op *elemOp) CallsExtern() bool     { return false }
func (op *elemOp) OverwritesInput() int  { return -1 }
func (op *elemOp) WriteHash(h hash.Hash) { fmt.Fprintf(h, "anp.%s#%d", op.name, op.id) }
func (op *elemOp) Hashcode() uint32 {
	h := fnv.New32a()
	op.WriteHash(h)
	return h.Sum32()
}
func (op *elemOp) String() string { return op.name }
func (op *elemOp) DiffWRT(int) []bool {
	return []bool{op.df != nil}
}
func (op *elemOp) SymDiff(in gorgonia.Nodes, out, grad *gorgonia.Node) (gorgonia.Nodes, error) {
	if op.df == nil {
		return nil, fmt.Errorf("anp: %s is not differentiable", op.name)
	}
	d, err := gorgonia.ApplyOp(newElemOp(op.name+"'", op.df, nil), in[0])
	if err != nil {
		return nil, err
	}
	gx, err := gorgonia.HadamardProd(d, grad)
	if err != nil {
		return nil, err
	}
	return gorgonia.Nodes{gx}, nil
}

// Diffusivity kinds of the GPME families (the k(u) of the residual).
const (
	kindConst  = 0 // k = par
	kindPower  = 1 // k = max(u, 0)^par
	kindStefan = 2 // k = 1 if u ≥ par else 0
)

func diffusivity(kind, par, u float64) float64 {
	switch kind {
	case kindPower:
		return math.Pow(max(u, 0), par)
	case kindStefan:
		if u >= par {
			return 1
		}
		return 0
	}
	return par
}

func diffusivityDeriv(kind, par, u float64) float64 {
	if kind == kindPower && u > 0 {
		return par * math.Pow(u, par-1)
	}
	return 0
}

// newGraph builds the training graph. lambda > 0 adds the SoftC residual
// penalty on nr points per function (nr ≥ 1 then).
func newGraph(m *Model, B, nc, nt, nr int, lambda float64) (*graph, error) {
	if lambda <= 0 {
		nr = 0
	}
	h, dz := m.Arch.Hidden, m.Arch.Latent
	gr := &graph{m: m, B: B, nc: nc, nt: nt, nr: nr, dz: dz, lambda: lambda, g: gorgonia.NewGraph()}
	g := gr.g
	var err error
	must := func(n *gorgonia.Node, e error) *gorgonia.Node {
		if err == nil && e != nil {
			err = e
		}
		return n
	}
	input := func(name string, back []float64, shape ...int) *gorgonia.Node {
		return gorgonia.NewTensor(g, tensor.Float64, len(shape), gorgonia.WithShape(shape...), gorgonia.WithName(name),
			gorgonia.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(back))))
	}
	gr.cin = make([]float64, B*nc*3)
	gr.cx = make([]float64, B*nc*2)
	gr.tin = make([]float64, B*nt*3)
	gr.tx = make([]float64, B*nt*2)
	gr.ty = make([]float64, B*nt)
	gr.eps = make([]float64, B*dz)
	cin := input("cin", gr.cin, B*nc, 3)
	cx := input("cx", gr.cx, B*nc, 2)
	tin := input("tin", gr.tin, B*nt, 3)
	tx := input("tx", gr.tx, B*nt, 2)
	ty := input("ty", gr.ty, B*nt, 1)
	eps := input("eps", gr.eps, B, dz)
	// pool[b, b·n+i] = 1/n; spread[b·n+i, b] = 1.
	pool := func(name string, n int) *gorgonia.Node {
		p := make([]float64, B*B*n)
		for b := 0; b < B; b++ {
			for i := 0; i < n; i++ {
				p[b*B*n+b*n+i] = 1 / float64(n)
			}
		}
		return input(name, p, B, B*n)
	}
	spread := func(name string, n int) *gorgonia.Node {
		p := make([]float64, B*n*B)
		for b := 0; b < B; b++ {
			for i := 0; i < n; i++ {
				p[(b*n+i)*B+b] = 1
			}
		}
		return input(name, p, B*n, B)
	}

	bind := func(n *nn.MLP, name string) *nn.Bound {
		b := n.Bind(g, name)
		gr.mlps = append(gr.mlps, b)
		gr.learn = append(gr.learn, b.Learnables()...)
		gr.order = append(gr.order, b.Grads)
		return b
	}
	bindAtt := func(a *nn.Attention, name string) *nn.BoundAttention {
		b, e := a.Bind(g, name)
		if e != nil {
			err = e
			return nil
		}
		gr.atts = append(gr.atts, b)
		gr.learn = append(gr.learn, b.Learnables()...)
		buf := a.ZeroGrads()
		gr.order = append(gr.order, func() ([][]float64, error) {
			for _, s := range buf {
				clear(s)
			}
			return buf, b.Grads(buf)
		})
		return b
	}
	fwd := func(b *nn.Bound, x *gorgonia.Node) *gorgonia.Node {
		if err != nil {
			return nil
		}
		return must(b.Forward(x))
	}
	reshape := func(n *gorgonia.Node, s ...int) *gorgonia.Node {
		if err != nil {
			return nil
		}
		return must(gorgonia.Reshape(n, tensor.Shape(s)))
	}
	mul := func(a, b *gorgonia.Node) *gorgonia.Node {
		if err != nil {
			return nil
		}
		return must(gorgonia.Mul(a, b))
	}
	apply := func(op gorgonia.Op, x *gorgonia.Node) *gorgonia.Node {
		if err != nil {
			return nil
		}
		return must(gorgonia.ApplyOp(op, x))
	}
	bin := func(f func(a, b *gorgonia.Node) (*gorgonia.Node, error), a, b *gorgonia.Node) *gorgonia.Node {
		if err != nil {
			return nil
		}
		return must(f(a, b))
	}
	scal := func(v float64) *gorgonia.Node { return gorgonia.NewConstant(v) }

	// Bind in the order of Model.Params.
	det := bind(m.Det, "det")
	var self *nn.BoundAttention
	if m.Self != nil {
		self = bindAtt(m.Self, "self")
	}
	qk := bind(m.QK, "qk")
	cross := bindAtt(m.Cross, "cross")
	lat := bind(m.Lat, "lat")
	latHead := bind(m.LatHead, "lathead")
	zMean := bind(m.ZMean, "zmean")
	zStdNet := bind(m.ZStd, "zstd")
	dec := bind(m.Dec, "dec")
	if err != nil {
		return nil, err
	}

	// Deterministic path.
	r3 := reshape(fwd(det, cin), B, nc, h)
	if self != nil && err == nil {
		sa := must(self.Forward(r3, r3, r3, nil))
		r3 = bin(gorgonia.Add, r3, sa)
	}
	keys := reshape(fwd(qk, cx), B, nc, h)
	decode := func(qx *gorgonia.Node, nq int, z *gorgonia.Node) (mu, sd *gorgonia.Node) {
		if err != nil {
			return nil, nil
		}
		q := reshape(fwd(qk, qx), B, nq, h)
		rs := must(cross.Forward(q, keys, r3, nil))
		rs = reshape(rs, B*nq, h)
		zb := mul(spread(fmt.Sprintf("spread%d", nq), nq), z)
		if err != nil {
			return nil, nil
		}
		in := must(gorgonia.Concat(1, rs, zb, qx))
		out := fwd(dec, in)
		mu = mul(out, input(fmt.Sprintf("sel-mu%d", nq), []float64{1, 0}, 2, 1))
		raw := mul(out, input(fmt.Sprintf("sel-rho%d", nq), []float64{0, 1}, 2, 1))
		sd = apply(newElemOp("ystd", func(_ int, v float64) float64 { return yStd(v) },
			func(_ int, v float64) float64 { return yStdDeriv(v) }), raw)
		return mu, sd
	}
	// Latent path: q(z | C) and q(z | T).
	latent := func(x *gorgonia.Node, n int, tag string) (mean, std *gorgonia.Node) {
		s := mul(pool("pool"+tag, n), fwd(lat, x))
		hh := fwd(latHead, s)
		mean = fwd(zMean, hh)
		std = apply(newElemOp("zstd", func(_ int, v float64) float64 { return zStd(v) },
			func(_ int, v float64) float64 { return zStdDeriv(v) }), fwd(zStdNet, hh))
		return mean, std
	}
	gr.zMeanC, gr.zStdC = latent(cin, nc, "c")
	gr.zMeanT, gr.zStdT = latent(tin, nt, "t")
	z := bin(gorgonia.Add, gr.zMeanT, bin(gorgonia.HadamardProd, gr.zStdT, eps))
	gr.mu, gr.sigma = decode(tx, nt, z)
	if err != nil {
		return nil, err
	}

	// Negative log-likelihood per target point.
	std := bin(gorgonia.HadamardDiv, bin(gorgonia.Sub, ty, gr.mu), gr.sigma)
	ll := bin(gorgonia.Add, must(gorgonia.Log(gr.sigma)), bin(gorgonia.Mul, must(gorgonia.Square(std)), scal(0.5)))
	gr.nll = bin(gorgonia.Add, bin(gorgonia.Mul, must(gorgonia.Sum(ll)), scal(1/float64(B*nt))), scal(0.5*math.Log(2*math.Pi)))
	// KL(q(z|T) ‖ q(z|C)) / nt per function, averaged over the batch.
	logRatio := bin(gorgonia.Sub, must(gorgonia.Log(gr.zStdC)), must(gorgonia.Log(gr.zStdT)))
	dm := bin(gorgonia.Sub, gr.zMeanT, gr.zMeanC)
	num := bin(gorgonia.Add, must(gorgonia.Square(gr.zStdT)), must(gorgonia.Square(dm)))
	den := bin(gorgonia.Mul, must(gorgonia.Square(gr.zStdC)), scal(2))
	klTerms := bin(gorgonia.Add, logRatio, bin(gorgonia.HadamardDiv, num, den))
	gr.kl = bin(gorgonia.Sub, bin(gorgonia.Mul, must(gorgonia.Sum(klTerms)), scal(1/float64(B*nt))), scal(0.5*float64(dz)/float64(nt)))
	gr.loss = bin(gorgonia.Add, gr.nll, gr.kl)
	if err != nil {
		return nil, err
	}

	if nr > 0 {
		ns := 5 * nr
		gr.sx = make([]float64, B*ns*2)
		gr.invT = make([]float64, B*nr)
		gr.invL2 = make([]float64, B*nr)
		gr.kind = make([]float64, B*nr)
		gr.par = make([]float64, B*nr)
		sx := input("sx", gr.sx, B*ns, 2)
		muS, _ := decode(sx, ns, z)
		u5 := reshape(muS, B*nr, 5)
		comb := func(name string, c ...float64) *gorgonia.Node {
			return mul(u5, input(name, c, 5, 1))
		}
		// Stencil order: (τ, ξ), (τ+h, ξ), (τ−h, ξ), (τ, ξ+h), (τ, ξ−h).
		dt := comb("c-dt", 0, 1, -1, 0, 0)
		dr := comb("c-dr", -1, 0, 0, 1, 0)
		dl := comb("c-dl", 1, 0, 0, 0, -1)
		mr := comb("c-mr", 0.5, 0, 0, 0.5, 0)
		ml := comb("c-ml", 0.5, 0, 0, 0, 0.5)
		kfun := func(tag string) *elemOp {
			return newElemOp("k"+tag, func(i int, v float64) float64 { return diffusivity(gr.kind[i], gr.par[i], v) },
				func(i int, v float64) float64 { return diffusivityDeriv(gr.kind[i], gr.par[i], v) })
		}
		flux := bin(gorgonia.Sub, bin(gorgonia.HadamardProd, apply(kfun("r"), mr), dr), bin(gorgonia.HadamardProd, apply(kfun("l"), ml), dl))
		invT := input("invT", gr.invT, B*nr, 1)
		invL2 := input("invL2", gr.invL2, B*nr, 1)
		r := bin(gorgonia.Sub, bin(gorgonia.HadamardProd, dt, invT), bin(gorgonia.HadamardProd, flux, invL2))
		gr.res = bin(gorgonia.Mul, must(gorgonia.Sum(must(gorgonia.Square(r)))), scal(1/float64(B*nr)))
		gr.loss = bin(gorgonia.Add, gr.loss, bin(gorgonia.Mul, gr.res, scal(lambda)))
		if err != nil {
			return nil, err
		}
	}
	if _, err := gorgonia.Grad(gr.loss, gr.learn...); err != nil {
		return nil, fmt.Errorf("anp: gradient graph: %w", err)
	}
	gr.vm = gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(gr.learn...))
	return gr, nil
}

// run evaluates the graph on the current inputs and returns the gradient
// slices in the order of Model.Params, valid until [graph.reset].
func (gr *graph) run() ([][]float64, error) {
	if err := gr.vm.RunAll(); err != nil {
		return nil, fmt.Errorf("anp: graph run: %w", err)
	}
	var grads [][]float64
	for _, f := range gr.order {
		gs, err := f()
		if err != nil {
			return nil, err
		}
		grads = append(grads, gs...)
	}
	return grads, nil
}

// reset zeroes the accumulated gradients and rewinds the tape machine.
func (gr *graph) reset() error {
	for _, b := range gr.mlps {
		if err := b.ZeroGrads(); err != nil {
			return err
		}
	}
	for _, b := range gr.atts {
		if err := b.ZeroGrads(); err != nil {
			return err
		}
	}
	gr.vm.Reset()
	return nil
}

// scalar returns the value of a scalar node after a run.
func scalar(n *gorgonia.Node) float64 {
	if n == nil || n.Value() == nil {
		return math.NaN()
	}
	switch v := n.Value().Data().(type) {
	case float64:
		return v
	case []float64:
		if len(v) == 1 {
			return v[0]
		}
	}
	return math.NaN()
}

// close releases the tape machine.
func (gr *graph) close() {
	if gr.vm != nil {
		gr.vm.Close()
	}
}
