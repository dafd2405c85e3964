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
// fused multiply-add, then a scalar tail. The loops reslice and convert to
// array pointers so that each block costs one bounds check.
func dotSIMD(x, y []float64) float64 {
	y = y[:len(x)]
	var a0, a1, a2, a3 archsimd.Float64x4
	for len(x) >= 16 {
		xa, ya := (*[16]float64)(x), (*[16]float64)(y)
		a0 = load4(xa[0:4]).MulAdd(load4(ya[0:4]), a0)
		a1 = load4(xa[4:8]).MulAdd(load4(ya[4:8]), a1)
		a2 = load4(xa[8:12]).MulAdd(load4(ya[8:12]), a2)
		a3 = load4(xa[12:16]).MulAdd(load4(ya[12:16]), a3)
		x, y = x[16:], y[16:]
	}
	for len(x) >= 4 {
		a0 = load4(x[0:4]).MulAdd(load4(y[0:4]), a0)
		x, y = x[4:], y[4:]
	}
	var buf [4]float64
	a0.Add(a1).Add(a2.Add(a3)).Store(&buf)
	s := (buf[0] + buf[1]) + (buf[2] + buf[3])
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// load4 loads the first four elements of s, which must have length 4.
func load4(s []float64) archsimd.Float64x4 {
	return archsimd.LoadFloat64x4((*[4]float64)(s))
}

// axpySIMD equals axpyRef except that each a*x[i]+y[i] is fused (one rounding).
func axpySIMD(a float64, x, y []float64) {
	y = y[:len(x)]
	av := archsimd.BroadcastFloat64x4(a)
	for len(x) >= 8 {
		xa, ya := (*[8]float64)(x), (*[8]float64)(y)
		r0 := av.MulAdd(load4(xa[0:4]), load4(ya[0:4]))
		r1 := av.MulAdd(load4(xa[4:8]), load4(ya[4:8]))
		r0.Store((*[4]float64)(ya[0:4]))
		r1.Store((*[4]float64)(ya[4:8]))
		x, y = x[8:], y[8:]
	}
	for len(x) >= 4 {
		av.MulAdd(load4(x[0:4]), load4(y[0:4])).Store((*[4]float64)(y[0:4]))
		x, y = x[4:], y[4:]
	}
	for i, v := range x {
		y[i] += a * v
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
		xa := (*[8]float64)(x[i:])
		v0 := load4(xa[0:4])
		v1 := load4(xa[4:8])
		m0 := v0.AsUint64x4().And(absMask).AsFloat64x4().GreaterEqual(tv).Or(v0.IsNaN())
		m1 := v1.AsUint64x4().And(absMask).AsFloat64x4().GreaterEqual(tv).Or(v1.IsNaN())
		if m0.Or(m1).ToBits() == 0 {
			continue
		}
		idx, mag = collectRef(idx, mag, x[i:i+8], t, base+i)
	}
	return collectRef(idx, mag, x[i:], t, base+i)
}
