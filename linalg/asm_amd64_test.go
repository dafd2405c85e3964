//go:build amd64 && !purego

package linalg

func init() {
	if hasAVX2FMA {
		dotPaths["avx2"] = dotAVX2
		axpyPaths["avx2"] = axpyAVX2
		axpyToPaths["avx2"] = axpyToAVX2
		expPaths["avx2"] = expAsm
	}
	if hasAVX512 {
		axpyPaths["avx512"] = axpyAVX512
		axpyToPaths["avx512"] = axpyToAVX512
		dotPaths["avx512"] = dotAVX512
		collectPaths["avx512"] = collectAsm
	}
}
