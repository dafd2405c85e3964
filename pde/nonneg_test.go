package pde

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// TestProjectNonNegativeKKT checks feasibility and the KKT conditions (a
// single multiplier λ with uᵢ = max(0, μᵢ + λdᵢgᵢ)), which are sufficient
// for this convex problem, and that μ and μ̃ give the same answer.
func TestProjectNonNegativeKKT(t *testing.T) {
	rng := rand.New(rand.NewPCG(40, 0))
	for trial := 0; trial < 50; trial++ {
		n := 5 + rng.IntN(200)
		mu, d := randVec(rng, n), randDiag(rng, n)
		g := make([]float64, n)
		for i := range g {
			g[i] = 0.1 + rng.Float64()
		}
		b := 0.5 + 2*rng.Float64()
		u, err := ProjectNonNegative(mu, d, g, b)
		if err != nil {
			t.Fatal(err)
		}
		var gu float64
		lam := math.NaN()
		for i := range u {
			if u[i] < 0 {
				t.Fatalf("trial %d: u[%d] = %g < 0", trial, i, u[i])
			}
			gu += g[i] * u[i]
			if u[i] > 0 {
				l := (u[i] - mu[i]) / (d[i] * g[i])
				if math.IsNaN(lam) {
					lam = l
				} else if math.Abs(l-lam) > 1e-9*math.Max(1, math.Abs(lam)) {
					t.Fatalf("trial %d: multipliers %g and %g differ", trial, lam, l)
				}
			}
		}
		if math.Abs(gu-b) > 1e-12*math.Max(1, b) {
			t.Errorf("trial %d: gᵀu = %.15g, want %g", trial, gu, b)
		}
		for i := range u {
			if u[i] == 0 && mu[i]+lam*d[i]*g[i] > 1e-9 {
				t.Errorf("trial %d: point %d clipped but μ+λdg = %g > 0", trial, i, mu[i]+lam*d[i]*g[i])
			}
		}
		// Same answer from the updated mean μ̃.
		mt, _, err := ConservationUpdate(mu, Diagonal(d), MassConstraint(g, b))
		if err != nil {
			t.Fatal(err)
		}
		u2, err := ProjectNonNegative(mt, d, g, b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range u {
			if math.Abs(u[i]-u2[i]) > 1e-9 {
				t.Fatalf("trial %d: from μ %g, from μ̃ %g", trial, u[i], u2[i])
			}
		}
	}
	for _, tc := range []struct {
		mu, d, g []float64
		b        float64
	}{
		{[]float64{1, 1}, []float64{1, 1}, []float64{1, 0}, 1},
		{[]float64{1, 1}, []float64{1, 1}, []float64{1, 1}, -1},
		{[]float64{-1, 1}, []float64{0, 1}, []float64{1, 1}, 1},
		{[]float64{math.NaN(), 1}, []float64{1, 1}, []float64{1, 1}, 1},
	} {
		if _, err := ProjectNonNegative(tc.mu, tc.d, tc.g, tc.b); !errors.Is(err, ErrSettings) && !errors.Is(err, ErrNotFinite) && !errors.Is(err, ErrInfeasible) {
			t.Errorf("ProjectNonNegative(%v, %v, %v, %g): err = %v", tc.mu, tc.d, tc.g, tc.b, err)
		}
	}
}
