package bilevel_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
	"gonum.org/v1/gonum/diff/fd"
)

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

func relDiff(a, b []float64) float64 {
	return math.Sqrt(linalg.DistSq(a, b)) / math.Max(linalg.Nrm2(b), 1e-300)
}

// P1 (i): the gradient formula with inner problems solved to 1e-12 matches
// central differences of the closed-form ψσ to 1e-6 relative.
func TestP1GradientFormula(t *testing.T) {
	q := must(problems.NewQuadratic(5, 8, 0.1, newRand(1)))
	rng := newRand(2)
	worst := 0.0
	defer func() { t.Logf("worst relative error %.3g", worst) }()
	for _, sigma := range []float64{1, 1e-1, 1e-2, 1e-3} {
		o := &bilevel.PenaltyOracle{Problem: q, Sigma: sigma, Tol: 1e-12}
		for trial := range 3 {
			x := make([]float64, 5)
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			g := make([]float64, 5)
			_, psi, err := o.Grad(g, x)
			if err != nil {
				t.Fatal(err)
			}
			want := fd.Gradient(nil, func(x []float64) float64 { return q.Psi(sigma, x) }, x,
				&fd.Settings{Formula: fd.Central, Step: 1e-5})
			e := relDiff(g, want)
			worst = math.Max(worst, e)
			if e > 1e-6 {
				t.Errorf("σ=%g trial %d: ∇ψσ rel. error %.3g > 1e-6", sigma, trial, e)
			}
			if e := math.Abs(psi - q.Psi(sigma, x)); e > 1e-9*math.Max(1, math.Abs(psi)) {
				t.Errorf("σ=%g: ψσ = %.12g, closed form %.12g", sigma, psi, q.Psi(sigma, x))
			}
		}
	}
}

// P1 (ii) and (iii): Algorithm A reaches x*σ to 1e-8, and the bias
// ‖x*σ − x*‖/σ matches ‖dx*σ/dσ‖ at 0 within 10% for σ = 1e-2 and 1e-3.
func TestP1AlgorithmA(t *testing.T) {
	q := must(problems.NewQuadratic(5, 8, 0.1, newRand(1)))
	xstar := q.XSigma(0)
	dnorm := linalg.Nrm2(q.DXSigma())
	for _, sigma := range []float64{1e-2, 1e-3} {
		var m bilevel.Penalty
		s := &bilevel.PenaltySettings{Sigma: sigma, Inner: 10, Alpha: 1 / q.PsiLipschitz(sigma), MaxIter: 100000}
		res, err := m.Solve(context.Background(), q, make([]float64, 5), make([]float64, 8), nil, s)
		if err != nil {
			t.Fatal(err)
		}
		xs := q.XSigma(sigma)
		e := math.Sqrt(linalg.DistSq(res.X, xs))
		t.Logf("σ=%g: %d outer iterations, status %v, ‖x − x*σ‖ = %.3g", sigma, res.Iterations, res.Status, e)
		if res.Status != run.Converged || e > 1e-8 {
			t.Errorf("σ=%g: ‖x − x*σ‖ = %.3g (status %v), want ≤ 1e-8", sigma, e, res.Status)
		}
		bias := math.Sqrt(linalg.DistSq(res.X, xstar)) / sigma
		closed := math.Sqrt(linalg.DistSq(xs, xstar)) / sigma
		t.Logf("σ=%g: bias/σ = %.5g (closed form %.5g), ‖dx*σ/dσ‖ = %.5g", sigma, bias, closed, dnorm)
		for _, b := range []float64{bias, closed} {
			if math.Abs(b/dnorm-1) > 0.1 {
				t.Errorf("σ=%g: bias/σ = %.5g not within 10%% of %.5g", sigma, b, dnorm)
			}
		}
	}
}

