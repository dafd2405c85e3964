package ppo

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
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

func TestNetworkGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	obs := []float64{0.3, -0.7, 1.1}
	cat, err := NewCategoricalMLP(3, 4, []int{5, 6}, rng)
	if err != nil {
		t.Fatal(err)
	}
	// Make the output layer non-trivial.
	last := len(cat.Net.W) - 1
	for i := range cat.Net.W[last] {
		cat.Net.W[last][i] = rng.NormFloat64()
	}
	ga, err := NewGaussianMLP(3, 2, []int{5}, rng)
	if err != nil {
		t.Fatal(err)
	}
	ga.LogStd[0], ga.LogStd[1] = 0.3, -0.4
	for _, c := range []struct {
		name string
		p    Differentiable
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
	cr, err := NewCriticMLP(3, 2, []int{4}, rng)
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
	cat, err := NewCategoricalMLP(4, 3, []int{8}, rng)
	if err != nil {
		t.Fatal(err)
	}
	gau, err := NewGaussianMLP(4, 2, []int{8}, rng)
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

// The batched passes of the network models equal their per-sample
// LogProbGrad / ValueGrad to 1e-12.
func TestNetworkBatchMatchesPerSample(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	const rows, in = 13, 4
	X := make([]float64, rows*in)
	for i := range X {
		X[i] = rng.NormFloat64()
	}
	wl := make([]float64, rows)
	for i := range wl {
		wl[i] = rng.NormFloat64()
	}
	const we = -0.3
	cat, _ := NewCategoricalMLP(in, 3, nil, rng)
	for i := range cat.Net.W[2] {
		cat.Net.W[2][i] = rng.NormFloat64()
	}
	gau, _ := NewGaussianMLP(in, 2, []int{16}, rng)
	gau.LogStd[0], gau.LogStd[1] = 0.2, -0.5
	acts := map[Differentiable][]rl.Action{}
	for r := range rows {
		acts[cat] = append(acts[cat], rl.Action{Discrete: r % 3})
		acts[gau] = append(acts[gau], rl.Action{Box: []float64{rng.NormFloat64(), rng.NormFloat64()}})
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(a)) }
	for _, p := range []BatchDifferentiable{cat, gau} {
		_, grads := p.Params()
		for _, g := range grads {
			clear(g)
		}
		lp, ent := make([]float64, rows), make([]float64, rows)
		if err := p.LogProbBatch(lp, ent, X, acts[p]); err != nil {
			t.Fatal(err)
		}
		if err := p.GradBatch(wl, we); err != nil {
			t.Fatal(err)
		}
		batched := make([][]float64, len(grads))
		for k, g := range grads {
			batched[k] = append([]float64(nil), g...)
			clear(g)
		}
		for r := range rows {
			l1, h1 := p.LogProbGrad(X[r*in:(r+1)*in], acts[p][r], wl[r], we)
			if !close(l1, lp[r]) || !close(h1, ent[r]) {
				t.Fatalf("%T row %d: batched (%v, %v), per-sample (%v, %v)", p, r, lp[r], ent[r], l1, h1)
			}
		}
		for k, g := range grads {
			for j := range g {
				if !close(g[j], batched[k][j]) {
					t.Fatalf("%T grad %d[%d]: batched %v, per-sample %v", p, k, j, batched[k][j], g[j])
				}
			}
		}
	}
	cr, _ := NewCriticMLP(in, 2, nil, rng)
	v := make([]float64, rows*2)
	dv := make([]float64, rows*2)
	for i := range dv {
		dv[i] = rng.NormFloat64()
	}
	_, grads := cr.Params()
	if err := cr.ValuesBatch(v, X); err != nil {
		t.Fatal(err)
	}
	if err := cr.ValueGradBatch(dv); err != nil {
		t.Fatal(err)
	}
	batched := make([][]float64, len(grads))
	for k, g := range grads {
		batched[k] = append([]float64(nil), g...)
		clear(g)
	}
	v1 := make([]float64, 2)
	for r := range rows {
		cr.ValueGrad(v1, X[r*in:(r+1)*in], dv[r*2:(r+1)*2])
		if !close(v1[0], v[2*r]) || !close(v1[1], v[2*r+1]) {
			t.Fatalf("critic row %d: batched %v, per-sample %v", r, v[2*r:2*r+2], v1)
		}
	}
	for k, g := range grads {
		for j := range g {
			if !close(g[j], batched[k][j]) {
				t.Fatalf("critic grad %d[%d]: batched %v, per-sample %v", k, j, batched[k][j], g[j])
			}
		}
	}
}
