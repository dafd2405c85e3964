package ef21_test

import (
	"context"
	"github.com/optlearn/optlearn/run/cputime"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/libsvm"
	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/linalg"
)

var a9a = sync.OnceValues(func() (*libsvm.Dataset, error) { return sets.Load("a9a") })

func a9aProblem(b *testing.B) (*libsvm.Dataset, *problems.Logistic) {
	ds, err := a9a()
	if err != nil {
		b.Fatal(err)
	}
	p, err := problems.NewLogistic(ds.X, ds.Y, 20, problems.SplitSorted, 0.1)
	if err != nil {
		b.Fatal(err)
	}
	return ds, p
}

const benchRounds = 100

// BenchmarkRound measures EF21-W rounds on a9a (n = 20 clients, TopK K = 1)
// with 1 and 2 workers against a straightforward gonum mat.Dense version
// (dense client matrices, sort-based TopK, sequential clients). One op is
// 100 rounds; rounds/s is the rate.
func BenchmarkRound(b *testing.B) {
	ds, p := a9aProblem(b)
	x0 := make([]float64, p.Dim())
	for _, w := range []int{1, 2} {
		b.Run("a9a/n=20/top1/workers="+string(rune('0'+w)), func(b *testing.B) {
			s := &ef21.Settings{Weighted: true, MaxIter: benchRounds, Tol: -1, Workers: w}
			b.ReportAllocs()
			cpu0, _ := cputime.Process()
			for b.Loop() {
				if _, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRounds*b.N)/b.Elapsed().Seconds(), "rounds/s")
			cpu1, _ := cputime.Process()
			b.ReportMetric((cpu1-cpu0).Seconds()*1e3/float64(benchRounds*b.N), "cpu-ms/round")
			// Steady-state allocations per round (setup excluded).
			if w == 2 {
				s1 := *s
				s2 := *s
				s2.MaxIter = 2 * benchRounds
				a1 := testing.AllocsPerRun(2, func() { ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, &s1) })
				a2 := testing.AllocsPerRun(2, func() { ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, &s2) })
				b.ReportMetric((a2-a1)/benchRounds, "allocs/round")
			}
		})
	}
	b.Run("a9a/n=20/top1/gonum-dense", func(b *testing.B) {
		nv := newNaive(ds, p)
		b.ReportAllocs()
		cpu0, _ := cputime.Process()
		for b.Loop() {
			nv.reset()
			for range benchRounds {
				nv.round()
			}
		}
		b.ReportMetric(float64(benchRounds*b.N)/b.Elapsed().Seconds(), "rounds/s")
		cpu1, _ := cputime.Process()
		b.ReportMetric((cpu1-cpu0).Seconds()*1e3/float64(benchRounds*b.N), "cpu-ms/round")
	})
}

// BenchmarkTopK measures the compression of one client's message on a9a
// (d = 123, K = 1) against a full sort, to give TopK's share of a round.
func BenchmarkTopK(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 0))
	v := make([]float64, 123)
	for j := range v {
		v[j] = rng.NormFloat64()
	}
	var msg linalg.Sparse
	b.Run("d=123/k=1/linalg", func(b *testing.B) {
		for b.Loop() {
			ef21.TopK{K: 1}.Compress(&msg, v, nil)
		}
	})
	b.Run("d=123/k=1/sort", func(b *testing.B) {
		idx := make([]int, len(v))
		for b.Loop() {
			naiveTopK(&msg, v, 1, idx)
		}
	})
}

// naive is EF21-W written the obvious way with gonum: dense client
// matrices, mat.VecDense arithmetic, TopK by sorting, clients in sequence,
// with the same per-round outputs as Run (f and ‖∇f‖² for monitoring).
type naive struct {
	a     []*mat.Dense
	y     [][]float64
	w     []float64
	gamma float64
	lam   float64
	x, g  *mat.VecDense
	gi    []*mat.VecDense
	msg   linalg.Sparse
	idx   []int
	f     float64       // Σᵢ fᵢ(x) of the last round
	gsum  *mat.VecDense // Σᵢ ∇fᵢ(x), for ‖∇f‖²
	gnsq  float64
}

