package mcmc

import (
	"context"
	"math"
	"testing"
)

// BenchmarkSamplers compares effective draws per gradient on a 10-D
// Gaussian with correlation 0.9 and scales from 0.1 to 10: HMC and NUTS,
// each with a diagonal and a dense metric.
func BenchmarkSamplers(b *testing.B) {
	sd := make([]float64, 10)
	for i := range sd {
		sd[i] = math.Pow(10, -1+2*float64(i)/9)
	}
	p := corr{0.9, sd}
	for _, s := range []struct {
		name  string
		f     Sampler
		dense bool
	}{{"HMC/diag", HMC, false}, {"HMC/dense", HMC, true}, {"NUTS/diag", NUTS, false}, {"NUTS/dense", NUTS, true}} {
		b.Run(s.name, func(b *testing.B) {
			var ess, grads float64
			for b.Loop() {
				res, err := s.f(context.Background(), p, [][]float64{make([]float64, 10)}, &Settings{Warmup: 500, Draws: 1000, DenseMass: s.dense})
				if err != nil {
					b.Fatal(err)
				}
				e := math.Inf(1)
				for _, v := range BulkESS(res.Chains) {
					e = math.Min(e, v)
				}
				ess += e
				grads += float64(res.Gradients)
			}
			b.ReportMetric(1000*ess/grads, "ESS/kgrad")
		})
	}
}
