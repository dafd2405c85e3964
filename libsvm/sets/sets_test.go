package sets

import (
	"errors"
	"testing"
)

func TestLoad(t *testing.T) {
	for _, tc := range []struct {
		name           string
		rows, features int
		pos            int // rows labelled +1 after normalisation
		nnz            int // -1 means not checked
		long           bool
	}{
		{name: "australian", rows: 690, features: 14, pos: 307, nnz: -1},
		{name: "mushrooms", rows: 8124, features: 112, pos: 4208, nnz: 8124 * 21},
		{name: "phishing", rows: 11055, features: 68, pos: 6157, nnz: 11055 * 30},
		{name: "a9a", rows: 32561, features: 123, pos: 7841, nnz: -1, long: true},
		{name: "w8a", rows: 49749, features: 300, pos: 1479, nnz: -1, long: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.long && testing.Short() {
				t.Skip("short")
			}
			d, err := Load(tc.name)
			if err != nil {
				t.Fatal(err)
			}
			if d.Rows() != tc.rows || d.Features() != tc.features {
				t.Errorf("size %d×%d, want %d×%d", d.Rows(), d.Features(), tc.rows, tc.features)
			}
			pos := 0
			for _, y := range d.Y {
				if y == 1 {
					pos++
				}
			}
			if pos != tc.pos {
				t.Errorf("%d positive rows, want %d", pos, tc.pos)
			}
			if tc.nnz >= 0 && len(d.X.Val) != tc.nnz {
				t.Errorf("nnz = %d, want %d", len(d.X.Val), tc.nnz)
			}
		})
	}
}

func TestNamesLoadable(t *testing.T) {
	for _, n := range Names() {
		if _, ok := info[n]; !ok {
			t.Errorf("Names lists %q without data", n)
		}
	}
	if len(Names()) != len(info) {
		t.Errorf("Names has %d entries, info %d", len(Names()), len(info))
	}
	if _, err := Load("iris"); !errors.Is(err, ErrUnknown) {
		t.Errorf("Load(iris) err = %v, want ErrUnknown", err)
	}
	if d, err := Load("australian_scale"); err != nil || d.Rows() != 690 {
		t.Errorf("alias: %v", err)
	}
}
