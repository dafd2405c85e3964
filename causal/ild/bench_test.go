package ild

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkGradient times the NLL gradient of a batch of 500 (m = 6,
// D = 3), the unit of training; BenchmarkCounterfactual the counterfactual
// map per sample.
func BenchmarkGradient(b *testing.B) {
	ds, _ := Simulation{M: 6, D: 3, Intervened: []int{4, 5}}.Generate(1000, 10, 10, rand.New(rand.NewPCG(1, 0)))
	md, _ := New(6, 3, 2, RelaxCan, 0.5)
	xs, d := make([][]float64, 500), make([]int, 500)
	for i := range xs {
		d[i] = i % 3
		xs[i] = ds.Train.X[d[i]][i]
	}
	p, _ := md.prepare()
	g := md.newGrads()
	buf := make([]float64, 9*md.M)
	for b.Loop() {
		g.zero()
		md.accumulate(p, xs, d, g, buf)
	}
	b.ReportMetric(500*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}

func BenchmarkCounterfactual(b *testing.B) {
	ds, _ := Simulation{M: 6, D: 3, Intervened: []int{4, 5}}.Generate(1000, 10, 10, rand.New(rand.NewPCG(1, 0)))
	x := ds.Test.X[0][0]
	dst := make([]float64, 6)
	for b.Loop() {
		ds.Truth.Counterfactual(dst, x, 0, 1)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "samples/s")
}
