package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expWithin reports whether got is exp(x) within ExpMaxRelErr, with the
// special values (NaN, ±Inf, 0, subnormals) exactly math.Exp's.
func expWithin(got, x float64) bool {
	want := math.Exp(x)
	if math.IsNaN(want) {
		return math.IsNaN(got)
	}
	if math.IsInf(want, 0) || want == 0 || want < 0x1p-1022 {
		return got == want
	}
	return math.Abs(got-want) <= ExpMaxRelErr*want
}

// TestExpAccuracy checks every compiled Exp path against math.Exp: random
// points over the whole finite range, the edges of the kernel's range and
// beyond (overflow, subnormal results, underflow to 0), NaN, ±Inf, every
// tail length, and dst aliasing x.
func TestExpAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	special := []float64{0, math.Copysign(0, -1), 1, -1, 1e-300, -1e-300, 0.5 * math.Ln2, -0.5 * math.Ln2,
		-708, -708.0000001, -708.5, -720, -744.4, -745.2, -746, -1e10, 709, 709.0000001, 709.7, 709.79, 710, 1e10,
		math.NaN(), math.Inf(1), math.Inf(-1), math.MaxFloat64, -math.MaxFloat64, math.SmallestNonzeroFloat64}
	for name, exp := range expPaths {
		for n := 0; n <= 9; n++ {
			x := make([]float64, n)
			for i := range x {
				x[i] = rng.Float64()*80 - 40
			}
			dst := make([]float64, n)
			exp(dst, x)
			for i := range x {
				if !expWithin(dst[i], x[i]) {
					t.Errorf("%s: n=%d: exp(%v) = %v, want %v", name, n, x[i], dst[i], math.Exp(x[i]))
				}
			}
		}
		// Each special value in every lane position, among ordinary ones.
		for _, v := range special {
			for lane := range 8 {
				x := []float64{-1, 2, -3, 4, 0.5, -0.25, 7, -9}
				x[lane] = v
				dst := make([]float64, len(x))
				exp(dst, x)
				for i := range x {
					if !expWithin(dst[i], x[i]) {
						t.Errorf("%s: exp(%v) = %v, want %v (lane %d)", name, x[i], dst[i], math.Exp(x[i]), lane)
					}
				}
			}
		}
		x := make([]float64, 1<<16)
		for i := range x {
			x[i] = rng.Float64()*1417 - 708
		}
		want := append([]float64(nil), x...)
		exp(x, x) // aliasing
		for i, v := range want {
			if !expWithin(x[i], v) {
				t.Fatalf("%s: exp(%v) = %v, want %v", name, v, x[i], math.Exp(v))
			}
		}
	}
	if n := testing.AllocsPerRun(10, func() { Exp(special[:8], special[:8]) }); n != 0 {
		t.Errorf("Exp allocates %v times", n)
	}
}

func FuzzExp(f *testing.F) {
	f.Add(0.0, 1.0, -708.0, 709.0, 5.0)
	f.Add(math.NaN(), math.Inf(1), math.Inf(-1), 710.0, -746.0)
	f.Add(-707.99, 708.99, 1e-310, -1e-310, 3.5)
	f.Fuzz(func(t *testing.T, a, b, c, d, e float64) {
		x := []float64{a, b, c, d, e}
		for name, exp := range expPaths {
			for n := 0; n <= len(x); n++ {
				dst := make([]float64, n)
				exp(dst, x[:n])
				for i := range n {
					if !expWithin(dst[i], x[i]) {
						t.Fatalf("%s: exp(%v) = %v, want %v", name, x[i], dst[i], math.Exp(x[i]))
					}
				}
			}
		}
	})
}

func BenchmarkExp(b *testing.B) {
	x := make([]float64, 2048)
	rng := rand.New(rand.NewPCG(1, 0))
	for i := range x {
		x[i] = -rng.Float64() * 20
	}
	dst := make([]float64, len(x))
	for _, name := range []string{"math.Exp", "Exp"} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(8 * len(x)))
			for b.Loop() {
				if name == "Exp" {
					Exp(dst, x)
				} else {
					expRef(dst, x)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(x)), "ns/elem")
		})
	}
}
