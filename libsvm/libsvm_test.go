package libsvm

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/optlearn/optlearn/linalg"
)

func TestReadKnown(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        string
		nFeatures int
		rows      int
		cols      int
		y         []float64
		rowPtr    []int
		colIdx    []int
		val       []float64
	}{
		{
			name: "pm1", in: "+1 1:0.5 3:2\n-1 2:1\n",
			rows: 2, cols: 3, y: []float64{1, -1},
			rowPtr: []int{0, 2, 3}, colIdx: []int{0, 2, 1}, val: []float64{0.5, 2, 1},
		},
		{
			name: "01 labels, CRLF, comment, blank, empty row", in: "0 2:1\r\n\n1 # comment\n0 1:3 qid:4 5:0\n",
			rows: 3, cols: 5, y: []float64{-1, 1, -1},
			rowPtr: []int{0, 1, 1, 2}, colIdx: []int{1, 0}, val: []float64{1, 3},
		},
		{
			name: "12 labels, no final newline", in: "1 1:1\n2 2:-1.5e1", nFeatures: 4,
			rows: 2, cols: 4, y: []float64{-1, 1},
			rowPtr: []int{0, 1, 2}, colIdx: []int{0, 1}, val: []float64{1, -15},
		},
		{
			name: "single class 1", in: "1 1:1\n1 1:2\n",
			rows: 2, cols: 1, y: []float64{1, 1},
			rowPtr: []int{0, 1, 2}, colIdx: []int{0, 0}, val: []float64{1, 2},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := Read(strings.NewReader(tc.in), tc.nFeatures)
			if err != nil {
				t.Fatal(err)
			}
			if d.Rows() != tc.rows || d.Features() != tc.cols {
				t.Errorf("size = %d×%d, want %d×%d", d.Rows(), d.Features(), tc.rows, tc.cols)
			}
			if diff := cmp.Diff(tc.y, d.Y); diff != "" {
				t.Errorf("Y mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.rowPtr, d.X.RowPtr); diff != "" {
				t.Errorf("RowPtr mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.colIdx, d.X.ColIdx, cmpEmpty); diff != "" {
				t.Errorf("ColIdx mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.val, d.X.Val, cmpEmpty); diff != "" {
				t.Errorf("Val mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

var cmpEmpty = cmpopts.EquateEmpty()

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		nFeatures int
		want      error
		line      string
	}{
		{"empty", "", 0, ErrEmpty, ""},
		{"blank only", "\n\n  \n", 0, ErrEmpty, ""},
		{"bad label", "1 1:1\nx 1:1\n", 0, ErrFormat, "line 2"},
		{"nan label", "NaN 1:1\n", 0, ErrFormat, "line 1"},
		{"no colon", "1 1:1\n-1 3\n", 0, ErrFormat, "line 2"},
		{"zero index", "1 0:1\n", 0, ErrFormat, "line 1"},
		{"negative index", "1 -2:1\n", 0, ErrFormat, "line 1"},
		{"decreasing", "1 3:1 2:1\n", 0, ErrFormat, "line 1"},
		{"duplicate", "1 3:1 3:1\n", 0, ErrFormat, "line 1"},
		{"bad value", "1 3:abc\n", 0, ErrFormat, "line 1"},
		{"inf value", "-1 1:1\n1 3:Inf\n", 0, ErrFormat, "line 2"},
		{"too many features", "1 3:1\n-1 5:1\n", 4, ErrFormat, "line 2"},
		{"three labels", "1 1:1\n2 1:1\n3 1:1\n", 0, ErrLabels, ""},
		{"labels -1 0", "-1 1:1\n0 1:1\n", 0, ErrLabels, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(strings.NewReader(tc.in), tc.nFeatures)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.line) {
				t.Errorf("err = %q, want it to name %q", err, tc.line)
			}
		})
	}
	if _, err := Read(strings.NewReader("1 1:1\n"), -1); err == nil {
		t.Error("nFeatures = -1: no error")
	}
}

func TestReadLongLine(t *testing.T) {
	var b strings.Builder
	b.WriteString("1")
	for j := 1; j <= 20000; j++ {
		b.WriteString(" ")
		b.WriteString(strings.Repeat("0", 3)) // leading zeros are fine
		b.WriteString(itoa(j))
		b.WriteString(":1")
	}
	b.WriteString("\n-1 1:2\n")
	d, err := Read(strings.NewReader(b.String()), 0)
	if err != nil {
		t.Fatal(err)
	}
	if d.Rows() != 2 || d.Features() != 20000 || d.X.RowPtr[1] != 20000 {
		t.Errorf("got %d×%d, first row nnz %d", d.Rows(), d.Features(), d.X.RowPtr[1])
	}
}

func itoa(i int) string {
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

func TestReadFileGzip(t *testing.T) {
	dir := t.TempDir()
	text := "1 1:1 4:2\n0 2:1\n"
	plain := filepath.Join(dir, "x.txt")
	if err := os.WriteFile(plain, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(text))
	zw.Close()
	gz := filepath.Join(dir, "x.gz")
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := ReadFile(plain, 0)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadFile(gz, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(a, b, cmpopts.IgnoreUnexported(linalg.CSR{})); diff != "" {
		t.Errorf("gzip vs plain mismatch (-plain +gz):\n%s", diff)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), 0); err == nil {
		t.Error("missing file: no error")
	}
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte("1 1:1\n1 x\n"), 0o644)
	if _, err := ReadFile(bad, 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("bad file: err = %v, want ErrFormat naming the file", err)
	}
}

// FuzzRead checks that Read never panics and that whatever it accepts is a
// well-formed CSR with ±1 labels.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"+1 1:0.5 3:2\n-1 2:1\n",
		"0 2:1\r\n\n1 # c\n0 1:3 qid:4 5:0\n",
		"1 1:1\n2 2:-1.5e1",
		"1 3:1 2:1\n",
		"1 0:1\n",
		"x\n",
		"1 1:1e400\n",
		"1 2000000000:1\n",
		"1 33554432:1\n",
		"",
	} {
		f.Add(s, 0)
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, nFeatures int) {
		d, err := Read(strings.NewReader(s), nFeatures)
		if err != nil {
			return
		}
		x := d.X
		if len(d.Y) != x.Rows || len(x.RowPtr) != x.Rows+1 || x.RowPtr[0] != 0 || x.RowPtr[x.Rows] != len(x.ColIdx) || len(x.ColIdx) != len(x.Val) {
			t.Fatalf("inconsistent CSR %+v", x)
		}
		if x.Cols > MaxFeatures {
			t.Fatalf("Cols = %d above MaxFeatures", x.Cols)
		}
		if nFeatures > 0 && x.Cols != nFeatures {
			t.Fatalf("Cols = %d, want %d", x.Cols, nFeatures)
		}
		for i := range x.Rows {
			if d.Y[i] != 1 && d.Y[i] != -1 {
				t.Fatalf("label %v", d.Y[i])
			}
			for k := x.RowPtr[i]; k < x.RowPtr[i+1]; k++ {
				if x.ColIdx[k] < 0 || x.ColIdx[k] >= x.Cols || (k > x.RowPtr[i] && x.ColIdx[k] <= x.ColIdx[k-1]) {
					t.Fatalf("row %d: bad column %d", i, x.ColIdx[k])
				}
			}
		}
	})
}
