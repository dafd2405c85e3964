package linalg

import (
	"testing"

	"go.uber.org/goleak"
	"gonum.org/v1/gonum/blas/blas64"
)

// TestMain checks that no test leaves a goroutine behind (MulVecPar and
// MulVecTransPar start and join their own).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestGemv(t *testing.T) {
	a := blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	y := []float64{1, 1}
	Gemv(false, 2, a, []float64{1, 0, -1}, 3, y)
	if y[0] != 2*(1-3)+3 || y[1] != 2*(4-6)+3 {
		t.Errorf("Gemv = %v", y)
	}
	z := []float64{0, 0, 0}
	Gemv(true, 1, a, []float64{1, 1}, 0, z)
	if z[0] != 5 || z[1] != 7 || z[2] != 9 {
		t.Errorf("Gemv trans = %v", z)
	}
	defer func() {
		if recover() != errLength {
			t.Error("Gemv with wrong x length did not panic with the length message")
		}
	}()
	Gemv(false, 1, a, []float64{1, 1}, 0, y)
}

func TestGer(t *testing.T) {
	a := blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: []float64{1, 2, 3, 4, 5, 6}}
	Ger(2, []float64{1, -1}, []float64{1, 0, 2}, a)
	want := []float64{3, 2, 7, 2, 5, 2}
	for i, v := range want {
		if a.Data[i] != v {
			t.Fatalf("Ger = %v, want %v", a.Data, want)
		}
	}
	defer func() {
		if recover() != errLength {
			t.Error("Ger with wrong y length did not panic with the length message")
		}
	}()
	Ger(1, []float64{1, 1}, []float64{1, 1}, a)
}

func TestKernelPath(t *testing.T) {
	p := KernelPath()
	t.Logf("kernel path: %s", p)
	if _, ok := dotPaths["simd"]; ok && p != "simd" {
		t.Errorf("archsimd kernels compiled and supported but path is %q", p)
	}
}
