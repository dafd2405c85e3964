//go:build amd64 && !purego

package linalg

import "math"

// The assembly kernels of asm_amd64.s (AVX2 and FMA). They trust the
// caller for the lengths.
func dotAVX2(x, y []float64) float64
func dotAVX512(x, y []float64) float64
func axpyAVX2(a float64, x, y []float64)
func axpyAVX512(a float64, x, y []float64)
func axpyToAVX2(dst []float64, a float64, x, y []float64)
func axpyToAVX512(dst []float64, a float64, x, y []float64)
func expAVX2(dst, x []float64) (inRange bool)
func collectAVX512(idx []int, mag []float64, x []float64, tb uint64, base int) (n int)

// init installs the assembly kernels when the CPU has AVX2 and FMA, and the
// 8-wide Dot, Axpy, AxpyTo and TopK scan when it also has AVX-512F: in the
// default build they measured faster than gonum's SSE2 kernels at d = 10³
// and 10⁵ (BenchmarkDot, BenchmarkAxpy, BenchmarkAxpyTo; README) and than
// collectBits (BenchmarkTopK), and Exp is several times math.Exp per
// element (BenchmarkExp).
func init() {
	if !hasAVX2FMA {
		return
	}
	dotKernel = dotAVX2
	axpyKernel = axpyAVX2
	axpyToKernel = axpyToAVX2
	expKernel = expAsm
	kernelPath = "avx2"
	if hasAVX512 {
		dotKernel = dotAVX512
		axpyKernel = axpyAVX512
		axpyToKernel = axpyToAVX512
		collectKernel = collectAsm
		kernelPath = "avx512"
	}
}

// collectAsm equals collectRef. It runs collectAVX512 on the multiple-of-8
// head of x when idx and mag have room for every entry of it, and
// collectBits otherwise and on the rest.
func collectAsm(idx []int, mag []float64, x []float64, t float64, base int) ([]int, []float64) {
	if t != t {
		// No magnitude reaches a NaN threshold in collectRef.
		return idx, mag
	}
	n := len(x) &^ 7
	if n == 0 || cap(idx)-len(idx) < n || cap(mag)-len(mag) < n {
		return collectBits(idx, mag, x, t, base)
	}
	const abs = 1<<63 - 1
	c := collectAVX512(idx[len(idx):cap(idx)], mag[len(mag):cap(mag)], x[:n], math.Float64bits(t)&abs, base)
	idx, mag = idx[:len(idx)+c], mag[:len(mag)+c]
	return collectBits(idx, mag, x[n:], t, base+n)
}

// expAsm runs expAVX2 on the multiple-of-4 head and math.Exp on the rest,
// and on every element the kernel flagged as out of its range.
func expAsm(dst, x []float64) {
	n := len(x) &^ 3
	if !expAVX2(dst[:n], x[:n]) {
		expFixup(dst[:n], x[:n])
	}
	expRef(dst[n:], x[n:])
}
