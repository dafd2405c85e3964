//go:build amd64 && goexperiment.simd && !purego

package linalg

import (
	"math"
	"math/bits"
	"simd/archsimd"
)

// init installs the archsimd kernels that measured faster than the default
// path on the machine they were written on (an AMD EPYC, Zen 3): Dot.
// axpySIMD and collectSIMD are compiled and tested against the reference
// but lost to gonum's AxpyUnitary and to collectBits in BenchmarkAxpy and
// BenchmarkTopK, so the default kernels (now the assembly of asm_amd64.go
// where the CPU has the features) stay in place for them.
func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		dotKernel = dotSIMD
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

// collectSIMD equals collectRef exactly. Like collectBits it compares
// IEEE bit patterns with the sign cleared (as signed 64-bit integers, which
// they fit), so that NaN ranks above +Inf, eight entries at a time, and
// visits only the set bits of the comparison mask.
func collectSIMD(idx []int, mag []float64, x []float64, t float64, base int) ([]int, []float64) {
	if t != t {
		return idx, mag
	}
	const abs = 1<<63 - 1
	absMask := archsimd.BroadcastInt64x4(abs)
	// v > tb-1 is v >= tb; t = 0 gives tb-1 = -1, which every entry exceeds.
	below := archsimd.BroadcastInt64x4(int64(math.Float64bits(t)&abs) - 1)
	i := 0
	for ; i+8 <= len(x); i += 8 {
		xa := (*[8]float64)(x[i:])
		m0 := load4(xa[0:4]).AsInt64x4().And(absMask).Greater(below).ToBits()
		m1 := load4(xa[4:8]).AsInt64x4().And(absMask).Greater(below).ToBits()
		m := uint(m0) | uint(m1)<<4
		for m != 0 {
			j := bits.TrailingZeros(m)
			m &= m - 1
			idx = append(idx, base+i+j)
			mag = append(mag, magnitude(xa[j]))
		}
	}
	return collectRef(idx, mag, x[i:], t, base+i)
}
