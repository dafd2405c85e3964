package problems

import (
	"math"

	"gonum.org/v1/gonum/mat"
)

// HS is a Hock–Schittkowski equality-constrained test problem with analytic
// derivatives, its start point and a known optimum. It implements
// constrained.EqProblem and is safe for concurrent use.
type HS struct {
	// Name is the problem's name in the Hock–Schittkowski collection ("HS6").
	Name string
	// X0 is the start point used by the spec.
	X0 []float64
	// XStar and FStar are the known solution and optimal value.
	XStar []float64
	FStar float64
	// Degenerate marks problems whose Hessian is singular at x* (sublinear
	// convergence; the spec tests them at ε = 1e-4 only).
	Degenerate bool

	d, m int
	f    func(x []float64) float64
	grad func(g, x []float64)
	cons func(c, x []float64)
	jac  func(J [][]float64, x []float64)
	// hess adds ∇²f + Σ λⱼ∇²cⱼ through add(i, j, v) for i ≤ j.
	hess func(add func(i, j int, v float64), x, l []float64)
}

// Dims returns (d, m).
func (p *HS) Dims() (d, m int) { return p.d, p.m }

// Func returns f(x).
func (p *HS) Func(x []float64) float64 { return p.f(x) }

// Grad stores ∇f(x) in g.
func (p *HS) Grad(g, x []float64) { p.grad(g, x) }

// Cons stores c(x) in c.
func (p *HS) Cons(c, x []float64) { p.cons(c, x) }

// Jac stores the m×d Jacobian in J.
func (p *HS) Jac(J *mat.Dense, x []float64) {
	J.Zero()
	raw := J.RawMatrix()
	rows := make([][]float64, p.m)
	for i := range rows {
		rows[i] = raw.Data[i*raw.Stride : i*raw.Stride+p.d]
	}
	p.jac(rows, x)
}

// HessLag stores ∇²ₓL(x, λ) in H.
func (p *HS) HessLag(H *mat.SymDense, x, l []float64) {
	for i := range p.d {
		for j := i; j < p.d; j++ {
			H.SetSym(i, j, 0)
		}
	}
	p.hess(func(i, j int, v float64) {
		if i > j {
			i, j = j, i
		}
		H.SetSym(i, j, H.At(i, j)+v)
	}, x, l)
}

func sq(v float64) float64 { return v * v }

// All returns the 14 Hock–Schittkowski problems of the spec in table order:
// HS6, HS7, HS26, HS27, HS28, HS39, HS40, HS42, HS48, HS49, HS51, HS61,
// HS77, HS79.
func All() []*HS {
	return []*HS{HS6(), HS7(), HS26(), HS27(), HS28(), HS39(), HS40(), HS42(), HS48(), HS49(), HS51(), HS61(), HS77(), HS79()}
}

// HS6: min (1−x₁)² s.t. 10(x₂−x₁²) = 0; x* = (1, 1), f* = 0.
func HS6() *HS {
	return &HS{
		Name: "HS6", X0: []float64{-1.2, 1}, XStar: []float64{1, 1}, FStar: 0, d: 2, m: 1,
		f:    func(x []float64) float64 { return sq(1 - x[0]) },
		grad: func(g, x []float64) { g[0], g[1] = -2*(1-x[0]), 0 },
		cons: func(c, x []float64) { c[0] = 10 * (x[1] - x[0]*x[0]) },
		jac:  func(J [][]float64, x []float64) { J[0][0], J[0][1] = -20*x[0], 10 },
		hess: func(add func(i, j int, v float64), x, l []float64) { add(0, 0, 2-20*l[0]) },
	}
}

