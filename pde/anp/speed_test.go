package anp

import (
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/pde/gpme"
)

// One training step (forward, gradient, Adam) at the shipped size: 16
// functions of 100 contexts and 150 targets, hidden width 32; softc adds
// 16 residual points per function.
func BenchmarkTrainStep(b *testing.B) {
	data := tinyData(b, 6, 50, 1)
	for _, lam := range []float64{0, 1} {
		b.Run(map[float64]string{0: "anp", 1: "softc"}[lam], func(b *testing.B) {
			m, _ := New(Architecture{}, rand.New(rand.NewPCG(1, 0)))
			gr, err := newGraph(m, 16, 100, 150, 16, lam)
			if err != nil {
				b.Fatal(err)
			}
			defer gr.close()
			rng := rand.New(rand.NewPCG(2, 0))
			var opt optim.Adam
			params := m.Params()
			for b.Loop() {
				for k := 0; k < 16; k++ {
					gr.fill(k, &data[k], rng)
				}
				grads, err := gr.run()
				if err != nil {
					b.Fatal(err)
				}
				if err := opt.Step(params, grads); err != nil {
					b.Fatal(err)
				}
				if err := gr.reset(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// ANP inference for the paper's test setting: 100 contexts, 201 targets,
// 100 latent draws (the Predictor call ProbConserv-ANP makes per
// instance), hidden width 32.
func BenchmarkPredict201x100(b *testing.B) {
	m, _ := New(Architecture{}, rand.New(rand.NewPCG(1, 0)))
	c, _ := gpme.CaseByName("Stefan0.6")
	cx, _ := gpme.SampleContexts(c, rand.New(rand.NewPCG(1, 0)), false)
	x, _ := pde.UniformGrid(0, 1, 201)
	p := &Predictor{Model: m, Case: c, Contexts: cx}
	for b.Loop() {
		if _, _, err := p.PredictLatent(c.TEval, x); err != nil {
			b.Fatal(err)
		}
	}
}
