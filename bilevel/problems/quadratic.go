package problems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/mat"
)

// Quadratic is problem P1 of the penalty specification:
//
//	f(x, y) = ½‖y − b‖² + ½ρ‖x‖²   (upper),   g(x, y) = ½‖y − Ax‖²   (lower),
//
// with X and Y the whole spaces. A Quadratic keeps a scratch vector and is
// not safe for concurrent use. The lower solution is y*(x) = Ax, the
// solution is x* = (AᵀA + ρI)⁻¹Aᵀb, the penalty surrogate is
// ψσ(x) = ½‖Ax − b‖²/(1 + σ) + ½ρ‖x‖², minimised by
// x*σ = (AᵀA + ρ(1 + σ)I)⁻¹Aᵀb.
type Quadratic struct {
	A   *mat.Dense // ny×nx
	B   []float64  // length ny
	Rho float64

	ax []float64
}

var (
	_ bilevel.Problem     = (*Quadratic)(nil)
	_ bilevel.UpperValuer = (*Quadratic)(nil)
	_ bilevel.LowerValuer = (*Quadratic)(nil)
	_ bilevel.Lipschitz   = (*Quadratic)(nil)
)

// NewQuadratic returns P1 with an ny×nx matrix A and a vector b of standard
// normal entries drawn from rng (A row by row, then b). The spec uses
// nx = 5, ny = 8, ρ = 0.1. It returns an error wrapping
// [bilevel.ErrDimension] for nx or ny outside [1, MaxDim] and
// [bilevel.ErrSettings] for a negative or non-finite ρ or a nil rng.
func NewQuadratic(nx, ny int, rho float64, rng *rand.Rand) (*Quadratic, error) {
	if nx <= 0 || ny <= 0 || nx > MaxDim || ny > MaxDim {
		return nil, fmt.Errorf("problems: Quadratic sizes (%d, %d) outside [1, %d]: %w", nx, ny, MaxDim, bilevel.ErrDimension)
	}
	if !(rho >= 0) || math.IsInf(rho, 0) {
		return nil, fmt.Errorf("problems: Quadratic rho = %g must be finite and non-negative: %w", rho, bilevel.ErrSettings)
	}
	if rng == nil {
		return nil, fmt.Errorf("problems: Quadratic needs a non-nil rng: %w", bilevel.ErrSettings)
	}
	a := mat.NewDense(ny, nx, nil)
	for i := range ny {
		for j := range nx {
			a.Set(i, j, rng.NormFloat64())
		}
	}
	b := make([]float64, ny)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	return &Quadratic{A: a, B: b, Rho: rho, ax: make([]float64, ny)}, nil
}

// Dims returns (nx, ny).
func (q *Quadratic) Dims() (int, int) { r, c := q.A.Dims(); return c, r }

// Lipschitz returns the constants (1, 1) of ∇_y f and ∇_y g.
func (q *Quadratic) Lipschitz() (float64, float64) { return 1, 1 }

// mulVec computes dst = A x using the raw storage (no allocation).
func mulVec(a *mat.Dense, dst, x []float64) {
	raw := a.RawMatrix()
	for i := range raw.Rows {
		dst[i] = linalg.Dot(raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols], x)
	}
}

// mulVecTrans computes dst = Aᵀ v.
func mulVecTrans(a *mat.Dense, dst, v []float64) {
	raw := a.RawMatrix()
	linalg.Zero(dst)
	for i := range raw.Rows {
		linalg.Axpy(v[i], raw.Data[i*raw.Stride:i*raw.Stride+raw.Cols], dst)
	}
}

// work returns the length-ny scratch vector, allocating it on first use.
func (q *Quadratic) work() []float64 {
	if ny, _ := q.A.Dims(); len(q.ax) != ny {
		q.ax = make([]float64, ny)
	}
	return q.ax
}

// UpperGrad writes ∇ₓf = ρx and ∇_y f = y − b.
func (q *Quadratic) UpperGrad(gx, gy, x, y []float64) {
	linalg.ScaleTo(gx, q.Rho, x)
	linalg.Sub(gy, y, q.B)
}

// LowerGrad writes ∇_y g = y − Ax and ∇ₓg = −Aᵀ(y − Ax).
func (q *Quadratic) LowerGrad(gx, gy, x, y []float64) {
	mulVec(q.A, q.work(), x)
	linalg.Sub(gy, y, q.ax)
	mulVecTrans(q.A, gx, gy)
	linalg.Scal(-1, gx)
}

// UpperValue returns f(x, y).
func (q *Quadratic) UpperValue(x, y []float64) float64 {
	return 0.5*linalg.DistSq(y, q.B) + 0.5*q.Rho*linalg.SqNorm(x)
}

// LowerValue returns g(x, y).
func (q *Quadratic) LowerValue(x, y []float64) float64 {
	mulVec(q.A, q.work(), x)
	return 0.5 * linalg.DistSq(y, q.ax)
}

// Psi returns the closed-form surrogate ψσ(x) = ½‖Ax − b‖²/(1 + σ) + ½ρ‖x‖²;
// σ = 0 gives ψ.
func (q *Quadratic) Psi(sigma float64, x []float64) float64 {
	mulVec(q.A, q.work(), x)
	return 0.5*linalg.DistSq(q.ax, q.B)/(1+sigma) + 0.5*q.Rho*linalg.SqNorm(x)
}

// XSigma returns x*σ = (AᵀA + ρ(1 + σ)I)⁻¹Aᵀb; σ = 0 gives the solution x*.
func (q *Quadratic) XSigma(sigma float64) []float64 {
	_, nx := q.A.Dims()
	var ata mat.SymDense
	ata.SymOuterK(1, q.A.T())
	for i := range nx {
		ata.SetSym(i, i, ata.At(i, i)+q.Rho*(1+sigma))
	}
	var ch mat.Cholesky
	if !ch.Factorize(&ata) {
		panic("problems: AᵀA + ρ(1+σ)I is not positive definite")
	}
	rhs := mat.NewVecDense(nx, nil)
	rhs.MulVec(q.A.T(), mat.NewVecDense(len(q.B), q.B))
	var sol mat.VecDense
	if err := ch.SolveVecTo(&sol, rhs); err != nil {
		panic(err)
	}
	return append([]float64(nil), sol.RawVector().Data...)
}

// DXSigma returns (d/dσ)x*σ at σ = 0: −ρ(AᵀA + ρI)⁻¹x*.
func (q *Quadratic) DXSigma() []float64 {
	_, nx := q.A.Dims()
	xs := q.XSigma(0)
	var ata mat.SymDense
	ata.SymOuterK(1, q.A.T())
	for i := range nx {
		ata.SetSym(i, i, ata.At(i, i)+q.Rho)
	}
	var ch mat.Cholesky
	ch.Factorize(&ata)
	var sol mat.VecDense
	if err := ch.SolveVecTo(&sol, mat.NewVecDense(nx, xs)); err != nil {
		panic(err)
	}
	d := sol.RawVector().Data
	linalg.Scal(-q.Rho, d)
	return append([]float64(nil), d...)
}

// PsiLipschitz returns the largest eigenvalue of the Hessian AᵀA/(1+σ) + ρI
// of ψσ, so 1/PsiLipschitz(σ) is a safe outer step.
func (q *Quadratic) PsiLipschitz(sigma float64) float64 {
	var ata mat.SymDense
	ata.SymOuterK(1, q.A.T())
	var eig mat.EigenSym
	eig.Factorize(&ata, false)
	v := eig.Values(nil)
	return v[len(v)-1]/(1+sigma) + q.Rho
}
