package multiwinner

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkGreedyCC times greedy Chamberlin–Courant for m = 500 items,
// 2000 rankings and k = 20 under a proportional quota, lazy against plain
// re-evaluation of every gain (same committee).
func BenchmarkGreedyCC(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 0))
	const m, n, k = 500, 2000, 20
	w := make([]float64, m)
	for c := range w {
		w[c] = rng.Float64()
	}
	group := TwoGroups(m)
	wb, _ := Biased(nil, w, group, []float64{1, 0.5})
	rk, _ := Thurstone{Sigma: 0.1}.Sample(wb, n, rng)
	p, _ := NewProfile(m, rk, group)
	q, _ := Proportional(p.GroupSizes(), k)
	for _, c := range []struct {
		name string
		m    Method
	}{{"lazy", Greedy}, {"plain", PlainGreedy}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := Select(context.Background(), CC{}, p, k, q, &Settings{Method: c.m, Rand: rand.New(rand.NewPCG(2, 0))}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
