package nn

import (
	"fmt"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// BLAS names the implementation the batched passes use: "native (T)" for
// a BLAS installed with blas64.Use (the netlib build tag installs
// OpenBLAS), "go+avx2" for the pure-Go path with this package's AVX2/FMA
// kernel, or "go" for gonum's pure-Go Dgemm.
func BLAS() string {
	impl := blas64.Implementation()
	if _, pure := impl.(gonum.Implementation); !pure {
		return fmt.Sprintf("native (%T)", impl)
	}
	if useKernel {
		return "go+avx2"
	}
	return "go"
}