// HS7: min ln(1+x₁²) − x₂ s.t. (1+x₁²)² + x₂² − 4 = 0; x* = (0, √3), f* = −√3.
func HS7() *HS {
	return &HS{
		Name: "HS7", X0: []float64{2, 2}, XStar: []float64{0, math.Sqrt(3)}, FStar: -math.Sqrt(3), d: 2, m: 1,
		f:    func(x []float64) float64 { return math.Log1p(x[0]*x[0]) - x[1] },
		grad: func(g, x []float64) { g[0], g[1] = 2*x[0]/(1+x[0]*x[0]), -1 },
		cons: func(c, x []float64) { c[0] = sq(1+x[0]*x[0]) + x[1]*x[1] - 4 },
		jac:  func(J [][]float64, x []float64) { J[0][0], J[0][1] = 4*x[0]*(1+x[0]*x[0]), 2*x[1] },
		hess: func(add func(i, j int, v float64), x, l []float64) {
			u := 1 + x[0]*x[0]
			add(0, 0, 2*(1-x[0]*x[0])/(u*u)+l[0]*(4+12*x[0]*x[0]))
			add(1, 1, 2*l[0])
		},
	}
}

// HS26: min (x₁−x₂)² + (x₂−x₃)⁴ s.t. (1+x₂²)x₁ + x₃⁴ − 3 = 0; x* = (1,1,1),
// f* = 0 (degenerate).
func HS26() *HS {
	return &HS{
		Name: "HS26", X0: []float64{-2.6, 2, 2}, XStar: []float64{1, 1, 1}, FStar: 0, Degenerate: true, d: 3, m: 1,
		f: func(x []float64) float64 { return sq(x[0]-x[1]) + sq(sq(x[1]-x[2])) },
		grad: func(g, x []float64) {
			a, b := x[0]-x[1], x[1]-x[2]
			g[0], g[1], g[2] = 2*a, -2*a+4*b*b*b, -4*b*b*b
		},
		cons: func(c, x []float64) { c[0] = (1+x[1]*x[1])*x[0] + sq(sq(x[2])) - 3 },
		jac: func(J [][]float64, x []float64) {
			J[0][0], J[0][1], J[0][2] = 1+x[1]*x[1], 2*x[0]*x[1], 4*x[2]*x[2]*x[2]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			b2 := 12 * sq(x[1]-x[2])
			add(0, 0, 2)
			add(0, 1, -2+2*l[0]*x[1])
			add(1, 1, 2+b2+2*l[0]*x[0])
			add(1, 2, -b2)
			add(2, 2, b2+12*l[0]*x[2]*x[2])
		},
	}
}

// HS27: min 0.01(x₁−1)² + (x₂−x₁²)² s.t. x₁ + x₃² + 1 = 0; x* = (−1, 1, 0),
// f* = 0.04.
func HS27() *HS {
	return &HS{
		Name: "HS27", X0: []float64{2, 2, 2}, XStar: []float64{-1, 1, 0}, FStar: 0.04, d: 3, m: 1,
		f: func(x []float64) float64 { return 0.01*sq(x[0]-1) + sq(x[1]-x[0]*x[0]) },
		grad: func(g, x []float64) {
			u := x[1] - x[0]*x[0]
			g[0], g[1], g[2] = 0.02*(x[0]-1)-4*x[0]*u, 2*u, 0
		},
		cons: func(c, x []float64) { c[0] = x[0] + x[2]*x[2] + 1 },
		jac:  func(J [][]float64, x []float64) { J[0][0], J[0][1], J[0][2] = 1, 0, 2*x[2] },
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 0.02-4*x[1]+12*x[0]*x[0])
			add(0, 1, -4*x[0])
			add(1, 1, 2)
			add(2, 2, 2*l[0])
		},
	}
}

// HS28: min (x₁+x₂)² + (x₂+x₃)² s.t. x₁ + 2x₂ + 3x₃ − 1 = 0;
// x* = (0.5, −0.5, 0.5), f* = 0.
func HS28() *HS {
	return &HS{
		Name: "HS28", X0: []float64{-4, 1, 1}, XStar: []float64{0.5, -0.5, 0.5}, FStar: 0, d: 3, m: 1,
		f: func(x []float64) float64 { return sq(x[0]+x[1]) + sq(x[1]+x[2]) },
		grad: func(g, x []float64) {
			a, b := x[0]+x[1], x[1]+x[2]
			g[0], g[1], g[2] = 2*a, 2*a+2*b, 2*b
		},
		cons: func(c, x []float64) { c[0] = x[0] + 2*x[1] + 3*x[2] - 1 },
		jac:  func(J [][]float64, x []float64) { J[0][0], J[0][1], J[0][2] = 1, 2, 3 },
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 2)
			add(0, 1, 2)
			add(1, 1, 4)
			add(1, 2, 2)
			add(2, 2, 2)
		},
	}
}

