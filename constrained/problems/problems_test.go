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
	p, err := problems.SyntheticLogistic(rng, 50, 8, 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := problems.NewLogistic(p.X, p.Y[:10], p.A, p.B); err == nil {
		t.Error("short labels accepted")
	}
	if _, err := problems.NewLogistic(p.X, p.Y, p.A, p.B[:2]); err == nil {
		t.Error("short b accepted")
	}
	if _, err := problems.NewLogistic(p.X, p.Y, mat.NewDense(3, 7, nil), p.B); err == nil {
		t.Error("wrong A width accepted")
	}
	A, b, err := problems.LinearConstraints(rng, 10, 50)
	if err != nil {
		t.Fatal(err)
	}
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

// TestBadInputProblems covers every exported constructor of the package
// with bad input: each must return an error, never panic.
func TestBadInputProblems(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	good, err := problems.SyntheticLogistic(rng, 20, 5, 2)
	if err != nil {
		t.Fatal(err)
	}
	A, b := good.A, good.B
	nanA := mat.DenseCopyOf(A)
	nanA.Set(0, 0, math.NaN())
	nanX := *good.X
	nanX.Val = append([]float64(nil), good.X.Val...)
	nanX.Val[3] = math.Inf(1)
	badY := append([]float64(nil), good.Y...)
	badY[0] = 0.5
	big, _ := problems.NewPDE(80)
	cases := []struct {
		name string
		call func() error
	}{
		{"NewLogistic/nil X", func() error { _, err := problems.NewLogistic(nil, good.Y, A, b); return err }},
		{"NewLogistic/nil A", func() error { _, err := problems.NewLogistic(good.X, good.Y, nil, b); return err }},
		{"NewLogistic/short y", func() error { _, err := problems.NewLogistic(good.X, good.Y[1:], A, b); return err }},
		{"NewLogistic/label 0.5", func() error { _, err := problems.NewLogistic(good.X, badY, A, b); return err }},
		{"NewLogistic/short b", func() error { _, err := problems.NewLogistic(good.X, good.Y, A, b[1:]); return err }},
		{"NewLogistic/A too wide", func() error {
			_, err := problems.NewLogistic(good.X, good.Y, mat.NewDense(2, 7, nil), b)
			return err
		}},
		{"NewLogistic/k+1 > d", func() error {
			_, err := problems.NewLogistic(good.X, good.Y, mat.NewDense(5, 5, nil), make([]float64, 5))
			return err
		}},
		{"NewLogistic/NaN A", func() error { _, err := problems.NewLogistic(good.X, good.Y, nanA, b); return err }},
		{"NewLogistic/Inf X", func() error { _, err := problems.NewLogistic(&nanX, good.Y, A, b); return err }},
		{"NewLogistic/NaN b", func() error { _, err := problems.NewLogistic(good.X, good.Y, A, []float64{math.NaN(), 0}); return err }},
		{"LinearConstraints/nil rng", func() error { _, _, err := problems.LinearConstraints(nil, 2, 5); return err }},
		{"LinearConstraints/k > d", func() error { _, _, err := problems.LinearConstraints(rng, 6, 5); return err }},
		{"LinearConstraints/k = 0", func() error { _, _, err := problems.LinearConstraints(rng, 0, 5); return err }},
		{"LinearConstraints/negative k", func() error { _, _, err := problems.LinearConstraints(rng, -2, 5); return err }},
		{"LinearConstraints/huge", func() error { _, _, err := problems.LinearConstraints(rng, 1<<20, 1<<20); return err }},
		{"SyntheticLogistic/nil rng", func() error { _, err := problems.SyntheticLogistic(nil, 20, 5, 2); return err }},
		{"SyntheticLogistic/n = 0", func() error { _, err := problems.SyntheticLogistic(rng, 0, 5, 2); return err }},
		{"SyntheticLogistic/negative d", func() error { _, err := problems.SyntheticLogistic(rng, 20, -5, 2); return err }},
		{"SyntheticLogistic/k+1 > d", func() error { _, err := problems.SyntheticLogistic(rng, 20, 5, 5); return err }},
		{"SyntheticLogistic/huge", func() error { _, err := problems.SyntheticLogistic(rng, 1<<30, 1<<10, 2); return err }},
		{"NewPDE/N = 0", func() error { _, err := problems.NewPDE(0); return err }},
		{"NewPDE/negative N", func() error { _, err := problems.NewPDE(-3); return err }},
		{"NewPDE/huge N", func() error { _, err := problems.NewPDE(1 << 20); return err }},
		{"PDE.Solution/too large for a dense solve", func() error { _, _, _, err := big.Solution(); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := tc.call(); err == nil {
				t.Fatal("nil error")
			}
		})
	}
	if problems.Ones(-1) != nil {
		t.Error("Ones(-1) is not nil")
	}
	t.Logf("%d bad-input cases (+1 for Ones)", len(cases))
}
