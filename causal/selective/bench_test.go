package selective

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkLogProb times one log posterior with its gradient over N = 5000
// units (uniform Z, both constraints), the unit of HMC's cost.
func BenchmarkLogProb(b *testing.B) {
	syn, _ := Generate(5000, 5, rand.New(rand.NewPCG(1, 0)))
	md, _ := New(syn.X, syn.T, syn.Y, &Settings{Prevalence: 0.1, Lambda: 1.25e5})
	th := syn.Theta(md.Free)
	g := make([]float64, md.Dim())
	for b.Loop() {
		md.LogProb(g, th)
	}
}
