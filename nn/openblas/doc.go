// Package openblas installs a native BLAS (OpenBLAS, through
// gonum.org/v1/netlib) as the implementation of gonum's blas64, which the
// batched passes of package nn (and every other blas64 user) then call.
// It is optional: without the build tag netlib, [Use] returns
// [ErrUnavailable] and everything runs in pure Go.
//
// To use it, install the library (Debian: apt-get install -y
// libopenblas-dev), build with cgo and -tags netlib, and call [Use] once
// at the start of main:
//
//	if err := openblas.Use(); err != nil {
//		log.Print(err) // pure Go
//	}
//
// Set OPENBLAS_NUM_THREADS=1 to keep results independent of the
// machine's thread count (OpenBLAS may split sums across threads).
package openblas

import "errors"

// ErrUnavailable is returned by [Use] in a build without the netlib tag
// or without cgo.
var ErrUnavailable = errors.New("openblas: not built in (build with cgo and -tags netlib)")
