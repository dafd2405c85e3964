package problems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/linalg"
)

// SVMData is a synthetic binary classification set for problem R2 of the
// LV-HBA specification. Points are stored row-major: point i of a split is
// Z[i*Dim : (i+1)*Dim].
type SVMData struct {
	Dim                 int
	ZTrain, ZVal, ZTest []float64
	YTrain, YVal, YTest []float64
	// Flipped marks the training points whose label was flipped.
	Flipped []bool
	// Teacher is the vector w_t that generated the labels.
	Teacher []float64
}

// NewSVMData draws the R2 data set: a teacher w_t ~ N(0, I_dim), then
// nTrain, nVal and nTest points z ~ N(0, I_dim) with labels
// sign(w_tᵀz + noise·N(0, 1)), then flips the labels of round(flip·nTrain)
// training points chosen uniformly without replacement. The spec uses
// (200, 100, 500, 8, flip 0.3, noise 0.3). All draws come from rng in that
// order.
//
// It returns an error wrapping [bilevel.ErrSettings] for a nil rng, sizes
// outside [1, MaxDim] (nVal and nTest may be zero), a flip fraction outside
// [0, 1] or a negative or non-finite noise.
func NewSVMData(rng *rand.Rand, nTrain, nVal, nTest, dim int, flip, noise float64) (*SVMData, error) {
	switch {
	case rng == nil:
		return nil, fmt.Errorf("problems: NewSVMData needs a non-nil rng: %w", bilevel.ErrSettings)
	case nTrain <= 0 || dim <= 0 || nVal < 0 || nTest < 0 || nTrain > MaxDim || dim > MaxDim || nVal > MaxDim || nTest > MaxDim ||
		(nTrain+nVal+nTest) > MaxDim*16/dim:
		return nil, fmt.Errorf("problems: NewSVMData sizes nTrain=%d nVal=%d nTest=%d dim=%d out of range: %w", nTrain, nVal, nTest, dim, bilevel.ErrSettings)
	case !(flip >= 0 && flip <= 1):
		return nil, fmt.Errorf("problems: NewSVMData flip = %g must be in [0, 1]: %w", flip, bilevel.ErrSettings)
	case !(noise >= 0) || math.IsInf(noise, 0):
		return nil, fmt.Errorf("problems: NewSVMData noise = %g must be finite and non-negative: %w", noise, bilevel.ErrSettings)
	}
	d := &SVMData{Dim: dim, Teacher: make([]float64, dim)}
	for i := range d.Teacher {
		d.Teacher[i] = rng.NormFloat64()
	}
	draw := func(n int) ([]float64, []float64) {
		z := make([]float64, n*dim)
		y := make([]float64, n)
		for i := range n {
			zi := z[i*dim : (i+1)*dim]
			for j := range zi {
				zi[j] = rng.NormFloat64()
			}
			y[i] = 1
			if linalg.Dot(d.Teacher, zi)+noise*rng.NormFloat64() < 0 {
				y[i] = -1
			}
		}
		return z, y
	}
	d.ZTrain, d.YTrain = draw(nTrain)
	d.ZVal, d.YVal = draw(nVal)
	d.ZTest, d.YTest = draw(nTest)
	d.Flipped = make([]bool, nTrain)
	perm := rng.Perm(nTrain)
	for _, i := range perm[:int(math.Round(flip*float64(nTrain)))] {
		d.Flipped[i] = true
		d.YTrain[i] = -d.YTrain[i]
	}
	return d, nil
}

// Accuracy returns the fraction of points (z, y) with y·(wᵀz + b) > 0, or
// NaN if len(z) is not len(y)·len(w) or y is empty.
func Accuracy(w []float64, b float64, z, y []float64) float64 {
	dim := len(w)
	if len(y) == 0 || len(z) != len(y)*dim {
		return math.NaN()
	}
	ok := 0
	for i, yi := range y {
		if yi*(linalg.Dot(w, z[i*dim:(i+1)*dim])+b) > 0 {
			ok++
		}
	}
	return float64(ok) / float64(len(y))
}

