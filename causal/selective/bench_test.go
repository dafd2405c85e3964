package selective

import (
	"context"
	"fmt"
	"github.com/optlearn/optlearn/run/cputime"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/optlearn/optlearn/mcmc"
)

// BenchmarkSample measures HMC on an R1 model (N = 5000, uniform Z, the
// prevalence constraint, data set 0) from its MAP with the Laplace scales:
// "chains=1" runs one chain, "chains=2" two chains in parallel goroutines,
// each 200 warm-up and 300 kept draws; both report kept draws/s, gradients
// per draw and the smallest bulk ESS per second (rough at 300 draws per
// chain), by wall clock and per CPU second of the process. "speedup"
// alternates the two in one loop, so that load on the machine hits both
// alike, and reports the 2-chain draw rate over the 1-chain one by wall
// clock (2 is perfect on 2 free cores; on a loaded machine it measures the
// scheduler's share as much as the code) and per CPU second (1 means no
// parallel overhead).
func BenchmarkSample(b *testing.B) {
	syn, _ := Generate(5000, 5, rand.New(rand.NewPCG(0, 0)))
	prev := 0.0
	for _, y := range syn.YAll {
		prev += float64(y) / 5000
	}
	md, _ := New(syn.X, syn.T, syn.Y, &Settings{Prevalence: prev, Lambda: 1.25e5})
	th, _, err := md.MAP(nil)
	if err != nil {
		b.Fatal(err)
	}
	cov, err := md.Laplace(th)
	if err != nil {
		b.Fatal(err)
	}
	// sample returns the wall and CPU seconds, kept draws, gradients and
	// smallest ESS
	sample := func(chains int, seed uint64) (float64, float64, int, int64, float64) {
		c0, _ := cputime.Process()
		t0 := time.Now()
		post, err := md.Sample(context.Background(), th, cov, mcmc.HMC, &mcmc.Settings{Chains: chains, Warmup: 200, Draws: 300}, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			b.Fatal(err)
		}
		ess := math.Inf(1)
		for _, e := range post.ESS {
			ess = math.Min(ess, e)
		}
		c1, _ := cputime.Process()
		return time.Since(t0).Seconds(), (c1 - c0).Seconds(), len(post.Draws), post.Gradients, ess
	}
	for _, chains := range []int{1, 2} {
		b.Run(fmt.Sprintf("chains=%d", chains), func(b *testing.B) {
			var secs, cpu, ess float64
			var draws int
			var grads int64
			seed := uint64(0)
			for b.Loop() {
				s, c, d, g, e := sample(chains, seed)
				secs, cpu, draws, grads, ess = secs+s, cpu+c, draws+d, grads+g, ess+e
				seed++
			}
			b.ReportMetric(float64(draws)/secs, "draws/s")
			b.ReportMetric(float64(draws)/cpu, "draws/cpu-s")
			b.ReportMetric(float64(grads)/float64(draws)*300/500, "grads/draw")
			b.ReportMetric(ess/secs, "minESS/s")
			b.ReportMetric(ess/cpu, "minESS/cpu-s")
		})
	}
	b.Run("speedup", func(b *testing.B) {
		var w1, w2, c1, c2 float64
		seed := uint64(0)
		for b.Loop() {
			t1, u1, d1, _, _ := sample(1, seed)
			t2, u2, d2, _, _ := sample(2, seed)
			w1, w2 = w1+float64(d1)/t1, w2+float64(d2)/t2
			c1, c2 = c1+float64(d1)/u1, c2+float64(d2)/u2
			seed++
		}
		b.ReportMetric(w2/w1, "speedup")
		b.ReportMetric(c2/c1, "cpu-efficiency")
		b.ReportMetric(float64(runtime.GOMAXPROCS(0)), "procs")
	})
}
