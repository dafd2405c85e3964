package bilevel

import (
	"cmp"
	"fmt"
	"math"
	"math/cmplx"

	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"
)

// Estimator computes the neuron error vector δ of one sample (x, label)
// at the free fixed point u* of an [EPNet]; the parameter gradient follows
// from δ by [EPNet.AccumulateGrad]. Delta writes δ into dst (allocated if
// nil, an error if of the wrong length) and returns it.
type Estimator interface {
	Delta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error)
}

var (
	_ Estimator = ImplicitBP{}
	_ Estimator = GenEPExact{}
	_ Estimator = RBP{}
	_ Estimator = HolomorphicEP{}
)

// ImplicitBP is the exact reference: recurrent backpropagation solved
// densely (implicit differentiation of the fixed point),
//
//	δ = (I − D𝐖ᵀ)⁻¹ D e,   D = diag σ'(u*),  e = ∂ℓ/∂s,
//
// so that δ_l s_{l−1}ᵀ is exactly the gradient of the loss at the fixed
// point. It costs one LU factorisation of a Dim × Dim matrix.
type ImplicitBP struct{}

// GenEPExact is generalized EP in the limit of an infinitesimal nudge,
// δ = ds*/dβ at β = 0 = (I − D𝐖)⁻¹ D e (a dense solve). It equals
// [ImplicitBP] exactly when 𝐖 is symmetric.
type GenEPExact struct{}

// RBP is recurrent backpropagation by iteration: δ ← D𝐖ᵀδ + De, Steps
// times from δ = De (the spec's T2).
type RBP struct {
	// Steps is the number of iterations. Zero means 20.
	Steps int
}

// HolomorphicEP is the Cauchy-integral estimate of holomorphic EP with N
// points on the circle of radius Beta: from u*, Steps nudged updates at
// each β_k = Beta·e^{2πik/N} (complex arithmetic where β_k is not real),
// then
//
//	δ ≈ Re[(1/N) Σ_k (σ(u_{β_k}) − s*)/β_k],
//
// which is classic one-sided EP for N = 1, symmetric two-sided EP for
// N = 2 (real arithmetic), and in general has error O(Beta^N). By
// conjugate symmetry only k = 0..⌊N/2⌋ are simulated. Subtracting s*
// changes nothing for N ≥ 2 (Σ 1/β_k = 0) and keeps digits.
//
// Beta must stay inside the radius of analyticity of the nudged fixed
// point (about 1/‖e‖); beyond it σ approaches its poles and the estimate
// is not finite: Delta then returns an error wrapping [ErrNotFinite]
// (never a NaN δ); retry with a smaller Beta.
type HolomorphicEP struct {
	// N is the number of points on the circle, at least 1.
	N int
	// Beta is the radius |β| > 0 of the circle.
	Beta float64
	// Steps is the maximum number of nudged updates per point (the spec's
	// T2). Zero means 20.
	Steps int
	// Tol stops a nudged phase early when its residual is at most Tol. Zero
	// means 1e-12; negative runs all Steps.
	Tol float64
}

// prepare checks the common arguments and returns dst sized to Dim.
func prepareDelta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error) {
	if err := net.valid(); err != nil {
		return dst, err
	}
	if err := net.checkSample(x, label); err != nil {
		return dst, err
	}
	d := net.Dim()
	if len(ustar) != d {
		return dst, fmt.Errorf("%w: u* of length %d, the net has %d neurons", ErrDimension, len(ustar), d)
	}
	if !linalg.AllFinite(ustar) {
		return dst, fmt.Errorf("%w: u*", ErrNotFinite)
	}
	if dst == nil {
		dst = make([]float64, d)
	}
	if len(dst) != d {
		return dst, fmt.Errorf("%w: dst of length %d, want %d", ErrDimension, len(dst), d)
	}
	return dst, nil
}