// HS39: min −x₁ s.t. x₂ − x₁³ − x₃² = 0, x₁² − x₂ − x₄² = 0;
// x* = (1, 1, 0, 0), f* = −1.
func HS39() *HS {
	return &HS{
		Name: "HS39", X0: []float64{2, 2, 2, 2}, XStar: []float64{1, 1, 0, 0}, FStar: -1, d: 4, m: 2,
		f:    func(x []float64) float64 { return -x[0] },
		grad: func(g, x []float64) { g[0], g[1], g[2], g[3] = -1, 0, 0, 0 },
		cons: func(c, x []float64) {
			c[0] = x[1] - x[0]*x[0]*x[0] - x[2]*x[2]
			c[1] = x[0]*x[0] - x[1] - x[3]*x[3]
		},
		jac: func(J [][]float64, x []float64) {
			J[0][0], J[0][1], J[0][2] = -3*x[0]*x[0], 1, -2*x[2]
			J[1][0], J[1][1], J[1][3] = 2*x[0], -1, -2*x[3]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, -6*x[0]*l[0]+2*l[1])
			add(2, 2, -2*l[0])
			add(3, 3, -2*l[1])
		},
	}
}

// HS40: min −x₁x₂x₃x₄ s.t. x₁³ + x₂² − 1 = 0, x₁²x₄ − x₃ = 0, x₄² − x₂ = 0;
// x* = (2^(−1/3), 2^(−1/2), 2^(−11/12), 2^(−1/4)), f* = −0.25.
func HS40() *HS {
	return &HS{
		Name: "HS40", X0: []float64{0.8, 0.8, 0.8, 0.8},
		XStar: []float64{math.Pow(2, -1.0/3), math.Pow(2, -0.5), math.Pow(2, -11.0/12), math.Pow(2, -0.25)},
		FStar: -0.25, d: 4, m: 3,
		f: func(x []float64) float64 { return -x[0] * x[1] * x[2] * x[3] },
		grad: func(g, x []float64) {
			g[0], g[1], g[2], g[3] = -x[1]*x[2]*x[3], -x[0]*x[2]*x[3], -x[0]*x[1]*x[3], -x[0]*x[1]*x[2]
		},
		cons: func(c, x []float64) {
			c[0] = x[0]*x[0]*x[0] + x[1]*x[1] - 1
			c[1] = x[0]*x[0]*x[3] - x[2]
			c[2] = x[3]*x[3] - x[1]
		},
		jac: func(J [][]float64, x []float64) {
			J[0][0], J[0][1] = 3*x[0]*x[0], 2*x[1]
			J[1][0], J[1][2], J[1][3] = 2*x[0]*x[3], -1, x[0]*x[0]
			J[2][1], J[2][3] = -1, 2*x[3]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 1, -x[2]*x[3])
			add(0, 2, -x[1]*x[3])
			add(0, 3, -x[1]*x[2]+2*x[0]*l[1])
			add(1, 2, -x[0]*x[3])
			add(1, 3, -x[0]*x[2])
			add(2, 3, -x[0]*x[1])
			add(0, 0, 6*x[0]*l[0]+2*x[3]*l[1])
			add(1, 1, 2*l[0])
			add(3, 3, 2*l[2])
		},
	}
}

// HS42: min Σ (xᵢ−i)² s.t. x₁ − 2 = 0, x₃² + x₄² − 2 = 0;
// x* = (2, 2, 0.6√2, 0.8√2), f* = 28 − 10√2.
func HS42() *HS {
	s2 := math.Sqrt2
	return &HS{
		Name: "HS42", X0: []float64{1, 1, 1, 1}, XStar: []float64{2, 2, 0.6 * s2, 0.8 * s2}, FStar: 28 - 10*s2, d: 4, m: 2,
		f: func(x []float64) float64 { return sq(x[0]-1) + sq(x[1]-2) + sq(x[2]-3) + sq(x[3]-4) },
		grad: func(g, x []float64) {
			for i := range 4 {
				g[i] = 2 * (x[i] - float64(i+1))
			}
		},
		cons: func(c, x []float64) { c[0], c[1] = x[0]-2, x[2]*x[2]+x[3]*x[3]-2 },
		jac: func(J [][]float64, x []float64) {
			J[0][0] = 1
			J[1][2], J[1][3] = 2*x[2], 2*x[3]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 2)
			add(1, 1, 2)
			add(2, 2, 2+2*l[1])
			add(3, 3, 2+2*l[1])
		},
	}
}