// SVMHyper is problem R2 of the LV-HBA specification (experiment 2 of Yao
// et al.): learning per-sample weights e^{cᵢ} of a linear SVM with squared
// slacks. The upper variable is x = c ∈ ℝᴺ; the lower variable is
// y = (w, b, ξ) ∈ ℝ^{dim+1+N} (in that order), and
//
//	f(c, y) = ½‖w‖² + ½ Σᵢ e^{cᵢ} ξᵢ²                                  (lower)
//	gᵢ(c, y) = 1 − ξᵢ − yᵢ(wᵀzᵢ + b) ≤ 0,   i = 1..N                   (constraints)
//	F(c, y) = Σ_{val} LeakyReLU(2·sigmoid(−5·yⱼ(wᵀzⱼ + b)/‖w‖) − 1)    (upper, slope 0.01)
//
// The solution is not known in closed form; points with flipped labels
// should receive small weights.
type SVMHyper struct {
	Data *SVMData
	// Slope is the LeakyReLU slope for negative arguments (0.01 in the
	// official code).
	Slope float64
}

var (
	_ bilevel.ConstrainedProblem = (*SVMHyper)(nil)
	_ bilevel.UpperValuer        = (*SVMHyper)(nil)
	_ bilevel.LowerValuer        = (*SVMHyper)(nil)
)

// normGuard keeps ‖w‖ away from zero in the scale-invariant upper margin.
const normGuard = 1e-12

// NewSVMHyper returns R2 on the data d with slope 0.01. It returns an error
// wrapping [bilevel.ErrSettings] for nil data and [bilevel.ErrDimension] if
// the slices of d do not match its sizes.
func NewSVMHyper(d *SVMData) (*SVMHyper, error) {
	if d == nil {
		return nil, fmt.Errorf("problems: NewSVMHyper: nil data: %w", bilevel.ErrSettings)
	}
	n := len(d.YTrain)
	if d.Dim <= 0 || n == 0 || len(d.ZTrain) != n*d.Dim || len(d.ZVal) != len(d.YVal)*d.Dim || len(d.ZTest) != len(d.YTest)*d.Dim ||
		(d.Flipped != nil && len(d.Flipped) != n) {
		return nil, fmt.Errorf("problems: NewSVMHyper: data sizes do not match Dim = %d: %w", d.Dim, bilevel.ErrDimension)
	}
	return &SVMHyper{Data: d, Slope: 0.01}, nil
}

func (p *SVMHyper) n() int { return len(p.Data.YTrain) }

// Dims returns (N, dim + 1 + N).
func (p *SVMHyper) Dims() (int, int) { return p.n(), p.Data.Dim + 1 + p.n() }

// NumConstraints returns N.
func (p *SVMHyper) NumConstraints() int { return p.n() }

// Split returns the views (w, b, ξ) of a lower-level vector y.
func (p *SVMHyper) Split(y []float64) (w []float64, b float64, xi []float64) {
	d := p.Data.Dim
	return y[:d], y[d], y[d+1:]
}

// UpperGrad writes ∇F: zero for c, and the gradient of the validation loss
// for (w, b); ξ does not enter F.
func (p *SVMHyper) UpperGrad(gx, gy, x, y []float64) {
	linalg.Zero(gx)
	linalg.Zero(gy)
	d := p.Data.Dim
	w, b, _ := p.Split(y)
	nw := math.Max(linalg.Nrm2(w), normGuard)
	gw := gy[:d]
	for j, yj := range p.Data.YVal {
		zj := p.Data.ZVal[j*d : (j+1)*d]
		s := linalg.Dot(w, zj) + b
		m := yj * s / nw
		sg := 1 / (1 + math.Exp(5*m)) // sigmoid(−5m)
		slope := 1.0
		if 2*sg-1 < 0 {
			slope = p.Slope
		}
		dm := slope * (-10 * sg * (1 - sg)) // dF/dm
		// dm/dw = yⱼzⱼ/‖w‖ − yⱼ s w/‖w‖³, dm/db = yⱼ/‖w‖.
		linalg.Axpy(dm*yj/nw, zj, gw)
		linalg.Axpy(-dm*yj*s/(nw*nw*nw), w, gw)
		gy[d] += dm * yj / nw
	}
}

