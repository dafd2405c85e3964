package linalg

import "gonum.org/v1/gonum/floats"

// Every compiled implementation of each kernel family, tested against the
// reference. simd_amd64_test.go adds the archsimd versions when they exist.
var (
	dotPaths = map[string]func(x, y []float64) float64{
		"ref":   dotRef,
		"gonum": floats.Dot,
	}
	axpyPaths = map[string]func(a float64, x, y []float64){
		"ref":   axpyRef,
		"gonum": gonumAxpy,
	}
	axpyToPaths = map[string]func(dst []float64, a float64, x, y []float64){
		"ref":   axpyToRef,
		"gonum": gonumAxpyTo,
	}
	expPaths = map[string]func(dst, x []float64){
		"ref": expRef,
	}
	collectPaths = map[string]func(idx []int, mag []float64, x []float64, t float64, base int) ([]int, []float64){
		"ref":  collectRef,
		"bits": collectBits,
	}
)
