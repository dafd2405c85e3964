package learned

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/sched"
)

// testInputs plays a few random steps on a small generated instance and
// returns the encoded observations along the way.
func testInputs(t testing.TB, n, m, steps int, seed uint64) []*Input {
	t.Helper()
	inst, err := sched.GenerateTaillard(n, m, 12345+int64(seed), 678+int64(seed))
	if err != nil {
		t.Fatal(err)
	}
	env, err := sched.NewEnv(inst, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var o sched.Obs
	var out []*Input
	for s := 0; s < steps && !env.Done(); s++ {
		env.Observe(&o)
		var in Input
		if err := Encode(&o, &in); err != nil {
			t.Fatal(err)
		}
		out = append(out, in.Clone())
		var legal []int
		for a, ok := range o.Legal {
			if ok {
				legal = append(legal, a)
			}
		}
		env.Step([]int{legal[rng.IntN(len(legal))]})
	}
	return out
}

func TestGradientFiniteDifference(t *testing.T) {
	net, err := NewNet(rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	ins := testInputs(t, 4, 3, 6, 1)
	rng := rand.New(rand.NewPCG(9, 9))
	for k, in := range []*Input{ins[0], ins[len(ins)-1]} {
		dl := make([]float64, in.J+1)
		for a := range dl {
			if in.Legal[a] {
				dl[a] = rng.NormFloat64()
			}
		}
		f := func(w []float64) float64 {
			var c cache
			c.forward(w, in)
			var s float64
			for a, d := range dl {
				if in.Legal[a] {
					s += d * c.logits[a]
				}
			}
			return s
		}
		var c cache
		c.forward(net.W, in)
		g := make([]float64, NumParams)
		c.backward(net.W, g, dl)
		w := append([]float64(nil), net.W...)
		var worst float64
		for i := range w {
			h := 1e-6
			w[i] += h
			fp := f(w)
			w[i] -= 2 * h
			fm := f(w)
			w[i] += h
			fd := (fp - fm) / (2 * h)
			worst = max(worst, math.Abs(fd-g[i])/(1+math.Abs(fd)))
		}
		if worst > 1e-6 {
			t.Fatalf("input %d: worst relative gradient error %g", k, worst)
		}
	}
}
