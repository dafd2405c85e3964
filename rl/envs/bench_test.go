package envs

import (
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
)

// nullEnv is the baseline: an environment that does nothing.
type nullEnv struct{ obs []float64 }

func (e *nullEnv) Spec() rl.Spec              { return rl.Spec{Action: rl.Discrete(2), Objectives: 1} }
func (e *nullEnv) Reset(*rand.Rand) []float64 { return e.obs }
func (e *nullEnv) Step(rl.Action, []float64) ([]float64, rl.Done, error) {
	return e.obs, rl.Running, nil
}

// BenchmarkStep reports environment steps per second, with a do-nothing
// environment as the baseline.
func BenchmarkStep(b *testing.B) {
	for _, c := range []struct {
		name string
		env  rl.MOEnv
		act  func(i int) rl.Action
	}{
		{"null", &nullEnv{obs: make([]float64, 4)}, func(i int) rl.Action { return rl.Action{Discrete: i & 1} }},
		{"dst", NewDST(), func(i int) rl.Action { return rl.Action{Discrete: i & 3} }},
		{"cartpole", NewCartPole(), func(i int) rl.Action { return rl.Action{Discrete: i & 1} }},
		{"pendulum-energy", NewPendulum(true), func(i int) rl.Action { return rl.Action{Box: []float64{float64(i&1) - 0.5}} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 0))
			r := make([]float64, c.env.Spec().Objectives)
			acts := []rl.Action{c.act(0), c.act(1), c.act(2), c.act(3)}
			c.env.Reset(rng)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				_, done, _ := c.env.Step(acts[i&3], r)
				if done != rl.Running {
					c.env.Reset(rng)
				}
				i++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "steps/s")
		})
	}
}
