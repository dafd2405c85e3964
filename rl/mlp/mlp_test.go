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

// ActLogProb is Act followed by LogProb, bit for bit and with the same use
// of the random stream.
func TestActLogProbMatchesActThenLogProb(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	cat, err := NewCategorical(4, 3, []int{8}, rng)
	if err != nil {
		t.Fatal(err)
	}
	gau, err := NewGaussian(4, 2, []int{8}, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, pol := range []rl.Policy{cat, gau} {
		alp := pol.(rl.ActLogProber)
		for _, det := range []bool{false, true} {
			r1, r2 := rand.New(rand.NewPCG(9, 1)), rand.New(rand.NewPCG(9, 1))
			for k := 0; k < 50; k++ {
				obs := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
				a1 := pol.Act(obs, det, r1)
				lp1 := pol.LogProb(obs, a1)
				a2, lp2 := alp.ActLogProb(obs, det, r2)
				if a1.Discrete != a2.Discrete || len(a1.Box) != len(a2.Box) || lp1 != lp2 {
					t.Fatalf("%T det=%v: Act+LogProb (%v, %v), ActLogProb (%v, %v)", pol, det, a1, lp1, a2, lp2)
				}
				for i := range a1.Box {
					if a1.Box[i] != a2.Box[i] {
						t.Fatalf("%T: action %v vs %v", pol, a1.Box, a2.Box)
					}
				}
			}
			if r1.Uint64() != r2.Uint64() {
				t.Fatalf("%T det=%v: the random streams diverged", pol, det)
			}
		}
	}
}
