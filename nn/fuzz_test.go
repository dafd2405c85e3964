package nn

import (
	"math"
	"testing"
)

// FuzzGemm checks the pure-Go products (the AVX2 kernel with its edges, or
// gonum's Dgemm) against a naive triple loop on fuzzed shapes, transposes
// and values.
func FuzzGemm(f *testing.F) {
	f.Add(uint8(5), uint8(9), uint8(3), false, false, int64(1))
	f.Add(uint8(64), uint8(64), uint8(64), true, false, int64(2))
	f.Add(uint8(7), uint8(2), uint8(33), false, true, int64(3))
	f.Fuzz(func(t *testing.T, mu, nu, ku uint8, tA, tB bool, seed int64) {
		m, n, k := int(mu%70)+1, int(nu%70)+1, int(ku%70)+1
		val := func(i int) float64 { return math.Sin(float64(seed) + 0.7*float64(i)) }
		a := make([]float64, m*k)
		b := make([]float64, k*n)
		c := make([]float64, m*n)
		for i := range a {
			a[i] = val(i)
		}
		for i := range b {
			b[i] = val(3*i + 1)
		}
		for i := range c {
			c[i] = val(5*i + 2)
		}
		lda, ldb := k, n
		if tA {
			lda = m
		}
		if tB {
			ldb = k
		}
		at := func(i, l int) float64 {
			if tA {
				return a[l*lda+i]
			}
			return a[i*lda+l]
		}
		bt := func(l, j int) float64 {
			if tB {
				return b[j*ldb+l]
			}
			return b[l*ldb+j]
		}
		want := append([]float64(nil), c...)
		for i := range m {
			for j := range n {
				s := 0.0
				for l := range k {
					s += at(i, l) * bt(l, j)
				}
				want[i*n+j] += s
			}
		}
		for _, kern := range []bool{hasFMA, false} {
			useKernel = kern
			got := append([]float64(nil), c...)
			gemm(tA, tB, m, n, k, a, lda, b, ldb, 1, got, n, make([]float64, k*n))
			for i := range got {
				if math.Abs(got[i]-want[i]) > 1e-12*float64(k+1) {
					t.Fatalf("m=%d n=%d k=%d tA=%v tB=%v kernel=%v: C[%d] = %v, want %v", m, n, k, tA, tB, kern, i, got[i], want[i])
				}
			}
		}
		useKernel = hasFMA
	})
}

// FuzzTanh checks the vectorised tanh against math.Tanh (4 ulp).
func FuzzTanh(f *testing.F) {
	f.Add(0.5, -3.0, 1e-8, 20.0)
	f.Fuzz(func(t *testing.T, x0, x1, x2, x3 float64) {
		src := []float64{x0, x1, x2, x3}
		dst := make([]float64, 4)
		tanhVec(dst, src)
		for i, x := range src {
			want := math.Tanh(x)
			if math.IsNaN(want) != math.IsNaN(dst[i]) {
				t.Fatalf("tanh(%v) = %v, want %v", x, dst[i], want)
			}
			if math.IsNaN(want) {
				continue
			}
			tol := 4 * (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
			if math.Abs(dst[i]-want) > tol || math.Signbit(dst[i]) != math.Signbit(want) {
				t.Fatalf("tanh(%v) = %v, want %v", x, dst[i], want)
			}
		}
	})
}
