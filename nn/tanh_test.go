package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tanhVec (the AVX2 kernel where the CPU has it) is within 4 ulp of
// math.Tanh, keeps NaN and signed zeros, and saturates at ±1.
func TestTanhVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	var src []float64
	for range 100000 {
		src = append(src, rng.NormFloat64()*math.Pow(10, 4*rng.Float64()-3))
	}
	src = append(src, 0, math.Copysign(0, -1), 1e-300, -1e-300, 5e-324, 19, 20, 21, 40, -41, 700, math.Inf(1), math.Inf(-1), 0.625, -0.625, 1e-9, 0.3465, 0.3466, 18.7)
	src = append(src, math.NaN(), 1, 2, 3) // fills a group of four
	dst := make([]float64, len(src))
	tanhVec(dst, src)
	worst := 0.0
	for i, x := range src {
		want := math.Tanh(x)
		if math.IsNaN(want) {
			if !math.IsNaN(dst[i]) {
				t.Errorf("tanh(NaN) = %v", dst[i])
			}
			continue
		}
		if math.Signbit(dst[i]) != math.Signbit(want) {
			t.Errorf("tanh(%v) = %v, want %v (sign)", x, dst[i], want)
		}
		if want == 0 {
			if dst[i] != 0 {
				t.Errorf("tanh(%v) = %v, want 0", x, dst[i])
			}
			continue
		}
		ulp := math.Abs(dst[i]-want) / (math.Nextafter(math.Abs(want), math.Inf(1)) - math.Abs(want))
		worst = max(worst, ulp)
		if ulp > 4 {
			t.Errorf("tanh(%v) = %v, math.Tanh %v: %.1f ulp", x, dst[i], want, ulp)
		}
	}
	t.Logf("worst error %.2f ulp (kernel: %v)", worst, hasFMA)
}

// tanhDerivVec gives the same bits as the Go loop d *= 1 − a².
func TestTanhDerivVec(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	for _, n := range []int{1, 3, 4, 5, 8, 67} {
		a := make([]float64, n)
		d := make([]float64, n)
		for i := range a {
			a[i] = 2*rng.Float64() - 1
			d[i] = rng.NormFloat64()
		}
		want := make([]float64, n)
		for i := range want {
			want[i] = d[i] * (1 - float64(a[i]*a[i]))
		}
		tanhDerivVec(d, a)
		for i := range d {
			if math.Float64bits(d[i]) != math.Float64bits(want[i]) {
				t.Fatalf("n=%d: d[%d] = %v, want %v", n, i, d[i], want[i])
			}
		}
	}
}
