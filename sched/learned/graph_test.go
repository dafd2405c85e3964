package learned

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestGraphEqualsFast(t *testing.T) {
	net, err := NewNet(rand.New(rand.NewPCG(7, 8)))
	if err != nil {
		t.Fatal(err)
	}
	// perturb the zero-initialised biases so every weight matters
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range net.W {
		net.W[i] += 0.1 * rng.NormFloat64()
	}
	var worst float64
	n := 0
	for _, in := range append(testInputs(t, 5, 4, 12, 2), testInputs(t, 3, 6, 8, 3)...) {
		want, err := net.GraphLogits(in)
		if err != nil {
			t.Fatal(err)
		}
		var c cache
		c.forward(net.W, in)
		for a := range want {
			g, f := want[a], c.logits[a]
			if math.IsInf(g, -1) != math.IsInf(f, -1) || (!math.IsInf(g, -1) && math.Abs(g-f) > 1e-12) {
				t.Fatalf("logit %d: graph %v, fast %v (diff %g)", a, g, f, g-f)
			}
			if !math.IsInf(g, -1) {
				worst = max(worst, math.Abs(g-f))
				n++
			}
		}
	}
	t.Logf("%d finite logits, worst |graph − fast| = %g", n, worst)
}
