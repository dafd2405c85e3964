package ild

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A6: Theorem 2's construction on a random linear ILD (m = 4, D = 3,
// intervened {0, 1}): identity mechanisms on the first m − k latents of
// every domain, the same per-domain means and covariances, the same
// counterfactual maps (all to 1e-9).
func TestCanonicalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 0))
	const m, D = 4, 3
	md, err := RandomLinear(m, D, []int{0, 1}, rng)
	if err != nil {
		t.Fatal(err)
	}
	cm, err := Canonicalize(md, []int{0, 1})
	if err != nil {
		t.Fatal(err)
	}
	worst := 0.0
	for d := 0; d < D; d++ {
		for j := 0; j < m-2; j++ {
			worst = math.Max(worst, math.Abs(cm.S[d][j]-1)+math.Abs(cm.B[d][j]))
			for i := 0; i < j; i++ {
				worst = math.Max(worst, math.Abs(cm.L[d][j*m+i]))
			}
		}
		m1, c1, _ := md.Moments(d)
		m2, c2, _ := cm.Moments(d)
		for i := range m1 {
			worst = math.Max(worst, math.Abs(m1[i]-m2[i]))
		}
		for i := range c1 {
			worst = math.Max(worst, math.Abs(c1[i]-c2[i]))
		}
	}
	for k := 0; k < 1000; k++ {
		x := []float64{rng.NormFloat64() * 2, rng.NormFloat64() * 2, rng.NormFloat64() * 2, rng.NormFloat64() * 2}
		d, dp := rng.IntN(D), rng.IntN(D)
		a, _ := md.Counterfactual(nil, x, d, dp)
		b, _ := cm.Counterfactual(nil, x, d, dp)
		for i := range a {
			worst = math.Max(worst, math.Abs(a[i]-b[i]))
		}
	}
	if worst > 1e-9 {
		t.Errorf("largest deviation %.3g", worst)
	}
	if _, err := Canonicalize(md, []int{0}); err == nil {
		t.Error("a differing mechanism not listed as intervened was accepted")
	}
}
