package anp_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/pde/anp"
	"github.com/optlearn/optlearn/pde/gpme"
)

// Train a small ANP for a few steps on Stefan functions.
func ExampleTrain() {
	data, err := anp.MakeData([]anp.Family{anp.Stefan}, 4, 10, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		panic(err)
	}
	m, err := anp.New(anp.Architecture{Hidden: 8, Heads: 2}, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		panic(err)
	}
	res, err := anp.Train(context.Background(), m, data, &anp.Settings{MaxIter: 3, Batch: 2})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Iterations, res.Status, !math.IsNaN(res.Loss))
	// Output: 3 Completed true
}

// ProbConserv-ANP with the shipped weights: constrain each of the 100
// latent draws, then aggregate; the mean conserves the mass exactly.
func ExamplePredictor_PredictLatent() {
	m, err := anp.Pretrained(anp.Stefan, false)
	if err != nil {
		panic(err)
	}
	c, _ := gpme.CaseByName("Stefan0.6")
	cx, _ := gpme.SampleContexts(c, rand.New(rand.NewPCG(1, 0)), false)
	x, _ := pde.UniformGrid(0, 1, 201)
	w, _ := pde.TrapezoidWeights(x)
	mass := pde.MassConstraint(w, c.Solution.Mass(c.TEval))
	p := &anp.Predictor{Model: m, Case: c, Contexts: cx}
	mus, covs, err := p.PredictLatent(c.TEval, x)
	if err != nil {
		panic(err)
	}
	agg, err := pde.AggregateLatent(mus, covs, &mass)
	if err != nil {
		panic(err)
	}
	ce, _ := pde.ConservationError(agg.Mean, w, c.Solution.Mass(c.TEval))
	fmt.Println(len(mus), "draws; conserved:", math.Abs(ce) < 1e-12)
	// Output: 100 draws; conserved: true
}

// Condition on contexts and decode at two points for the latent mean.
func ExampleModel_Condition() {
	m, _ := anp.New(anp.Architecture{Hidden: 8, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	c, err := m.Condition([]float64{0.1, 0.5}, []float64{0.2, 0.7}, []float64{1, 0})
	if err != nil {
		panic(err)
	}
	means, stds, err := c.Decode([]float64{0.3, 0.3}, []float64{0.1, 0.9}, [][]float64{c.ZMean})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(means[0]), stds[0][0] > 0)
	// Output: 2 true
}

// Save and load a checkpoint: the weights come back bit for bit.
func ExampleLoad() {
	m, _ := anp.New(anp.Architecture{Hidden: 8, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	var buf bytes.Buffer
	if err := m.Save(&buf, map[string]string{"note": "untrained"}); err != nil {
		panic(err)
	}
	m2, meta, err := anp.Load(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(meta["note"], m2.NumParams() == m.NumParams(), m2.Params()[0][0] == m.Params()[0][0])
	// Output: untrained true true
}

// The shipped weights: one ANP and one SoftC-ANP per GPME family.
func ExamplePretrained() {
	for _, f := range []anp.Family{anp.Diffusion, anp.PME, anp.Stefan} {
		m, err := anp.Pretrained(f, true)
		if err != nil {
			panic(err)
		}
		fmt.Println(f, m.Arch.Hidden, m.NumParams())
	}
	// Output:
	// diffusion 32 17250
	// PME 32 17250
	// Stefan 32 17250
}

// Training functions: parameter on the paper's range, 100 contexts, and
// the contexts plus 50 fresh points as targets.
func ExampleMakeData() {
	data, err := anp.MakeData([]anp.Family{anp.PME}, 2, 50, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		panic(err)
	}
	lo, hi := anp.PME.Range()
	f := data[0]
	fmt.Println(len(data), len(f.CTau), len(f.TTau), f.Param >= lo && f.Param <= hi)
	// Output: 2 100 150 true
}

// LoadWeights refuses a checkpoint of another architecture and names both.
func ExampleModel_LoadWeights() {
	small, _ := anp.New(anp.Architecture{Hidden: 4, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	var buf bytes.Buffer
	if err := small.Save(&buf, nil); err != nil {
		panic(err)
	}
	m, _ := anp.New(anp.Architecture{Hidden: 8, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	fmt.Println(m.LoadWeights(&buf))
	// Output: anp: dimension mismatch: checkpoint config {Hidden:4 Latent:4 Heads:2 SelfAttention:false}, model {Hidden:8 Latent:8 Heads:2 SelfAttention:false}
}
