package linalg

import (
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrShape is returned when a matrix is built from entries that do not fit
// its declared shape.
var ErrShape = errors.New("linalg: entry outside the matrix shape")

// Triplet is one entry of a sparse matrix in coordinate form.
type Triplet struct {
	Row, Col int
	Val      float64
}

// CSR is a sparse matrix in compressed-sparse-row form: the entries of row i
// are Val[RowPtr[i]:RowPtr[i+1]] at the columns ColIdx[RowPtr[i]:RowPtr[i+1]],
// which increase within a row. len(RowPtr) is Rows+1.
type CSR struct {
	Rows, Cols int
	RowPtr     []int
	ColIdx     []int
	Val        []float64

	// work holds per-worker partial sums for MulVecTransPar.
	work []float64
}

// NewCSR builds a rows x cols matrix from coordinate entries, summing
// duplicates. Entries outside the shape give an error wrapping ErrShape.
func NewCSR(rows, cols int, t []Triplet) (*CSR, error) {
	if rows < 0 || cols < 0 {
		return nil, fmt.Errorf("%w: negative shape %dx%d", ErrShape, rows, cols)
	}
	for k, e := range t {
		if e.Row < 0 || e.Row >= rows || e.Col < 0 || e.Col >= cols {
			return nil, fmt.Errorf("%w: entry %d at (%d,%d) in a %dx%d matrix", ErrShape, k, e.Row, e.Col, rows, cols)
		}
	}
	s := slices.Clone(t)
	slices.SortStableFunc(s, func(a, b Triplet) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return a.Col - b.Col
	})
	a := &CSR{Rows: rows, Cols: cols, RowPtr: make([]int, rows+1)}
	for k := 0; k < len(s); {
		e := s[k]
		v := e.Val
		k++
		for k < len(s) && s[k].Row == e.Row && s[k].Col == e.Col {
			v += s[k].Val
			k++
		}
		a.ColIdx = append(a.ColIdx, e.Col)
		a.Val = append(a.Val, v)
		a.RowPtr[e.Row+1] = len(a.Val)
	}
	for i := 1; i <= rows; i++ {
		a.RowPtr[i] = max(a.RowPtr[i], a.RowPtr[i-1])
	}
	return a, nil
}

// NewCSRFromRows builds a matrix whose row i is rows[i]. Every row must have
// dimension cols and increasing indices.
func NewCSRFromRows(cols int, rows []Sparse) (*CSR, error) {
	a := &CSR{Rows: len(rows), Cols: cols, RowPtr: make([]int, len(rows)+1)}
	nnz := 0
	for i := range rows {
		nnz += len(rows[i].Index)
	}
	a.ColIdx = make([]int, 0, nnz)
	a.Val = make([]float64, 0, nnz)
	for i := range rows {
		r := &rows[i]
		if r.N != cols {
			return nil, fmt.Errorf("%w: row %d has dimension %d, want %d", ErrShape, i, r.N, cols)
		}
		if len(r.Value) < len(r.Index) {
			return nil, fmt.Errorf("%w: row %d has %d indices but %d values", ErrShape, i, len(r.Index), len(r.Value))
		}
		for k, j := range r.Index {
			if j < 0 || j >= cols || (k > 0 && j <= r.Index[k-1]) {
				return nil, fmt.Errorf("%w: row %d index %d out of order or range", ErrShape, i, j)
			}
		}
		a.ColIdx = append(a.ColIdx, r.Index...)
		a.Val = append(a.Val, r.Value[:len(r.Index)]...)
		a.RowPtr[i+1] = len(a.Val)
	}
	return a, nil
}

// Validate returns an error wrapping ErrShape unless a is a well-formed
// matrix: non-negative shape, len(RowPtr) = Rows+1, RowPtr non-decreasing
// within [0, len(ColIdx)], len(ColIdx) = len(Val), and column indices in
// [0, Cols) increasing within each row. Functions that take a CSR from a
// user call it before reading the matrix.
func (a *CSR) Validate() error {
	switch {
	case a == nil:
		return fmt.Errorf("%w: nil matrix", ErrShape)
	case a.Rows < 0 || a.Cols < 0:
		return fmt.Errorf("%w: negative shape %dx%d", ErrShape, a.Rows, a.Cols)
	case len(a.RowPtr) != a.Rows+1:
		return fmt.Errorf("%w: len(RowPtr) = %d for %d rows", ErrShape, len(a.RowPtr), a.Rows)
	case len(a.ColIdx) != len(a.Val):
		return fmt.Errorf("%w: %d column indices, %d values", ErrShape, len(a.ColIdx), len(a.Val))
	}
	for i := range a.Rows {
		lo, hi := a.RowPtr[i], a.RowPtr[i+1]
		if lo < 0 || hi < lo || hi > len(a.ColIdx) {
			return fmt.Errorf("%w: row %d spans [%d, %d) of %d entries", ErrShape, i, lo, hi, len(a.ColIdx))
		}
		for k := lo; k < hi; k++ {
			if j := a.ColIdx[k]; j < 0 || j >= a.Cols || (k > lo && j <= a.ColIdx[k-1]) {
				return fmt.Errorf("%w: row %d: column %d out of order or outside [0, %d)", ErrShape, i, j, a.Cols)
			}
		}
	}
	return nil
}

// NNZ returns the number of stored entries.
func (a *CSR) NNZ() int { return a.RowPtr[a.Rows] - a.RowPtr[0] }

// Row returns the column indices and values of row i, sharing storage with
// a. It panics if i is outside [0, Rows).
func (a *CSR) Row(i int) (idx []int, val []float64) {
	if uint(i) >= uint(a.Rows) {
		panic("linalg: row index out of range")
	}
	defer malformed()
	lo, hi := a.RowPtr[i], a.RowPtr[i+1]
	return a.ColIdx[lo:hi], a.Val[lo:hi]
}

