package constrained

import (
	"cmp"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// DerivativeReport holds the largest relative errors
// |analytic − fd| / max(1, |fd|) of each derivative against central
// differences. HessVec is NaN when the problem has no [HessVecer].
type DerivativeReport struct {
	Grad, Jac, Hess, HessVec float64
}

// Max returns the largest of the report's errors (ignoring NaN).
func (r DerivativeReport) Max() float64 {
	m := 0.0
	for _, v := range []float64{r.Grad, r.Jac, r.Hess, r.HessVec} {
		if v > m {
			m = v
		}
	}
	return m
}

// CheckDerivatives compares the analytic gradient, Jacobian and Hessian of
// the Lagrangian of p at (x, l) with central differences (of f, of c, and of
// ∇f + Gᵀλ), and the Hessian-vector product if p implements [HessVecer].
// The step for coordinate i is ε^(1/3) max(1, |xᵢ|). It returns the report
// and an error wrapping [ErrDerivative] if any relative error exceeds tol
// (zero means 1e-6; negative turns the test off and only reports), an error
// wrapping [ErrSettings] for a nil p or a NaN tol, [ErrDimension] if x or l
// have the wrong length, [ErrNotFinite] if they hold NaN or ±Inf.
func CheckDerivatives(p EqProblem, x, l []float64, tol float64) (DerivativeReport, error) {
	var rep DerivativeReport
	if p == nil {
		return rep, fmt.Errorf("%w: the problem p is nil", ErrSettings)
	}
	d, m := p.Dims()
	switch {
	case d < 1 || m < 0 || d+m > maxDim:
		return rep, fmt.Errorf("%w: problem has d=%d m=%d", ErrDimension, d, m)
	case len(x) != d || len(l) != m:
		return rep, fmt.Errorf("%w: len(x)=%d len(l)=%d, problem has d=%d m=%d", ErrDimension, len(x), len(l), d, m)
	case math.IsNaN(tol) || math.IsInf(tol, 1):
		return rep, fmt.Errorf("%w: tol = %v", ErrSettings, tol)
	case !linalg.AllFinite(x) || !linalg.AllFinite(l):
		return rep, fmt.Errorf("%w: x or l", ErrNotFinite)
	}
	tol = cmp.Or(tol, 1e-6)
	relErr := func(a, fd float64) float64 { return math.Abs(a-fd) / math.Max(1, math.Abs(fd)) }
	xp := append([]float64(nil), x...)
	g := make([]float64, d)
	p.Grad(g, x)
	J := mat.NewDense(m, d, nil)
	p.Jac(J, x)
	H := mat.NewSymDense(d, nil)
	p.HessLag(H, x, l)
	cp, cm := make([]float64, m), make([]float64, m)
	glp, glm := make([]float64, d), make([]float64, d)
	Jt := mat.NewDense(m, d, nil)
	gradLag := func(dst, x []float64) {
		p.Grad(dst, x)
		p.Jac(Jt, x)
		linalg.Gemv(true, 1, Jt.RawMatrix(), l, 1, dst)
	}
	fdH := mat.NewDense(d, d, nil)
	const cbrtEps = 6.055454452393343e-06 // ε₆₄^(1/3), the optimal central-difference step
	for i := range d {
		h := cbrtEps * math.Max(1, math.Abs(x[i]))
		xp[i] = x[i] + h
		fp := p.Func(xp)
		p.Cons(cp, xp)
		gradLag(glp, xp)
		xp[i] = x[i] - h
		fm := p.Func(xp)
		p.Cons(cm, xp)
		gradLag(glm, xp)
		xp[i] = x[i]
		rep.Grad = math.Max(rep.Grad, relErr(g[i], (fp-fm)/(2*h)))
		for j := range m {
			rep.Jac = math.Max(rep.Jac, relErr(J.At(j, i), (cp[j]-cm[j])/(2*h)))
		}
		for k := range d {
			fdH.Set(k, i, (glp[k]-glm[k])/(2*h))
		}
	}
	for i := range d {
		for k := range d {
			rep.Hess = math.Max(rep.Hess, relErr(H.At(i, k), 0.5*(fdH.At(i, k)+fdH.At(k, i))))
		}
	}
	rep.HessVec = math.NaN()
	if hv, ok := p.(HessVecer); ok {
		rep.HessVec = 0
		v := make([]float64, d)
		for i := range v {
			v[i] = math.Sin(float64(i) + 1)
		}
		got, want := make([]float64, d), make([]float64, d)
		hv.HessLagVec(got, x, l, v)
		mat.NewVecDense(d, want).MulVec(H, mat.NewVecDense(d, v))
		for i := range d {
			rep.HessVec = math.Max(rep.HessVec, relErr(got[i], want[i]))
		}
	}
	bad := !(rep.Grad <= tol) || !(rep.Jac <= tol) || !(rep.Hess <= tol) ||
		(!math.IsNaN(rep.HessVec) && !(rep.HessVec <= tol))
	if _, ok := p.(HessVecer); ok && math.IsNaN(rep.HessVec) {
		bad = true
	}
	{
		if bad && tol > 0 {
			return rep, fmt.Errorf("%w: grad %.2g, jac %.2g, hess %.2g, hessvec %.2g (tol %g)", ErrDerivative, rep.Grad, rep.Jac, rep.Hess, rep.HessVec, tol)
		}
	}
	return rep, nil
}