func newNaive(ds *libsvm.Dataset, p *problems.Logistic) *naive {
	n, d := p.N(), p.Dim()
	nv := &naive{lam: 0.1, x: mat.NewVecDense(d, nil), g: mat.NewVecDense(d, nil), gsum: mat.NewVecDense(d, nil), idx: make([]int, d)}
	li := make([]float64, n)
	for i := range n {
		rows := p.Rows(i)
		a := mat.NewDense(len(rows), d, nil)
		y := make([]float64, len(rows))
		for k, r := range rows {
			idx, val := ds.X.Row(r)
			for q, c := range idx {
				a.Set(k, c, val[q])
			}
			y[k] = ds.Y[r]
		}
		nv.a = append(nv.a, a)
		nv.y = append(nv.y, y)
		li[i] = p.LocalSmoothness(i)
		nv.gi = append(nv.gi, mat.NewVecDense(d, nil))
	}
	nv.gamma = ef21.StepsizeAM(p.Smoothness(), li, 1/float64(d))
	sum := 0.0
	for _, l := range li {
		sum += l
	}
	for _, l := range li {
		nv.w = append(nv.w, l/sum)
	}
	nv.reset()
	return nv
}

// grad returns ∇fᵢ(x) and records fᵢ(x) in nv.f, as the ef21 oracle does
// for the per-round Recorder.
func (nv *naive) grad(i int, x *mat.VecDense) *mat.VecDense {
	a := nv.a[i]
	m, d := a.Dims()
	z := mat.NewVecDense(m, nil)
	z.MulVec(a, x)
	f := 0.0
	for j := range m {
		t := nv.y[i][j] * z.AtVec(j)
		if t > 0 {
			f += math.Log1p(math.Exp(-t))
		} else {
			f += -t + math.Log1p(math.Exp(t))
		}
		z.SetVec(j, -nv.y[i][j]/(float64(m)*(1+math.Exp(t))))
	}
	nv.f += f / float64(m)
	g := mat.NewVecDense(d, nil)
	g.MulVec(a.T(), z)
	for k := range d {
		v := x.AtVec(k)
		q := 1 + v*v
		g.SetVec(k, g.AtVec(k)+nv.lam*2*v/(q*q))
	}
	return g
}

func (nv *naive) reset() {
	nv.x.Zero()
	nv.g.Zero()
	n := float64(len(nv.a))
	for i := range nv.a {
		gi := nv.grad(i, nv.x)
		gi.ScaleVec(1/(n*nv.w[i]), gi)
		nv.gi[i] = gi
		nv.g.AddScaledVec(nv.g, nv.w[i], gi)
	}
}

func (nv *naive) round() {
	nv.x.AddScaledVec(nv.x, -nv.gamma, nv.g)
	n := float64(len(nv.a))
	nv.f = 0
	nv.gsum.Zero()
	for i := range nv.a {
		gr := nv.grad(i, nv.x)
		nv.gsum.AddVec(nv.gsum, gr)
		diff := mat.NewVecDense(gr.Len(), nil)
		diff.AddScaledVec(nv.gi[i], -1/(n*nv.w[i]), gr)
		diff.ScaleVec(-1, diff)
		naiveTopK(&nv.msg, diff.RawVector().Data, 1, nv.idx)
		for k, j := range nv.msg.Index {
			nv.gi[i].SetVec(j, nv.gi[i].AtVec(j)+nv.msg.Value[k])
			nv.g.SetVec(j, nv.g.AtVec(j)+nv.w[i]*nv.msg.Value[k])
		}
	}
	nv.gnsq = mat.Dot(nv.gsum, nv.gsum) / (n * n)
}

// naiveTopK selects the k largest |v| by sorting all indices.
func naiveTopK(dst *linalg.Sparse, v []float64, k int, idx []int) {
	for j := range idx {
		idx[j] = j
	}
	sort.SliceStable(idx, func(p, q int) bool { return math.Abs(v[idx[p]]) > math.Abs(v[idx[q]]) })
	sel := idx[:k]
	sort.Ints(sel)
	dst.Reset(len(v))
	for _, j := range sel {
		dst.Append(j, v[j])
	}
}
