//go:build !amd64 || purego

package linalg

// HasAVX2FMA reports whether the CPU and the operating system support AVX2
// and FMA, which the assembly kernels need: linalg chooses its kernels with
// it, and other packages with kernels of their own (nn) ask it too, so the
// CPU is probed in one place. It is false off amd64 and with -tags purego.
func HasAVX2FMA() bool { return false }
