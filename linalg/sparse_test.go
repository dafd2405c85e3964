package linalg

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSparseOps(t *testing.T) {
	var s Sparse
	s.Reset(6)
	s.Append(1, 2)
	s.Append(4, -3)
	dst := []float64{1, 1, 1, 1, 1, 1}
	s.ScatterAdd(dst, 2)
	if !slices.Equal(dst, []float64{1, 5, 1, 1, -5, 1}) {
		t.Errorf("ScatterAdd: %v", dst)
	}
	if got := s.DotDense([]float64{9, 1, 9, 9, 2, 9}); got != -4 {
		t.Errorf("DotDense = %v, want -4", got)
	}
	if got := s.ScatterTo(make([]float64, 6)); !slices.Equal(got, []float64{0, 2, 0, 0, -3, 0}) {
		t.Errorf("ScatterTo: %v", got)
	}
	var g Sparse
	g.Gather([]float64{5, 6, 7, 8}, []int{0, 3})
	if g.N != 4 || !slices.Equal(g.Index, []int{0, 3}) || !slices.Equal(g.Value, []float64{5, 8}) {
		t.Errorf("Gather: %+v", g)
	}
	var c Sparse
	c.CopyFrom(&s)
	c.Value[0] = 100
	if s.Value[0] != 2 {
		t.Error("CopyFrom shares storage")
	}
	// 6 positions need 3 bits; two entries of 64+3 bits.
	if got := s.Bits(); got != 2*67 {
		t.Errorf("Bits = %d, want %d", got, 2*67)
	}
	for n, want := range map[int]int{1: 1, 2: 1, 3: 2, 4: 2, 5: 3, 123: 7, 128: 7, 129: 8, 1 << 20: 20} {
		if got := IndexBits(n); got != want {
			t.Errorf("IndexBits(%d) = %d, want %d", n, got, want)
		}
	}
	if DenseBits(10) != 640 {
		t.Error("DenseBits")
	}
	defer func() {
		if recover() == nil {
			t.Error("Append out of order did not panic")
		}
	}()
	s.Append(2, 1)
}

func TestIdxKernels(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	if got := DotIdx([]float64{10, -1}, []int{3, 0}, x); got != 39 {
		t.Errorf("DotIdx = %v, want 39", got)
	}
	y := []float64{0, 0, 0, 0}
	AxpyIdx(2, []float64{1, 5, 1}, []int{2, 0, 2}, y)
	if !slices.Equal(y, []float64{10, 0, 4, 0}) {
		t.Errorf("AxpyIdx: %v", y)
	}
	defer func() {
		if recover() != errLength {
			t.Error("DotIdx with mismatched lengths did not panic with the length message")
		}
	}()
	DotIdx([]float64{1}, []int{0, 1}, x)
}

func denseOf(a *CSR) [][]float64 {
	d := make([][]float64, a.Rows)
	for i := range d {
		d[i] = make([]float64, a.Cols)
		idx, val := a.Row(i)
		for k, j := range idx {
			d[i][j] = val[k]
		}
	}
	return d
}

func randCSR(rng *rand.Rand, rows, cols int, density float64) (*CSR, [][]float64) {
	var tr []Triplet
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			if rng.Float64() < density {
				tr = append(tr, Triplet{i, j, rng.NormFloat64()})
			}
		}
	}
	rng.Shuffle(len(tr), func(a, b int) { tr[a], tr[b] = tr[b], tr[a] })
	a, err := NewCSR(rows, cols, tr)
	if err != nil {
		panic(err)
	}
	return a, denseOf(a)
}

func TestCSR(t *testing.T) {
	a, err := NewCSR(3, 4, []Triplet{{2, 1, 1}, {0, 3, 2}, {2, 1, 4}, {0, 0, -1}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.RowPtr, []int{0, 2, 2, 3}) || !slices.Equal(a.ColIdx, []int{0, 3, 1}) || !slices.Equal(a.Val, []float64{-1, 2, 5}) {
		t.Fatalf("NewCSR: %+v", a)
	}
	if _, err := NewCSR(2, 2, []Triplet{{2, 0, 1}}); !errors.Is(err, ErrShape) {
		t.Errorf("out-of-range triplet: err = %v", err)
	}
	rows := []Sparse{{N: 4, Index: []int{0, 3}, Value: []float64{-1, 2}}, {N: 4}, {N: 4, Index: []int{1}, Value: []float64{5}}}
	b, err := NewCSRFromRows(4, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(b.Val, a.Val) || !slices.Equal(b.RowPtr, a.RowPtr) {
		t.Errorf("NewCSRFromRows differs: %+v", b)
	}
	if _, err := NewCSRFromRows(3, rows); !errors.Is(err, ErrShape) {
		t.Errorf("wrong row dimension: err = %v", err)
	}

	rng := rand.New(rand.NewPCG(9, 0))
	for _, sh := range [][2]int{{1, 1}, {7, 3}, {50, 40}, {333, 17}} {
		a, d := randCSR(rng, sh[0], sh[1], 0.2)
		x := make([]float64, a.Cols)
		randVec(rng, x)
		y := make([]float64, a.Rows)
		a.MulVec(y, x)
		for i := range y {
			want := dotRef(d[i], x)
			if diff := y[i] - want; diff*diff > 1e-20*(1+want*want) {
				t.Fatalf("MulVec row %d: %v want %v", i, y[i], want)
			}
		}
		for _, w := range []int{0, 1, 2, 3, 8} {
			yp := make([]float64, a.Rows)
			a.MulVecPar(yp, x, w)
			if !slices.Equal(yp, y) {
				t.Fatalf("MulVecPar(%d) differs from MulVec", w)
			}
		}
		xt := make([]float64, a.Rows)
		randVec(rng, xt)
		yt := make([]float64, a.Cols)
		a.MulVecTrans(yt, xt)
		for j := range yt {
			var want float64
			for i := range d {
				want += d[i][j] * xt[i]
			}
			if diff := yt[j] - want; diff*diff > 1e-20*(1+want*want) {
				t.Fatalf("MulVecTrans col %d: %v want %v", j, yt[j], want)
			}
		}
		for _, w := range []int{2, 3} {
			y1 := make([]float64, a.Cols)
			y2 := make([]float64, a.Cols)
			a.MulVecTransPar(y1, xt, w)
			a.MulVecTransPar(y2, xt, w)
			if !slices.Equal(y1, y2) {
				t.Fatal("MulVecTransPar not repeatable")
			}
			for j := range y1 {
				if diff := y1[j] - yt[j]; diff*diff > 1e-20*(1+yt[j]*yt[j]) {
					t.Fatalf("MulVecTransPar col %d: %v want %v", j, y1[j], yt[j])
				}
			}
		}
		sub := a.RowSlice(1, a.Rows)
		ys := make([]float64, sub.Rows)
		sub.MulVec(ys, x)
		if !slices.Equal(ys, y[1:]) {
			t.Fatal("RowSlice MulVec differs")
		}
		sel := a.SelectRows([]int{a.Rows - 1, 0})
		ysel := make([]float64, 2)
		sel.MulVec(ysel, x)
		if ysel[0] != y[a.Rows-1] || ysel[1] != y[0] {
			t.Fatal("SelectRows MulVec differs")
		}
	}
}
