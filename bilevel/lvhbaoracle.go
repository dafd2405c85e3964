package bilevel

import (
	"cmp"
	"context"
	"fmt"
	"math"

	"github.com/optlearn/optlearn/linalg"
)

const (
	defaultSaddleTol     = 1e-10
	defaultSaddleMaxIter = 1000000
)

// LVHBAOracle evaluates, at a given point, what [LVHBA] only tracks: the
// proximal Lagrangian value function
//
//	v_γ(x,y,z) = min_{θ∈Y} max_{λ≥0} f(x,θ) + λᵀg(x,θ) + ‖θ − y‖²/(2γ₁) − ‖λ − z‖²/(2γ₂),
//
// its saddle point (θ*, λ*), its gradient (Danskin)
//
//	∇ₓv = ∇ₓf(x,θ*) + Σλ*ᵢ∇ₓgᵢ(x,θ*),  ∇_y v = (y − θ*)/γ₁,  ∇_z v = (λ* − z)/γ₂,
//
// and the directions (d_x, d_y) of LV-HBA at a given (θ, λ). It is the
// counterpart of [PenaltyOracle]: a user checks an LV-HBA result against it
// (at a solution, (θ, λ) of the run is close to the saddle point and
// (d_x, d_y) is close to zero or normal to C).
//
// The saddle point is found by the extragradient method with a step that
// halves until η‖F(w) − F(w̄)‖ ≤ 0.9‖w − w̄‖ (F is the monotone operator
// (∇_θ, −∇_λ) of the inner function, w = (θ, λ)), warm started from the
// previous call, until the natural residual ‖w − P(w − F(w))‖ is at most
// Tol. The inner function is strongly convex–strongly concave when f and g
// are convex in y, so the saddle point is unique.
//
// An LVHBAOracle is not safe for concurrent use.
type LVHBAOracle struct {
	// Problem is the constrained bilevel problem (F upper, f lower, g).
	Problem ConstrainedProblem
	// Gamma1 and Gamma2 are γ₁ and γ₂. Zero means 10 (as in [LVHBASettings]).
	Gamma1, Gamma2 float64
	// FreeSign makes λ free-signed in [−R, R] (equality constraints), as in
	// [LVHBASettings].
	FreeSign bool
	// R bounds λ with FreeSign. Zero means 1000.
	R float64
	// ProjY projects θ onto Y. Nil means the whole space.
	ProjY Projector
	// Tol is the natural-residual tolerance of the saddle point. Zero means
	// 1e-10; a negative value turns the test off: exactly MaxIter steps, the
	// residual is reported in SaddlePoint.Residual and no ErrNotConverged is
	// returned.
	Tol float64
	// MaxIter caps the extragradient steps of one call. Zero means 1e6.
	MaxIter int
	// Theta and Lambda hold the saddle point of the last call and are the
	// warm start of the next. Nil means start from θ = y, λ = z.
	Theta, Lambda []float64
}

// SaddlePoint is what [LVHBAOracle.Saddle] returns.
type SaddlePoint struct {
	// Theta and Lambda are the saddle point (θ*, λ*).
	Theta, Lambda []float64
	// Value is v_γ(x, y, z), NaN if the problem is not a [LowerValuer].
	Value float64
	// GradX, GradY and GradZ are the partial gradients of v_γ.
	GradX, GradY, GradZ []float64
	// Residual is the natural residual ‖w − P(w − F(w))‖ at the saddle point.
	Residual float64
	// Iterations is the number of extragradient steps.
	Iterations int
}

func (o *LVHBAOracle) params() (g1, g2, r float64, err error) {
	if o.Problem == nil {
		return 0, 0, 0, fmt.Errorf("%w: nil problem", ErrSettings)
	}
	if err := firstErr(nonNeg("Gamma1", o.Gamma1), nonNeg("Gamma2", o.Gamma2), nonNeg("R", o.R),
		finite("Tol", o.Tol), nonNegInt("MaxIter", o.MaxIter)); err != nil {
		return 0, 0, 0, err
	}
	g1, g2, r = o.Gamma1, o.Gamma2, o.R
	g1 = cmp.Or(g1, 10)
	g2 = cmp.Or(g2, 10)
	r = cmp.Or(r, 1000)
	return g1, g2, r, nil
}

