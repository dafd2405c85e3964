package linalg

import (
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas64"
)

// TestBadInput is the table of bad calls to every exported entry point of
// linalg. Kernels panic on programmer errors (lengths, indices, k out of
// range, a nil rng) with a message starting "linalg: " and never with a Go
// runtime error; constructors and Validate return errors wrapping ErrShape.
func TestBadInput(t *testing.T) {
	x3, y2 := make([]float64, 3), make([]float64, 2)
	good := &CSR{Rows: 2, Cols: 3, RowPtr: []int{0, 1, 2}, ColIdx: []int{0, 2}, Val: []float64{1, 2}}
	broken := &CSR{Rows: 2, Cols: 3, RowPtr: []int{0, 1, 5}, ColIdx: []int{0, 7}, Val: []float64{1, 2}}
	badSparse := Sparse{N: 3, Index: []int{0, 5}, Value: []float64{1, 2}}
	shortVals := Sparse{N: 3, Index: []int{0, 1}, Value: []float64{1}}
	gen := blas64.General{Rows: 2, Cols: 3, Stride: 3, Data: make([]float64, 6)}
	panics := map[string]func(){
		"Dot":                     func() { Dot(x3, y2) },
		"Axpy":                    func() { Axpy(1, x3, y2) },
		"AxpyTo dst":              func() { AxpyTo(y2, 1, x3, x3) },
		"AxpyTo x y":              func() { AxpyTo(x3, 1, x3, y2) },
		"ScaleTo":                 func() { ScaleTo(y2, 1, x3) },
		"AXPBY":                   func() { AXPBY(1, x3, 1, y2) },
		"Add":                     func() { Add(x3, x3, y2) },
		"Sub":                     func() { Sub(x3, y2, x3) },
		"MulTo":                   func() { MulTo(y2, x3, x3) },
		"Copy":                    func() { Copy(x3, y2) },
		"DistSq":                  func() { DistSq(x3, y2) },
		"DotIdx lengths":          func() { DotIdx(x3, []int{0}, x3) },
		"DotIdx index":            func() { DotIdx([]float64{1}, []int{3}, x3) },
		"DotIdx negative":         func() { DotIdx([]float64{1}, []int{-1}, x3) },
		"AxpyIdx lengths":         func() { AxpyIdx(1, y2, []int{0}, x3) },
		"AxpyIdx index":           func() { AxpyIdx(1, []float64{1}, []int{9}, x3) },
		"Sparse.Reset":            func() { var s Sparse; s.Reset(-1) },
		"Sparse.Append range":     func() { var s Sparse; s.Reset(2); s.Append(2, 1) },
		"Sparse.Append order":     func() { var s Sparse; s.Reset(3); s.Append(1, 1); s.Append(0, 1) },
		"Sparse.ScatterAdd len":   func() { var s Sparse; s.Reset(3); s.ScatterAdd(y2, 1) },
		"Sparse.ScatterAdd index": func() { s := badSparse; s.ScatterAdd(x3, 1) },
		"Sparse.ScatterAdd vals":  func() { s := shortVals; s.ScatterAdd(x3, 1) },
		"Sparse.ScatterTo len":    func() { var s Sparse; s.Reset(3); s.ScatterTo(y2) },
		"Sparse.ScatterTo index":  func() { s := badSparse; s.ScatterTo(x3) },
		"Sparse.ScatterTo vals":   func() { s := shortVals; s.ScatterTo(x3) },
		"Sparse.Gather range":     func() { var s Sparse; s.Gather(x3, []int{3}) },
		"Sparse.Gather order":     func() { var s Sparse; s.Gather(x3, []int{1, 0}) },
		"Sparse.DotDense len":     func() { var s Sparse; s.Reset(3); s.DotDense(y2) },
		"Sparse.DotDense index":   func() { s := badSparse; s.DotDense(x3) },
		"Sparse.DotDense vals":    func() { s := shortVals; s.DotDense(x3) },
		"Sparse.CopyFrom nil":     func() { var s Sparse; s.CopyFrom(nil) },
		"TopK k < 0":              func() { var s Sparse; TopK(&s, x3, -1) },
		"TopK k > d":              func() { var s Sparse; TopK(&s, x3, 4) },
		"RandK k > d":             func() { var s Sparse; RandK(&s, x3, 4, nil) },
		"RandK nil rng":           func() { var s Sparse; RandK(&s, x3, 1, nil) },
		"CSR.Row":                 func() { good.Row(2) },
		"CSR.Row negative":        func() { good.Row(-1) },
		"CSR.Row malformed":       func() { broken.Row(1) },
		"CSR.RowSlice":            func() { good.RowSlice(1, 3) },
		"CSR.SelectRows":          func() { good.SelectRows([]int{0, 2}) },
		"CSR.MulVec len":          func() { good.MulVec(y2, y2) },
		"CSR.MulVec malformed":    func() { broken.MulVec(y2, x3) },
		"CSR.MulVecTrans len":     func() { good.MulVecTrans(x3, x3) },
		"CSR.MulVecTrans bad":     func() { broken.MulVecTrans(x3, []float64{1, 1}) },
		"CSR.MulVecPar len":       func() { good.MulVecPar(x3, x3, 2) },
		"CSR.MulVecPar malformed": func() { broken.MulVecPar(y2, x3, 2) },
		"CSR.MulVecTransPar len":  func() { good.MulVecTransPar(y2, y2, 2) },
		"CSR.MulVecTransPar bad":  func() { broken.MulVecTransPar(x3, []float64{1, 1}, 2) },
		"Gemv x":                  func() { Gemv(false, 1, gen, y2, 0, y2) },
		"Gemv trans":              func() { Gemv(true, 1, gen, x3, 0, x3) },
		"Ger":                     func() { Ger(1, x3, x3, gen) },
	}
	for name, f := range panics {
		msg, runtimeErr := catch(f)
		switch {
		case msg == "":
			t.Errorf("%s: no panic", name)
		case runtimeErr:
			t.Errorf("%s: Go runtime error %q, want a linalg panic", name, msg)
		case !strings.HasPrefix(msg, "linalg: "):
			t.Errorf("%s: panic %q, want a message starting \"linalg: \"", name, msg)
		}
	}
	errs := map[string]func() error{
		"NewCSR negative":       func() error { _, err := NewCSR(-1, 2, nil); return err },
		"NewCSR outside":        func() error { _, err := NewCSR(2, 2, []Triplet{{Row: 2, Col: 0, Val: 1}}); return err },
		"NewCSRFromRows dim":    func() error { _, err := NewCSRFromRows(3, []Sparse{{N: 2}}); return err },
		"NewCSRFromRows values": func() error { _, err := NewCSRFromRows(3, []Sparse{shortVals}); return err },
		"NewCSRFromRows index":  func() error { _, err := NewCSRFromRows(3, []Sparse{badSparse}); return err },
		"Validate nil":          func() error { var a *CSR; return a.Validate() },
		"Validate RowPtr":       func() error { return (&CSR{Rows: 2, Cols: 1, RowPtr: []int{0}}).Validate() },
		"Validate lengths":      func() error { return (&CSR{Rows: 1, Cols: 1, RowPtr: []int{0, 0}, ColIdx: []int{0}}).Validate() },
		"Validate span":         func() error { return broken.Validate() },
		"Validate order": func() error {
			return (&CSR{Rows: 1, Cols: 3, RowPtr: []int{0, 2}, ColIdx: []int{2, 1}, Val: []float64{1, 1}}).Validate()
		},
		"Validate negative": func() error { return (&CSR{Rows: -1, Cols: 1}).Validate() },
	}
	for name, f := range errs {
		if err := f(); !errors.Is(err, ErrShape) {
			t.Errorf("%s: err = %v, want ErrShape", name, err)
		}
	}
	// Calls that are valid although unusual: no panic, finite results.
	for name, f := range map[string]func(){
		"empty Dot":       func() { _ = Dot(nil, nil) },
		"TopK k = 0":      func() { var s Sparse; TopK(&s, x3, 0) },
		"TopK NaN":        func() { var s Sparse; TopK(&s, []float64{math.NaN(), 1}, 1) },
		"MulVecPar 0":     func() { good.MulVecPar(y2, x3, 0) },
		"Validate good":   func() { _ = good.Validate() },
		"IndexBits 0":     func() { _ = IndexBits(0) },
		"DenseBits 0":     func() { _ = DenseBits(0) },
		"Sum empty":       func() { _ = Sum(nil) },
		"MaxAbs empty":    func() { _ = MaxAbs(nil) },
		"Nrm2 empty":      func() { _ = Nrm2(nil) },
		"Asum empty":      func() { _ = Asum(nil) },
		"AllFinite empty": func() { _ = AllFinite(nil) },
		"KernelPath":      func() { _ = KernelPath() },
	} {
		if msg, _ := catch(f); msg != "" {
			t.Errorf("%s: panic %q", name, msg)
		}
	}
	t.Logf("%d panicking calls, %d error calls", len(panics), len(errs))
}

// catch runs f and returns its panic message ("" if none) and whether it
// was a Go runtime error.
func catch(f func()) (msg string, runtimeErr bool) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		_, runtimeErr = p.(runtime.Error)
		switch v := p.(type) {
		case string:
			msg = v
		case error:
			msg = v.Error()
		default:
			msg = "non-string panic"
		}
	}()
	f()
	return "", false
}
