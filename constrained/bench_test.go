package constrained_test

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/linalg"
)

// kktSystem returns a random symmetric n×n matrix with a dominant diagonal and b.
func kktSystem(n int, seed uint64) (*mat.Dense, []float64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	K := mat.NewDense(n, n, nil)
	for i := range n {
		for j := i; j < n; j++ {
			v := rng.NormFloat64() / float64(n)
			if i == j {
				v += 2
			}
			K.Set(i, j, v)
			K.Set(j, i, v)
		}
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = rng.NormFloat64()
	}
	return K, b
}

// BenchmarkSketchStep measures the inner sketch loop (fixed step count, no
// early stop) and reports row operations per second.
func BenchmarkSketchStep(b *testing.B) {
	for _, n := range []int{27, 48, 300} {
		K, rhs := kktSystem(n, 1)
		for _, tc := range []struct {
			name string
			s    constrained.Sketcher
		}{{"rk", &constrained.RK{}}, {"gv", &constrained.GaussianSketch{}}} {
			b.Run("n="+strconv.Itoa(n)+"/"+tc.name, func(b *testing.B) {
				rng := rand.New(rand.NewPCG(2, 0))
				if _, err := tc.s.Factor(K); err != nil {
					b.Fatal(err)
				}
				z, r := make([]float64, n), make([]float64, n)
				const steps = 1000
				var ops int64
				b.ReportAllocs()
				for b.Loop() {
					for i := range z {
						z[i], r[i] = 0, -rhs[i]
					}
					_, o, _ := tc.s.Solve(context.Background(), z, r, rhs, 0, steps, rng)
					ops += o
				}
				b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "rowops/s")
				b.ReportMetric(float64(steps)*float64(b.N)/b.Elapsed().Seconds(), "steps/s")
			})
		}
		// Baseline: one dense LU factorization and solve of the same system.
		b.Run("n="+strconv.Itoa(n)+"/lu", func(b *testing.B) {
			lu := &constrained.ExactLU{}
			z, r := make([]float64, n), make([]float64, n)
			var ops int64
			for b.Loop() {
				o, err := lu.Factor(K)
				if err != nil {
					b.Fatal(err)
				}
				for i := range z {
					z[i], r[i] = 0, -rhs[i]
				}
				_, o2, _ := lu.Solve(context.Background(), z, r, rhs, 0, 1, nil)
				ops += o + o2
			}
			b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "rowops/s")
		})
	}
}

// BenchmarkPDE solves the PDE control problem to ‖R‖ ≤ 1e-6 with each inner
// solver; exact is the dense-LU Newton baseline. It reports outer
// iterations and row operations per solve.
func BenchmarkPDE(b *testing.B) {
	for _, tc := range []struct {
		n  int
		sk string
	}{{3, "exact"}, {3, "rk"}, {3, "gv"}, {4, "exact"}, {4, "rk"}, {6, "exact"}, {6, "rk"}, {16, "exact"}} {
		b.Run("N="+strconv.Itoa(tc.n)+"/"+tc.sk, func(b *testing.B) {
			p, err := problems.NewPDE(tc.n)
			if err != nil {
				b.Fatal(err)
			}
			_, m := p.Dims()
			var ops, outer int64
			b.ReportAllocs()
			for b.Loop() {
				r, err := constrained.Solve(context.Background(), p, p.X0(), problems.Ones(m), &constrained.Settings{
					Tol: 1e-6, MaxIter: 200, Sketcher: sketcher(tc.sk), Rand: rand.New(rand.NewPCG(1, 0)),
				})
				if err != nil {
					b.Fatal(err)
				}
				ops += r.RowOps
				outer += int64(r.Iterations)
			}
			b.ReportMetric(float64(ops)/float64(b.N), "rowops/op")
			b.ReportMetric(float64(outer)/float64(b.N), "outer/op")
		})
	}
}

// BenchmarkHSExact solves each Hock–Schittkowski problem with the exact-LU
// inner solver to ‖R‖ ≤ 1e-6 (default settings: spectral norms), the
// per-problem time the issue compares with scipy's SLSQP, against the same
// run with Frobenius norms (no eigendecompositions of H and K).
func BenchmarkHSExact(b *testing.B) {
	for _, p := range problems.All() {
		for _, norm := range []constrained.NormKind{constrained.Spectral, constrained.Frobenius} {
			b.Run(p.Name+"/"+map[constrained.NormKind]string{constrained.Spectral: "spectral", constrained.Frobenius: "frobenius"}[norm], func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if _, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
						Tol: 1e-6, MaxIter: 400, Sketcher: &constrained.ExactLU{}, Norm: norm,
					}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkGMRES runs GMRES(20) steps on a dense n = 300 system and
// reports row operations per second, against one LU factorisation and
// solve of the same matrix.
func BenchmarkGMRES(b *testing.B) {
	K, rhs := kktSystem(300, 1)
	b.Run("gmres", func(b *testing.B) {
		var g constrained.GMRES
		x := make([]float64, 300)
		var ops int64
		b.ReportAllocs()
		for b.Loop() {
			clear(x)
			res, _ := g.Solve(context.Background(), K, x, rhs, &constrained.GMRESSettings{Tol: -1, MaxIter: 40, Restart: 20})
			ops += res.RowOps
		}
		b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "rowops/s")
	})
	b.Run("lu", func(b *testing.B) {
		var lu constrained.ExactLU
		z, r := make([]float64, 300), make([]float64, 300)
		var ops int64
		for b.Loop() {
			o, err := lu.Factor(K)
			if err != nil {
				b.Fatal(err)
			}
			linalg.ScaleTo(r, -1, rhs)
			_, o2, _ := lu.Solve(context.Background(), z, r, rhs, 0, 1, nil)
			ops += o + o2
		}
		b.ReportMetric(float64(ops)/b.Elapsed().Seconds(), "rowops/s")
	})
}
