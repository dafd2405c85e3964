package libsvm

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"

	"github.com/optlearn/optlearn/linalg"
)

// Sentinel errors. Errors returned by [Read] and [ReadFile] wrap one of them,
// so callers can branch with errors.Is.
var (
	// ErrFormat reports a malformed line; the wrapped message names the line.
	ErrFormat = errors.New("libsvm: malformed input")
	// ErrEmpty reports input that holds no example.
	ErrEmpty = errors.New("libsvm: no examples")
	// ErrLabels reports labels that are not a two-class set this package
	// can normalise ({-1,+1}, {0,1} or {1,2}).
	ErrLabels = errors.New("libsvm: unsupported labels")
)

// MaxFeatures bounds a feature index and nFeatures: 2²⁵ = 33,554,432,
// above the largest LIBSVM collection (kdd2010, 29.9 M features), while a
// dense vector of that length still takes only 256 MiB. Read checks it
// before anything is allocated, so a corrupted file cannot make a caller
// allocate a dense vector of absurd length.
const MaxFeatures = 1 << 25

// Dataset is a binary classification data set: one example per row of X and
// its label in Y.
type Dataset struct {
	// X is the rows × features design matrix. Column j holds LIBSVM index j+1.
	X *linalg.CSR
	// Y holds the labels normalised to -1 or +1, one per row of X.
	Y []float64
}

// Rows returns the number of examples (0 for a nil Dataset or X).
func (d *Dataset) Rows() int {
	if d == nil || d.X == nil {
		return 0
	}
	return d.X.Rows
}

// Features returns the number of features, the columns of X (0 for a nil
// Dataset or X).
func (d *Dataset) Features() int {
	if d == nil || d.X == nil {
		return 0
	}
	return d.X.Cols
}

