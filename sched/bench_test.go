package sched_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

// BenchmarkPDR runs every PDR on all 80 Taillard instances with the fast
// path, and compares one rule on ta71 between the fast path and the CP
// environment (the baseline).
func BenchmarkPDR(b *testing.B) {
	var tas []*sched.Instance
	for k := 1; k <= 80; k++ {
		in, _ := instances.Taillard(k)
		tas = append(tas, in)
	}
	b.Run("all80/fast", func(b *testing.B) {
		var d sched.Dispatcher
		b.ReportAllocs()
		for b.Loop() {
			for _, in := range tas {
				for _, r := range sched.Rules {
					d.Run(in, r) //nolint:errcheck // benchmark
				}
			}
		}
		b.ReportMetric(float64(b.N*80*len(sched.Rules))/b.Elapsed().Seconds(), "schedules/s")
	})
	ta71 := tas[70]
	b.Run("ta71/fast", func(b *testing.B) {
		var d sched.Dispatcher
		b.ReportAllocs()
		for b.Loop() {
			d.Run(ta71, sched.FDDMWKR)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "schedules/s")
	})
	b.Run("ta71/env", func(b *testing.B) {
		env, _ := sched.NewEnv(ta71, nil)
		b.ReportAllocs()
		for b.Loop() {
			sched.Dispatch(context.Background(), env, sched.FDDMWKR, 0, nil)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "schedules/s")
	})
}

// BenchmarkTabu reports the moves per second of the tabu search with its
// default N6 neighbourhood against the N5 baseline in the same run, on one
// instance of four sizes (fixed iteration count, so the work per op is
// constant).
func BenchmarkTabu(b *testing.B) {
	for _, name := range []string{"ta01", "ta21", "ta41", "ta71"} {
		in, _ := instances.Load(name)
		for _, nb := range []struct {
			name string
			n    sched.Neighbourhood
		}{{"N6", sched.N6}, {"N5", sched.N5}} {
			b.Run(name+"/"+nb.name, func(b *testing.B) {
				b.ReportAllocs()
				evals, iters := 0, 0
				for b.Loop() {
					ts := sched.Tabu{Neighbourhood: nb.n}
					res, _ := ts.Solve(context.Background(), in, &sched.Settings{MaxIter: 5000, Rand: rand.New(rand.NewPCG(1, 0))})
					evals += res.Evaluations
					iters += res.Iterations
				}
				b.ReportMetric(float64(evals)/b.Elapsed().Seconds(), "evals/s")
				b.ReportMetric(float64(iters)/b.Elapsed().Seconds(), "moves/s")
			})
		}
	}
}
