package bilevel

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/blas/blas64"
)

// HomeostaticLoss is the Jacobian homeostasis term of Laborieux & Zenke:
// with J_h the Jacobian of the β = 0 vector field Φ(s) − s with respect to
// the activated state (for the dense [EPNet], J_h = 𝐖 − I, independent of
// the state),
//
//	L_homeo = mean over draws ε ~ N(0, I) of [‖J_h ε‖² − εᵀJ_h(J_h ε)]/dim,
//
// whose expectation is ‖J_h − J_hᵀ‖_F²/(2·dim) = Σ_l ‖W_l − B_lᵀ‖_F²/dim:
// it penalises the functional asymmetry that makes generalized EP differ
// from backpropagation. The value needs two Jacobian–vector products and no
// transpose. Its gradient is taken through the weights only (the state is
// held constant); in expectation it is 2(B_l − W_lᵀ)/dim on each feedback
// matrix and 2(W_l − B_lᵀ)/dim on the matching forward matrix.
type HomeostaticLoss struct {
	// Coef is the weight λ_h of the term in the total loss (1 for the
	// asymmetric MLP of the paper's code). Zero turns the term off.
	Coef float64
	// Draws is the number K_ε of draws of ε per call. Zero means 5 (the
	// code's K_ε); a negative value uses the closed-form expectation.
	Draws int
}

func (h HomeostaticLoss) check(net *EPNet, rng *rand.Rand) (int, error) {
	if err := net.valid(); err != nil {
		return 0, err
	}
	if math.IsNaN(h.Coef) || math.IsInf(h.Coef, 0) || h.Coef < 0 {
		return 0, fmt.Errorf("%w: HomeostaticLoss.Coef = %g must be finite and non-negative", ErrSettings, h.Coef)
	}
	k := h.Draws
	k = cmp.Or(k, 5)
	if k > 0 && rng == nil {
		return 0, fmt.Errorf("%w: HomeostaticLoss with draws needs a non-nil rng", ErrSettings)
	}
	return k, nil
}

// mulJ writes J_h v = 𝐖v − v into dst.
func (n *EPNet) mulJ(dst, v []float64) {
	L := n.layers()
	for l := 1; l <= L; l++ {
		d := n.layer(dst, l)
		for i := range d {
			d[i] = -n.layer(v, l)[i]
		}
		if l > 1 {
			linalg.Gemv(false, 1, n.W[l-1], n.layer(v, l-1), 1, d)
		}
		if l < L {
			linalg.Gemv(false, 1, n.B[l-1], n.layer(v, l+1), 1, d)
		}
	}
}

// mulJT writes J_hᵀv = 𝐖ᵀv − v into dst.
func (n *EPNet) mulJT(dst, v []float64) {
	n.fieldT(dst, v)
	linalg.Axpy(-1, v, dst)
}

// closedForm returns Σ_l ‖W_l − B_lᵀ‖²/dim.
func (n *EPNet) asymmetry() float64 {
	s := 0.0
	for l := 2; l <= n.layers(); l++ {
		w, b := n.W[l-1], n.B[l-2]
		for i := range w.Rows {
			for j := range w.Cols {
				d := w.Data[i*w.Stride+j] - b.Data[j*b.Stride+i]
				s += d * d
			}
		}
	}
	return s / float64(n.Dim())
}

// Value returns the estimate of L_homeo (without Coef) from Draws draws of
// ε drawn from rng, or the closed form for negative Draws (rng unused). It
// returns an error wrapping [ErrSettings] for a nil net, a negative or
// non-finite Coef, or a nil rng with draws.
func (h HomeostaticLoss) Value(net *EPNet, rng *rand.Rand) (float64, error) {
	k, err := h.check(net, rng)
	if err != nil {
		return math.NaN(), err
	}
	if k < 0 {
		return net.asymmetry(), nil
	}
	d := net.Dim()
	eps, a, b := make([]float64, d), make([]float64, d), make([]float64, d)
	sum := 0.0
	for range k {
		for i := range eps {
			eps[i] = rng.NormFloat64()
		}
		net.mulJ(a, eps)
		net.mulJ(b, a)
		sum += (linalg.SqNorm(a) - linalg.Dot(eps, b)) / float64(d)
	}
	return sum / float64(k), nil
}

