package bilevel_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"gonum.org/v1/gonum/diff/fd"
	"gonum.org/v1/gonum/mat"
)

// smooth is a random smooth bilevel problem, strongly convex in y:
//
//	f(x,y) = ½‖y − Bx − c‖² + Σ log cosh yⱼ + Σ sin xᵢ
//	g(x,y) = ½yᵀQy − yᵀCx + Σ log(1 + exp(yⱼ + x_{j mod nx}))
type smooth struct {
	nx, ny  int
	b, c, q *mat.Dense
	cv      []float64
	lg      float64
}

func newSmooth(nx, ny int, rng *rand.Rand) *smooth {
	rnd := func(r, c int, s float64) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				m.Set(i, j, s*rng.NormFloat64())
			}
		}
		return m
	}
	p := &smooth{nx: nx, ny: ny, b: rnd(ny, nx, 1/math.Sqrt(float64(nx))), c: rnd(ny, nx, 1/math.Sqrt(float64(nx)))}
	m := rnd(ny, ny, 1/math.Sqrt(float64(ny)))
	p.q = mat.NewDense(ny, ny, nil)
	p.q.Mul(m.T(), m)
	for i := range ny {
		p.q.Set(i, i, p.q.At(i, i)+1)
	}
	var eig mat.EigenSym
	eig.Factorize(mat.NewSymDense(ny, p.q.RawMatrix().Data), false)
	v := eig.Values(nil)
	p.lg = v[len(v)-1] + 0.25
	p.cv = make([]float64, ny)
	for i := range p.cv {
		p.cv[i] = rng.NormFloat64()
	}
	return p
}

func (p *smooth) Dims() (int, int)              { return p.nx, p.ny }
func (p *smooth) Lipschitz() (float64, float64) { return 2, p.lg }

func sigmoid(t float64) float64 { return 1 / (1 + math.Exp(-t)) }

func (p *smooth) UpperGrad(gx, gy, x, y []float64) {
	r := mat.NewVecDense(p.ny, nil)
	r.MulVec(p.b, mat.NewVecDense(p.nx, x))
	for j := range gy {
		r.SetVec(j, y[j]-r.AtVec(j)-p.cv[j])
		gy[j] = r.AtVec(j) + math.Tanh(y[j])
	}
	var t mat.VecDense
	t.MulVec(p.b.T(), r)
	for i := range gx {
		gx[i] = -t.AtVec(i) + math.Cos(x[i])
	}
}

func (p *smooth) UpperValue(x, y []float64) float64 {
	var r mat.VecDense
	r.MulVec(p.b, mat.NewVecDense(p.nx, x))
	s := 0.0
	for j := range y {
		d := y[j] - r.AtVec(j) - p.cv[j]
		s += 0.5*d*d + math.Log(math.Cosh(y[j]))
	}
	for _, xi := range x {
		s += math.Sin(xi)
	}
	return s
}

func (p *smooth) LowerGrad(gx, gy, x, y []float64) {
	var qy, cx mat.VecDense
	qy.MulVec(p.q, mat.NewVecDense(p.ny, y))
	cx.MulVec(p.c, mat.NewVecDense(p.nx, x))
	sg := make([]float64, p.ny)
	for j := range gy {
		sg[j] = sigmoid(y[j] + x[j%p.nx])
		gy[j] = qy.AtVec(j) - cx.AtVec(j) + sg[j]
	}
	var cy mat.VecDense
	cy.MulVec(p.c.T(), mat.NewVecDense(p.ny, y))
	for i := range gx {
		gx[i] = -cy.AtVec(i)
	}
	for j := range sg {
		gx[j%p.nx] += sg[j]
	}
}

func (p *smooth) LowerValue(x, y []float64) float64 {
	yv := mat.NewVecDense(p.ny, y)
	var qy, cx mat.VecDense
	qy.MulVec(p.q, yv)
	cx.MulVec(p.c, mat.NewVecDense(p.nx, x))
	s := 0.5*mat.Dot(yv, &qy) - mat.Dot(yv, &cx)
	for j := range y {
		t := y[j] + x[j%p.nx]
		s += math.Max(t, 0) + math.Log1p(math.Exp(-math.Abs(t)))
	}
	return s
}

// Property test: ∇ψσ from the gradient formula matches central differences
// of ψσ (both inner problems solved to 1e-12) to 1e-6 relative.
func TestPsiGradientRandomSmooth(t *testing.T) {
	rng := newRand(3)
	worst := 0.0
	defer func() { t.Logf("worst relative error %.3g", worst) }()
	for trial := range 6 {
		nx, ny := 2+rng.IntN(4), 2+rng.IntN(6)
		p := newSmooth(nx, ny, rng)
		for _, sigma := range []float64{0.5, 0.05, 0.01} {
			o := &bilevel.PenaltyOracle{Problem: p, Sigma: sigma, Tol: 1e-12}
			x := make([]float64, nx)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			g := make([]float64, nx)
			if _, _, err := o.Grad(g, x); err != nil {
				t.Fatal(err)
			}
			var ferr error
			psi := func(x []float64) float64 {
				_, v, err := o.Grad(make([]float64, nx), x)
				if err != nil {
					ferr = err
				}
				return v
			}
			want := fd.Gradient(nil, psi, append([]float64(nil), x...), &fd.Settings{Formula: fd.Central, Step: 1e-5})
			if ferr != nil {
				t.Fatal(ferr)
			}
			e := relDiff(g, want)
			worst = math.Max(worst, e)
			if e > 1e-6 {
				t.Errorf("trial %d (nx=%d, ny=%d) σ=%g: rel. error %.3g > 1e-6", trial, nx, ny, sigma, e)
			}
		}
	}
}
