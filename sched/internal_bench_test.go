package sched

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkNeighbourEval compares the tabu search's neighbour estimate
// (longest path through the swapped pair, O(1)) with the baseline of a full
// re-evaluation of the disjunctive graph per neighbour, on the N5
// neighbourhood of the MWKR schedule of a Taillard instance.
func BenchmarkNeighbourEval(b *testing.B) {
	for _, ts := range []struct {
		name   string
		n, m   int
		ts, ms int64
	}{{"ta01", 15, 15, 840612802, 398197754}, {"ta71", 100, 20, 302034063, 1203569070}} {
		inst, _ := GenerateTaillard(ts.n, ts.m, ts.ts, ts.ms)
		s0, _ := NonDelay(inst, MWKR)
		st := &tabuState{g: newGraph(inst), n: inst.N, m: inst.M, locked: make([]int, inst.M)}
		st.g.setOrders(s0.machineOrders(inst))
		st.g.eval()
		rng := rand.New(rand.NewPCG(1, 0))
		st.criticalPath(rng)
		st.n5Moves()
		moves := len(st.moves)
		b.Run(ts.name+"/estimate", func(b *testing.B) {
			sum := 0
			for b.Loop() {
				for _, mv := range st.moves {
					sum += st.estimate(mv.mu, mv.i)
				}
			}
			b.ReportMetric(float64(b.N*moves)/b.Elapsed().Seconds(), "evals/s")
		})
		b.Run(ts.name+"/full-eval", func(b *testing.B) {
			for b.Loop() {
				for _, mv := range st.moves {
					st.g.swapAt(mv.mu, mv.i)
					st.g.eval()
					st.g.swapAt(mv.mu, mv.i)
				}
			}
			st.g.eval()
			b.ReportMetric(float64(b.N*moves)/b.Elapsed().Seconds(), "evals/s")
		})
		// Applying a move: incremental update versus full re-evaluation.
		mv := st.moves[0]
		b.Run(ts.name+"/apply-incremental", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				st.g.swapEval(mv.mu, mv.i)
				st.g.swapEval(mv.mu, mv.i)
			}
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "moves/s")
		})
		b.Run(ts.name+"/apply-full", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				st.g.swapAt(mv.mu, mv.i)
				st.g.eval()
				st.g.swapAt(mv.mu, mv.i)
				st.g.eval()
			}
			b.ReportMetric(float64(2*b.N)/b.Elapsed().Seconds(), "moves/s")
		})
	}
}
