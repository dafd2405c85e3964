package sets

import (
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"

	"github.com/optlearn/optlearn/libsvm"
)

//go:embed data/*.gz
var files embed.FS

// ErrUnknown reports a name that is not one of [Names].
var ErrUnknown = errors.New("sets: unknown data set")

// info gives each set's file and its number of features, fixed so that a set
// whose last feature is rare (a9a's feature 123 occurs once) keeps its width.
var info = map[string]struct {
	file      string
	nFeatures int
}{
	"a9a":        {"data/a9a.gz", 123},
	"w8a":        {"data/w8a.gz", 300},
	"phishing":   {"data/phishing.gz", 68},
	"mushrooms":  {"data/mushrooms.gz", 112},
	"australian": {"data/australian.gz", 14},
}

// Names returns the names [Load] accepts, smallest set first.
func Names() []string {
	return []string{"australian", "mushrooms", "phishing", "a9a", "w8a"}
}

// Load decodes the named set into a fresh [libsvm.Dataset] (labels ±1) that
// the caller may modify. It returns an error wrapping [ErrUnknown] for a name
// not in [Names]. "australian_scale" is accepted as an alias of "australian".
func Load(name string) (*libsvm.Dataset, error) {
	if name == "australian_scale" {
		name = "australian"
	}
	in, ok := info[name]
	if !ok {
		return nil, fmt.Errorf("%w %q (have %v)", ErrUnknown, name, Names())
	}
	b, err := files.ReadFile(in.file)
	if err != nil {
		return nil, fmt.Errorf("sets: %s: %w", name, err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("sets: %s: %w", name, err)
	}
	defer zr.Close()
	d, err := libsvm.Read(zr, in.nFeatures)
	if err != nil {
		return nil, fmt.Errorf("sets: %s: %w", name, err)
	}
	return d, nil
}
