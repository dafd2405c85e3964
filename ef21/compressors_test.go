package ef21_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/linalg"
)

func TestCompressors(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	const d = 50
	v := make([]float64, d)
	for j := range v {
		v[j] = rng.NormFloat64()
	}
	dense := make([]float64, d)
	for _, tc := range []struct {
		c     ef21.Compressor
		alpha float64
		nnz   int
	}{
		{ef21.TopK{K: 1}, 1.0 / d, 1},
		{ef21.TopK{K: 7}, 7.0 / d, 7},
		{ef21.RandK{K: 5}, 5.0 / d, 5},
		{ef21.Identity{}, 1, d},
	} {
		if a := tc.c.Alpha(d); a != tc.alpha {
			t.Errorf("%T%v: alpha %v, want %v", tc.c, tc.c, a, tc.alpha)
		}
		if !tc.c.Homogeneous() {
			t.Errorf("%T: not homogeneous", tc.c)
		}
		// Contraction: ‖C(v) − v‖² ≤ (1 − α)‖v‖², in expectation for RandK.
		var msg linalg.Sparse
		mean := 0.0
		const reps = 2000
		for range reps {
			tc.c.Compress(&msg, v, rng)
			if msg.N != d || msg.NNZ() != tc.nnz {
				t.Fatalf("%T: N %d, nnz %d", tc.c, msg.N, msg.NNZ())
			}
			mean += linalg.DistSq(msg.ScatterTo(dense), v) / reps
		}
		bound := (1 - tc.alpha) * linalg.SqNorm(v)
		if _, random := tc.c.(ef21.RandK); random {
			if math.Abs(mean-bound) > 0.05*bound {
				t.Errorf("RandK: E‖C(v)−v‖² = %v, want %v", mean, bound)
			}
		} else if mean > bound*(1+1e-12) {
			t.Errorf("%T: ‖C(v)−v‖² = %v > %v", tc.c, mean, bound)
		}
		// Homogeneity with the same draws.
		s1, s2 := rand.New(rand.NewPCG(5, 5)), rand.New(rand.NewPCG(5, 5))
		var m1, m2 linalg.Sparse
		tv := make([]float64, d)
		linalg.ScaleTo(tv, 3.5, v)
		tc.c.Compress(&m1, v, s1)
		tc.c.Compress(&m2, tv, s2)
		for k := range m1.Index {
			if m1.Index[k] != m2.Index[k] || m2.Value[k] != 3.5*m1.Value[k] {
				t.Errorf("%T: C(3.5v) ≠ 3.5·C(v) at entry %d", tc.c, k)
			}
		}
	}
	for _, bad := range []ef21.Compressor{ef21.TopK{K: 0}, ef21.TopK{K: d + 1}, ef21.RandK{}} {
		if a := bad.Alpha(d); a > 0 && a <= 1 {
			t.Errorf("%T%v: alpha %v in (0,1]", bad, bad, a)
		}
	}
}

func TestMessageBits(t *testing.T) {
	var m linalg.Sparse
	m.Reset(30)
	if b := ef21.MessageBits(&m); b != 0 {
		t.Errorf("empty: %d bits", b)
	}
	m.Append(3, 1)
	m.Append(29, 2)
	if b := ef21.MessageBits(&m); b != 2*(64+5) {
		t.Errorf("2 of 30: %d bits, want %d", b, 2*69)
	}
	ef21.Identity{}.Compress(&m, make([]float64, 30), nil)
	if b := ef21.MessageBits(&m); b != 30*64 {
		t.Errorf("dense: %d bits, want %d", b, 30*64)
	}
}

func TestStepsizes(t *testing.T) {
	// α = 1: θ = 1, β = 0, γ = 1/L.
	if ef21.Theta(1) != 1 || ef21.Beta(1) != 0 || ef21.StepsizeAM(2, []float64{5, 7}, 1) != 0.5 {
		t.Error("α = 1 does not reduce to gradient descent")
	}
	// √(β/θ) ≈ 2/α for small α.
	a := 1e-3
	if r := math.Sqrt(ef21.Beta(a)/ef21.Theta(a)) * a / 2; math.Abs(r-1) > 1e-3 {
		t.Errorf("√(β/θ)·α/2 = %v, want ≈ 1", r)
	}
	li := []float64{1, 3}
	if ef21.MeanAM(li) != 2 || math.Abs(ef21.MeanQM(li)-math.Sqrt(5)) > 1e-15 {
		t.Error("means")
	}
	// Known values: α = 0.75, θ = 0.5, β = 0.5, √(β/θ) = 1.
	if g := ef21.StepsizeQM(1, li, 0.75); math.Abs(g-1/(1+math.Sqrt(5))) > 1e-15 {
		t.Errorf("γ_QM = %v", g)
	}
	if g := ef21.StepsizeAM(1, li, 0.75); math.Abs(g-1.0/3) > 1e-15 {
		t.Errorf("γ_AM = %v", g)
	}
	// PP with p = 0.5: θ_p = 0.125, β_p = 0.25 + 0.5 + 2·0.25/(0.25) = 2.75.
	if g := ef21.StepsizePP(1, li, 0.75, 0.5); math.Abs(g-1/(1+2*math.Sqrt(22))) > 1e-15 {
		t.Errorf("γ_p = %v", g)
	}
}
