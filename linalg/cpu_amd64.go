//go:build amd64 && !purego

package linalg

// cpuid and xgetbv are in cpu_amd64.s: the instructions, nothing more.
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)
func xgetbv() (eax, edx uint32)

// hasAVX2FMA reports whether the CPU has AVX2 and FMA and the operating
// system saves the YMM registers (OSXSAVE and XCR0 bits 1 and 2), the
// conditions for the assembly kernels of asm_amd64.s. It is read once at
// start-up, as the standard library's internal/cpu does.
var hasAVX2FMA = detectAVX2FMA()

// hasAVX512 reports, in addition, AVX-512F with the OS saving the opmask
// and ZMM state (XCR0 bits 5 to 7).
var hasAVX512 = hasAVX2FMA && detectAVX512()

func detectAVX512() bool {
	if xcr0, _ := xgetbv(); xcr0&0xe0 != 0xe0 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx512f = 1 << 16
	return ebx7&avx512f != 0
}

func detectAVX2FMA() bool {
	maxID, _, _, _ := cpuid(0, 0)
	if maxID < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const (
		fma     = 1 << 12
		osxsave = 1 << 27
		avx     = 1 << 28
	)
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 { // XMM and YMM state enabled
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}

// HasAVX2FMA reports whether the CPU and the operating system support AVX2
// and FMA, which the assembly kernels need: linalg chooses its kernels with
// it, and other packages with kernels of their own (nn) ask it too, so the
// CPU is probed in one place. It is false off amd64 and with -tags purego.
func HasAVX2FMA() bool { return hasAVX2FMA }