// HS48: min (x₁−1)² + (x₂−x₃)² + (x₄−x₅)² s.t. Σxᵢ − 5 = 0,
// x₃ − 2(x₄+x₅) + 3 = 0; x* = 1, f* = 0.
func HS48() *HS {
	return &HS{
		Name: "HS48", X0: []float64{3, 5, -3, 2, -2}, XStar: []float64{1, 1, 1, 1, 1}, FStar: 0, d: 5, m: 2,
		f: func(x []float64) float64 { return sq(x[0]-1) + sq(x[1]-x[2]) + sq(x[3]-x[4]) },
		grad: func(g, x []float64) {
			g[0], g[1], g[2], g[3], g[4] = 2*(x[0]-1), 2*(x[1]-x[2]), -2*(x[1]-x[2]), 2*(x[3]-x[4]), -2*(x[3]-x[4])
		},
		cons: func(c, x []float64) {
			c[0] = x[0] + x[1] + x[2] + x[3] + x[4] - 5
			c[1] = x[2] - 2*(x[3]+x[4]) + 3
		},
		jac: func(J [][]float64, x []float64) {
			copy(J[0], []float64{1, 1, 1, 1, 1})
			copy(J[1], []float64{0, 0, 1, -2, -2})
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 2)
			add(1, 1, 2)
			add(1, 2, -2)
			add(2, 2, 2)
			add(3, 3, 2)
			add(3, 4, -2)
			add(4, 4, 2)
		},
	}
}

// HS49: min (x₁−x₂)² + (x₃−1)² + (x₄−1)⁴ + (x₅−1)⁶ s.t.
// x₁ + x₂ + x₃ + 4x₄ − 7 = 0, x₃ + 5x₅ − 6 = 0; x* = 1, f* = 0 (degenerate).
func HS49() *HS {
	return &HS{
		Name: "HS49", X0: []float64{10, 7, 2, -3, 0.8}, XStar: []float64{1, 1, 1, 1, 1}, FStar: 0, Degenerate: true, d: 5, m: 2,
		f: func(x []float64) float64 {
			return sq(x[0]-x[1]) + sq(x[2]-1) + sq(sq(x[3]-1)) + sq(sq(x[4]-1))*sq(x[4]-1)
		},
		grad: func(g, x []float64) {
			a, u, v := x[0]-x[1], x[3]-1, x[4]-1
			g[0], g[1], g[2], g[3], g[4] = 2*a, -2*a, 2*(x[2]-1), 4*u*u*u, 6*sq(sq(v))*v
		},
		cons: func(c, x []float64) {
			c[0] = x[0] + x[1] + x[2] + 4*x[3] - 7
			c[1] = x[2] + 5*x[4] - 6
		},
		jac: func(J [][]float64, x []float64) {
			copy(J[0], []float64{1, 1, 1, 4, 0})
			copy(J[1], []float64{0, 0, 1, 0, 5})
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 2)
			add(0, 1, -2)
			add(1, 1, 2)
			add(2, 2, 2)
			add(3, 3, 12*sq(x[3]-1))
			add(4, 4, 30*sq(sq(x[4]-1)))
		},
	}
}

