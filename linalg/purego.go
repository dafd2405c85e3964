//go:build purego

package linalg

func init() {
	dotKernel = dotRef
	axpyKernel = axpyRef
	collectKernel = collectRef
	kernelPath = "purego"
}
