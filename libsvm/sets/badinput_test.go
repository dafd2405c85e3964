package sets

import (
	"errors"
	"testing"
)

// TestBadInput is the table of bad names for the package's entry points
// (Load; Names takes no input): each is an error wrapping ErrUnknown.
func TestBadInput(t *testing.T) {
	names := []string{"", "a9", "A9A", "a9a.gz", "../a9a", "data/a9a.gz", "australian_scale ", "w8a\x00", "mushrooms/../w8a"}
	for _, name := range names {
		if _, err := Load(name); !errors.Is(err, ErrUnknown) {
			t.Errorf("Load(%q): err = %v, want ErrUnknown", name, err)
		}
	}
	t.Logf("%d bad-input cases", len(names))
}
