package constrained

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/linalg"
)

// TestMeritGradient checks ∇L_{μ,ν}ᵀz against a central difference of the
// merit function along z, at random points, multipliers and directions.
func TestMeritGradient(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	p := problems.HS77()
	d, m := p.Dims()
	for trial := range 5 {
		set, _ := (&Settings{}).withDefaults()
		w := newWork(d, m)
		sv := solver{p: p, s: set, w: w, d: d, m: m, mu: 0.5 + rng.Float64()*10, nu: rng.Float64()}
		for i := range w.cur.x {
			w.cur.x[i] = 1 + 0.5*rng.NormFloat64()
		}
		for i := range w.cur.l {
			w.cur.l[i] = rng.NormFloat64()
		}
		if !sv.eval(&w.cur) {
			t.Fatal("non-finite")
		}
		p.HessLag(w.H, w.cur.x, w.cur.l)
		sv.meritGradParts()
		z := make([]float64, d+m)
		for i := range z {
			z[i] = rng.NormFloat64()
		}
		q := sv.dirDeriv(z)
		const h = 1e-6
		at := func(s float64) float64 {
			linalg.AxpyTo(w.trial.x, s, z[:d], w.cur.x)
			linalg.AxpyTo(w.trial.l, s, z[d:], w.cur.l)
			sv.eval(&w.trial)
			return sv.merit(&w.trial)
		}
		fd := (at(h) - at(-h)) / (2 * h)
		if math.Abs(fd-q) > 1e-6*math.Max(1, math.Abs(fd)) {
			t.Errorf("trial %d: directional derivative %.10g, central difference %.10g", trial, q, fd)
		}
	}
}
