package problems_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"gonum.org/v1/gonum/diff/fd"
)

type valued interface {
	bilevel.Problem
	bilevel.UpperValuer
	bilevel.LowerValuer
}

// checkGrads compares UpperGrad and LowerGrad with central differences of
// UpperValue and LowerValue at a random point.
func checkGrads(t *testing.T, name string, p valued, x, y []float64) {
	t.Helper()
	nx, ny := p.Dims()
	for _, level := range []string{"upper", "lower"} {
		val, grad := p.UpperValue, p.UpperGrad
		if level == "lower" {
			val, grad = p.LowerValue, p.LowerGrad
		}
		gx, gy := make([]float64, nx), make([]float64, ny)
		grad(gx, gy, x, y)
		wx := fd.Gradient(nil, func(x []float64) float64 { return val(x, y) }, append([]float64(nil), x...), &fd.Settings{Formula: fd.Central})
		wy := fd.Gradient(nil, func(y []float64) float64 { return val(x, y) }, append([]float64(nil), y...), &fd.Settings{Formula: fd.Central})
		for i := range gx {
			if math.Abs(gx[i]-wx[i]) > 1e-6*(1+math.Abs(wx[i])) {
				t.Errorf("%s %s ∇x[%d] = %.8g, fd %.8g", name, level, i, gx[i], wx[i])
			}
		}
		for i := range gy {
			if math.Abs(gy[i]-wy[i]) > 1e-6*(1+math.Abs(wy[i])) {
				t.Errorf("%s %s ∇y[%d] = %.8g, fd %.8g", name, level, i, gy[i], wy[i])
			}
		}
	}
}

func randVec(rng *rand.Rand, n int, s float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = s * rng.NormFloat64()
	}
	return v
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	q := must(problems.NewQuadratic(5, 8, 0.1, rng))
	checkGrads(t, "P1", q, randVec(rng, 5, 1), randVec(rng, 8, 1))
	s := must(problems.NewSinePL(nil, 0))
	checkGrads(t, "P2", s, randVec(rng, 5, 1), randVec(rng, 5, 1))
	l := problems.LLCToy{N: 4}
	checkGrads(t, "R1", l, randVec(rng, 4, 1), randVec(rng, 8, 1))
	d := must(problems.NewSVMData(rng, 30, 20, 10, 8, 0.3, 0.3))
	svm := must(problems.NewSVMHyper(d))
	nx, ny := svm.Dims()
	checkGrads(t, "R2", svm, randVec(rng, nx, 1), randVec(rng, ny, 1))
}

// ConstraintVJP must equal Jᵀλ with J the Jacobian of Constraint.
func TestConstraintVJP(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	d := must(problems.NewSVMData(rng, 15, 5, 5, 4, 0.3, 0.3))
	for name, p := range map[string]bilevel.ConstrainedProblem{"R1": problems.LLCToy{N: 3}, "R2": must(problems.NewSVMHyper(d))} {
		nx, ny := p.Dims()
		m := p.NumConstraints()
		x, y, lam := randVec(rng, nx, 1), randVec(rng, ny, 1), randVec(rng, m, 1)
		gx, gy := make([]float64, nx), make([]float64, ny)
		p.ConstraintVJP(gx, gy, x, y, lam)
		g := make([]float64, m)
		lg := func(x, y []float64) float64 {
			p.Constraint(g, x, y)
			s := 0.0
			for i := range g {
				s += lam[i] * g[i]
			}
			return s
		}
		wx := fd.Gradient(nil, func(x []float64) float64 { return lg(x, y) }, append([]float64(nil), x...), nil)
		wy := fd.Gradient(nil, func(y []float64) float64 { return lg(x, y) }, append([]float64(nil), y...), nil)
		for i := range gx {
			if math.Abs(gx[i]-wx[i]) > 1e-5 {
				t.Errorf("%s VJP x[%d] = %.8g, fd %.8g", name, i, gx[i], wx[i])
			}
		}
		for i := range gy {
			if math.Abs(gy[i]-wy[i]) > 1e-5 {
				t.Errorf("%s VJP y[%d] = %.8g, fd %.8g", name, i, gy[i], wy[i])
			}
		}
	}
}

// Each problem's XStar is consistent with its closed forms.
func TestKnownSolutions(t *testing.T) {
	q := must(problems.NewQuadratic(5, 8, 0.1, rand.New(rand.NewPCG(1, 0))))
	xs := q.XSigma(0.01)
	g := fd.Gradient(nil, func(x []float64) float64 { return q.Psi(0.01, x) }, xs, &fd.Settings{Formula: fd.Central})
	for i, v := range g {
		if math.Abs(v) > 1e-6 {
			t.Errorf("∇ψσ(x*σ)[%d] = %.3g", i, v)
		}
	}
	l := problems.LLCToy{N: 3}
	x, y := l.XStar(), l.YStar()
	gv := []float64{0}
	l.Constraint(gv, x, y)
	if math.Abs(gv[0]) > 1e-12 {
		t.Errorf("R1 constraint at the solution = %.3g, want active (0)", gv[0])
	}
}
