package bilevel_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// r1Recorder checks 𝟙ᵀ(x, y) ≥ −1e-9 after every projection and keeps the
// relative error and λ at chosen iterations.
type r1Recorder struct {
	xstar   []float64
	at      map[int]bool
	relerr  map[int]float64
	lambda  map[int]float64
	ck      map[int]float64
	minSum  float64
	nonFini bool
}

func (r *r1Recorder) Record(it *bilevel.Iter) error {
	s := linalg.Sum(it.X) + linalg.Sum(it.Y)
	r.minSum = math.Min(r.minSum, s)
	if !linalg.AllFinite(it.X) || !linalg.AllFinite(it.Y) || !linalg.AllFinite(it.Lambda) {
		r.nonFini = true
	}
	if r.at[it.Iteration] {
		r.relerr[it.Iteration] = bilevel.RelErr(it.X, r.xstar)
		r.lambda[it.Iteration] = it.Lambda[0]
		r.ck[it.Iteration] = it.Ck
	}
	return nil
}

// R1 of the LV-HBA spec at n = 10 with the tested parameters.
func TestR1(t *testing.T) {
	if testing.Short() {
		t.Skip("80k iterations")
	}
	n := 10
	p := problems.LLCToy{N: n}
	rec := &r1Recorder{xstar: p.XStar(), at: map[int]bool{20000: true, 40000: true, 80000: true},
		relerr: map[int]float64{}, lambda: map[int]float64{}, ck: map[int]float64{}, minSum: math.Inf(1)}
	var m bilevel.LVHBA
	x0, y0 := fill(n, 10), fill(2*n, 10)
	res, err := m.Solve(context.Background(), p, x0, y0, &bilevel.LVHBASettings{MaxIter: 80000, ProjC: p.ProjC(), Recorder: rec})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{20000, 40000, 80000} {
		t.Logf("k=%d c_k=%.4g relerr=%.4g λ=%.5g", k, rec.ck[k], rec.relerr[k], rec.lambda[k])
	}
	if e := rec.relerr[80000]; !(e <= 0.03) {
		t.Errorf("relerr(80k) = %.4g > 0.03", e)
	}
	if q := rec.relerr[20000] / rec.relerr[80000]; !(q >= 1.5) {
		t.Errorf("relerr(20k)/relerr(80k) = %.3g < 1.5", q)
	}
	if d := math.Abs(rec.lambda[80000] - 1); !(d <= 0.01) {
		t.Errorf("|λ − 1| = %.3g > 0.01 at 80k", d)
	}
	if rec.minSum < -1e-9 {
		t.Errorf("min 𝟙ᵀ(x, y) = %.3g < −1e-9", rec.minSum)
	}
	if rec.nonFini {
		t.Error("non-finite iterate")
	}
	if res.Status != run.Completed || res.Iterations != 80000 {
		t.Errorf("status %v after %d iterations", res.Status, res.Iterations)
	}
}

// eqToy: F = ½(x − 1)² + ½‖y‖², f = ½‖y‖², g = 𝟙ᵀy − x = 0 (equality,
// m = 2). The lower solution is y = (x/2)𝟙 with λ = −x/2, and x* = 2/3.
type eqToy struct{}

func (eqToy) Dims() (int, int)               { return 1, 2 }
func (eqToy) NumConstraints() int            { return 1 }
func (eqToy) Constraint(dst, x, y []float64) { dst[0] = y[0] + y[1] - x[0] }
func (eqToy) ConstraintVJP(gx, gy, x, y, lam []float64) {
	gx[0] = -lam[0]
	gy[0], gy[1] = lam[0], lam[0]
}
func (eqToy) UpperGrad(gx, gy, x, y []float64) {
	gx[0] = x[0] - 1
	copy(gy, y)
}
func (eqToy) LowerGrad(gx, gy, x, y []float64) {
	gx[0] = 0
	copy(gy, y)
}

// hyperplane projects (x, y₁, y₂) onto y₁ + y₂ − x = 0 (C for eqToy).
type hyperplane struct{}

func (hyperplane) Project(v []float64) error {
	r := (v[1] + v[2] - v[0]) / 3
	v[0] += r
	v[1] -= r
	v[2] -= r
	return nil
}

// With FreeSign the multiplier of an equality constraint may be negative;
// (x, y) is projected onto the hyperplane C, as in the official LLC toy.
func TestLVHBAFreeSign(t *testing.T) {
	var m bilevel.LVHBA
	res, err := m.Solve(context.Background(), eqToy{}, []float64{0}, []float64{0, 0},
		&bilevel.LVHBASettings{MaxIter: 20000, FreeSign: true, ProjC: hyperplane{}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("x = %.4f (x* = 2/3), y = %.4f, λ = %.4f (λ* = −1/3), c_k = %.3g", res.X[0], res.Y, res.Lambda[0], res.Ck)
	if math.Abs(res.X[0]-2.0/3) > 0.05 || math.Abs(res.Lambda[0]+1.0/3) > 0.05 {
		t.Errorf("FreeSign: x = %.4f, λ = %.4f", res.X[0], res.Lambda[0])
	}
}

// R2 of the LV-HBA spec (synthetic SVM hyperparameter learning), seed 1:
// violation ≤ 1e-6, ≥ 60% of flipped points below the median weight after
// 300 iterations, validation accuracy not worse than at iteration 0.
func TestR2(t *testing.T) {
	if testing.Short() {
		t.Skip("300 Hildreth-projected iterations")
	}
	rng := newRand(1)
	d := must(problems.NewSVMData(rng, 200, 100, 500, 8, 0.3, 0.3))
	p := must(problems.NewSVMHyper(d))
	nx, ny := p.Dims()
	y0 := zeros(ny)
	for i := range 8 {
		y0[i] = 0.1 * rng.NormFloat64()
	}
	proj, err := p.ProjC(1e-8)
	if err != nil {
		t.Fatal(err)
	}
	var m bilevel.LVHBA
	res, err := m.Solve(context.Background(), p, fill(nx, -5.5), y0,
		&bilevel.LVHBASettings{MaxIter: 300, ProjC: proj, Lambda0: zeros(nx)})
	if err != nil {
		t.Fatal(err)
	}
	w0, b0, _ := p.Split(y0)
	w, b, _ := p.Split(res.Y)
	acc0, acc := problems.Accuracy(w0, b0, d.ZVal, d.YVal), problems.Accuracy(w, b, d.ZVal, d.YVal)
	c := append([]float64(nil), res.X...)
	slices.Sort(c)
	med := (c[nx/2-1] + c[nx/2]) / 2
	nf, below := 0, 0
	for i, f := range d.Flipped {
		if f {
			nf++
			if res.X[i] < med {
				below++
			}
		}
	}
	frac := float64(below) / float64(nf)
	t.Logf("violation %.2e, flipped below median %.3f, validation accuracy %.3f → %.3f", res.Violation, frac, acc0, acc)
	if res.Violation > 1e-6 || proj.MaxViolation(append(append([]float64(nil), res.X...), res.Y...)) > 1e-6 {
		t.Errorf("violation %.3g > 1e-6", res.Violation)
	}
	if frac < 0.6 {
		t.Errorf("flipped below median %.3f < 0.6", frac)
	}
	if acc < acc0 {
		t.Errorf("validation accuracy fell from %.3f to %.3f", acc0, acc)
	}
}