func (o *LVHBAOracle) check(x, y []float64, z ...[]float64) (nx, ny, np int, err error) {
	nx, ny = o.Problem.Dims()
	np = o.Problem.NumConstraints()
	if nx <= 0 || ny <= 0 || np < 0 || nx > MaxDim || ny > MaxDim || np > MaxDim {
		return 0, 0, 0, fmt.Errorf("%w: problem dimensions (%d, %d, %d) outside [1, MaxDim = %d] (constraints from 0)", ErrDimension, nx, ny, np, MaxDim)
	}
	if len(x) != nx || len(y) != ny {
		return 0, 0, 0, fmt.Errorf("%w: problem has (nx, ny) = (%d, %d), got len(x)=%d len(y)=%d", ErrDimension, nx, ny, len(x), len(y))
	}
	for _, v := range z {
		if len(v) != np {
			return 0, 0, 0, fmt.Errorf("%w: %d constraints, got a multiplier vector of length %d", ErrDimension, np, len(v))
		}
	}
	for _, v := range append([][]float64{x, y}, z...) {
		if !linalg.AllFinite(v) {
			return 0, 0, 0, fmt.Errorf("%w: input point", ErrNotFinite)
		}
	}
	return nx, ny, np, nil
}

// Saddle computes the saddle point of the inner min–max problem of v_γ at
// (x, y, z), the value v_γ and its gradient. It returns an error wrapping
// [ErrSettings], [ErrDimension] or [ErrNotFinite] for bad input, a
// projector's error, [ErrNotFinite] if the operator is not finite, and
// [ErrNotConverged] (with the last iterate) if the residual is above Tol
// after MaxIter steps, or ctx.Err() (checked every 32 steps).
func (o *LVHBAOracle) Saddle(ctx context.Context, x, y, z []float64) (SaddlePoint, error) {
	g1, g2, rb, err := o.params()
	if err != nil {
		return SaddlePoint{}, err
	}
	nx, ny, np, err := o.check(x, y, z)
	if err != nil {
		return SaddlePoint{}, err
	}
	tol, maxIter := o.Tol, o.MaxIter
	tol = cmp.Or(tol, defaultSaddleTol)
	maxIter = cmp.Or(maxIter, defaultSaddleMaxIter)
	projY := o.ProjY
	if projY == nil {
		projY = Identity{}
	}
	p := o.Problem
	if len(o.Theta) != ny || !linalg.AllFinite(o.Theta) {
		o.Theta = append([]float64(nil), y...)
	}
	if len(o.Lambda) != np || !linalg.AllFinite(o.Lambda) {
		o.Lambda = append([]float64(nil), z...)
	}
	n := ny + np
	w, wb, fw, fb, tmp := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	tx := make([]float64, nx)
	copy(w, o.Theta)
	copy(w[ny:], o.Lambda)
	// op writes F(w) into dst.
	op := func(dst, w []float64) error {
		th, lam := w[:ny], w[ny:]
		dth, dl := dst[:ny], dst[ny:]
		p.LowerGrad(tx, dth, x, th)
		p.ConstraintVJP(tx, tmp[:ny], x, th, lam)
		p.Constraint(dl, x, th)
		for i := range dth {
			dth[i] += tmp[i] + (th[i]-y[i])/g1
		}
		for i := range dl {
			dl[i] = -dl[i] + (lam[i]-z[i])/g2
		}
		if !linalg.AllFinite(dst) {
			return fmt.Errorf("%w: inner operator of v_γ", ErrNotFinite)
		}
		return nil
	}
	// proj projects w onto Y × Λ.
	proj := func(w []float64) error {
		if err := projY.Project(w[:ny]); err != nil {
			return fmt.Errorf("bilevel: projecting θ: %w", err)
		}
		for i, l := range w[ny:] {
			if o.FreeSign {
				w[ny+i] = math.Min(math.Max(l, -rb), rb)
			} else {
				w[ny+i] = math.Max(l, 0)
			}
		}
		return nil
	}
	if err := proj(w); err != nil {
		return SaddlePoint{}, err
	}
	eta := math.Min(g1, g2)
	var out SaddlePoint
	var res float64
	for out.Iterations = 0; ; out.Iterations++ {
		if err := op(fw, w); err != nil {
			return out, err
		}
		linalg.AxpyTo(tmp, -1, fw, w)
		if err := proj(tmp); err != nil {
			return out, err
		}
		res = math.Sqrt(linalg.DistSq(tmp, w))
		if res <= tol || out.Iterations >= maxIter {
			break
		}
		if out.Iterations%32 == 31 {
			if err := ctx.Err(); err != nil {
				return out, err
			}
		}
		for {
			linalg.AxpyTo(wb, -eta, fw, w)
			if err := proj(wb); err != nil {
				return out, err
			}
			if err := op(fb, wb); err != nil {
				return out, err
			}
			if eta*math.Sqrt(linalg.DistSq(fw, fb)) <= 0.9*math.Sqrt(linalg.DistSq(w, wb)) || eta < 1e-14 {
				break
			}
			eta /= 2
		}
		linalg.Axpy(-eta, fb, w)
		if err := proj(w); err != nil {
			return out, err
		}
		eta *= 1.1
	}
	copy(o.Theta, w[:ny])
	copy(o.Lambda, w[ny:])
	out.Residual = res
	out.Theta = append([]float64(nil), o.Theta...)
	out.Lambda = append([]float64(nil), o.Lambda...)
	out.GradX = make([]float64, nx)
	out.GradY = make([]float64, ny)
	out.GradZ = make([]float64, np)
	p.LowerGrad(out.GradX, tmp[:ny], x, out.Theta)
	p.ConstraintVJP(tx, tmp[:ny], x, out.Theta, out.Lambda)
	linalg.Axpy(1, tx, out.GradX)
	for i := range out.GradY {
		out.GradY[i] = (y[i] - out.Theta[i]) / g1
	}
	for i := range out.GradZ {
		out.GradZ[i] = (out.Lambda[i] - z[i]) / g2
	}
	out.Value = math.NaN()
	if lv, ok := p.(LowerValuer); ok {
		gv := make([]float64, np)
		p.Constraint(gv, x, out.Theta)
		out.Value = lv.LowerValue(x, out.Theta) + linalg.Dot(out.Lambda, gv) +
			linalg.DistSq(out.Theta, y)/(2*g1) - linalg.DistSq(out.Lambda, z)/(2*g2)
	}
	if tol >= 0 && res > tol {
		return out, fmt.Errorf("%w: saddle point of v_γ: residual %.3g > Tol %.3g after %d steps", ErrNotConverged, res, tol, maxIter)
	}
	return out, nil
}

