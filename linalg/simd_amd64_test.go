//go:build amd64 && goexperiment.simd && !purego

package linalg

import "simd/archsimd"

func init() {
	if archsimd.X86.AVX2() && archsimd.X86.FMA() {
		dotPaths["simd"] = dotSIMD
		axpyPaths["simd"] = axpySIMD
		collectPaths["simd"] = collectSIMD
	}
}
