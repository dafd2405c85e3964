package bilevel_test

import (
	"testing"

	"github.com/optlearn/optlearn/bilevel"
)

// BenchmarkEPRelax measures free-phase steps (synchronous fixed-point
// updates) per second on the example's 16–32–32–10 net.
func BenchmarkEPRelax(b *testing.B) {
	train, _ := mustTeacher(b, 1, 0)
	net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 90, newRand(1)))
	x := train.Input(0)
	u := make([]float64, net.Dim())
	const steps = 150
	b.ReportAllocs()
	for b.Loop() {
		clear(u)
		if _, _, err := net.Relax(u, x, steps, -1); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(steps*b.N)/b.Elapsed().Seconds(), "steps/s")
}

// BenchmarkEPGradient measures one parameter gradient of one sample (the
// estimator's δ and the outer products) at a relaxed free state, for each
// estimator, on the example's net: EP's nudged phases against the exact
// implicit-differentiation solve.
func BenchmarkEPGradient(b *testing.B) {
	train, _ := mustTeacher(b, 1, 0)
	net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 90, newRand(1)))
	x, y := train.Input(0), train.Y[0]
	u, _, err := net.Relax(nil, x, 150, 1e-10)
	if err != nil {
		b.Fatal(err)
	}
	g := net.NewGrad()
	delta := make([]float64, net.Dim())
	for _, c := range []struct {
		name string
		e    bilevel.Estimator
	}{
		{"ImplicitBP", bilevel.ImplicitBP{}},
		{"GenEPExact", bilevel.GenEPExact{}},
		{"RBP-T2=20", bilevel.RBP{Steps: 20}},
		{"hEP-N=1-T2=20", bilevel.HolomorphicEP{N: 1, Beta: 0.1, Steps: 20, Tol: -1}},
		{"hEP-N=2-T2=20", bilevel.HolomorphicEP{N: 2, Beta: 0.1, Steps: 20, Tol: -1}},
		{"hEP-N=4-T2=20", bilevel.HolomorphicEP{N: 4, Beta: 0.1, Steps: 20, Tol: -1}},
		{"onlineHEP-N=4-T1=1200", bilevel.OnlineHEP{N: 4, Beta: 0.1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.e.Delta(delta, net, x, y, u); err != nil {
					b.Fatal(err)
				}
				if _, err := net.AccumulateGrad(g, 1, x, y, u, delta); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
