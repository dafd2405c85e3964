package learned_test

import (
	"context"
	"github.com/optlearn/optlearn/run/cputime"
	"testing"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
	"github.com/optlearn/optlearn/sched/learned"
)

// BenchmarkLogitsTa71 times one inference decision (encode + fast forward)
// on the first state of ta71 (100×20); decisions/s = 1e9 / ns/op.
func BenchmarkLogitsTa71(b *testing.B) {
	inst, err := instances.Taillard(71)
	if err != nil {
		b.Fatal(err)
	}
	env, _ := sched.NewEnv(inst, nil)
	// a mid-episode state: half the operations dispatched by MWKR order
	var o sched.Obs
	for i := 0; i < inst.N*inst.M/2; i++ {
		env.Observe(&o)
		best := -1
		for j := 0; j < inst.N; j++ {
			if o.Legal[j] && (best < 0 || o.Rem[j] > o.Rem[best]) {
				best = j
			}
		}
		env.Step([]int{best})
	}
	env.Observe(&o)
	net, _ := learned.Shipped()
	p := net.Policy()
	dst := make([]float64, inst.N+1)
	b.ReportAllocs()
	b.ResetTimer()
	c0, _ := cputime.Process()
	for i := 0; i < b.N; i++ {
		if _, err := p.Logits(&o, dst); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
	if c1, _ := cputime.Process(); c1 > c0 {
		b.ReportMetric(float64(b.N)/(c1-c0).Seconds(), "decisions/cpu-s")
	}
}

// BenchmarkRolloutTa71 times one sampled episode on ta71 (environment,
// observation and network), sequentially; compare with the MWKR softmax
// baseline of the same run.
func BenchmarkRolloutTa71(b *testing.B) {
	inst, _ := instances.Taillard(71)
	net, _ := learned.Shipped()
	for _, c := range []struct {
		name string
		p    func() sched.Policy
	}{{"learned", func() sched.Policy { return net.Policy() }}, {"MWKRSoftmax", func() sched.Policy { return learned.MWKRSoftmax{} }}} {
		b.Run(c.name, func(b *testing.B) {
			var dec int
			c0, _ := cputime.Process()
			for i := 0; i < b.N; i++ {
				r, err := learned.BestOf(context.Background(), inst, c.p, &learned.InferSettings{Rollouts: 1, Workers: 1})
				if err != nil {
					b.Fatal(err)
				}
				dec += r.Decisions
			}
			b.ReportMetric(float64(dec)/b.Elapsed().Seconds(), "decisions/s")
			if c1, _ := cputime.Process(); c1 > c0 {
				b.ReportMetric(float64(dec)/(c1-c0).Seconds(), "decisions/cpu-s")
			}
		})
	}
}
