package famo2o

import (
	"context"
	"math/rand/v2"
	"testing"
)

func benchLearner(b *testing.B, m Method, hidden int) *Learner {
	b.Helper()
	d, err := PendulumDataset(context.Background(), D2Medium, 10, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	l, err := New(NewPendulum, d, &Settings{Method: m, Hidden: []int{hidden, hidden}, BatchSize: 256})
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkUpdate measures gradient updates per second at batch 256 with
// the spec's 2×64 networks (and the official 2×256).
func BenchmarkUpdate(b *testing.B) {
	for _, h := range []int{64, 256} {
		for _, m := range []Method{IQL, FamO2O, RandomBeta} {
			b.Run(m.String()+"/h"+itoa(h), func(b *testing.B) {
				l := benchLearner(b, m, h)
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if _, err := l.Update(Online); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
			})
		}
	}
}

// BenchmarkEnvStep measures online steps per second: one environment step
// with the exploration policy and no update (the rollout cost alone), and
// one step plus its update (what Run does online).
func BenchmarkEnvStep(b *testing.B) {
	b.Run("act-only/FamO2O", func(b *testing.B) {
		l := benchLearner(b, FamO2O, 64)
		b.ResetTimer()
		for range b.N {
			if err := l.envStep(); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envsteps/s")
	})
	b.Run("step+update/FamO2O", func(b *testing.B) {
		l := benchLearner(b, FamO2O, 64)
		b.ResetTimer()
		for range b.N {
			if err := l.envStep(); err != nil {
				b.Fatal(err)
			}
			if _, err := l.Update(Online); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "envsteps/s")
	})
}

func itoa(n int) string {
	s := ""
	for n > 0 {
		s = string(rune('0'+n%10)) + s
		n /= 10
	}
	return s
}
