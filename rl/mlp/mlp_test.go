package mlp

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/ppo"
)

// fdCheck compares the gradient a model accumulates with central finite
// differences of f.
func fdCheck(t *testing.T, name string, params, grads [][]float64, f func() float64) {
	t.Helper()
	const h = 1e-6
	for k, p := range params {
		for j := 0; j < len(p); j += 1 + len(p)/7 {
			old := p[j]
			p[j] = old + h
			fp := f()
			p[j] = old - h
			fm := f()
			p[j] = old
			fd := (fp - fm) / (2 * h)
			if math.Abs(fd-grads[k][j]) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("%s: param %d/%d analytic %g, finite difference %g", name, k, j, grads[k][j], fd)
			}
		}
	}
}

func TestGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	obs := []float64{0.3, -0.7, 1.1}
	cat, err := NewCategorical(3, 4, []int{5, 6}, rng)
	if err != nil {
		t.Fatal(err)
	}
	// Make the output layer non-trivial.
	last := len(cat.Net.W) - 1
	for i := range cat.Net.W[last] {
		cat.Net.W[last][i] = rng.NormFloat64()
	}
	ga, err := NewGaussian(3, 2, []int{5}, rng)
	if err != nil {
		t.Fatal(err)
	}
	ga.LogStd[0], ga.LogStd[1] = 0.3, -0.4
	for _, c := range []struct {
		name string
		p    ppo.Differentiable
		a    rl.Action
	}{{"categorical", cat, rl.Action{Discrete: 2}}, {"gaussian", ga, rl.Action{Box: []float64{0.4, -1.2}}}} {
		const wl, we = 0.7, -0.3
		params, grads := c.p.Params()
		for _, g := range grads {
			clear(g)
		}
		c.p.LogProbGrad(obs, c.a, wl, we)
		fdCheck(t, c.name, params, grads, func() float64 {
			lp, h := c.p.LogProbGrad(obs, c.a, 0, 0)
			if lp2 := c.p.LogProb(obs, c.a); math.Abs(lp-lp2) > 1e-12 {
				t.Fatalf("LogProb %v != LogProbGrad %v", lp2, lp)
			}
			return wl*lp + we*h
		})
	}
	cr, err := NewCritic(3, 2, []int{4}, rng)
	if err != nil {
		t.Fatal(err)
	}
	dv := []float64{0.5, -2}
	v := make([]float64, 2)
	params, grads := cr.Params()
	cr.ValueGrad(v, obs, dv)
	fdCheck(t, "critic", params, grads, func() float64 {
		cr.Values(v, obs)
		return dv[0]*v[0] + dv[1]*v[1]
	})
}