// denseDelta solves (I − D𝐖ᵀ)δ = De (trans) or (I − D𝐖)δ = De by an LU
// factorisation into the net's buffers.
func denseDelta(dst []float64, net *EPNet, x []float64, label int, ustar []float64, trans bool) ([]float64, error) {
	d := net.Dim()
	w := &net.wk
	if w.a == nil {
		w.a = mat.NewDense(d, d, nil)
		w.dp = make([]float64, d)
	}
	raw := w.a.RawMatrix()
	clear(raw.Data)
	for i := range d {
		w.dp[i] = epSigmaPrime(ustar[i])
	}
	// put writes −D_i·𝐖_ij into row i (or −D_i·𝐖_ji with trans) for the
	// block g of 𝐖 at (r0, c0).
	put := func(r0, c0 int, g blas64.General) {
		for i := range g.Rows {
			for j := range g.Cols {
				v := g.Data[i*g.Stride+j]
				if trans {
					raw.Data[(c0+j)*raw.Stride+r0+i] = -w.dp[c0+j] * v
				} else {
					raw.Data[(r0+i)*raw.Stride+c0+j] = -w.dp[r0+i] * v
				}
			}
		}
	}
	for l := 2; l <= net.layers(); l++ {
		put(net.off[l-1], net.off[l-2], net.W[l-1])
		put(net.off[l-2], net.off[l-1], net.B[l-2])
	}
	for i := range d {
		raw.Data[i*raw.Stride+i]++
	}
	activate(w.s, ustar)
	net.errorVec(w.e, w.s, label)
	for i, e := range w.e {
		w.e[i] = w.dp[i] * e
	}
	w.lu.Factorize(w.a)
	out := mat.NewVecDense(d, dst)
	if err := w.lu.SolveVecTo(out, false, mat.NewVecDense(d, w.e)); err != nil {
		return dst, fmt.Errorf("%w: I − J is singular or nearly so at u*: %v", ErrNotConverged, err)
	}
	if !linalg.AllFinite(dst) {
		return dst, fmt.Errorf("%w: δ", ErrNotFinite)
	}
	return dst, nil
}

// Delta returns the exact δ = (I − D𝐖ᵀ)⁻¹De. It returns an error wrapping
// [ErrDimension], [ErrNotFinite] or [ErrSettings] for bad input and
// [ErrNotConverged] if I − D𝐖ᵀ is singular.
func (ImplicitBP) Delta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error) {
	dst, err := prepareDelta(dst, net, x, label, ustar)
	if err != nil {
		return dst, err
	}
	return denseDelta(dst, net, x, label, ustar, true)
}

// Delta returns δ = (I − D𝐖)⁻¹De, with the errors of [ImplicitBP.Delta].
func (GenEPExact) Delta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error) {
	dst, err := prepareDelta(dst, net, x, label, ustar)
	if err != nil {
		return dst, err
	}
	return denseDelta(dst, net, x, label, ustar, false)
}

// Delta iterates δ ← D𝐖ᵀδ + De. It returns an error wrapping
// [ErrSettings] for negative Steps, the input errors of
// [ImplicitBP.Delta], and [ErrNotFinite] if the iteration diverges.
func (r RBP) Delta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error) {
	if r.Steps < 0 {
		return dst, fmt.Errorf("%w: RBP.Steps = %d is negative", ErrSettings, r.Steps)
	}
	dst, err := prepareDelta(dst, net, x, label, ustar)
	if err != nil {
		return dst, err
	}
	steps := r.Steps
	steps = cmp.Or(steps, 20)
	w := &net.wk
	activate(w.s, ustar)
	net.errorVec(w.e, w.s, label)
	for i := range w.e {
		w.e[i] *= epSigmaPrime(ustar[i])
	}
	copy(dst, w.e)
	for range steps {
		net.fieldT(w.tmp, dst)
		for i := range dst {
			dst[i] = epSigmaPrime(ustar[i])*w.tmp[i] + w.e[i]
		}
	}
	if !linalg.AllFinite(dst) {
		return dst, fmt.Errorf("%w: RBP iteration diverged", ErrNotFinite)
	}
	return dst, nil
}

// check validates the estimator's fields.
func (h HolomorphicEP) check() error {
	if h.N < 1 {
		return fmt.Errorf("%w: HolomorphicEP.N = %d must be at least 1", ErrSettings, h.N)
	}
	if !(h.Beta > 0) || math.IsInf(h.Beta, 0) {
		return fmt.Errorf("%w: HolomorphicEP.Beta = %g must be positive and finite (the radius |β|)", ErrSettings, h.Beta)
	}
	if h.Steps < 0 {
		return fmt.Errorf("%w: HolomorphicEP.Steps = %d is negative", ErrSettings, h.Steps)
	}
	if math.IsNaN(h.Tol) {
		return fmt.Errorf("%w: HolomorphicEP.Tol is NaN", ErrSettings)
	}
	return nil
}

