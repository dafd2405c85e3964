package linalg

import (
	"fmt"
	"github.com/optlearn/optlearn/run/cputime"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

var benchSizes = []int{1e3, 1e5, 1e7}

var sink float64

func benchVecs(n int) (x, y []float64) {
	rng := rand.New(rand.NewPCG(10, 0))
	x = make([]float64, n)
	y = make([]float64, n)
	randVec(rng, x)
	randVec(rng, y)
	return x, y
}

// BenchmarkDot compares Dot (whatever path is installed, see KernelPath)
// with gonum floats.Dot and a naive loop in the same run.
func BenchmarkDot(b *testing.B) {
	for _, n := range benchSizes {
		x, y := benchVecs(n)
		for _, c := range []struct {
			name string
			f    func(x, y []float64) float64
		}{{"linalg", Dot}, {"gonum", floats.Dot}, {"naive", dotRef}} {
			b.Run(fmt.Sprintf("%s/d=%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(16 * n))
				for b.Loop() {
					sink += c.f(x, y)
				}
			})
		}
	}
}

// cLayout returns x and y of length n laid out as dot.c's aligned_alloc
// gives them: 64-byte aligned, y starting 64 bytes after the end of x
// rounded up to 64 (separate Go allocations of 8 KB are both 4096-aligned,
// which makes every load of x alias the store to y in the low 12 address
// bits and halves Axpy's speed at d = 10³).
func cLayout(n int) (x, y []float64) {
	buf := make([]float64, 2*n+64)
	off := 0
	for uintptr(unsafe.Pointer(&buf[off]))%64 != 0 {
		off++
	}
	xs, ys := benchVecs(n)
	x = buf[off : off+n]
	yo := off + (n+7)/8*8 + 8
	y = buf[yo : yo+n]
	copy(x, xs)
	copy(y, ys)
	return x, y
}

// BenchmarkAxpy compares Axpy with gonum floats.AddScaled and a naive loop,
// on separately allocated vectors and (linalg-c-layout) on vectors laid out
// as in dot.c.
func BenchmarkAxpy(b *testing.B) {
	for _, n := range benchSizes {
		x, y := benchVecs(n)
		cx, cy := cLayout(n)
		b.Run(fmt.Sprintf("linalg-c-layout/d=%d", n), func(b *testing.B) {
			b.SetBytes(int64(24 * n))
			for b.Loop() {
				Axpy(1e-9, cx, cy)
			}
		})
		for _, c := range []struct {
			name string
			f    func(a float64, x, y []float64)
		}{{"linalg", Axpy}, {"gonum", gonumAxpy}, {"naive", axpyRef}} {
			b.Run(fmt.Sprintf("%s/d=%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(24 * n))
				for b.Loop() {
					c.f(1e-9, x, y)
				}
			})
		}
	}
}

// BenchmarkAxpyTo compares AxpyTo (dst = a*x + y) with gonum
// floats.AddScaledTo, the default before this package had its own kernel.
func BenchmarkAxpyTo(b *testing.B) {
	for _, n := range benchSizes[:2] {
		x, y := benchVecs(n)
		dst := make([]float64, n)
		for _, c := range []struct {
			name string
			f    func(dst []float64, a float64, x, y []float64)
		}{{"linalg", func(dst []float64, a float64, x, y []float64) { AxpyTo(dst, a, x, y) }}, {"gonum", gonumAxpyTo}} {
			b.Run(fmt.Sprintf("%s/d=%d", c.name, n), func(b *testing.B) {
				b.SetBytes(int64(24 * n))
				for b.Loop() {
					c.f(dst, 1e-9, x, y)
				}
			})
		}
	}
}

// topkRun times TopK(x, k) with the installed collect kernel and reports
// millions of elements per wall-second and, where the thread's CPU time is
// available, per CPU-second (the figure to read on a loaded machine).
func topkRun(b *testing.B, sp *Sparse, x []float64, k int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	d := len(x)
	b.SetBytes(int64(8 * d))
	c0, ok := cputime.Thread()
	for b.Loop() {
		TopK(sp, x, k)
	}
	c1, _ := cputime.Thread()
	b.ReportMetric(float64(d)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melems/s")
	if ok && c1 > c0 {
		b.ReportMetric(float64(d)*float64(b.N)/(c1-c0).Seconds()/1e6, "Melems/cpu-s")
	}
}

// BenchmarkTopK compares TopK (k = d/100) with sorting indices by magnitude.
// The elems/s metric is the rate the target refers to.
func BenchmarkTopK(b *testing.B) {
	const d = 1_000_000
	k := d / 100
	x, _ := benchVecs(d)
	var sp Sparse
	b.Run("linalg", func(b *testing.B) { topkRun(b, &sp, x, k) })
	// Heavy ties (integers in -3..3, as in examples/topk): 29% of the
	// entries share the k-th largest magnitude and all are candidates.
	ties := make([]float64, d)
	rng := rand.New(rand.NewPCG(13, 0))
	for i := range ties {
		ties[i] = float64(rng.IntN(7) - 3)
	}
	b.Run("linalg-ties", func(b *testing.B) { topkRun(b, &sp, ties, k) })
	// The same TopK with the portable threshold scan, which is the default
	// on CPUs without AVX-512 (the same-run baseline of the assembly scan).
	b.Run("linalg-bits", func(b *testing.B) {
		saved := collectKernel
		collectKernel = collectBits
		defer func() { collectKernel = saved }()
		topkRun(b, &sp, x, k)
	})
	b.Run("sort", func(b *testing.B) {
		idx := make([]int, d)
		b.SetBytes(8 * d)
		for b.Loop() {
			for i := range idx {
				idx[i] = i
			}
			slices.SortFunc(idx, func(i, j int) int {
				mi, mj := magnitude(x[i]), magnitude(x[j])
				if mi > mj {
					return -1
				} else if mi < mj {
					return 1
				}
				return i - j
			})
			slices.Sort(idx[:k])
		}
		b.ReportMetric(float64(d)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Melems/s")
	})
}

// BenchmarkRandK measures RandK with k = d/100 at d = 1e6.
func BenchmarkRandK(b *testing.B) {
	const d = 1_000_000
	x, _ := benchVecs(d)
	rng := rand.New(rand.NewPCG(11, 0))
	var sp Sparse
	for b.Loop() {
		RandK(&sp, x, d/100, rng)
	}
}

// BenchmarkCSRMulVec multiplies an a9a-shaped matrix (32561 x 123, 11%
// dense) by a vector, as CSR and as a gonum mat.Dense.
func BenchmarkCSRMulVec(b *testing.B) {
	const rows, cols = 32561, 123
	rng := rand.New(rand.NewPCG(12, 0))
	var tr []Triplet
	dense := mat.NewDense(rows, cols, nil)
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if rng.Float64() < 0.11 {
				tr = append(tr, Triplet{i, j, 1})
				dense.Set(i, j, 1)
			}
		}
	}
	a, _ := NewCSR(rows, cols, tr)
	x, _ := benchVecs(cols)
	y := make([]float64, rows)
	b.Run("csr", func(b *testing.B) {
		for b.Loop() {
			a.MulVec(y, x)
		}
	})
	b.Run("csr-par2", func(b *testing.B) {
		for b.Loop() {
			a.MulVecPar(y, x, 2)
		}
	})
	b.Run("gonum-dense", func(b *testing.B) {
		xv := mat.NewVecDense(cols, x)
		yv := mat.NewVecDense(rows, y)
		for b.Loop() {
			yv.MulVec(dense, xv)
		}
	})
	xt, _ := benchVecs(rows)
	yt := make([]float64, cols)
	b.Run("csr-trans", func(b *testing.B) {
		for b.Loop() {
			a.MulVecTrans(yt, xt)
		}
	})
}
