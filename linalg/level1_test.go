package linalg

import (
	"math"
	"math/rand/v2"
	"testing"
)

const guard = 7.77e77 // value painted around test slices to catch stray writes

// guarded returns a slice of length n at offset off inside a buffer whose
// other cells hold guard, and the buffer itself.
func guarded(n, off int) (s, buf []float64) {
	buf = make([]float64, n+off+8)
	for i := range buf {
		buf[i] = guard
	}
	return buf[off : off+n], buf
}

func checkGuards(t *testing.T, buf []float64, n, off int) {
	t.Helper()
	for i, v := range buf {
		if (i < off || i >= off+n) && v != guard {
			t.Fatalf("write outside the slice at buffer position %d (n=%d off=%d)", i, n, off)
		}
	}
}

// randVec fills x with values whose magnitudes span many orders.
func randVec(rng *rand.Rand, x []float64) {
	for i := range x {
		x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(13)-6))
	}
}

func lengths() []int {
	var ns []int
	for n := 0; n <= 67; n++ {
		ns = append(ns, n)
	}
	return append(ns, 1001, 4099)
}

func TestDotPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for name, dot := range dotPaths {
		for _, n := range lengths() {
			for off := 0; off < 4; off++ {
				x, bx := guarded(n, off)
				y, by := guarded(n, (off+1)%4)
				randVec(rng, x)
				randVec(rng, y)
				want := dotRef(x, y)
				got := dot(x, y)
				var abs float64
				for i := range x {
					abs += math.Abs(x[i] * y[i])
				}
				tol := float64(n+1) * 0x1p-52 * abs
				if math.Abs(got-want) > tol {
					t.Errorf("%s: n=%d off=%d: dot = %v, want %v (tol %v)", name, n, off, got, want, tol)
				}
				checkGuards(t, bx, n, off)
				checkGuards(t, by, n, (off+1)%4)
			}
		}
	}
}

func TestDotNonFinite(t *testing.T) {
	for name, dot := range dotPaths {
		for _, n := range []int{1, 5, 17, 33, 65, 130} {
			for pos := 0; pos < n; pos++ {
				x := make([]float64, n)
				y := make([]float64, n)
				for i := range x {
					x[i], y[i] = 1, 2
				}
				x[pos] = math.NaN()
				if got := dot(x, y); !math.IsNaN(got) {
					t.Errorf("%s: NaN at %d of %d: got %v", name, pos, n, got)
				}
				x[pos] = math.Inf(1)
				if got := dot(x, y); !math.IsInf(got, 1) {
					t.Errorf("%s: +Inf at %d of %d: got %v", name, pos, n, got)
				}
			}
		}
	}
}

func TestAxpyPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 0))
	for name, axpy := range axpyPaths {
		for _, n := range lengths() {
			for off := 0; off < 4; off++ {
				x, bx := guarded(n, off)
				y, by := guarded(n, 3-off)
				randVec(rng, x)
				randVec(rng, y)
				a := rng.NormFloat64()
				want := make([]float64, n)
				copy(want, y)
				axpyRef(a, x, want)
				axpy(a, x, y)
				for i := range y {
					// FMA rounds once where the reference rounds twice.
					tol := 2 * 0x1p-52 * (math.Abs(a*x[i]) + math.Abs(want[i]))
					if math.Abs(y[i]-want[i]) > tol {
						t.Fatalf("%s: n=%d off=%d i=%d: got %v want %v", name, n, off, i, y[i], want[i])
					}
				}
				checkGuards(t, bx, n, off)
				checkGuards(t, by, n, 3-off)
			}
		}
	}
}

func TestAxpyToPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	for name, axpyTo := range axpyToPaths {
		for _, n := range lengths() {
			for off := 0; off < 4; off++ {
				x, bx := guarded(n, off)
				y, by := guarded(n, (off+2)%4)
				dst, bd := guarded(n, 3-off)
				randVec(rng, x)
				randVec(rng, y)
				a := rng.NormFloat64()
				want := make([]float64, n)
				axpyToRef(want, a, x, y)
				axpyTo(dst, a, x, y)
				for i := range dst {
					if dst[i] != want[i] {
						t.Fatalf("%s: n=%d off=%d i=%d: got %v want %v", name, n, off, i, dst[i], want[i])
					}
				}
				checkGuards(t, bx, n, off)
				checkGuards(t, by, n, (off+2)%4)
				checkGuards(t, bd, n, 3-off)
			}
		}
	}
	// In place: dst aliasing y, as the callers of AxpyTo may do.
	y := []float64{1, 2, 3, 4, 5}
	AxpyTo(y, 2, []float64{1, 1, 1, 1, 1}, y)
	if y[0] != 3 || y[4] != 7 {
		t.Errorf("AxpyTo in place: %v", y)
	}
}

func TestLengthMismatchPanics(t *testing.T) {
	cases := map[string]func(){
		"Dot":    func() { Dot(make([]float64, 2), make([]float64, 3)) },
		"Axpy":   func() { Axpy(1, make([]float64, 2), make([]float64, 3)) },
		"AxpyTo": func() { AxpyTo(make([]float64, 2), 1, make([]float64, 3), make([]float64, 3)) },
		"Add":    func() { Add(make([]float64, 3), make([]float64, 3), make([]float64, 2)) },
		"Sub":    func() { Sub(make([]float64, 1), make([]float64, 3), make([]float64, 3)) },
		"Copy":   func() { Copy(make([]float64, 1), make([]float64, 3)) },
		"AXPBY":  func() { AXPBY(1, make([]float64, 2), 1, make([]float64, 3)) },
		"DistSq": func() { DistSq(make([]float64, 2), make([]float64, 3)) },
		"Scale":  func() { ScaleTo(make([]float64, 2), 1, make([]float64, 3)) },
		"MulTo":  func() { MulTo(make([]float64, 3), make([]float64, 3), make([]float64, 2)) },
	}
	for name, f := range cases {
		func() {
			defer func() {
				r := recover()
				if r != errLength {
					t.Errorf("%s: recovered %v, want %q", name, r, errLength)
				}
			}()
			f()
		}()
	}
}

