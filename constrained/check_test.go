package constrained_test

import (
	"errors"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
)

func TestCheckDerivatives(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for _, p := range problems.All() {
		d, m := p.Dims()
		pts := [][]float64{p.X0, p.XStar}
		x := make([]float64, d)
		for i := range x {
			x[i] = p.X0[i] + 0.3*rng.NormFloat64()
		}
		pts = append(pts, x)
		l := make([]float64, m)
		for i := range l {
			l[i] = rng.NormFloat64()
		}
		for _, x := range pts {
			if rep, err := constrained.CheckDerivatives(p, x, l, 1e-6); err != nil {
				t.Errorf("%s at %v: %v (%+v)", p.Name, x, err, rep)
			}
		}
	}
	pde, err := problems.NewPDE(3)
	if err != nil {
		t.Fatal(err)
	}
	d, m := pde.Dims()
	x, l := make([]float64, d), make([]float64, m)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	for i := range l {
		l[i] = rng.NormFloat64()
	}
	if rep, err := constrained.CheckDerivatives(pde, x, l, 1e-6); err != nil || rep.HessVec != 0 {
		t.Errorf("PDE: %v (%+v)", err, rep)
	}
	lg, err := problems.SyntheticLogistic(rng, 200, 20, 5)
	if err != nil {
		t.Fatal(err)
	}
	d, m = lg.Dims()
	x, l = make([]float64, d), make([]float64, m)
	for i := range x {
		x[i] = 0.3 * rng.NormFloat64()
	}
	for i := range l {
		l[i] = rng.NormFloat64()
	}
	if rep, err := constrained.CheckDerivatives(lg, x, l, 1e-6); err != nil {
		t.Errorf("logistic: %v (%+v)", err, rep)
	}
}

// wrongHess perturbs the Hessian of HS7 to check the checker catches it.
type wrongHess struct{ *problems.HS }

func (w wrongHess) HessLag(H *mat.SymDense, x, l []float64) {
	w.HS.HessLag(H, x, l)
	H.SetSym(0, 1, H.At(0, 1)+1e-3)
}

func TestCheckDerivativesDetects(t *testing.T) {
	p := wrongHess{problems.HS7()}
	rep, err := constrained.CheckDerivatives(p, p.X0, []float64{0.5}, 0)
	if !errors.Is(err, constrained.ErrDerivative) || rep.Hess < 1e-4 {
		t.Fatalf("err %v rep %+v, want a Hessian error", err, rep)
	}
	if _, err := constrained.CheckDerivatives(p, []float64{1}, []float64{0.5}, 0); !errors.Is(err, constrained.ErrDimension) {
		t.Fatalf("err %v, want ErrDimension", err)
	}
}
