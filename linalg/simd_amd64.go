//go:build amd64 && goexperiment.simd && !purego

package linalg

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		dotKernel = dotSIMD
		axpyKernel = axpySIMD
		collectKernel = collectSIMD
		kernelPath = "simd"
	}
}

// dotSIMD equals dotRef up to reassociation: four 4-wide accumulators with
// fused multiply-add, then a scalar tail.
func dotSIMD(x, y []float64) float64 {
	n := len(x)
	y = y[:n]
	var a0, a1, a2, a3 archsimd.Float64x4
	i := 0
	for ; i+16 <= n; i += 16 {
		a0 = archsimd.LoadFloat64x4Slice(x[i:]).MulAdd(archsimd.LoadFloat64x4Slice(y[i:]), a0)
		a1 = archsimd.LoadFloat64x4Slice(x[i+4:]).MulAdd(archsimd.LoadFloat64x4Slice(y[i+4:]), a1)
		a2 = archsimd.LoadFloat64x4Slice(x[i+8:]).MulAdd(archsimd.LoadFloat64x4Slice(y[i+8:]), a2)
		a3 = archsimd.LoadFloat64x4Slice(x[i+12:]).MulAdd(archsimd.LoadFloat64x4Slice(y[i+12:]), a3)
	}
	for ; i+4 <= n; i += 4 {
		a0 = archsimd.LoadFloat64x4Slice(x[i:]).MulAdd(archsimd.LoadFloat64x4Slice(y[i:]), a0)
	}
	var buf [4]float64
	a0.Add(a1).Add(a2.Add(a3)).Store(&buf)
	s := (buf[0] + buf[1]) + (buf[2] + buf[3])
	for ; i < n; i++ {
		s += x[i] * y[i]
	}
	return s
}

// axpySIMD equals axpyRef except that each a*x[i]+y[i] is fused (one rounding).
func axpySIMD(a float64, x, y []float64) {
	n := len(x)
	y = y[:n]
	av := archsimd.BroadcastFloat64x4(a)
	i := 0
	for ; i+8 <= n; i += 8 {
		r0 := av.MulAdd(archsimd.LoadFloat64x4Slice(x[i:]), archsimd.LoadFloat64x4Slice(y[i:]))
		r1 := av.MulAdd(archsimd.LoadFloat64x4Slice(x[i+4:]), archsimd.LoadFloat64x4Slice(y[i+4:]))
		r0.StoreSlice(y[i:])
		r1.StoreSlice(y[i+4:])
	}
	for ; i+4 <= n; i += 4 {
		av.MulAdd(archsimd.LoadFloat64x4Slice(x[i:]), archsimd.LoadFloat64x4Slice(y[i:])).StoreSlice(y[i:])
	}
	for ; i < n; i++ {
		y[i] += a * x[i]
	}
}

// collectSIMD equals collectRef exactly: it compares four magnitudes at a
// time with the threshold and falls back to scalar code only for the blocks
// that hold a candidate (or a NaN).
func collectSIMD(idx []int, mag []float64, x []float64, t float64, base int) ([]int, []float64) {
	n := len(x)
	tv := archsimd.BroadcastFloat64x4(t)
	absMask := archsimd.BroadcastUint64x4(0x7fffffffffffffff)
	i := 0
	for ; i+8 <= n; i += 8 {
		v0 := archsimd.LoadFloat64x4Slice(x[i:])
		v1 := archsimd.LoadFloat64x4Slice(x[i+4:])
		m0 := v0.AsUint64x4().And(absMask).AsFloat64x4().GreaterEqual(tv).Or(v0.IsNaN())
		m1 := v1.AsUint64x4().And(absMask).AsFloat64x4().GreaterEqual(tv).Or(v1.IsNaN())
		if m0.Or(m1).ToBits() == 0 {
			continue
		}
		idx, mag = collectRef(idx, mag, x[i:i+8], t, base+i)
	}
	return collectRef(idx, mag, x[i:], t, base+i)
}