// HS51: min (x₁−x₂)² + (x₂+x₃−2)² + (x₄−1)² + (x₅−1)² s.t. x₁ + 3x₂ − 4 = 0,
// x₃ + x₄ − 2x₅ = 0, x₂ − x₅ = 0; x* = 1, f* = 0.
func HS51() *HS {
	return &HS{
		Name: "HS51", X0: []float64{2.5, 0.5, 2, -1, 0.5}, XStar: []float64{1, 1, 1, 1, 1}, FStar: 0, d: 5, m: 3,
		f: func(x []float64) float64 {
			return sq(x[0]-x[1]) + sq(x[1]+x[2]-2) + sq(x[3]-1) + sq(x[4]-1)
		},
		grad: func(g, x []float64) {
			a, b := x[0]-x[1], x[1]+x[2]-2
			g[0], g[1], g[2], g[3], g[4] = 2*a, -2*a+2*b, 2*b, 2*(x[3]-1), 2*(x[4]-1)
		},
		cons: func(c, x []float64) {
			c[0] = x[0] + 3*x[1] - 4
			c[1] = x[2] + x[3] - 2*x[4]
			c[2] = x[1] - x[4]
		},
		jac: func(J [][]float64, x []float64) {
			copy(J[0], []float64{1, 3, 0, 0, 0})
			copy(J[1], []float64{0, 0, 1, 1, -2})
			copy(J[2], []float64{0, 1, 0, 0, -1})
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 2)
			add(0, 1, -2)
			add(1, 1, 4)
			add(1, 2, 2)
			add(2, 2, 2)
			add(3, 3, 2)
			add(4, 4, 2)
		},
	}
}

// HS61: min 4x₁² + 2x₂² + 2x₃² − 33x₁ + 16x₂ − 24x₃ s.t. 3x₁ − 2x₂² − 7 = 0,
// 4x₁ − x₃² − 11 = 0; from X0 = (1, −1, 1) the global solution
// x* = (5.326770, −2.118999, 3.210464), f* = −143.6461422. The standard
// start (0, 0, 0) has a rank-deficient Jacobian; from (1, 1, 1) the method
// reaches the non-global KKT point [HS61LocalX] with f = −81.9191.
func HS61() *HS {
	return &HS{
		Name: "HS61", X0: []float64{1, -1, 1}, XStar: []float64{5.326770, -2.118999, 3.210464}, FStar: -143.6461422, d: 3, m: 2,
		f: func(x []float64) float64 {
			return 4*x[0]*x[0] + 2*x[1]*x[1] + 2*x[2]*x[2] - 33*x[0] + 16*x[1] - 24*x[2]
		},
		grad: func(g, x []float64) { g[0], g[1], g[2] = 8*x[0]-33, 4*x[1]+16, 4*x[2]-24 },
		cons: func(c, x []float64) {
			c[0] = 3*x[0] - 2*x[1]*x[1] - 7
			c[1] = 4*x[0] - x[2]*x[2] - 11
		},
		jac: func(J [][]float64, x []float64) {
			J[0][0], J[0][1] = 3, -4*x[1]
			J[1][0], J[1][2] = 4, -2*x[2]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			add(0, 0, 8)
			add(1, 1, 4-4*l[0])
			add(2, 2, 4-2*l[1])
		},
	}
}

// HS61LocalX and HS61LocalF are the non-global KKT point of HS61 reached
// from (1, 1, 1), to the spec's 4-5 digits.
var (
	HS61LocalX = []float64{4.2912, 1.7137, 2.4829}
	HS61LocalF = -81.9191
)

