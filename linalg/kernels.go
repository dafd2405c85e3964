package linalg

import "gonum.org/v1/gonum/floats"

// The kernel variables hold the implementation each exported function
// dispatches to. They default to gonum's assembly kernels and collectBits;
// asm_amd64.go replaces them at start-up with this package's AVX2/FMA
// assembly when the CPU has those features (and AVX-512 Dot, Axpy, AxpyTo
// and TopK scan when it has AVX-512F), simd_amd64.go (GOEXPERIMENT=simd)
// installs its archsimd Dot after that, and purego.go the reference loops.
var (
	dotKernel     = floats.Dot
	axpyKernel    = gonumAxpy
	axpyToKernel  = gonumAxpyTo
	collectKernel = collectBits
	expKernel     = expRef
	kernelPath    = "gonum"
)

// gonumAxpy is y += a*x through gonum's assembly AxpyUnitary; it equals axpyRef.
func gonumAxpy(a float64, x, y []float64) { floats.AddScaled(y, a, x) }

// gonumAxpyTo is dst = a*x + y through gonum's assembly AxpyUnitaryTo; it
// equals axpyToRef.
func gonumAxpyTo(dst []float64, a float64, x, y []float64) { floats.AddScaledTo(dst, y, a, x) }

// KernelPath reports which implementation the vector kernels use: "avx2"
// (amd64 with AVX2 and FMA: this package's assembly), "avx512" (the same
// with AVX-512 Dot, Axpy, AxpyTo and TopK scan), "gonum" (other CPUs:
// gonum's kernels), "simd" (GOEXPERIMENT=simd with AVX2 and FMA: archsimd
// Dot, assembly Axpy) or "purego" (built with -tags purego).
func KernelPath() string { return kernelPath }
