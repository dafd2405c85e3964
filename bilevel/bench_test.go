package bilevel_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
)

// BenchmarkLVHBAR1 measures LV-HBA iterations per second on R1. The
// baseline "oracles" makes the same oracle and projection calls per
// iteration without the algorithm, so the ratio is the solver's overhead.
func BenchmarkLVHBAR1(b *testing.B) {
	for _, n := range []int{100, 10000} {
		p := problems.LLCToy{N: n}
		pc := p.ProjC()
		const iters = 200
		b.Run(fmt.Sprintf("n=%d/lvhba", n), func(b *testing.B) {
			var m bilevel.LVHBA
			x0, y0 := fill(n, 10), fill(2*n, 10)
			s := &bilevel.LVHBASettings{MaxIter: iters, ProjC: pc}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Solve(context.Background(), p, x0, y0, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(iters*b.N)/b.Elapsed().Seconds(), "iters/s")
		})
		b.Run(fmt.Sprintf("n=%d/oracles", n), func(b *testing.B) {
			x, y, th := fill(n, 10), fill(2*n, 10), fill(2*n, 9)
			gx, gy, tx, ty := zeros(n), zeros(2*n), zeros(n), zeros(2*n)
			v := fill(3*n, 1)
			lam, g := []float64{1}, []float64{0}
			b.ReportAllocs()
			for b.Loop() {
				for range iters {
					p.LowerGrad(tx, ty, x, th)
					p.ConstraintVJP(tx, ty, x, th, lam)
					p.Constraint(g, x, th)
					p.UpperGrad(gx, gy, x, y)
					p.LowerGrad(tx, ty, x, y)
					p.LowerGrad(tx, ty, x, th)
					p.ConstraintVJP(tx, ty, x, th, lam)
					_ = pc.Project(v)
				}
			}
			b.ReportMetric(float64(iters*b.N)/b.Elapsed().Seconds(), "iters/s")
		})
	}
}

// BenchmarkHildreth measures the polyhedron projection onto R2-type SVM
// constraints (dimension 8, m constraints) to a violation of 1e-8: from a
// cold start with the default random row order, warm started after a small
// move of the point (the LV-HBA pattern), and, as the baseline, from a cold
// start in cyclic order (m = 200 only: at m = 2000 cyclic order does not
// reach 1e-8 within 100000 sweeps).
func BenchmarkHildreth(b *testing.B) {
	for _, m := range []int{200, 2000} {
		d := must(problems.NewSVMData(newRand(1), m, 1, 1, 8, 0.3, 0.3))
		p := must(problems.NewSVMHyper(d))
		poly, err := p.ProjC(1e-8)
		if err != nil {
			b.Fatal(err)
		}
		nx, ny := p.Dims()
		v0 := zeros(nx + ny)
		rng := newRand(2)
		for i := nx; i < nx+8; i++ {
			v0[i] = rng.NormFloat64()
		}
		v := make([]float64, len(v0))
		shuffle := poly.Shuffle
		cold := func(b *testing.B) {
			b.ReportAllocs()
			sweeps := 0
			for b.Loop() {
				poly.Reset()
				copy(v, v0)
				if err := poly.Project(v); err != nil {
					b.Fatal(err)
				}
				sweeps += poly.Sweeps
			}
			b.ReportMetric(float64(sweeps)/float64(b.N), "sweeps/op")
			b.ReportMetric(poly.Violation, "violation")
		}
		b.Run(fmt.Sprintf("m=%d/cold", m), cold)
		b.Run(fmt.Sprintf("m=%d/warm", m), func(b *testing.B) {
			poly.Reset()
			copy(v, v0)
			if err := poly.Project(v); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			sweeps := 0
			k := 0
			for b.Loop() {
				copy(v, v0)
				v[nx+k%8] += 1e-3 * float64(k%3-1)
				k++
				if err := poly.Project(v); err != nil {
					b.Fatal(err)
				}
				sweeps += poly.Sweeps
			}
			b.ReportMetric(float64(sweeps)/float64(b.N), "sweeps/op")
		})
		if m == 200 {
			poly.Shuffle = nil
			b.Run(fmt.Sprintf("m=%d/cold-cyclic", m), cold)
			poly.Shuffle = shuffle
		}
	}
}

// BenchmarkPenaltyP2 measures outer iterations of Algorithm A (T = 5) on P2
// against the bare oracle calls they make (baseline).
func BenchmarkPenaltyP2(b *testing.B) {
	p := must(problems.NewSinePL(nil, 0))
	const outer = 100
	b.Run("penalty", func(b *testing.B) {
		var m bilevel.Penalty
		s := &bilevel.PenaltySettings{Inner: 5, MaxIter: outer, Tol: -1}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := m.Solve(context.Background(), p, zeros(5), fill(5, 1), nil, s); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(outer*b.N)/b.Elapsed().Seconds(), "iters/s")
	})
	b.Run("oracles", func(b *testing.B) {
		x, y := zeros(5), fill(5, 1)
		gx, gy := zeros(5), zeros(5)
		b.ReportAllocs()
		for b.Loop() {
			for range outer {
				for range 5 {
					p.UpperGrad(gx, gy, x, y)
					p.LowerGrad(gx, gy, x, y)
					p.LowerGrad(gx, gy, x, y)
				}
				p.UpperGrad(gx, gy, x, y)
				p.LowerGrad(gx, gy, x, y)
				p.LowerGrad(gx, gy, x, y)
			}
		}
		b.ReportMetric(float64(outer*b.N)/b.Elapsed().Seconds(), "iters/s")
	})
}