// HS77: min (x₁−1)² + (x₁−x₂)² + (x₃−1)² + (x₄−1)⁴ + (x₅−1)⁶ s.t.
// x₁²x₄ + sin(x₄−x₅) − 2√2 = 0, x₂ + x₃⁴x₄² − 8 − √2 = 0;
// f* = 0.24150513.
func HS77() *HS {
	s2 := math.Sqrt2
	return &HS{
		Name: "HS77", X0: []float64{2, 2, 2, 2, 2}, XStar: []float64{1.166172, 1.182111, 1.380257, 1.506036, 0.610920},
		FStar: 0.24150513, d: 5, m: 2,
		f: func(x []float64) float64 {
			return sq(x[0]-1) + sq(x[0]-x[1]) + sq(x[2]-1) + sq(sq(x[3]-1)) + sq(sq(x[4]-1))*sq(x[4]-1)
		},
		grad: func(g, x []float64) {
			u, v := x[3]-1, x[4]-1
			g[0] = 2*(x[0]-1) + 2*(x[0]-x[1])
			g[1] = -2 * (x[0] - x[1])
			g[2] = 2 * (x[2] - 1)
			g[3] = 4 * u * u * u
			g[4] = 6 * sq(sq(v)) * v
		},
		cons: func(c, x []float64) {
			c[0] = x[0]*x[0]*x[3] + math.Sin(x[3]-x[4]) - 2*s2
			c[1] = x[1] + sq(sq(x[2]))*x[3]*x[3] - 8 - s2
		},
		jac: func(J [][]float64, x []float64) {
			cs := math.Cos(x[3] - x[4])
			J[0][0], J[0][3], J[0][4] = 2*x[0]*x[3], x[0]*x[0]+cs, -cs
			J[1][1], J[1][2], J[1][3] = 1, 4*x[2]*x[2]*x[2]*x[3]*x[3], 2*sq(sq(x[2]))*x[3]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			sn := math.Sin(x[3] - x[4])
			add(0, 0, 4+2*x[3]*l[0])
			add(0, 1, -2)
			add(1, 1, 2)
			add(2, 2, 2+12*x[2]*x[2]*x[3]*x[3]*l[1])
			add(3, 3, 12*sq(x[3]-1)-sn*l[0]+2*sq(sq(x[2]))*l[1])
			add(4, 4, 30*sq(sq(x[4]-1))-sn*l[0])
			add(0, 3, 2*x[0]*l[0])
			add(3, 4, sn*l[0])
			add(2, 3, 8*x[2]*x[2]*x[2]*x[3]*l[1])
		},
	}
}

// HS79: min (x₁−1)² + (x₁−x₂)² + (x₂−x₃)² + (x₃−x₄)⁴ + (x₄−x₅)⁴ s.t.
// x₁ + x₂² + x₃³ − 2 − 3√2 = 0, x₂ − x₃² + x₄ + 2 − 2√2 = 0, x₁x₅ − 2 = 0;
// f* = 0.0787768209.
func HS79() *HS {
	s2 := math.Sqrt2
	return &HS{
		Name: "HS79", X0: []float64{2, 2, 2, 2, 2}, XStar: []float64{1.191127, 1.362603, 1.472818, 1.635017, 1.679081},
		FStar: 0.0787768209, d: 5, m: 3,
		f: func(x []float64) float64 {
			return sq(x[0]-1) + sq(x[0]-x[1]) + sq(x[1]-x[2]) + sq(sq(x[2]-x[3])) + sq(sq(x[3]-x[4]))
		},
		grad: func(g, x []float64) {
			a, b, c, e := x[0]-x[1], x[1]-x[2], x[2]-x[3], x[3]-x[4]
			g[0] = 2*(x[0]-1) + 2*a
			g[1] = -2*a + 2*b
			g[2] = -2*b + 4*c*c*c
			g[3] = -4*c*c*c + 4*e*e*e
			g[4] = -4 * e * e * e
		},
		cons: func(c, x []float64) {
			c[0] = x[0] + x[1]*x[1] + x[2]*x[2]*x[2] - 2 - 3*s2
			c[1] = x[1] - x[2]*x[2] + x[3] + 2 - 2*s2
			c[2] = x[0]*x[4] - 2
		},
		jac: func(J [][]float64, x []float64) {
			J[0][0], J[0][1], J[0][2] = 1, 2*x[1], 3*x[2]*x[2]
			J[1][1], J[1][2], J[1][3] = 1, -2*x[2], 1
			J[2][0], J[2][4] = x[4], x[0]
		},
		hess: func(add func(i, j int, v float64), x, l []float64) {
			c2, e2 := 12*sq(x[2]-x[3]), 12*sq(x[3]-x[4])
			add(0, 0, 4)
			add(0, 1, -2)
			add(1, 1, 4+2*l[0])
			add(1, 2, -2)
			add(2, 2, 2+c2+6*x[2]*l[0]-2*l[1])
			add(2, 3, -c2)
			add(3, 3, c2+e2)
			add(3, 4, -e2)
			add(4, 4, e2)
			add(0, 4, l[2])
		},
	}
}
