package robust

import (
	"context"
	"testing"

	"github.com/optlearn/optlearn/constrained/milp"
)

// BenchmarkMaster times the master MILP of the microgrid base case with
// the nominal cut of every scenario (PC&CG's first master: 15 integers,
// 172 rows, 156 columns), with the package's tableau simplex and with
// gonum's lp.Simplex at the nodes.
func BenchmarkMaster(b *testing.B) {
	p, _ := Microgrid(nil)
	cuts := make([][]cut, len(p.Scenarios))
	for s := range cuts {
		cuts[s] = []cut{{xi: make([]float64, 6)}}
	}
	mp := buildMaster(p, mgX, cuts)
	for _, c := range []struct {
		name  string
		gonum bool
	}{{"tableau", false}, {"gonum", true}} {
		b.Run(c.name, func(b *testing.B) {
			nodes := 0
			for b.Loop() {
				res, err := milp.BranchBound{}.Solve(context.Background(), mp, &milp.Settings{GonumSimplex: c.gonum})
				if err != nil {
					b.Fatal(err)
				}
				nodes += res.Iterations
			}
			b.ReportMetric(float64(nodes)/b.Elapsed().Seconds(), "nodes/s")
		})
	}
}

// BenchmarkPCCG times a whole PC&CG run on the base case and reports the
// recourse LPs per iteration.
func BenchmarkPCCG(b *testing.B) {
	p, _ := Microgrid(nil)
	var lps, its int
	for b.Loop() {
		res, err := Solve(context.Background(), p, nil)
		if err != nil {
			b.Fatal(err)
		}
		lps += res.SubLPs
		its += res.Iterations
	}
	b.ReportMetric(float64(lps)/float64(its), "LPs/iter")
}