// UpperValue returns F(c, y).
func (p *SVMHyper) UpperValue(x, y []float64) float64 {
	d := p.Data.Dim
	w, b, _ := p.Split(y)
	nw := math.Max(linalg.Nrm2(w), normGuard)
	f := 0.0
	for j, yj := range p.Data.YVal {
		m := yj * (linalg.Dot(w, p.Data.ZVal[j*d:(j+1)*d]) + b) / nw
		u := 2/(1+math.Exp(5*m)) - 1
		if u < 0 {
			u *= p.Slope
		}
		f += u
	}
	return f
}

// LowerGrad writes ∇_c f = ½e^{c}ξ², ∇_w f = w, ∇_b f = 0, ∇_ξ f = e^{c}ξ.
func (p *SVMHyper) LowerGrad(gx, gy, x, y []float64) {
	d := p.Data.Dim
	w, _, xi := p.Split(y)
	copy(gy[:d], w)
	gy[d] = 0
	gxi := gy[d+1:]
	for i, c := range x {
		e := math.Exp(c)
		gx[i] = 0.5 * e * xi[i] * xi[i]
		gxi[i] = e * xi[i]
	}
}

// LowerValue returns f(c, y).
func (p *SVMHyper) LowerValue(x, y []float64) float64 {
	w, _, xi := p.Split(y)
	s := 0.5 * linalg.SqNorm(w)
	for i, c := range x {
		s += 0.5 * math.Exp(c) * xi[i] * xi[i]
	}
	return s
}

// Constraint writes gᵢ = 1 − ξᵢ − yᵢ(wᵀzᵢ + b).
func (p *SVMHyper) Constraint(dst, x, y []float64) {
	d := p.Data.Dim
	w, b, xi := p.Split(y)
	for i, yi := range p.Data.YTrain {
		dst[i] = 1 - xi[i] - yi*(linalg.Dot(w, p.Data.ZTrain[i*d:(i+1)*d])+b)
	}
}

// ConstraintVJP writes Σλᵢ∇gᵢ: zero for c, −Σλᵢyᵢzᵢ for w, −Σλᵢyᵢ for b and
// −λ for ξ.
func (p *SVMHyper) ConstraintVJP(gx, gy, x, y, lambda []float64) {
	linalg.Zero(gx)
	d := p.Data.Dim
	gw := gy[:d]
	linalg.Zero(gw)
	gb := 0.0
	gxi := gy[d+1:]
	for i, yi := range p.Data.YTrain {
		linalg.Axpy(-lambda[i]*yi, p.Data.ZTrain[i*d:(i+1)*d], gw)
		gb -= lambda[i] * yi
		gxi[i] = -lambda[i]
	}
	gy[d] = gb
}

// ProjC returns the Hildreth projection onto C = {(c, w, b, ξ) : gᵢ ≤ 0 ∀i}
// for the concatenation (x, y), iterating to a violation of at most tol
// (zero means 1e-8).
func (p *SVMHyper) ProjC(tol float64) (*bilevel.Polyhedron, error) {
	if math.IsNaN(tol) || math.IsInf(tol, 0) || tol < 0 {
		return nil, fmt.Errorf("problems: ProjC tol = %g must be finite and non-negative: %w", tol, bilevel.ErrSettings)
	}
	n, d := p.n(), p.Data.Dim
	dim := n + d + 1 + n
	rows := make([]linalg.Sparse, n)
	b := make([]float64, n)
	for i, yi := range p.Data.YTrain {
		r := &rows[i]
		r.Reset(dim)
		zi := p.Data.ZTrain[i*d : (i+1)*d]
		for j, zj := range zi {
			r.Append(n+j, -yi*zj)
		}
		r.Append(n+d, -yi)
		r.Append(n+d+1+i, -1)
		b[i] = -1
	}
	poly, err := bilevel.NewPolyhedron(dim, rows, b)
	if err != nil {
		return nil, fmt.Errorf("problems: R2 polyhedron: %w", err)
	}
	poly.Tol = tol
	return poly, nil
}