// P2: both algorithms reach ‖x − x*‖ ≤ 0.2σ with an O(σ) bias, and the
// single loop needs at most 10/σ iterations.
func TestP2(t *testing.T) {
	p := must(problems.NewSinePL(nil, 0))
	xstar := p.XStar()
	sigmas := []float64{0.1, 0.01, 0.001}
	for _, single := range []bool{false, true} {
		var ratios []float64
		for _, sigma := range sigmas {
			s := &bilevel.PenaltySettings{Sigma: sigma, Inner: 5, Alpha: 0.2, MaxIter: 100000, SingleLoop: single}
			if single {
				s.Alpha = 2 * sigma
			}
			var m bilevel.Penalty
			res, err := m.Solve(context.Background(), p, zeros(5), fill(5, 1), fill(5, -1), s)
			if err != nil {
				t.Fatal(err)
			}
			e := math.Sqrt(linalg.DistSq(res.X, xstar))
			t.Logf("single=%v σ=%g: iters %d status %v err %.4g err/σ %.4g", single, sigma, res.Iterations, res.Status, e, e/sigma)
			if e > 0.2*sigma {
				t.Errorf("single=%v σ=%g: ‖x − x*‖ = %.3g > 0.2σ", single, sigma, e)
			}
			if single && float64(res.Iterations) > 10/sigma {
				t.Errorf("σ=%g: single loop took %d > 10/σ iterations", sigma, res.Iterations)
			}
			if res.Status != run.Converged {
				t.Errorf("single=%v σ=%g: status %v", single, sigma, res.Status)
			}
			ratios = append(ratios, e/sigma)
		}
		lo, hi := ratios[0], ratios[0]
		for _, r := range ratios {
			lo, hi = math.Min(lo, r), math.Max(hi, r)
		}
		if (hi-lo)/lo > 0.2 {
			t.Errorf("single=%v: err/σ varies %v, more than 20%%", single, ratios)
		}
	}
}

func zeros(n int) []float64 { return make([]float64, n) }

func fill(n int, v float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = v
	}
	return x
}

// P3: stochastic Algorithm A; mean error over the last 500 of 3000 iterations.
func p3(t testing.TB, noise float64, batch int, seed uint64) float64 {
	p := must(problems.NewSinePL(nil, noise))
	xstar := p.XStar()
	h := &bilevel.History{}
	s := &bilevel.PenaltySettings{Sigma: 0.01, Inner: 10, Alpha: 0.2, MaxIter: 3000, Batch: batch,
		Rand: newRand(seed), Recorder: h}
	var m bilevel.Penalty
	_, err := m.Solve(context.Background(), p, zeros(5), fill(5, 1), fill(5, -1), s)
	if err != nil {
		t.Fatal(err)
	}
	// h.Iters[k] is the state after iteration k (index 0 is the start).
	errs := h.Series(func(it *bilevel.Iter) float64 { return math.Sqrt(linalg.DistSq(it.X, xstar)) })
	sum := 0.0
	for _, e := range errs[len(errs)-500:] {
		sum += e
	}
	return sum / 500
}

func TestP3(t *testing.T) {
	for _, c := range []struct {
		noise, limit float64
	}{{0.1, 0.05}, {0.5, 0.25}} {
		for _, batch := range []int{1, 16} {
			e := p3(t, c.noise, batch, 7)
			t.Logf("s=%g M=%d: mean ‖x − x*‖ over last 500 = %.4g", c.noise, batch, e)
			if e > c.limit {
				t.Errorf("s=%g M=%d: mean error %.4g > %g", c.noise, batch, e, c.limit)
			}
		}
	}
	a, b := p3(t, 0.5, 1, 11), p3(t, 0.5, 1, 11)
	if math.Abs(a-b) > 1e-12 {
		t.Errorf("P3 not reproducible: %.17g vs %.17g", a, b)
	}
}

// The stochastic single loop (STORM estimators) on P3 with s = 0.1.
func TestP3SingleLoopSTORM(t *testing.T) {
	p := must(problems.NewSinePL(nil, 0.1))
	xstar := p.XStar()
	for _, sigma := range []float64{0.1, 0.01} {
		var m bilevel.Penalty
		s := &bilevel.PenaltySettings{Sigma: sigma, SingleLoop: true, MaxIter: int(200 / sigma), Decay: -1,
			Rand: newRand(3), Batch: 4}
		res, err := m.Solve(context.Background(), p, zeros(5), fill(5, 1), fill(5, -1), s)
		if err != nil {
			t.Fatal(err)
		}
		e := math.Sqrt(linalg.DistSq(res.X, xstar))
		t.Logf("σ=%g: %d iterations, ‖x − x*‖ = %.4g", sigma, res.Iterations, e)
		if e > 0.1 {
			t.Errorf("σ=%g: ‖x − x*‖ = %.4g > 0.1", sigma, e)
		}
	}
}
