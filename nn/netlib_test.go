//go:build netlib && cgo

package nn

import "github.com/optlearn/optlearn/nn/openblas"

// Built with -tags netlib, the package's tests and benchmarks run on
// OpenBLAS.
func init() {
	if err := openblas.Use(); err != nil {
		panic(err)
	}
}
