package linalg

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// Gemv computes y = alpha*A x + beta*y, or with Aᵀ when trans is true,
// through gonum's blas64 so that a native BLAS installed with blas64.Use
// serves it. It panics if the lengths do not fit A's shape.
func Gemv(trans bool, alpha float64, a blas64.General, x []float64, beta float64, y []float64) {
	t := blas.NoTrans
	m, n := a.Rows, a.Cols
	if trans {
		t = blas.Trans
		m, n = n, m
	}
	checkLen(len(x), n)
	checkLen(len(y), m)
	blas64.Gemv(t, alpha, a, blas64.Vector{N: len(x), Inc: 1, Data: x}, beta, blas64.Vector{N: len(y), Inc: 1, Data: y})
}

// Ger computes the rank-one update A += alpha * x yᵀ through gonum's
// blas64 (so a native BLAS installed with blas64.Use serves it). A is
// len(x)×len(y); it panics if the lengths do not fit A's shape.
func Ger(alpha float64, x, y []float64, a blas64.General) {
	checkLen(len(x), a.Rows)
	checkLen(len(y), a.Cols)
	blas64.Ger(alpha, blas64.Vector{N: len(x), Inc: 1, Data: x}, blas64.Vector{N: len(y), Inc: 1, Data: y}, a)
}
