package bilevel

import (
	"cmp"
	"context"
	"fmt"
	"math"

	"github.com/optlearn/optlearn/linalg"
)

const (
	defaultOracleTol      = 1e-12
	defaultOracleMaxInner = 1000000
)

// PenaltyOracle evaluates the penalty surrogate ψσ and its gradient
//
//	∇ψσ(x) = ∇ₓf(x,yσ) + (∇ₓg(x,yσ) − ∇ₓg(x,y₀))/σ
//
// by solving both inner problems (h_σ = σf + g and g over Y) with projected
// gradient descent, warm started from the previous call, until the gradient
// mapping ‖(y − Proj_Y(y − β∇_y h))/β‖ is below Tol. It is meant for
// checking the gradient formula and for use with general-purpose optimisers;
// [Penalty] is the method of the paper.
//
// A PenaltyOracle is not safe for concurrent use.
type PenaltyOracle struct {
	// Problem is the bilevel problem (f upper, g lower).
	Problem Problem
	// Sigma is the penalty weight σ ≥ MinSigma.
	Sigma float64
	// Beta is the inner step. Zero means 1/(σL_f + L_g) from [Lipschitz].
	Beta float64
	// Tol is the inner gradient-mapping tolerance. Zero means 1e-12; a
	// negative value turns the test off: each inner solve makes exactly
	// MaxInner steps and no ErrNotConverged is returned.
	Tol float64
	// MaxInner caps the steps of each inner solve. Zero means 1e6;
	// negative is an error.
	MaxInner int
	// ProjY projects onto Y. Nil means the whole space.
	ProjY Projector
	// Y and Z are the inner solutions yσ and y₀ of the last call, used as
	// warm starts. Nil means start from zero.
	Y, Z []float64
	// InnerSteps is the number of inner steps of the last call.
	InnerSteps int

	gx, gy, tx, ty []float64
}

// Grad writes ∇ψσ(x) into dst and returns ψσ(x) = f(x,yσ) + (g(x,yσ) −
// g(x,y₀))/σ, or NaN if the problem lacks [UpperValuer] or [LowerValuer].
// A nil dst is allocated. It returns dst and an error wrapping
// [ErrDimension], [ErrSettings] (naming the field), [ErrNotFinite] or
// [ErrNotConverged] (inner solve hit MaxInner). It is
// GradContext(context.Background(), dst, x).
func (o *PenaltyOracle) Grad(dst, x []float64) ([]float64, float64, error) {
	return o.GradContext(context.Background(), dst, x)
}

// GradContext is [PenaltyOracle.Grad] with a context, checked every 256
// inner steps: on cancellation it returns ctx.Err().
func (o *PenaltyOracle) GradContext(ctx context.Context, dst, x []float64) ([]float64, float64, error) {
	p := o.Problem
	if p == nil {
		return dst, math.NaN(), fmt.Errorf("%w: nil problem", ErrSettings)
	}
	nx, ny := p.Dims()
	if nx <= 0 || ny <= 0 || nx > MaxDim || ny > MaxDim {
		return dst, math.NaN(), fmt.Errorf("%w: problem dimensions (%d, %d) outside [1, MaxDim = %d]", ErrDimension, nx, ny, MaxDim)
	}
	if dst == nil {
		dst = make([]float64, nx)
	}
	if len(dst) != nx || len(x) != nx {
		return dst, math.NaN(), fmt.Errorf("%w: nx = %d, len(dst) = %d, len(x) = %d", ErrDimension, nx, len(dst), len(x))
	}
	if err := firstErr(checkSigma(o.Sigma), nonNeg("Beta", o.Beta), finite("Tol", o.Tol), nonNegInt("MaxInner", o.MaxInner)); err != nil {
		return dst, math.NaN(), err
	}
	if !linalg.AllFinite(x) {
		return dst, math.NaN(), fmt.Errorf("%w: x", ErrNotFinite)
	}
	beta := o.Beta
	if beta == 0 {
		if lp, ok := p.(Lipschitz); ok {
			lf, lg := lp.Lipschitz()
			beta = 1 / (o.Sigma*lf + lg)
		}
	}
	if !(beta > 0) || math.IsInf(beta, 0) {
		return dst, math.NaN(), fmt.Errorf("%w: Beta is zero and the problem gives no Lipschitz constants", ErrSettings)
	}
	tol := o.Tol
	tol = cmp.Or(tol, defaultOracleTol)
	maxInner := o.MaxInner
	if maxInner <= 0 {
		maxInner = defaultOracleMaxInner
	}
	proj := o.ProjY
	if proj == nil {
		proj = Identity{}
	}
	if len(o.Y) != ny {
		o.Y = make([]float64, ny)
	}
	if len(o.Z) != ny {
		o.Z = make([]float64, ny)
	}
	if len(o.gx) != nx || len(o.gy) != ny {
		o.gx, o.tx = make([]float64, nx), make([]float64, nx)
		o.gy, o.ty = make([]float64, ny), make([]float64, ny)
	}
	o.InnerSteps = 0
	for _, w := range []float64{o.Sigma, 0} {
		v := o.Y
		if w == 0 {
			v = o.Z
		}
		converged := false
		for k := range maxInner {
			if k%256 == 255 {
				if err := ctx.Err(); err != nil {
					return dst, math.NaN(), err
				}
			}
			linalg.Zero(o.gy)
			if w != 0 {
				p.UpperGrad(o.tx, o.ty, x, v)
				linalg.Axpy(w, o.ty, o.gy)
			}
			p.LowerGrad(o.tx, o.ty, x, v)
			linalg.Axpy(1, o.ty, o.gy)
			if !linalg.AllFinite(o.gy) {
				return dst, math.NaN(), fmt.Errorf("%w: inner gradient", ErrNotFinite)
			}
			copy(o.ty, v)
			linalg.Axpy(-beta, o.gy, v)
			if err := proj.Project(v); err != nil {
				return dst, math.NaN(), fmt.Errorf("bilevel: projecting the inner iterate: %w", err)
			}
			o.InnerSteps++
			if math.Sqrt(linalg.DistSq(v, o.ty))/beta <= tol {
				converged = true
				break
			}
		}
		if !converged && tol >= 0 {
			return dst, math.NaN(), fmt.Errorf("%w: inner solve after %d steps", ErrNotConverged, maxInner)
		}
	}
	p.LowerGrad(o.gx, o.gy, x, o.Y)
	p.LowerGrad(o.tx, o.ty, x, o.Z)
	for i := range dst {
		dst[i] = (o.gx[i] - o.tx[i]) / o.Sigma
	}
	p.UpperGrad(o.gx, o.gy, x, o.Y)
	linalg.Axpy(1, o.gx, dst)
	if !linalg.AllFinite(dst) {
		return dst, math.NaN(), fmt.Errorf("%w: ∇ψσ", ErrNotFinite)
	}
	uv, ok1 := p.(UpperValuer)
	lv, ok2 := p.(LowerValuer)
	if !ok1 || !ok2 {
		return dst, math.NaN(), nil
	}
	return dst, uv.UpperValue(x, o.Y) + (lv.LowerValue(x, o.Y)-lv.LowerValue(x, o.Z))/o.Sigma, nil
}
