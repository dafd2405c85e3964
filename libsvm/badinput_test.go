package libsvm

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// TestBadInput is the table of bad input to every exported entry point of
// libsvm (Read, ReadFile, Dataset.Rows, Dataset.Features): each gives a
// clean error (or a zero count), never a panic, and nothing is allocated
// for an absurd index.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	gz := filepath.Join(dir, "bad.gz")
	if err := os.WriteFile(gz, []byte{0x1f, 0x8b, 0, 0}, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte("1 2000000000:1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		in        string
		nFeatures int
		want      error
	}{
		{"huge index", "1 2000000000:1\n", 0, ErrFormat},
		{"index above MaxFeatures", "1 33554433:1\n", 0, ErrFormat},
		{"index overflows int", "1 99999999999999999999999:1\n", 0, ErrFormat},
		{"index zero", "1 0:1\n", 0, ErrFormat},
		{"negative index", "1 -3:1\n", 0, ErrFormat},
		{"index above nFeatures", "1 5:1\n", 4, ErrFormat},
		{"nFeatures negative", "1 1:1\n", -1, ErrFormat},
		{"nFeatures absurd", "1 1:1\n", 2_000_000_000, ErrFormat},
		{"decreasing indices", "1 3:1 2:1\n", 0, ErrFormat},
		{"repeated index", "1 3:1 3:1\n", 0, ErrFormat},
		{"no colon", "1 3\n", 0, ErrFormat},
		{"bad value", "1 3:x\n", 0, ErrFormat},
		{"NaN value", "1 3:NaN\n", 0, ErrFormat},
		{"Inf value", "1 3:+Inf\n", 0, ErrFormat},
		{"overflowing value", "1 3:1e400\n", 0, ErrFormat},
		{"bad label", "yes 1:1\n", 0, ErrFormat},
		{"NaN label", "NaN 1:1\n", 0, ErrFormat},
		{"Inf label", "-Inf 1:1\n", 0, ErrFormat},
		{"empty", "", 0, ErrEmpty},
		{"only comments", "# x\n\n", 0, ErrEmpty},
		{"three classes", "1 1:1\n2 1:1\n3 1:1\n", 0, ErrLabels},
		{"labels 3 and 4", "3 1:1\n4 1:1\n", 0, ErrLabels},
	}
	for _, c := range cases {
		if _, err := Read(strings.NewReader(c.in), c.nFeatures); !errors.Is(err, c.want) {
			t.Errorf("Read %s: err = %v, want %v", c.name, err, c.want)
		}
	}
	n := len(cases)
	// Reader errors and nil readers.
	if _, err := Read(iotest.ErrReader(errors.New("disk")), 0); err == nil || !strings.Contains(err.Error(), "disk") {
		t.Errorf("reader error: %v", err)
	}
	if _, err := Read(nil, 0); !errors.Is(err, ErrFormat) {
		t.Errorf("nil reader: %v", err)
	}
	// ReadFile: missing file, broken gzip, bad content, nFeatures out of range.
	if _, err := ReadFile(filepath.Join(dir, "missing"), 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadFile(gz, 0); err == nil {
		t.Error("broken gzip: no error")
	}
	if _, err := ReadFile(bad, 0); !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "bad.txt") {
		t.Errorf("huge index in a file: %v", err)
	}
	if _, err := ReadFile(bad, -2); !errors.Is(err, ErrFormat) {
		t.Errorf("ReadFile nFeatures -2: %v", err)
	}
	// Nil datasets count zero.
	var d *Dataset
	if d.Rows() != 0 || d.Features() != 0 || (&Dataset{}).Rows() != 0 || (&Dataset{}).Features() != 0 {
		t.Error("nil Dataset counts")
	}
	n += 2 + 4 + 2
	t.Logf("%d bad-input cases", n)
}
