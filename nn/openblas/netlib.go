//go:build netlib && cgo

package openblas

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// Use installs OpenBLAS as blas64's implementation.
func Use() error {
	blas64.Use(netlib.Implementation{})
	return nil
}
