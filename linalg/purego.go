//go:build purego

package linalg

func init() {
	dotKernel = dotRef
	axpyKernel = axpyRef
	axpyToKernel = axpyToRef
	collectKernel = collectRef
	kernelPath = "purego"
}
