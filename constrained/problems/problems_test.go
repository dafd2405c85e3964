package problems_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/linalg"
)

// TestHSOptimaFeasible checks that the listed optima satisfy the
// constraints and give the listed objective (to the listed digits).
func TestHSOptimaFeasible(t *testing.T) {
	for _, p := range problems.All() {
		_, m := p.Dims()
		c := make([]float64, m)
		p.Cons(c, p.XStar)
		for i, v := range c {
			if math.Abs(v) > 2e-5 {
				t.Errorf("%s: c%d(x*) = %g", p.Name, i, v)
			}
		}
		if f := p.Func(p.XStar); math.Abs(f-p.FStar) > 1e-5 {
			t.Errorf("%s: f(x*) = %.8g, want %.8g", p.Name, f, p.FStar)
		}
	}
}

func TestPDEReference(t *testing.T) {
	for _, tc := range []struct {
		n int
		f float64
	}{{3, 9.644442}, {4, 17.651377}} {
		p, err := problems.NewPDE(tc.n)
		if err != nil {
			t.Fatal(err)
		}
		x, _, f, err := p.Solution()
		if err != nil || math.Abs(f-tc.f) > 1e-6 {
			t.Errorf("N=%d: f = %.7f err %v, want %v", tc.n, f, err, tc.f)
		}
		_, m := p.Dims()
		c := make([]float64, m)
		p.Cons(c, x)
		if linalg.MaxAbs(c) > 1e-9 {
			t.Errorf("N=%d: infeasible reference", tc.n)
		}
	}
	if _, err := problems.NewPDE(0); err == nil {
		t.Error("NewPDE(0): no error")
	}
}

func TestLogisticInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	p := problems.SyntheticLogistic(rng, 50, 8, 3)
	if _, err := problems.NewLogistic(p.X, p.Y[:10], p.A, p.B); err == nil {
		t.Error("short labels accepted")
	}
	if _, err := problems.NewLogistic(p.X, p.Y, p.A, p.B[:2]); err == nil {
		t.Error("short b accepted")
	}
	if _, err := problems.NewLogistic(p.X, p.Y, mat.NewDense(3, 7, nil), p.B); err == nil {
		t.Error("wrong A width accepted")
	}
	A, b := problems.LinearConstraints(rng, 10, 50)
	var y, x mat.VecDense
	var aat mat.SymDense
	aat.SymOuterK(1, A)
	var ch mat.Cholesky
	ch.Factorize(&aat)
	if err := ch.SolveVecTo(&y, mat.NewVecDense(10, b)); err != nil {
		t.Fatal(err)
	}
	x.MulVec(A.T(), &y)
	if mat.Norm(&x, 2) >= 1 {
		t.Errorf("min-norm solution has norm %g >= 1", mat.Norm(&x, 2))
	}
}
