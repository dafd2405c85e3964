package ef21_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// runR1 runs s on R1 from x⁰ = 0 with TopK K=1 and fails on error.
func runR1(t *testing.T, spread float64, s ef21.Settings) ef21.Result {
	t.Helper()
	p := r1(t, spread)
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return r
}

// TestA1 checks that rounds(EF21-W, γ_AM)/rounds(EF21, γ_QM) to
// ‖∇f‖² < 1e-8 tracks γ_QM/γ_AM within ±10%, is ≤ 0.60 at spread 1000 and
// ≥ 0.95 at spread 1.
func TestA1(t *testing.T) {
	for _, tc := range []struct {
		spread   float64
		min, max float64 // bounds on the round ratio from the spec
		long     bool
	}{
		{spread: 1, min: 0.95, max: math.Inf(1)},
		{spread: 10, min: 0, max: math.Inf(1), long: true},
		{spread: 1000, min: 0, max: 0.60},
	} {
		if tc.long && testing.Short() {
			continue
		}
		qm := runR1(t, tc.spread, ef21.Settings{Rule: ef21.RuleQM, Tol: 1e-8, MaxIter: 40000})
		w := runR1(t, tc.spread, ef21.Settings{Weighted: true, Tol: 1e-8, MaxIter: 40000})
		if qm.Status != run.Converged || w.Status != run.Converged {
			t.Fatalf("spread %v: status %v / %v", tc.spread, qm.Status, w.Status)
		}
		ratio := float64(w.Iterations) / float64(qm.Iterations)
		gr := qm.Gamma / w.Gamma
		t.Logf("spread %v: L_QM/L_AM %.3f rounds %d vs %d ratio %.3f, γ_QM/γ_AM %.3f", tc.spread, w.LQM/w.LAM, qm.Iterations, w.Iterations, ratio, gr)
		if math.Abs(ratio-gr) > 0.1*gr {
			t.Errorf("spread %v: round ratio %.3f not within 10%% of γ_QM/γ_AM = %.3f", tc.spread, ratio, gr)
		}
		if ratio < tc.min || ratio > tc.max {
			t.Errorf("spread %v: round ratio %.3f outside [%v, %v]", tc.spread, ratio, tc.min, tc.max)
		}
	}
}

// TestA2 checks the exact identity: EF21 and EF21-W with the same γ and a
// homogeneous compressor give the same iterates.
func TestA2(t *testing.T) {
	p := r1(t, 1000)
	const T = 2000
	var tw, te trace
	var he ef21.History
	w, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{Weighted: true, MaxIter: T, Recorder: &tw})
	if err != nil {
		t.Fatal(err)
	}
	e, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{Gamma: w.Gamma, MaxIter: T, Recorder: multi{&te, &he}})
	if err != nil {
		t.Fatal(err)
	}
	if len(tw.x) != T+1 || len(te.x) != T+1 {
		t.Fatalf("recorded %d and %d iterates, want %d", len(tw.x), len(te.x), T+1)
	}
	worst := 0.0
	for k := range tw.x {
		gap := math.Sqrt(linalg.DistSq(tw.x[k], te.x[k]))
		bound := 1e-9 * (1 + linalg.Nrm2(te.x[k]))
		worst = max(worst, gap/bound)
		if gap > bound {
			t.Fatalf("t = %d: ‖x_EF21 − x_EF21-W‖ = %.3g > %.3g", k, gap, bound)
		}
	}
	t.Logf("max gap/bound %.3g; ‖∇f‖² EF21 (γ_AM) %.3g -> %.3g", worst, he.Iters[0].GradNormSq, e.GradNormSq)
	// Not diverging: every iterate finite, and ‖∇f‖² down by 1e4 after T rounds.
	if e.Status != run.IterationLimit || !(e.GradNormSq < 1e-4*he.Iters[0].GradNormSq) {
		t.Errorf("EF21 with γ_AM: ‖∇f‖² %v -> %v, %v", he.Iters[0].GradNormSq, e.GradNormSq, e.Status)
	}
}