// AddGrad adds Coef·∇_w L_homeo to g (shaped like [EPNet.Params]): the
// gradient of the Draws-sample estimate,
// [2(J_hε)εᵀ − ε(J_hε)ᵀ − (J_hᵀε)εᵀ]/dim averaged over the draws and
// restricted to the blocks W_l, B_l (l ≥ 2), or the closed form for
// negative Draws. It returns the errors of [HomeostaticLoss.Value] and
// [ErrDimension] if g does not match the net.
func (h HomeostaticLoss) AddGrad(g [][]float64, net *EPNet, rng *rand.Rand) error {
	k, err := h.check(net, rng)
	if err != nil {
		return err
	}
	if err := net.checkGrad(g); err != nil {
		return err
	}
	if h.Coef == 0 {
		return nil
	}
	L := net.layers()
	d := net.Dim()
	scale := h.Coef / float64(d)
	gw := func(k int, m blas64.General) blas64.General { m.Data = g[k]; return m }
	if k < 0 {
		for l := 2; l <= L; l++ {
			w, b := net.W[l-1], net.B[l-2]
			gW, gB := g[l-1], g[L+l-2]
			for i := range w.Rows {
				for j := range w.Cols {
					diff := w.Data[i*w.Stride+j] - b.Data[j*b.Stride+i]
					gW[i*w.Stride+j] += 2 * scale * diff
					gB[j*b.Stride+i] -= 2 * scale * diff
				}
			}
		}
		return nil
	}
	eps, a, c := make([]float64, d), make([]float64, d), make([]float64, d)
	cw := scale / float64(k)
	for range k {
		for i := range eps {
			eps[i] = rng.NormFloat64()
		}
		net.mulJ(a, eps)
		net.mulJT(c, eps)
		for l := 2; l <= L; l++ {
			// Block (l, l−1) is W_l; block (l−1, l) is B_l.
			W, B := gw(l-1, net.W[l-1]), gw(L+l-2, net.B[l-2])
			el, elm := net.layer(eps, l), net.layer(eps, l-1)
			linalg.Ger(2*cw, net.layer(a, l), elm, W)
			linalg.Ger(-cw, el, net.layer(a, l-1), W)
			linalg.Ger(-cw, net.layer(c, l), elm, W)
			linalg.Ger(2*cw, net.layer(a, l-1), el, B)
			linalg.Ger(-cw, elm, net.layer(a, l), B)
			linalg.Ger(-cw, net.layer(c, l-1), el, B)
		}
	}
	return nil
}

// RotateFeedback sets every feedback matrix to B_l = sin(a)·B_rand +
// cos(a)·W_lᵀ, with a = angle in degrees (0 = symmetric, 90 =
// independent) and B_rand i.i.d. N(0, 1/fan_in(B_l)) drawn from rng
// (fan_in = the number of columns, the size of the sending layer), as in
// the paper's code. The resulting [EPNet.WeightAngle] equals a only when
// B_rand and W_lᵀ have equal norms; with the fan-in scales it is larger in
// between (about 69° for a = 60 on the spec's 16–32–32–10 net). It
// returns an error wrapping [ErrSettings] for an angle outside [0, 90] or a
// nil rng.
func (n *EPNet) RotateFeedback(angle float64, rng *rand.Rand) error {
	if err := n.valid(); err != nil {
		return err
	}
	if !(angle >= 0 && angle <= 90) {
		return fmt.Errorf("%w: angle = %g must be in [0, 90] degrees", ErrSettings, angle)
	}
	if rng == nil {
		return fmt.Errorf("%w: RotateFeedback needs a non-nil rng", ErrSettings)
	}
	a := angle * math.Pi / 180
	sa, ca := math.Sin(a), math.Cos(a)
	if angle == 90 {
		ca = 0
	}
	for l := 2; l <= n.layers(); l++ {
		b, w := n.B[l-2], n.W[l-1]
		sd := 1 / math.Sqrt(float64(b.Cols))
		for i := range b.Rows {
			for j := range b.Cols {
				b.Data[i*b.Stride+j] = sa*sd*rng.NormFloat64() + ca*w.Data[j*w.Stride+i]
			}
		}
	}
	return nil
}

// WeightAngle returns the angle in degrees between the feedback matrices and
// the transposed forward matrices, arccos(⟨B, Wᵀ⟩/(‖B‖‖W‖)) with the inner
// products and squared norms summed over all reciprocal pairs and the
// cosine clamped to [−1, 1]. It is NaN for a net without reciprocal pairs
// (one layer), with zero weights, or not made by [NewEPNet].
func (n *EPNet) WeightAngle() float64 {
	if n.valid() != nil {
		return math.NaN()
	}
	var dot, nb, nw float64
	for l := 2; l <= n.layers(); l++ {
		b, w := n.B[l-2], n.W[l-1]
		for i := range b.Rows {
			for j := range b.Cols {
				bv, wv := b.Data[i*b.Stride+j], w.Data[j*w.Stride+i]
				dot += bv * wv
				nb += bv * bv
				nw += wv * wv
			}
		}
	}
	if nb == 0 || nw == 0 {
		return math.NaN()
	}
	c := math.Max(-1, math.Min(1, dot/math.Sqrt(nb*nw)))
	return math.Acos(c) * 180 / math.Pi
}

// JacSymIndex returns ‖J_sym‖/(‖J_sym‖ + ‖J_anti‖) (Frobenius norms) of
// J_h = 𝐖 − I: 1 for a symmetric Jacobian, ½ for an antisymmetric
// off-diagonal part as large as the symmetric one; NaN for a net not made
// by [NewEPNet].
func (n *EPNet) JacSymIndex() float64 {
	w := n.Blocks()
	if w == nil {
		return math.NaN()
	}
	d := n.Dim()
	var sym, anti float64
	for i := range d {
		for j := range d {
			a, b := w.At(i, j), w.At(j, i)
			if i == j {
				a, b = a-1, b-1
			}
			sym += (a + b) * (a + b) / 4
			anti += (a - b) * (a - b) / 4
		}
	}
	s, t := math.Sqrt(sym), math.Sqrt(anti)
	return s / (s + t)
}

// Alignment returns the cosine cos(a, b) = aᵀb/(‖a‖‖b‖), NaN if the
// lengths differ or a vector is zero.
func Alignment(a, b []float64) float64 {
	if len(a) != len(b) {
		return math.NaN()
	}
	na, nb := linalg.Nrm2(a), linalg.Nrm2(b)
	if na == 0 || nb == 0 {
		return math.NaN()
	}
	return linalg.Dot(a, b) / (na * nb)
}
