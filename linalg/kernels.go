package linalg

import "gonum.org/v1/gonum/floats"

// The kernel variables hold the implementation each exported function
// dispatches to. They default to gonum's assembly kernels; simd_amd64.go
// replaces them with AVX2 versions when built with GOEXPERIMENT=simd on a CPU
// that has AVX2 and FMA, and purego.go with the reference loops.
var (
	dotKernel     = floats.Dot
	axpyKernel    = gonumAxpy
	axpyToKernel  = gonumAxpyTo
	collectKernel = collectBits
	kernelPath    = "gonum"
)

// gonumAxpy is y += a*x through gonum's assembly AxpyUnitary; it equals axpyRef.
func gonumAxpy(a float64, x, y []float64) { floats.AddScaled(y, a, x) }

// gonumAxpyTo is dst = a*x + y through gonum's assembly AxpyUnitaryTo; it
// equals axpyToRef.
func gonumAxpyTo(dst []float64, a float64, x, y []float64) { floats.AddScaledTo(dst, y, a, x) }

// KernelPath reports which implementation the vector kernels use:
// "gonum" (default), "simd" (GOEXPERIMENT=simd with AVX2 and FMA) or
// "purego" (built with -tags purego).
func KernelPath() string { return kernelPath }