// TestA3 checks the nonconvex theorem bound for every T ≤ 5000:
// (1/T) Σ_{t<T} ‖∇f(xᵗ)‖² ≤ 2(f(x⁰) − f*)/(γT) + G⁰/(θT),
// for EF21 with γ_QM (old G⁰), EF21 with γ_AM (improved G⁰) and EF21-W, each
// from exact and from compressed initial states.
func TestA3(t *testing.T) {
	p := r1(t, 1000)
	n, d := p.N(), p.Dim()
	_, fstar := p.Minimum()
	li := localL(p, n)
	lam := ef21.MeanAM(li)
	// G⁰ of plain EF21 from gᵢ⁰ = TopK(∇fᵢ(x⁰)) at x⁰ = 0: the per-client
	// errors ‖gᵢ⁰ − ∇fᵢ(x⁰)‖².
	x0 := make([]float64, d)
	grad := make([]float64, d)
	var msg linalg.Sparse
	errs := make([]float64, n)
	for i := range n {
		p.Grad(i, grad, x0)
		ef21.TopK{K: 1}.Compress(&msg, grad, nil)
		g := make([]float64, d)
		msg.ScatterTo(g)
		errs[i] = linalg.DistSq(g, grad)
	}
	for _, tc := range []struct {
		name     string
		s        ef21.Settings
		improved bool // G⁰ = (1/n)Σ(L_AM/Lᵢ)‖·‖² instead of (1/n)Σ‖·‖²
	}{
		{name: "EF21/QM/old", s: ef21.Settings{Rule: ef21.RuleQM}},
		{name: "EF21/AM/improved", s: ef21.Settings{}, improved: true},
		{name: "EF21-W/AM", s: ef21.Settings{Weighted: true}},
	} {
		for _, compressed := range []bool{false, true} {
			s := tc.s
			s.MaxIter = 5000
			s.InitCompressed = compressed
			var h ef21.History
			s.Recorder = &h
			r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, &s)
			if err != nil {
				t.Fatal(err)
			}
			g0 := 0.0
			switch {
			case !compressed:
			case tc.s.Weighted:
				g0 = h.Iters[0].G // Σ wᵢ‖gᵢ⁰ − ∇fᵢ/(n wᵢ)‖², as Run reports it
			case tc.improved:
				for i, e := range errs {
					g0 += lam / li[i] * e / float64(n)
				}
			default:
				for _, e := range errs {
					g0 += e / float64(n)
				}
			}
			if compressed && !tc.s.Weighted && math.Abs(h.Iters[0].G-floatsMean(errs)) > 1e-12*h.Iters[0].G {
				t.Errorf("%s: reported G⁰ %v, want (1/n)Σ‖gᵢ⁰−∇fᵢ‖² = %v", tc.name, h.Iters[0].G, floatsMean(errs))
			}
			sum, worst := 0.0, 0.0
			for T := 1; T <= 5000; T++ {
				sum += h.Iters[T-1].GradNormSq
				bound := 2*(h.Iters[0].F-fstar)/(r.Gamma*float64(T)) + g0/(r.Theta*float64(T))
				worst = max(worst, sum/float64(T)/bound)
				if sum/float64(T) > bound {
					t.Fatalf("%s compressed=%v: T = %d: average ‖∇f‖² %.4g > bound %.4g", tc.name, compressed, T, sum/float64(T), bound)
				}
			}
			t.Logf("%s compressed=%v: G⁰ %.3g, max average/bound %.3f", tc.name, compressed, g0, worst)
		}
	}
}

func floatsMean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

// TestA4 checks partial participation with γ_p on R1 (spread 1000): p = 0.5
// reaches ‖∇f‖² < 1e-6 within 4× the rounds of EF21-W, p = 0.2 within 12×.
func TestA4(t *testing.T) {
	base := runR1(t, 1000, ef21.Settings{Weighted: true, Tol: 1e-6, MaxIter: 100000})
	for _, tc := range []struct {
		p, factor float64
	}{{0.5, 4}, {0.2, 12}} {
		r := runR1(t, 1000, ef21.Settings{Weighted: true, P: tc.p, Tol: 1e-6, MaxIter: 100000, Rand: rand.New(rand.NewPCG(7, 0))})
		ratio := float64(r.Iterations) / float64(base.Iterations)
		t.Logf("p = %v: γ_p/γ_AM %.3f, rounds %d vs %d (%.2f×)", tc.p, r.Gamma/base.Gamma, r.Iterations, base.Iterations, ratio)
		if r.Status != run.Converged || ratio > tc.factor {
			t.Errorf("p = %v: %v after %d rounds (%.2f× EF21-W), want converged within %v×", tc.p, r.Status, r.Iterations, ratio, tc.factor)
		}
	}
}

// TestA5 checks EF21-W-SGD on R1 (spread 1000, γ = γ_AM): the noise floor,
// the mean ‖∇f‖² over rounds 19001–20000, shrinks with the batch size:
// floor(B=32)/floor(B=2) ≤ 0.15.
func TestA5(t *testing.T) {
	if testing.Short() {
		t.Skip("40000 rounds")
	}
	floor := func(batch int) float64 {
		var h ef21.History
		runR1(t, 1000, ef21.Settings{Weighted: true, Batch: batch, MaxIter: 20000, Rand: rand.New(rand.NewPCG(3, 0)), Recorder: &h})
		s := 0.0
		for _, v := range h.Series(gradNormSq)[19001:20001] {
			s += v
		}
		return s / 1000
	}
	f2, f32 := floor(2), floor(32)
	t.Logf("floor B=2 %.4g, B=32 %.4g, ratio %.3f", f2, f32, f32/f2)
	if !(f32/f2 <= 0.15) {
		t.Errorf("floor ratio %.3f > 0.15", f32/f2)
	}
}
