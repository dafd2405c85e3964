//go:build !purego

package pde

// fusedDiagAVX2 is the AVX2+FMA body of [fusedDiag] over n (a multiple of
// 8) elements, in fused_amd64.s.
//
//go:noescape
func fusedDiagAVX2(v, mu, d, w *float64, n int) (gm, den float64, signs uint64)

// fusedDiagAVX512 is the same body with 8-wide registers and four
// accumulators per sum, for CPUs with AVX-512F.
//
//go:noescape
func fusedDiagAVX512(v, mu, d, w *float64, n int) (gm, den float64, signs uint64)

func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax uint32)

// hasAVX2FMA reports whether the CPU and the OS support AVX2 and FMA.
var hasAVX2FMA = func() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xgetbv()&6 != 6 { // XMM and YMM state enabled by the OS
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<5) != 0
}()

// hasAVX512 reports, in addition, AVX-512F with the OS saving the opmask
// and ZMM state (XCR0 bits 5 to 7).
var hasAVX512 = func() bool {
	if !hasAVX2FMA || xgetbv()&0xe0 != 0xe0 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	return ebx7&(1<<16) != 0
}()

// fusedBlock runs the vector body over the largest multiple of 8 elements
// and returns how many it did, with its partial sums.
func fusedBlock(v, mu, d, g []float64) (done int, gm, den float64, signs uint64) {
	n := len(v) &^ 7
	if !hasAVX2FMA || n == 0 {
		return 0, 0, 0, 0
	}
	if hasAVX512 {
		gm, den, signs = fusedDiagAVX512(&v[0], &mu[0], &d[0], &g[0], n)
	} else {
		gm, den, signs = fusedDiagAVX2(&v[0], &mu[0], &d[0], &g[0], n)
	}
	return n, gm, den, signs
}
