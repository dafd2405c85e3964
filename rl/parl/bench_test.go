package parl

import (
	"context"
	"math/rand/v2"
	"testing"
)

// BenchmarkHypergradient times one A-PARL hypergradient: the exact
// lower-level solve (soft value iteration with successor features) plus
// 32 sampled trajectories and their scores, on LavaGrid-5 and a 20×20
// grid (horizon 40); /exact is the dynamic-programming ∇F beside it.
func BenchmarkHypergradient(b *testing.B) {
	big, err := Grid(20, 40, [][2]int{{10, 0}, {10, 1}, {10, 2}, {11, 5}, {15, 15}})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		m    *MDP
	}{{"lavagrid5", LavaGrid5()}, {"grid20", big}} {
		nu := []float64{1, -0.3, 0.2}
		b.Run(c.name+"/aparl", func(b *testing.B) {
			s := &Settings{Rand: rand.New(rand.NewPCG(1, 0))}
			for b.Loop() {
				p, _ := SoftValueIteration(c.m, nu, 0.1)
				if _, err := Estimate(context.Background(), p, TrueReturn{Noise: 0.1}, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "hypergrads/s")
		})
		b.Run(c.name+"/exact", func(b *testing.B) {
			for b.Loop() {
				p, _ := SoftValueIteration(c.m, nu, 0.1)
				p.Value(nil)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "grads/s")
		})
	}
}