// Direction returns LV-HBA's directions at (x, y) with proximal iterates
// (θ, λ) and penalty parameter c = c_k > 0:
//
//	d_x = ∇ₓF(x,y)/c + ∇ₓf(x,y) − ∇ₓf(x,θ) − Σλᵢ∇ₓgᵢ(x,θ)
//	d_y = ∇_y F(x,y)/c + ∇_y f(x,y) − (y − θ)/γ₁
//
// With the saddle point (θ*, λ*) of [LVHBAOracle.Saddle] this is the
// gradient of φ = F/c + f − v_γ in (x, y). It returns an error wrapping
// [ErrSettings], [ErrDimension] or [ErrNotFinite] for bad input, and
// [ErrNotFinite] if the result is not finite.
func (o *LVHBAOracle) Direction(x, y, theta, lambda []float64, c float64) (dx, dy []float64, err error) {
	g1, _, _, err := o.params()
	if err != nil {
		return nil, nil, err
	}
	if !(c > 0) || math.IsInf(c, 0) {
		return nil, nil, fmt.Errorf("%w: c = %g must be positive and finite", ErrSettings, c)
	}
	nx, ny, _, err := o.check(x, y, lambda)
	if err != nil {
		return nil, nil, err
	}
	if len(theta) != ny || !linalg.AllFinite(theta) {
		return nil, nil, fmt.Errorf("%w: θ has length %d (want %d) or is not finite", ErrDimension, len(theta), ny)
	}
	dx, dy = make([]float64, nx), make([]float64, ny)
	tx, ty := make([]float64, nx), make([]float64, ny)
	lvhbaDirection(o.Problem, dx, dy, tx, ty, x, y, theta, lambda, c, 1/g1)
	if !linalg.AllFinite(dx) || !linalg.AllFinite(dy) {
		return dx, dy, fmt.Errorf("%w: direction", ErrNotFinite)
	}
	return dx, dy, nil
}