// RowSlice returns rows lo..hi-1 of a as a matrix that shares a's storage.
func (a *CSR) RowSlice(lo, hi int) *CSR {
	if lo < 0 || hi > a.Rows || lo > hi {
		panic("linalg: row slice out of range")
	}
	return &CSR{Rows: hi - lo, Cols: a.Cols, RowPtr: a.RowPtr[lo : hi+1], ColIdx: a.ColIdx, Val: a.Val}
}

// SelectRows returns a new matrix made of copies of the given rows of a, in
// the given order. It panics if a row is outside [0, Rows).
func (a *CSR) SelectRows(rows []int) *CSR {
	for _, i := range rows {
		if uint(i) >= uint(a.Rows) {
			panic("linalg: row index out of range")
		}
	}
	b := &CSR{Rows: len(rows), Cols: a.Cols, RowPtr: make([]int, len(rows)+1)}
	for k, i := range rows {
		idx, val := a.Row(i)
		b.ColIdx = append(b.ColIdx, idx...)
		b.Val = append(b.Val, val...)
		b.RowPtr[k+1] = len(b.Val)
	}
	return b
}

// MulVec computes y = A x. It panics if len(x) != Cols or len(y) != Rows.
func (a *CSR) MulVec(y, x []float64) {
	checkLen(len(x), a.Cols)
	checkLen(len(y), a.Rows)
	defer malformed()
	a.mulRows(y, x, 0, a.Rows)
}

// malformed turns a runtime error from reading a CSR whose fields were set
// by hand into a linalg panic that says so (call a.Validate to get an
// error instead). Deferred by the CSR kernels; it costs one defer per call.
func malformed() {
	if p := recover(); p != nil {
		panic(fmt.Sprintf("linalg: malformed CSR (see CSR.Validate): %v", p))
	}
}

func (a *CSR) mulRows(y, x []float64, lo, hi int) {
	ptr := a.RowPtr
	for i := lo; i < hi; i++ {
		start, end := ptr[i], ptr[i+1]
		cols := a.ColIdx[start:end]
		vals := a.Val[start:end]
		var s0, s1 float64
		k := 0
		for ; k+1 < len(cols); k += 2 {
			s0 += vals[k] * x[cols[k]]
			s1 += vals[k+1] * x[cols[k+1]]
		}
		if k < len(cols) {
			s0 += vals[k] * x[cols[k]]
		}
		y[i] = s0 + s1
	}
}

// MulVecTrans computes y = Aᵀ x. It panics if len(x) != Rows or len(y) != Cols.
func (a *CSR) MulVecTrans(y, x []float64) {
	checkLen(len(x), a.Rows)
	checkLen(len(y), a.Cols)
	defer malformed()
	clear(y)
	a.mulTransRows(y, x, 0, a.Rows)
}

func (a *CSR) mulTransRows(y, x []float64, lo, hi int) {
	ptr := a.RowPtr
	for i := lo; i < hi; i++ {
		xi := x[i]
		if xi == 0 {
			continue
		}
		start, end := ptr[i], ptr[i+1]
		cols := a.ColIdx[start:end]
		vals := a.Val[start:end]
		for k, j := range cols {
			y[j] += vals[k] * xi
		}
	}
}

// blocks returns the bounds of block w of n rows split into workers parts.
func blocks(n, workers, w int) (lo, hi int) {
	return w * n / workers, (w + 1) * n / workers
}

// MulVecPar computes y = A x with the rows split into workers contiguous
// blocks, one goroutine each. Every y[i] is computed exactly as MulVec does,
// so the result equals MulVec's bit for bit for any workers.
// workers < 1 means 1.
func (a *CSR) MulVecPar(y, x []float64, workers int) {
	checkLen(len(x), a.Cols)
	checkLen(len(y), a.Rows)
	workers = max(1, min(workers, a.Rows))
	defer malformed()
	if workers == 1 {
		a.mulRows(y, x, 0, a.Rows)
		return
	}
	parallel(workers, func(w int) {
		lo, hi := blocks(a.Rows, workers, w)
		a.mulRows(y, x, lo, hi)
	})
}

// parallel runs f(0), ..., f(workers-1) on their own goroutines and waits.
// A panic in one of them (a malformed CSR) is recovered there and raised
// again on the caller's goroutine, so it never kills the process from a
// goroutine the caller cannot guard.
func parallel(workers int, f func(w int)) {
	var wg sync.WaitGroup
	panics := make([]any, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[w] = recover() }()
			f(w)
		}()
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
}

// MulVecTransPar computes y = Aᵀ x with the rows split into workers blocks.
// Each block sums into its own buffer (kept in a between calls) and the
// buffers are added in block order, so the result depends on workers but
// never on scheduling or GOMAXPROCS. workers < 1 means 1.
func (a *CSR) MulVecTransPar(y, x []float64, workers int) {
	checkLen(len(x), a.Rows)
	checkLen(len(y), a.Cols)
	workers = max(1, min(workers, a.Rows))
	if workers == 1 {
		a.MulVecTrans(y, x)
		return
	}
	need := (workers - 1) * a.Cols
	if cap(a.work) < need {
		a.work = make([]float64, need)
	}
	work := a.work[:need]
	clear(work)
	clear(y)
	defer malformed()
	parallel(workers, func(w int) {
		lo, hi := blocks(a.Rows, workers, w)
		dst := y
		if w > 0 {
			dst = work[(w-1)*a.Cols : w*a.Cols]
		}
		a.mulTransRows(dst, x, lo, hi)
	})
	for w := 1; w < workers; w++ {
		axpyRef(1, work[(w-1)*a.Cols:w*a.Cols], y)
	}
}
