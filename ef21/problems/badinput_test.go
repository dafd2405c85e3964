package problems

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/linalg"
)

// TestBadInput is the table of bad input to every exported entry point of
// problems: constructors return errors wrapping ErrInput; the oracle
// methods, which have no error result, answer NaN (which ef21.Run reports
// as ErrNotFinite) or nil, and never panic.
func TestBadInput(t *testing.T) {
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(1, 0)) }
	nan := math.NaN()
	x1 := &linalg.CSR{Rows: 2, Cols: 2, RowPtr: []int{0, 1, 2}, ColIdx: []int{0, 1}, Val: []float64{1, 1}}
	ctors := map[string]func() error{
		"NewLeastSquares none":     func() error { _, err := NewLeastSquares(2, nil, nil); return err },
		"NewLeastSquares d 0":      func() error { _, err := NewLeastSquares(0, [][]float64{{}}, [][]float64{{}}); return err },
		"NewLeastSquares d huge":   func() error { _, err := NewLeastSquares(1<<20, [][]float64{{1}}, [][]float64{{1}}); return err },
		"NewLeastSquares targets":  func() error { _, err := NewLeastSquares(1, [][]float64{{1}}, nil); return err },
		"NewLeastSquares empty":    func() error { _, err := NewLeastSquares(1, [][]float64{{}}, [][]float64{{}}); return err },
		"NewLeastSquares ragged":   func() error { _, err := NewLeastSquares(2, [][]float64{{1, 2, 3}}, [][]float64{{1, 2}}); return err },
		"NewLeastSquares NaN":      func() error { _, err := NewLeastSquares(1, [][]float64{{nan}}, [][]float64{{1}}); return err },
		"NewLeastSquares Inf b":    func() error { _, err := NewLeastSquares(1, [][]float64{{1}}, [][]float64{{math.Inf(1)}}); return err },
		"NewLeastSquares singular": func() error { _, err := NewLeastSquares(2, [][]float64{{1, 1}}, [][]float64{{1}}); return err },
		"NewHeterogeneous nil rng": func() error { _, err := NewHeterogeneous(2, 2, 2, 1, nil); return err },
		"NewHeterogeneous n 0":     func() error { _, err := NewHeterogeneous(0, 2, 2, 1, rng()); return err },
		"NewHeterogeneous d -1":    func() error { _, err := NewHeterogeneous(2, -1, 2, 1, rng()); return err },
		"NewHeterogeneous m 0":     func() error { _, err := NewHeterogeneous(2, 2, 0, 1, rng()); return err },
		"NewHeterogeneous spread":  func() error { _, err := NewHeterogeneous(2, 2, 2, 0.5, rng()); return err },
		"NewHeterogeneous NaN":     func() error { _, err := NewHeterogeneous(2, 2, 2, nan, rng()); return err },
		"NewHeterogeneous Inf":     func() error { _, err := NewHeterogeneous(2, 2, 2, math.Inf(1), rng()); return err },
		"NewHeterogeneous huge":    func() error { _, err := NewHeterogeneous(1<<20, 1<<20, 1<<20, 2, rng()); return err },
		"NewR1 nil rng":            func() error { _, err := NewR1(10, nil); return err },
		"NewR1 spread NaN":         func() error { _, err := NewR1(nan, rng()); return err },
		"PowerIteration d 0":       func() error { _, _, err := PowerIteration(0, func(dst, v []float64) {}, rng()); return err },
		"PowerIteration nil apply": func() error { _, _, err := PowerIteration(3, nil, rng()); return err },
		"PowerIteration nil rng":   func() error { _, _, err := PowerIteration(3, func(dst, v []float64) { copy(dst, v) }, nil); return err },
		"PowerIteration NaN": func() error {
			_, _, err := PowerIteration(3, func(dst, v []float64) { dst[0] = nan }, rng())
			return err
		},
		"NewLogistic nil": func() error { _, err := NewLogistic(nil, nil, 1, SplitEven, 0); return err },
		"NewLogistic malformed": func() error {
			_, err := NewLogistic(&linalg.CSR{Rows: 1, Cols: 1, RowPtr: []int{0, 4}}, []float64{1}, 1, SplitEven, 0)
			return err
		},
		"NewLogistic n 0":      func() error { _, err := NewLogistic(x1, []float64{1, -1}, 0, SplitEven, 0); return err },
		"NewLogistic n > rows": func() error { _, err := NewLogistic(x1, []float64{1, -1}, 3, SplitEven, 0); return err },
		"NewLogistic labels":   func() error { _, err := NewLogistic(x1, []float64{1}, 1, SplitEven, 0); return err },
		"NewLogistic label 0":  func() error { _, err := NewLogistic(x1, []float64{1, 0}, 1, SplitEven, 0); return err },
		"NewLogistic λ < 0":    func() error { _, err := NewLogistic(x1, []float64{1, -1}, 1, SplitEven, -1); return err },
		"NewLogistic λ Inf":    func() error { _, err := NewLogistic(x1, []float64{1, -1}, 1, SplitEven, math.Inf(1)); return err },
		"NewLogistic split":    func() error { _, err := NewLogistic(x1, []float64{1, -1}, 1, Split(5), 0); return err },
		"NewLogistic NaN entry": func() error {
			_, err := NewLogistic(&linalg.CSR{Rows: 1, Cols: 1, RowPtr: []int{0, 1}, ColIdx: []int{0}, Val: []float64{nan}}, []float64{1}, 1, SplitEven, 0)
			return err
		},
		"NewLogisticClients none":   func() error { _, err := NewLogisticClients(nil, nil, 0); return err },
		"NewLogisticClients labels": func() error { _, err := NewLogisticClients([]*linalg.CSR{x1}, [][]float64{{1}}, 0); return err },
	}
	for name, f := range ctors {
		var err error
		if msg := catchPanic(func() { err = f() }); msg != nil {
			t.Errorf("%s: panic %v", name, msg)
			continue
		}
		if !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
	// Oracle methods: NaN or nil for bad arguments.
	ls, err := NewR1(10, rng())
	if err != nil {
		t.Fatal(err)
	}
	lg, err := NewLogistic(x1, []float64{1, -1}, 2, SplitEven, 0)
	if err != nil {
		t.Fatal(err)
	}
	d30, d2 := make([]float64, 30), make([]float64, 2)
	nans := map[string]func() float64{
		"LeastSquares.Grad i":           func() float64 { return ls.Grad(20, d30, d30) },
		"LeastSquares.Grad i < 0":       func() float64 { return ls.Grad(-1, d30, d30) },
		"LeastSquares.Grad dst":         func() float64 { return ls.Grad(0, d2, d30) },
		"LeastSquares.Grad x":           func() float64 { return ls.Grad(0, d30, d2) },
		"LeastSquares.StochGrad rng":    func() float64 { ls.StochGrad(0, d30, d30, 1, nil); return d30[0] },
		"LeastSquares.StochGrad batch":  func() float64 { ls.StochGrad(0, d30, d30, 0, rng()); return d30[0] },
		"LeastSquares.StochGrad i":      func() float64 { ls.StochGrad(20, d30, d30, 1, rng()); return d30[0] },
		"LeastSquares.Value":            func() float64 { return ls.Value(d2) },
		"LeastSquares.LocalSmoothness":  func() float64 { return ls.LocalSmoothness(20) },
		"Logistic.Grad i":               func() float64 { return lg.Grad(2, d2, d2) },
		"Logistic.Grad x":               func() float64 { return lg.Grad(0, d2, d30) },
		"Logistic.StochGrad rng":        func() float64 { lg.StochGrad(0, d2, d2, 1, nil); return d2[0] },
		"Logistic.StochGrad batch":      func() float64 { lg.StochGrad(0, d2, d2, -1, rng()); return d2[0] },
		"Logistic.StochGrad i":          func() float64 { lg.StochGrad(-1, d2, d2, 1, rng()); return d2[0] },
		"Logistic.LocalSmoothness":      func() float64 { return lg.LocalSmoothness(-1) },
		"Logistic.LocalSmoothness high": func() float64 { return lg.LocalSmoothness(2) },
	}
	for name, f := range nans {
		var v float64
		if msg := catchPanic(func() { v = f() }); msg != nil || !math.IsNaN(v) {
			t.Errorf("%s: %v, panic %v; want NaN", name, v, msg)
		}
		clear(d30)
		clear(d2)
	}
	nils := map[string]func() []int{
		"LeastSquares.Support": func() []int { return ls.Support(99) },
		"Logistic.Support":     func() []int { return lg.Support(-3) },
		"Logistic.Rows":        func() []int { return lg.Rows(7) },
	}
	for name, f := range nils {
		var v []int
		if msg := catchPanic(func() { v = f() }); msg != nil || v != nil {
			t.Errorf("%s: %v, panic %v; want nil", name, v, msg)
		}
	}
	if Split(9).String() != "Split(9)" {
		t.Error("Split(9).String")
	}
	t.Logf("%d bad-input cases", len(ctors)+len(nans)+len(nils)+1)
}

func catchPanic(f func()) (p any) {
	defer func() { p = recover() }()
	f()
	return nil
}