// Read parses LIBSVM text ("label index:value index:value ...", one example
// per line) from r.
//
// Indices are 1-based and must be strictly increasing within a line; column
// j of X holds index j+1. Explicit zero values are dropped from the sparse
// storage but still count towards the feature count. Blank lines are
// skipped, text after '#' is a comment, "qid:" tokens are ignored and a
// trailing CR is removed.
//
// nFeatures fixes the number of columns; an index above it is an error.
// nFeatures == 0 means the largest index seen. nFeatures < 0 or above
// [MaxFeatures] is an error, and so is an index above MaxFeatures.
//
// Labels are normalised to ±1: {-1,+1} is kept, {0,1} maps 0 → -1, and
// {1,2} maps 1 → -1 and 2 → +1 (so LIBSVM's mushrooms, where 1 is
// poisonous, has poisonous = -1). A single-class file is read by the first
// rule that fits, in that order, so a file of only 1s gets label +1.
//
// Read returns an error wrapping [ErrFormat] naming the line for a malformed
// label, index or value (including NaN and ±Inf), [ErrEmpty] when r holds no
// example, [ErrLabels] for any other label set, or the error of r.
func Read(r io.Reader, nFeatures int) (*Dataset, error) {
	if nFeatures < 0 || nFeatures > MaxFeatures {
		return nil, fmt.Errorf("%w: nFeatures = %d, want in [0, %d]", ErrFormat, nFeatures, MaxFeatures)
	}
	if r == nil {
		return nil, fmt.Errorf("%w: nil reader", ErrFormat)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	rowPtr := []int{0}
	var colIdx []int
	var val, y []float64
	maxSeen := 0
	lineNo := 0
	for {
		line, rerr := br.ReadSlice('\n')
		if rerr == bufio.ErrBufferFull {
			// Long line: accumulate it in a fresh buffer.
			buf := append([]byte(nil), line...)
			for rerr == bufio.ErrBufferFull {
				line, rerr = br.ReadSlice('\n')
				buf = append(buf, line...)
			}
			line = buf
		}
		if rerr != nil && rerr != io.EOF {
			return nil, fmt.Errorf("libsvm: line %d: %w", lineNo+1, rerr)
		}
		if len(line) == 0 && rerr == io.EOF {
			break
		}
		lineNo++
		if k := bytes.IndexByte(line, '#'); k >= 0 {
			line = line[:k]
		}
		fields := bytes.Fields(line)
		if len(fields) > 0 {
			lab, err := strconv.ParseFloat(string(fields[0]), 64)
			if err != nil || math.IsNaN(lab) || math.IsInf(lab, 0) {
				return nil, fmt.Errorf("%w: line %d: bad label %q", ErrFormat, lineNo, clip(fields[0]))
			}
			y = append(y, lab)
			prev := 0
			for _, tok := range fields[1:] {
				if bytes.HasPrefix(tok, []byte("qid:")) {
					continue
				}
				colon := bytes.IndexByte(tok, ':')
				if colon < 0 {
					return nil, fmt.Errorf("%w: line %d: token %q is not index:value", ErrFormat, lineNo, clip(tok))
				}
				idx, err := strconv.Atoi(string(tok[:colon]))
				if err != nil || idx < 1 || idx > MaxFeatures {
					return nil, fmt.Errorf("%w: line %d: bad index %q (want an integer in [1, %d])", ErrFormat, lineNo, clip(tok[:colon]), MaxFeatures)
				}
				if idx <= prev {
					return nil, fmt.Errorf("%w: line %d: index %d after %d, indices must be strictly increasing", ErrFormat, lineNo, idx, prev)
				}
				if nFeatures > 0 && idx > nFeatures {
					return nil, fmt.Errorf("%w: line %d: index %d exceeds nFeatures = %d", ErrFormat, lineNo, idx, nFeatures)
				}
				v, err := strconv.ParseFloat(string(tok[colon+1:]), 64)
				if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, fmt.Errorf("%w: line %d: bad value %q for index %d", ErrFormat, lineNo, clip(tok[colon+1:]), idx)
				}
				prev = idx
				maxSeen = max(maxSeen, idx)
				if v != 0 {
					colIdx = append(colIdx, idx-1)
					val = append(val, v)
				}
			}
			rowPtr = append(rowPtr, len(colIdx))
		}
		if rerr == io.EOF {
			break
		}
	}
	if len(y) == 0 {
		return nil, ErrEmpty
	}
	if err := normaliseLabels(y); err != nil {
		return nil, err
	}
	cols := nFeatures
	cols = cmp.Or(cols, maxSeen)
	x := &linalg.CSR{Rows: len(y), Cols: cols, RowPtr: rowPtr, ColIdx: colIdx, Val: val}
	if x.ColIdx == nil {
		x.ColIdx = []int{}
		x.Val = []float64{}
	}
	return &Dataset{X: x, Y: y}, nil
}

// normaliseLabels maps y in place to ±1, or returns an error wrapping
// ErrLabels.
func normaliseLabels(y []float64) error {
	in := func(a, b float64) bool {
		for _, v := range y {
			if v != a && v != b {
				return false
			}
		}
		return true
	}
	switch {
	case in(-1, 1):
		return nil
	case in(0, 1):
		for i, v := range y {
			y[i] = 2*v - 1
		}
		return nil
	case in(1, 2):
		for i, v := range y {
			y[i] = 2*v - 3
		}
		return nil
	}
	var distinct []float64
	for _, v := range y {
		if !slices.Contains(distinct, v) {
			distinct = append(distinct, v)
			if len(distinct) == 5 {
				break
			}
		}
	}
	slices.Sort(distinct)
	return fmt.Errorf("%w: found %v, want a subset of {-1,+1}, {0,1} or {1,2}", ErrLabels, distinct)
}

// clip shortens a token for an error message.
func clip(b []byte) string {
	const n = 32
	if len(b) > n {
		return string(b[:n]) + "..."
	}
	return string(b)
}

// ReadFile reads a LIBSVM file with [Read]. A gzip-compressed file (detected
// by its magic bytes, whatever its name) is decompressed transparently.
func ReadFile(path string, nFeatures int) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("libsvm: %w", err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("libsvm: %s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	d, err := Read(r, nFeatures)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}
