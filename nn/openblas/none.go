//go:build !(netlib && cgo)

package openblas

// Use returns [ErrUnavailable]: this build has no native BLAS.
func Use() error { return ErrUnavailable }