// Delta returns the Cauchy estimate of δ. It returns an error wrapping
// [ErrSettings] for N < 1, Beta ≤ 0 or negative Steps, the input errors of
// [ImplicitBP.Delta], and [ErrNotFinite] when a nudged phase leaves the
// radius of analyticity.
func (h HolomorphicEP) Delta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error) {
	if err := h.check(); err != nil {
		return dst, err
	}
	dst, err := prepareDelta(dst, net, x, label, ustar)
	if err != nil {
		return dst, err
	}
	steps, tol := h.Steps, h.Tol
	steps = cmp.Or(steps, 20)
	tol = cmp.Or(tol, 1e-12)
	w := &net.wk
	sstar, ub, acc := w.sstar, w.ub, w.delta
	activate(sstar, ustar)
	linalg.Zero(acc)
	// addReal adds c·(σ(u_β) − s*)/β for a real β.
	addReal := func(beta, c float64) {
		copy(ub, ustar)
		net.nudgeReal(ub, x, label, beta, steps, tol)
		for i, u := range ub {
			acc[i] += c * (EPSigma(u) - sstar[i]) / beta
		}
	}
	addReal(h.Beta, 1)
	for k := 1; 2*k <= h.N; k++ {
		if 2*k == h.N {
			addReal(-h.Beta, 1) // β_{N/2} = −|β|
			break
		}
		bk := complex(h.Beta, 0) * cmplx.Exp(complex(0, 2*math.Pi*float64(k)/float64(h.N)))
		net.nudgeComplex(ustar, x, label, bk, steps, tol)
		for i, u := range w.uc {
			acc[i] += 2 * real((epSigmaC(u)-complex(sstar[i], 0))/bk)
		}
	}
	linalg.ScaleTo(dst, 1/float64(h.N), acc)
	if !linalg.AllFinite(dst) {
		return dst, fmt.Errorf("%w: holomorphic EP at |β| = %g left the radius of analyticity (try a smaller Beta)", ErrNotFinite, h.Beta)
	}
	return dst, nil
}

// OnlineHEP is the online variant of holomorphic EP (optional in the
// spec): the nudge is always on and rotates. Starting from u* (this
// implementation's choice; the estimator needs no converged nudged phase),
// block j = 0..q−1 (q = Steps/Block) runs Block updates at
// β_j = Beta·e^{2πij/N}, the state carrying over between blocks, and
//
//	δ ≈ Re[ time average over all steps of (σ(u(t)) − s*)/β(t) ],
//
// the first Fourier coefficient of s along the rotation (s* drops out of
// the average when q is a multiple of N; subtracting it keeps digits). As
// Block grows the transients after each rotation weigh less and the
// estimate tends to [HolomorphicEP] with the same N and Beta. The code's
// setting is Steps = 1200, Block = 60, N = 4.
type OnlineHEP struct {
	// N is the number of nudge phases per rotation, at least 2.
	N int
	// Beta is the radius |β| > 0.
	Beta float64
	// Steps is the total number T1 of nudged updates. Zero means 1200.
	Steps int
	// Block is the number T2 of updates per phase. Zero means 60.
	Block int
}

var _ Estimator = OnlineHEP{}

// Delta returns the online estimate of δ. It returns an error wrapping
// [ErrSettings] for N < 2, Beta ≤ 0, negative Steps or Block, or fewer than
// N blocks or a block count that is not a multiple of N; the input errors
// of [ImplicitBP.Delta]; and [ErrNotFinite] when the nudged dynamics leave
// the radius of analyticity.
func (o OnlineHEP) Delta(dst []float64, net *EPNet, x []float64, label int, ustar []float64) ([]float64, error) {
	if o.N < 2 {
		return dst, fmt.Errorf("%w: OnlineHEP.N = %d must be at least 2", ErrSettings, o.N)
	}
	if !(o.Beta > 0) || math.IsInf(o.Beta, 0) {
		return dst, fmt.Errorf("%w: OnlineHEP.Beta = %g must be positive and finite", ErrSettings, o.Beta)
	}
	if o.Steps < 0 || o.Block < 0 {
		return dst, fmt.Errorf("%w: OnlineHEP.Steps = %d and Block = %d must be non-negative", ErrSettings, o.Steps, o.Block)
	}
	steps, block := o.Steps, o.Block
	steps = cmp.Or(steps, 1200)
	block = cmp.Or(block, 60)
	q := steps / block
	if q < o.N || q%o.N != 0 {
		return dst, fmt.Errorf("%w: OnlineHEP needs a whole number of rotations: %d blocks of %d steps for N = %d", ErrSettings, q, block, o.N)
	}
	dst, err := prepareDelta(dst, net, x, label, ustar)
	if err != nil {
		return dst, err
	}
	w := &net.wk
	sstar, acc := w.sstar, w.delta
	activate(sstar, ustar)
	linalg.Zero(acc)
	for i, v := range ustar {
		w.uc[i] = complex(v, 0)
	}
	for j := range q {
		bj := complex(o.Beta, 0) * cmplx.Exp(complex(0, 2*math.Pi*float64(j%o.N)/float64(o.N)))
		for range block {
			net.stepComplex(x, label, bj)
			for i, u := range w.uc {
				acc[i] += real((epSigmaC(u) - complex(sstar[i], 0)) / bj)
			}
		}
	}
	linalg.ScaleTo(dst, 1/float64(q*block), acc)
	if !linalg.AllFinite(dst) {
		return dst, fmt.Errorf("%w: online holomorphic EP at |β| = %g left the radius of analyticity (try a smaller Beta)", ErrNotFinite, o.Beta)
	}
	return dst, nil
}
