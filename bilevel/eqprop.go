package bilevel

import (
	"fmt"
	"math"
	"math/cmplx"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// MaxEPDim bounds the number of neurons (and of inputs, and of classes) of
// an [EPNet], so that a mistyped size returns an error instead of trying
// to allocate gigabytes; the dense solves of [ImplicitBP] cost dim³.
const MaxEPDim = 1 << 14

// EPNet is the layered recurrent network of equilibrium propagation
// (Laborieux & Zenke, arXiv 2309.02214): layers 1..L (the last is "out")
// with forward weights W_l from layer l−1 to l (layer 0 is the clamped
// input x, not activated), feedback weights B_l from layer l back to
// layer l−1 (l ≥ 2, no bias), biases b_l, and a linear readout (R, r) to
// the classes. With s = σ(u) the synchronous update is
//
//	u_l ← W_l s_{l−1} + B_{l+1} s_{l+1} + b_l + β·[l = L]·e(s),   e = Rᵀ(softmax(R s_L + r) − y),
//
// the vector field Φ(u) = 𝐖σ(u) + b' + βe with the block matrix 𝐖 whose
// only non-zero blocks are W_l (below the diagonal) and B_l (above it); 𝐖
// is symmetric exactly when every B_l = W_lᵀ. The loss is the
// cross-entropy of softmax(R s_L + r). σ(z) = 1/(1 + exp(−4z + 2)) is
// holomorphic, which is what holomorphic EP needs.
//
// The neuron state of the free phase is real (fast path); the nudged
// phases of [HolomorphicEP] run in complex128. Dense products go through
// blas64 ([linalg.Gemv]): a complex state is multiplied by the real
// weights as two real products. An EPNet keeps work buffers and is not
// safe for concurrent use; [EPNet.Clone] gives an independent copy.
type EPNet struct {
	// Sizes are n_0 (inputs), n_1, ..., n_L (the out layer).
	Sizes []int
	// Classes is the number of readout classes.
	Classes int
	// W[l-1] is W_l (n_l × n_{l−1}), l = 1..L.
	W []blas64.General
	// B[l-2] is B_l (n_{l−1} × n_l), l = 2..L.
	B []blas64.General
	// Bias[l-1] is b_l (length n_l).
	Bias [][]float64
	// R is the readout (Classes × n_L) and RBias its bias r.
	R     blas64.General
	RBias []float64

	off []int // off[l-1] is the offset of layer l in the state, off[L] = dim
	wk  epWork
}

// epWork holds the buffers of one net.
type epWork struct {
	s, un, e         []float64 // activated state, next state, error vector (dim)
	logit, p         []float64 // Classes
	sr, si, ur, ui   []float64 // real and imaginary parts (dim)
	pr, pi, lr, li   []float64 // complex logits and probabilities (Classes)
	uc, ucn          []complex128
	delta, tmp, tmp2 []float64
	sstar, ub        []float64
	a                *mat.Dense // dense I − D𝐖(ᵀ) of the exact solves
	dp               []float64  // σ'(u*)
	lu               mat.LU
}

// NewEPNet returns a network with the given layer sizes (inputs first, at
// least one hidden-or-out layer) and readout classes. W_l and R have
// i.i.d. N(0, 1/fan_in) entries, biases are zero, and each feedback matrix
// is set by [EPNet.RotateFeedback] with the given angle in degrees (0 =
// symmetric, 90 = independent). All draws come from rng in the order W_1..W_L,
// R, then the feedback matrices. It returns an error wrapping
// [ErrDimension] for fewer than two sizes, a size outside [1, MaxEPDim] or
// fewer than two classes, and [ErrSettings] for a nil rng or an angle
// outside [0, 90].
func NewEPNet(sizes []int, classes int, angle float64, rng *rand.Rand) (*EPNet, error) {
	if len(sizes) < 2 {
		return nil, fmt.Errorf("%w: EPNet needs the input size and at least one layer, got %v", ErrDimension, sizes)
	}
	dim := 0
	for i, n := range sizes {
		if n < 1 || n > MaxEPDim {
			return nil, fmt.Errorf("%w: EPNet size %d of layer %d outside [1, %d]", ErrDimension, n, i, MaxEPDim)
		}
		if i > 0 {
			dim += n
		}
	}
	if dim > MaxEPDim {
		return nil, fmt.Errorf("%w: EPNet has %d neurons, more than %d", ErrDimension, dim, MaxEPDim)
	}
	if classes < 2 || classes > MaxEPDim {
		return nil, fmt.Errorf("%w: EPNet classes %d outside [2, %d]", ErrDimension, classes, MaxEPDim)
	}
	if rng == nil {
		return nil, fmt.Errorf("%w: NewEPNet needs a non-nil rng", ErrSettings)
	}
	if !(angle >= 0 && angle <= 90) {
		return nil, fmt.Errorf("%w: angle = %g must be in [0, 90] degrees", ErrSettings, angle)
	}
	L := len(sizes) - 1
	n := &EPNet{Sizes: append([]int(nil), sizes...), Classes: classes}
	gauss := func(rows, cols int) blas64.General {
		g := blas64.General{Rows: rows, Cols: cols, Stride: cols, Data: make([]float64, rows*cols)}
		sd := 1 / math.Sqrt(float64(cols))
		for i := range g.Data {
			g.Data[i] = sd * rng.NormFloat64()
		}
		return g
	}
	for l := 1; l <= L; l++ {
		n.W = append(n.W, gauss(sizes[l], sizes[l-1]))
		n.Bias = append(n.Bias, make([]float64, sizes[l]))
	}
	n.R = gauss(classes, sizes[L])
	n.RBias = make([]float64, classes)
	for l := 2; l <= L; l++ {
		n.B = append(n.B, blas64.General{Rows: sizes[l-1], Cols: sizes[l], Stride: sizes[l], Data: make([]float64, sizes[l-1]*sizes[l])})
	}
	n.init()
	if err := n.RotateFeedback(angle, rng); err != nil {
		return nil, err
	}
	return n, nil
}

// init sets the offsets and the work buffers.
func (n *EPNet) init() {
	L := len(n.Sizes) - 1
	n.off = make([]int, L+1)
	for l := 1; l <= L; l++ {
		n.off[l] = n.off[l-1] + n.Sizes[l]
	}
	d, c := n.off[L], n.Classes
	f := func(k int) []float64 { return make([]float64, k) }
	n.wk = epWork{s: f(d), un: f(d), e: f(d), logit: f(c), p: f(c),
		sr: f(d), si: f(d), ur: f(d), ui: f(d), pr: f(c), pi: f(c), lr: f(c), li: f(c),
		uc: make([]complex128, d), ucn: make([]complex128, d), delta: f(d), tmp: f(d), tmp2: f(d), sstar: f(d), ub: f(d)}
}

// Clone returns an independent copy of n (weights and buffers), or nil
// for a net not made by [NewEPNet].
func (n *EPNet) Clone() *EPNet {
	if n.valid() != nil {
		return nil
	}
	c := &EPNet{Sizes: append([]int(nil), n.Sizes...), Classes: n.Classes}
	cp := func(g blas64.General) blas64.General { g.Data = append([]float64(nil), g.Data...); return g }
	for _, w := range n.W {
		c.W = append(c.W, cp(w))
	}
	for _, b := range n.B {
		c.B = append(c.B, cp(b))
	}
	for _, b := range n.Bias {
		c.Bias = append(c.Bias, append([]float64(nil), b...))
	}
	c.R, c.RBias = cp(n.R), append([]float64(nil), n.RBias...)
	c.init()
	return c
}

// Dim returns the number of neurons (the length of the state u), or 0 for
// a net not made by [NewEPNet].
func (n *EPNet) Dim() int {
	if n == nil || len(n.off) == 0 {
		return 0
	}
	return n.off[len(n.off)-1]
}

// valid returns an error wrapping [ErrSettings] for a nil net or one not
// made by [NewEPNet], and [ErrDimension] if its exported weights no longer
// have the shapes its Sizes say.
func (n *EPNet) valid() error {
	if n == nil {
		return fmt.Errorf("%w: nil EPNet", ErrSettings)
	}
	L := len(n.Sizes) - 1
	if L < 1 || len(n.off) != L+1 || n.off[L] == 0 {
		return fmt.Errorf("%w: EPNet not made by NewEPNet", ErrSettings)
	}
	shape := func(g blas64.General, r, c int) bool {
		return g.Rows == r && g.Cols == c && g.Stride >= c && len(g.Data) >= (r-1)*g.Stride+c
	}
	if len(n.W) != L || len(n.B) != L-1 || len(n.Bias) != L || !shape(n.R, n.Classes, n.Sizes[L]) || len(n.RBias) != n.Classes {
		return fmt.Errorf("%w: EPNet weights do not match Sizes %v", ErrDimension, n.Sizes)
	}
	for l := 1; l <= L; l++ {
		if n.off[l]-n.off[l-1] != n.Sizes[l] || !shape(n.W[l-1], n.Sizes[l], n.Sizes[l-1]) || len(n.Bias[l-1]) != n.Sizes[l] ||
			(l > 1 && !shape(n.B[l-2], n.Sizes[l-1], n.Sizes[l])) {
			return fmt.Errorf("%w: EPNet layer %d does not match Sizes %v", ErrDimension, l, n.Sizes)
		}
	}
	return nil
}

// layers returns L.
func (n *EPNet) layers() int { return len(n.Sizes) - 1 }

// layer returns the view of layer l (1..L) of a state vector.
func (n *EPNet) layer(v []float64, l int) []float64 { return v[n.off[l-1]:n.off[l]] }

// Params returns the parameter slices in a fixed order: W_1..W_L,
// B_2..B_L, b_1..b_L, R, r. They alias the net's weights. It is nil for a
// nil net.
func (n *EPNet) Params() [][]float64 {
	if n == nil {
		return nil
	}
	var ps [][]float64
	for _, w := range n.W {
		ps = append(ps, w.Data)
	}
	for _, b := range n.B {
		ps = append(ps, b.Data)
	}
	ps = append(ps, n.Bias...)
	return append(ps, n.R.Data, n.RBias)
}

// checkGrad returns an error wrapping [ErrDimension] unless g is shaped
// like [EPNet.Params]; it does not allocate.
func (n *EPNet) checkGrad(g [][]float64) error {
	L := n.layers()
	if len(g) != 3*L+1 {
		return fmt.Errorf("%w: gradient has %d slices, the net %d", ErrDimension, len(g), 3*L+1)
	}
	want := func(k int) int {
		switch {
		case k < L:
			return len(n.W[k].Data)
		case k < 2*L-1:
			return len(n.B[k-L].Data)
		case k < 3*L-1:
			return len(n.Bias[k-2*L+1])
		case k == 3*L-1:
			return len(n.R.Data)
		}
		return len(n.RBias)
	}
	for k, gk := range g {
		if len(gk) != want(k) {
			return fmt.Errorf("%w: gradient slice %d has length %d, want %d", ErrDimension, k, len(gk), want(k))
		}
	}
	return nil
}

// NewGrad returns zeroed slices shaped like [EPNet.Params].
func (n *EPNet) NewGrad() [][]float64 {
	ps := n.Params()
	g := make([][]float64, len(ps))
	for i, p := range ps {
		g[i] = make([]float64, len(p))
	}
	return g
}

// checkSample returns an error for an input of the wrong length, a
// non-finite input or a label outside [0, Classes).
func (n *EPNet) checkSample(x []float64, label int) error {
	if len(x) != n.Sizes[0] {
		return fmt.Errorf("%w: input of length %d, the net has %d inputs", ErrDimension, len(x), n.Sizes[0])
	}
	if !linalg.AllFinite(x) {
		return fmt.Errorf("%w: input", ErrNotFinite)
	}
	if label < 0 || label >= n.Classes {
		return fmt.Errorf("%w: label %d outside [0, %d)", ErrDimension, label, n.Classes)
	}
	return nil
}

// EPSigma is the activation σ(z) = 1/(1 + exp(−4z + 2)) of the network.
func EPSigma(z float64) float64 { return 1 / (1 + math.Exp(-4*z+2)) }

// epSigmaPrime is σ'(z) = 4σ(1 − σ).
func epSigmaPrime(z float64) float64 { s := EPSigma(z); return 4 * s * (1 - s) }

// epSigmaC is σ on complex arguments. Far in the left half-plane exp
// overflows; σ is then 0 to double precision.
func epSigmaC(z complex128) complex128 {
	w := -4*z + 2
	if real(w) > 700 {
		return 0
	}
	return 1 / (1 + cmplx.Exp(w))
}

// activate writes σ(u) into s.
func activate(s, u []float64) {
	for i, v := range u {
		s[i] = EPSigma(v)
	}
}

// field writes Φ(s) = 𝐖s + b' (the β = 0 vector field, on the activated
// state s, with the input x) into dst.
func (n *EPNet) field(dst, s, x []float64) {
	L := n.layers()
	for l := 1; l <= L; l++ {
		d := n.layer(dst, l)
		copy(d, n.Bias[l-1])
		pre := x
		if l > 1 {
			pre = n.layer(s, l-1)
		}
		linalg.Gemv(false, 1, n.W[l-1], pre, 1, d)
		if l < L {
			linalg.Gemv(false, 1, n.B[l-1], n.layer(s, l+1), 1, d)
		}
	}
}

// fieldT writes 𝐖ᵀv into dst (no bias, no input).
func (n *EPNet) fieldT(dst, v []float64) {
	L := n.layers()
	linalg.Zero(dst)
	for l := 1; l <= L; l++ {
		vl := n.layer(v, l)
		if l > 1 {
			linalg.Gemv(true, 1, n.W[l-1], vl, 1, n.layer(dst, l-1))
		}
		if l < L {
			linalg.Gemv(true, 1, n.B[l-1], vl, 1, n.layer(dst, l+1))
		}
	}
}

// readout writes the class probabilities p = softmax(R s_L + r) and
// returns the cross-entropy −log p_label.
func (n *EPNet) readout(p, sOut []float64, label int) float64 {
	copy(p, n.RBias)
	linalg.Gemv(false, 1, n.R, sOut, 1, p)
	m := p[0]
	for _, v := range p {
		m = math.Max(m, v)
	}
	ll := p[label]
	sum := 0.0
	for i, v := range p {
		p[i] = math.Exp(v - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	return math.Log(sum) + m - ll
}

// errorVec writes e = Rᵀ(p − y) into the out block of e (zero elsewhere)
// and returns the loss; p is left in n.wk.p.
func (n *EPNet) errorVec(e, s []float64, label int) float64 {
	L := n.layers()
	p := n.wk.p
	loss := n.readout(p, n.layer(s, L), label)
	p[label]--
	linalg.Zero(e)
	linalg.Gemv(true, 1, n.R, p, 0, n.layer(e, L))
	p[label]++
	return loss
}

// FixedPoint is the outcome of a relaxation: the number of steps, the
// residual ‖Φ(u) − u‖ of the last step, and whether it fell to the
// tolerance.
type FixedPoint struct {
	Steps     int
	Residual  float64
	Converged bool
}

// Relax runs the free phase (β = 0) from u (nil means u = 0): at most
// maxSteps synchronous updates u ← Φ(u), stopping early when the residual
// ‖Φ(u) − u‖ is at most tol (tol ≤ 0: never early). It returns u (the
// relaxed state, allocated if nil) and the residual of the last step; a
// residual above tol is reported in FixedPoint.Converged, not as an error,
// because training runs a fixed T1 steps. It returns an error wrapping
// [ErrDimension] for bad sizes, [ErrSettings] for maxSteps < 1 and
// [ErrNotFinite] if the state is not finite (never a silent NaN).
func (n *EPNet) Relax(u, x []float64, maxSteps int, tol float64) ([]float64, FixedPoint, error) {
	if err := n.valid(); err != nil {
		return u, FixedPoint{}, err
	}
	d := n.Dim()
	if u == nil {
		u = make([]float64, d)
	}
	if len(u) != d {
		return u, FixedPoint{}, fmt.Errorf("%w: state of length %d, the net has %d neurons", ErrDimension, len(u), d)
	}
	if len(x) != n.Sizes[0] {
		return u, FixedPoint{}, fmt.Errorf("%w: input of length %d, the net has %d inputs", ErrDimension, len(x), n.Sizes[0])
	}
	if maxSteps < 1 {
		return u, FixedPoint{}, fmt.Errorf("%w: %d relaxation steps", ErrSettings, maxSteps)
	}
	if math.IsNaN(tol) {
		return u, FixedPoint{}, fmt.Errorf("%w: relaxation tolerance NaN", ErrSettings)
	}
	fp := n.relax(u, x, maxSteps, tol)
	if math.IsNaN(fp.Residual) || math.IsInf(fp.Residual, 0) || !linalg.AllFinite(u) {
		return u, fp, fmt.Errorf("%w: free phase diverged after %d steps (residual %g)", ErrNotFinite, fp.Steps, fp.Residual)
	}
	return u, fp, nil
}

// relax is Relax without the checks.
func (n *EPNet) relax(u, x []float64, maxSteps int, tol float64) FixedPoint {
	s, un := n.wk.s, n.wk.un
	var fp FixedPoint
	for fp.Steps < maxSteps {
		fp.Steps++
		activate(s, u)
		n.field(un, s, x)
		fp.Residual = math.Sqrt(linalg.DistSq(un, u))
		copy(u, un)
		if fp.Residual <= tol || math.IsNaN(fp.Residual) {
			break
		}
	}
	fp.Converged = fp.Residual <= tol
	return fp
}

// nudgeReal runs up to steps nudged updates with a real β from u (in
// place), stopping when the residual is at most tol. It returns the
// residual of the last step.
func (n *EPNet) nudgeReal(u, x []float64, label int, beta float64, steps int, tol float64) float64 {
	s, un, e := n.wk.s, n.wk.un, n.wk.e
	res := math.Inf(1)
	for range steps {
		activate(s, u)
		n.field(un, s, x)
		n.errorVec(e, s, label)
		linalg.Axpy(beta, e, un)
		res = math.Sqrt(linalg.DistSq(un, u))
		copy(u, un)
		if res <= tol || math.IsNaN(res) {
			break
		}
	}
	return res
}

// nudgeComplex runs up to steps nudged updates with a complex β from the
// real state u0, in complex arithmetic (weights and input real), stopping
// when the residual is at most tol. The state ends in n.wk.uc; it returns
// the residual of the last step.
func (n *EPNet) nudgeComplex(u0, x []float64, label int, beta complex128, steps int, tol float64) float64 {
	for i, v := range u0 {
		n.wk.uc[i] = complex(v, 0)
	}
	res := math.Inf(1)
	for range steps {
		res = n.stepComplex(x, label, beta)
		if res <= tol || math.IsNaN(res) {
			break
		}
	}
	return res
}

// stepComplex makes one nudged update of the complex state n.wk.uc with
// the complex β and returns its residual ‖u⁺ − u‖. The activated state of
// the step's start is left in n.wk.sr, n.wk.si.
func (n *EPNet) stepComplex(x []float64, label int, beta complex128) float64 {
	w := &n.wk
	L := n.layers()
	uc, ucn := w.uc, w.ucn
	for i, v := range uc {
		sv := epSigmaC(v)
		w.sr[i], w.si[i] = real(sv), imag(sv)
	}
	// Real and imaginary parts of 𝐖s + b' (the input and biases are real).
	n.field(w.ur, w.sr, x)
	for l := 1; l <= L; l++ {
		d := n.layer(w.ui, l)
		linalg.Zero(d)
		if l > 1 {
			linalg.Gemv(false, 1, n.W[l-1], n.layer(w.si, l-1), 1, d)
		}
		if l < L {
			linalg.Gemv(false, 1, n.B[l-1], n.layer(w.si, l+1), 1, d)
		}
	}
	// Complex softmax: subtract the real part of the largest logit.
	copy(w.lr, n.RBias)
	linalg.Gemv(false, 1, n.R, n.layer(w.sr, L), 1, w.lr)
	linalg.Zero(w.li)
	linalg.Gemv(false, 1, n.R, n.layer(w.si, L), 1, w.li)
	m := w.lr[0]
	for _, v := range w.lr {
		m = math.Max(m, v)
	}
	var sum complex128
	for k := range w.lr {
		z := cmplx.Exp(complex(w.lr[k]-m, w.li[k]))
		w.pr[k], w.pi[k] = real(z), imag(z)
		sum += z
	}
	for k := range w.pr {
		z := complex(w.pr[k], w.pi[k]) / sum
		if k == label {
			z--
		}
		w.pr[k], w.pi[k] = real(z), imag(z)
	}
	// e = Rᵀ(p − y), complex; the nudge adds β·e to the out layer.
	er, ei := n.layer(w.tmp, L), n.layer(w.tmp2, L)
	linalg.Gemv(true, 1, n.R, w.pr, 0, er)
	linalg.Gemv(true, 1, n.R, w.pi, 0, ei)
	off := n.off[L-1]
	for i := range er {
		ne := beta * complex(er[i], ei[i])
		w.ur[off+i] += real(ne)
		w.ui[off+i] += imag(ne)
	}
	sq := 0.0
	for i := range ucn {
		ucn[i] = complex(w.ur[i], w.ui[i])
		d := ucn[i] - uc[i]
		sq += real(d)*real(d) + imag(d)*imag(d)
	}
	copy(uc, ucn)
	return math.Sqrt(sq)
}

// Loss returns the cross-entropy of the readout at the state u for the
// label, and whether the predicted class (the largest logit) is the label.
func (n *EPNet) Loss(u []float64, label int) (loss float64, correct bool, err error) {
	if err := n.valid(); err != nil {
		return math.NaN(), false, err
	}
	if len(u) != n.Dim() {
		return math.NaN(), false, fmt.Errorf("%w: state of length %d, the net has %d neurons", ErrDimension, len(u), n.Dim())
	}
	if label < 0 || label >= n.Classes {
		return math.NaN(), false, fmt.Errorf("%w: label %d outside [0, %d)", ErrDimension, label, n.Classes)
	}
	activate(n.wk.s, u)
	loss = n.readout(n.wk.p, n.layer(n.wk.s, n.layers()), label)
	best := 0
	for k, v := range n.wk.p {
		if v > n.wk.p[best] {
			best = k
		}
	}
	return loss, best == label, nil
}

// Blocks returns the block weight matrix 𝐖 (Dim × Dim) of the vector
// field Φ(s) = 𝐖s + b', for exact solves and spectra, or nil for a net
// not made by [NewEPNet].
func (n *EPNet) Blocks() *mat.Dense {
	if n.valid() != nil {
		return nil
	}
	d := n.Dim()
	m := mat.NewDense(d, d, nil)
	L := n.layers()
	put := func(r0, c0 int, g blas64.General) {
		for i := range g.Rows {
			for j := range g.Cols {
				m.Set(r0+i, c0+j, g.Data[i*g.Stride+j])
			}
		}
	}
	for l := 2; l <= L; l++ {
		put(n.off[l-1], n.off[l-2], n.W[l-1]) // W_l: layer l−1 → l
		put(n.off[l-2], n.off[l-1], n.B[l-2]) // B_l: layer l → l−1
	}
	return m
}

// SpectralRadius returns the spectral radius of the Jacobian J = 𝐖D of
// the update at the state u (D = diag σ'(u)); the free phase converges
// locally when it is below 1. It returns an error wrapping [ErrDimension]
// for a state of the wrong length and [ErrNotConverged] if the eigenvalue
// decomposition fails.
func (n *EPNet) SpectralRadius(u []float64) (float64, error) {
	if err := n.valid(); err != nil {
		return math.NaN(), err
	}
	if len(u) != n.Dim() {
		return math.NaN(), fmt.Errorf("%w: state of length %d, the net has %d neurons", ErrDimension, len(u), n.Dim())
	}
	j := n.Blocks()
	d := n.Dim()
	for c := range d {
		dc := epSigmaPrime(u[c])
		for r := range d {
			j.Set(r, c, j.At(r, c)*dc)
		}
	}
	var eig mat.Eigen
	if !eig.Factorize(j, mat.EigenNone) {
		return math.NaN(), fmt.Errorf("%w: eigenvalues of the Jacobian", ErrNotConverged)
	}
	rho := 0.0
	for _, v := range eig.Values(nil) {
		rho = math.Max(rho, cmplx.Abs(v))
	}
	return rho, nil
}

// AccumulateGrad adds weight·(the parameter gradient of one sample) to g
// (shaped like [EPNet.Params]): ∂W_l += δ_l s*_{l−1}ᵀ (s*_0 = x),
// ∂B_l += δ_{l−1} s*_lᵀ, ∂b_l += δ_l for the neuron error vector δ of an
// estimator, and the readout's direct gradient ∂R += (p − y) s*_Lᵀ,
// ∂r += p − y. It returns the sample's loss. It returns an error wrapping
// [ErrDimension] for mismatched sizes, [ErrSettings] for a non-finite
// weight or [ErrNotFinite] for non-finite δ.
func (n *EPNet) AccumulateGrad(g [][]float64, weight float64, x []float64, label int, ustar, delta []float64) (float64, error) {
	if err := n.valid(); err != nil {
		return math.NaN(), err
	}
	if math.IsNaN(weight) || math.IsInf(weight, 0) {
		return math.NaN(), fmt.Errorf("%w: weight = %g must be finite", ErrSettings, weight)
	}
	if err := n.checkSample(x, label); err != nil {
		return math.NaN(), err
	}
	d := n.Dim()
	if len(ustar) != d || len(delta) != d {
		return math.NaN(), fmt.Errorf("%w: state and δ must have length %d, got %d and %d", ErrDimension, d, len(ustar), len(delta))
	}
	if err := n.checkGrad(g); err != nil {
		return math.NaN(), err
	}
	if !linalg.AllFinite(delta) {
		return math.NaN(), fmt.Errorf("%w: δ", ErrNotFinite)
	}
	L := n.layers()
	s := n.wk.s
	activate(s, ustar)
	gw := func(k int, m blas64.General) blas64.General { m.Data = g[k]; return m }
	for l := 1; l <= L; l++ {
		pre := x
		if l > 1 {
			pre = n.layer(s, l-1)
		}
		dl := n.layer(delta, l)
		linalg.Ger(weight, dl, pre, gw(l-1, n.W[l-1]))
		linalg.Axpy(weight, dl, g[2*L-1+l-1])
		if l > 1 {
			linalg.Ger(weight, n.layer(delta, l-1), n.layer(s, l), gw(L+l-2, n.B[l-2]))
		}
	}
	p := n.wk.p
	loss := n.readout(p, n.layer(s, L), label)
	p[label]--
	linalg.Ger(weight, p, n.layer(s, L), gw(3*L-1, n.R))
	linalg.Axpy(weight, p, g[3*L])
	p[label]++
	return loss, nil
}