func TestLevel1Values(t *testing.T) {
	x := []float64{1, -2, 3}
	y := []float64{4, 5, -6}
	dst := make([]float64, 3)
	check := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	check("Add", Add(dst, x, y), []float64{5, 3, -3})
	check("Sub", Sub(dst, x, y), []float64{-3, -7, 9})
	check("ScaleTo", ScaleTo(dst, 2, x), []float64{2, -4, 6})
	check("MulTo", MulTo(dst, x, y), []float64{4, -10, -18})
	check("AxpyTo", AxpyTo(dst, 2, x, y), []float64{6, 1, 0})
	z := []float64{4, 5, -6}
	AXPBY(2, x, -1, z)
	check("AXPBY", z, []float64{-2, -9, 12})
	z = []float64{4, 5, -6}
	Axpy(-1, x, z)
	check("Axpy", z, []float64{3, 7, -9})
	Scal(0.5, z)
	check("Scal", z, []float64{1.5, 3.5, -4.5})
	Copy(z, x)
	check("Copy", z, x)
	Zero(z)
	check("Zero", z, []float64{0, 0, 0})
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"Dot", Dot(x, y), -24},
		{"SqNorm", SqNorm(x), 14},
		{"DistSq", DistSq(x, y), 9 + 49 + 81},
		{"Asum", Asum(x), 6},
		{"MaxAbs", MaxAbs(y), 6},
		{"Sum", Sum(y), 3},
		{"Nrm2", Nrm2([]float64{3, 4}), 5},
		{"Nrm2 empty", Nrm2(nil), 0},
		{"MaxAbs empty", MaxAbs(nil), 0},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestNrm2Extremes(t *testing.T) {
	for _, c := range []struct {
		x    []float64
		want float64
	}{
		{[]float64{1e300, 1e300}, math.Sqrt2 * 1e300},
		{[]float64{1e-300, -1e-300}, math.Sqrt2 * 1e-300},
		{[]float64{3e200, 4e200}, 5e200},
		{[]float64{3e-200, 0, 4e-200}, 5e-200},
		{[]float64{math.SmallestNonzeroFloat64, math.SmallestNonzeroFloat64}, math.Sqrt2 * math.SmallestNonzeroFloat64},
		{[]float64{math.MaxFloat64, 1}, math.MaxFloat64},
		{[]float64{1, math.Inf(-1), math.NaN()}, math.Inf(1)},
	} {
		got := Nrm2(c.x)
		if math.Abs(got-c.want) > 4*0x1p-52*c.want && got != c.want {
			t.Errorf("Nrm2(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := Nrm2([]float64{1, math.NaN()}); !math.IsNaN(got) {
		t.Errorf("Nrm2 with NaN = %v, want NaN", got)
	}
}

func TestAllFiniteAndMaxAbs(t *testing.T) {
	if !AllFinite(nil) || !AllFinite([]float64{1, -math.MaxFloat64}) {
		t.Error("AllFinite false on finite input")
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		x := []float64{1, 2, v, 3}
		if AllFinite(x) {
			t.Errorf("AllFinite(%v) = true", x)
		}
	}
	if got := MaxAbs([]float64{1, math.NaN(), 5}); !math.IsNaN(got) {
		t.Errorf("MaxAbs with NaN = %v, want NaN", got)
	}
	if got := MaxAbs([]float64{1, math.Inf(-1)}); !math.IsInf(got, 1) {
		t.Errorf("MaxAbs with -Inf = %v", got)
	}
}

func TestKernelsDoNotAllocate(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	x := make([]float64, 1000)
	y := make([]float64, 1000)
	randVec(rng, x)
	randVec(rng, y)
	var sp Sparse
	TopK(&sp, x, 10)
	RandK(&sp, x, 10, rng)
	a, _ := NewCSR(3, 1000, []Triplet{{0, 1, 2}, {2, 999, 1}})
	out := make([]float64, 3)
	for name, f := range map[string]func(){
		"Dot":         func() { _ = Dot(x, y) },
		"Axpy":        func() { Axpy(0.5, x, y) },
		"Nrm2":        func() { _ = Nrm2(x) },
		"TopK":        func() { TopK(&sp, x, 10) },
		"RandK":       func() { RandK(&sp, x, 10, rng) },
		"ScatterAdd":  func() { sp.ScatterAdd(y, 1) },
		"MulVec":      func() { a.MulVec(out, x) },
		"MulVecTrans": func() { a.MulVecTrans(y, out) },
	} {
		if n := testing.AllocsPerRun(20, f); n != 0 {
			t.Errorf("%s allocates %v times per call", name, n)
		}
	}
}

func FuzzDot(f *testing.F) {
	f.Add(uint64(1), uint8(5), 1.0)
	f.Add(uint64(7), uint8(67), 1e300)
	f.Add(uint64(9), uint8(0), math.NaN())
	f.Add(uint64(3), uint8(255), 1.0)
	f.Fuzz(func(t *testing.T, seed uint64, n uint8, scale float64) {
		rng := rand.New(rand.NewPCG(seed, 0))
		x := make([]float64, n)
		y := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() * scale
			y[i] = rng.NormFloat64()
		}
		want := dotRef(x, y)
		var abs float64
		for i := range x {
			abs += math.Abs(x[i] * y[i])
		}
		for name, dot := range dotPaths {
			got := dot(x, y)
			if math.IsNaN(want) || math.IsInf(abs, 0) {
				if !math.IsNaN(got) && !math.IsInf(got, 0) {
					t.Fatalf("%s: got %v, want non-finite like %v", name, got, want)
				}
				continue
			}
			if math.Abs(got-want) > (float64(n)+1)*0x1p-52*abs { // n+1 in uint8 would wrap at 255
				t.Fatalf("%s: got %v want %v", name, got, want)
			}
		}
	})
}
