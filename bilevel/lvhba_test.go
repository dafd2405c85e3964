package bilevel_test

import (
	"context"
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
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
	if r.at[it.Iter] {
		r.relerr[it.Iter] = bilevel.RelErr(it.X, r.xstar)
		r.lambda[it.Iter] = it.Lambda[0]
		r.ck[it.Iter] = it.Ck
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
	res, err := m.Solve(context.Background(), p, x0, y0, &bilevel.LVHBASettings{Iters: 80000, ProjC: p.ProjC(), Recorder: rec})
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
	if res.Status != bilevel.IterationLimit || res.Iters != 80000 {
		t.Errorf("status %v after %d iterations", res.Status, res.Iters)
	}
}
