package ef21_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
)

// rareProblem is least squares over n = 10 clients in d = 20 where client i
// touches only coordinates 2i, 2i+1 and 2i+2 (mod d): no coordinate is
// shared by more than two clients. Scales grow with i so the Lᵢ differ.
func rareProblem(t *testing.T) *problems.LeastSquares {
	t.Helper()
	const n, d, m = 10, 20, 30
	rng := rand.New(rand.NewPCG(4, 0))
	a, b := make([][]float64, n), make([][]float64, n)
	for i := range n {
		s := math.Pow(30, float64(i)/float64(2*(n-1)))
		a[i] = make([]float64, m*d)
		b[i] = make([]float64, m)
		for r := range m {
			for _, c := range []int{2 * i, 2*i + 1, (2*i + 2) % d} {
				a[i][r*d+c] = s * rng.NormFloat64()
			}
			b[i][r] = s * rng.NormFloat64()
		}
	}
	p, err := problems.NewLeastSquares(d, a, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestRareFeatures checks the rare-features step: W_c from the supports,
// a step larger than γ_AM, and the nonconvex theorem bound with that step.
func TestRareFeatures(t *testing.T) {
	p := rareProblem(t)
	n := p.N()
	li := localL(p, n)
	// Coordinate 2i is shared by clients i and i−1.
	wantWc := 0.0
	for i := range n {
		wantWc = max(wantWc, (li[i]+li[(i+n-1)%n])/(float64(n)*ef21.MeanAM(li)))
	}
	_, fstar := p.Minimum()
	var h ef21.History
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{Weighted: true, Rule: ef21.RuleRare, MaxIter: 5000, Recorder: &h})
	if err != nil {
		t.Fatal(err)
	}
	am := ef21.StepsizeAM(p.Smoothness(), li, 1.0/20)
	t.Logf("W_c %.3f, γ_rare/γ_AM %.3f, final ‖∇f‖² %.3g", r.Wc, r.Gamma/am, r.GradNormSq)
	if math.Abs(r.Wc-wantWc) > 1e-12*wantWc || !(r.Gamma > 1.2*am) {
		t.Errorf("W_c = %v (want %v), γ = %v vs γ_AM = %v", r.Wc, wantWc, r.Gamma, am)
	}
	sum := 0.0
	for T := 1; T <= 5000; T++ {
		sum += h.Iters[T-1].GradNormSq
		if bound := 2 * (h.Iters[0].F - fstar) / (r.Gamma * float64(T)); sum/float64(T) > bound {
			t.Fatalf("T = %d: average ‖∇f‖² %.4g > bound %.4g", T, sum/float64(T), bound)
		}
	}
	if !(r.GradNormSq < 1e-4*h.Iters[0].GradNormSq) {
		t.Errorf("‖∇f‖² %v -> %v", h.Iters[0].GradNormSq, r.GradNormSq)
	}
	// Needs supports, and full participation.
	type plain struct{ ef21.Oracle }
	if _, err := ef21.Run(context.Background(), plain{p}, ef21.TopK{K: 1}, make([]float64, 20),
		&ef21.Settings{Rule: ef21.RuleRare, L: li, LGlobal: p.Smoothness()}); !errors.Is(err, ef21.ErrSettings) {
		t.Errorf("no Supporter: err = %v", err)
	}
	if _, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 20),
		&ef21.Settings{Rule: ef21.RuleRare, P: 0.5}); !errors.Is(err, ef21.ErrSettings) {
		t.Errorf("P < 1: err = %v", err)
	}
	// Dense supports give W_c = 1 and γ_AM back.
	if w := ef21.RareOverlap([]float64{0.25, 0.75}, [][]int{nil, {0, 3}}, 4); w != 1 {
		t.Errorf("RareOverlap = %v, want 1", w)
	}
}
