package problems

import (
	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/linalg"
)

// LLCToy is problem R1 of the LV-HBA specification, the inequality form of
// the official coupled-constraint toy, with x ∈ ℝⁿ and y = (y₁, y₂) ∈ ℝ²ⁿ:
//
//	F(x, y) = ½‖x − y₂‖² + ½‖y₁ − 𝟙‖²       (upper)
//	f(x, y) = ½‖y₁‖² − xᵀy₁ + 𝟙ᵀy₂          (lower)
//	g(x, y) = −(𝟙ᵀx + 𝟙ᵀy₁ + 𝟙ᵀy₂) ≤ 0      (p = 1)
//
// The lower KKT conditions give λ* = 1, y₁ = x + 𝟙 and 𝟙ᵀy₂ = −2·𝟙ᵀx − n
// (S(x) is not a singleton in y₂); the solution is x* = −0.3·𝟙,
// y₁* = 0.7·𝟙, y₂* = −0.4·𝟙. X and Y are the whole spaces, and
// C = {(x, y) : 𝟙ᵀ(x, y) ≥ 0} (see [LLCToy.ProjC]).
type LLCToy struct {
	N int
}

var (
	_ bilevel.ConstrainedProblem = LLCToy{}
	_ bilevel.UpperValuer        = LLCToy{}
	_ bilevel.LowerValuer        = LLCToy{}
)

// Dims returns (n, 2n).
func (p LLCToy) Dims() (int, int) { return p.N, 2 * p.N }

// NumConstraints returns 1.
func (p LLCToy) NumConstraints() int { return 1 }

// UpperGrad writes ∇ₓF = x − y₂, ∇_{y₁}F = y₁ − 𝟙, ∇_{y₂}F = y₂ − x.
func (p LLCToy) UpperGrad(gx, gy, x, y []float64) {
	n := p.N
	y1, y2 := y[:n], y[n:]
	for i := range n {
		gx[i] = x[i] - y2[i]
		gy[i] = y1[i] - 1
		gy[n+i] = y2[i] - x[i]
	}
}

// LowerGrad writes ∇ₓf = −y₁, ∇_{y₁}f = y₁ − x, ∇_{y₂}f = 𝟙.
func (p LLCToy) LowerGrad(gx, gy, x, y []float64) {
	n := p.N
	for i := range n {
		gx[i] = -y[i]
		gy[i] = y[i] - x[i]
		gy[n+i] = 1
	}
}

// Constraint writes g(x, y) = −(𝟙ᵀx + 𝟙ᵀy).
func (p LLCToy) Constraint(dst, x, y []float64) { dst[0] = -(linalg.Sum(x) + linalg.Sum(y)) }

// ConstraintVJP writes λ∇g = −λ𝟙 in both blocks.
func (p LLCToy) ConstraintVJP(gx, gy, x, y, lambda []float64) {
	for i := range gx {
		gx[i] = -lambda[0]
	}
	for i := range gy {
		gy[i] = -lambda[0]
	}
}

// UpperValue returns F(x, y).
func (p LLCToy) UpperValue(x, y []float64) float64 {
	n := p.N
	s := 0.0
	for i := range n {
		a, b := x[i]-y[n+i], y[i]-1
		s += a*a + b*b
	}
	return 0.5 * s
}

// LowerValue returns f(x, y).
func (p LLCToy) LowerValue(x, y []float64) float64 {
	n := p.N
	return 0.5*linalg.SqNorm(y[:n]) - linalg.Dot(x, y[:n]) + linalg.Sum(y[n:])
}

// XStar returns x* = −0.3·𝟙.
func (p LLCToy) XStar() []float64 { return constant(p.N, -0.3) }

// YStar returns (y₁*, y₂*) = (0.7·𝟙, −0.4·𝟙).
func (p LLCToy) YStar() []float64 {
	y := constant(2*p.N, 0.7)
	for i := p.N; i < 2*p.N; i++ {
		y[i] = -0.4
	}
	return y
}

// ProjC returns the projection onto C = {v ∈ ℝ³ⁿ : 𝟙ᵀv ≥ 0} for the
// concatenation v = (x, y): if the sum s is negative it subtracts s/(3n)
// from every coordinate.
func (p LLCToy) ProjC() bilevel.Projector {
	h, err := bilevel.NewHalfspace(constant(3*p.N, -1), 0)
	if err != nil {
		panic(err) // unreachable: the data are finite and nonzero
	}
	return h
}

func constant(n int, v float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = v
	}
	return x
}
