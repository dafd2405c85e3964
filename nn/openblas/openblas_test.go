package openblas_test

import (
	"errors"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"

	"github.com/optlearn/optlearn/nn/openblas"
)

// Use either installs a working Dgemm or says it is not built in.
func TestUse(t *testing.T) {
	err := openblas.Use()
	if errors.Is(err, openblas.ErrUnavailable) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	a := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: []float64{1, 2, 3, 4}}
	c := blas64.General{Rows: 2, Cols: 2, Stride: 2, Data: make([]float64, 4)}
	blas64.Gemm(blas.NoTrans, blas.NoTrans, 1, a, a, 0, c)
	if c.Data[0] != 7 || c.Data[1] != 10 || c.Data[2] != 15 || c.Data[3] != 22 {
		t.Fatalf("A·A = %v, want [7 10 15 22]", c.Data)
	}
}
