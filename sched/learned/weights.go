package learned

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/optlearn/optlearn/sched"
)

// Weights file format (gzip-compressed, little-endian): the 8-byte magic
// "OLSCHLRN", uint32 FormatVersion, then the shape as seven uint32 (Dim,
// FF, Hidden, MaxPos, sched.Window, token features 4, NumParams) and
// NumParams float64 values in the order of Net.W.
const (
	magic = "OLSCHLRN"
	// FormatVersion is the version of the weights format written by
	// [Net.Save].
	FormatVersion = 1
)

func shape() [7]uint32 {
	return [7]uint32{Dim, FF, Hidden, MaxPos, sched.Window, 4, NumParams}
}

// Save writes n's weights to w in the versioned format. It returns an
// error wrapping ErrWeights for a network without NumParams finite weights.
func (n *Net) Save(w io.Writer) error {
	if n == nil || len(n.W) != NumParams {
		return fmt.Errorf("%w: network does not have %d weights", ErrWeights, NumParams)
	}
	for i, v := range n.W {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: weight %d is %v", ErrNotFinite, i, v)
		}
	}
	zw := gzip.NewWriter(w) // no name or time in the header: same weights, same bytes
	var buf bytes.Buffer
	buf.WriteString(magic)
	_ = binary.Write(&buf, binary.LittleEndian, uint32(FormatVersion))
	_ = binary.Write(&buf, binary.LittleEndian, shape())
	_ = binary.Write(&buf, binary.LittleEndian, n.W)
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

// SaveFile writes n to the file path (see [Net.Save]).
func (n *Net) SaveFile(path string) error {
	var buf bytes.Buffer
	if err := n.Save(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// Load reads a network written by [Net.Save]. Errors wrap ErrWeights and
// name the expected and the found magic, version or shape.
func Load(r io.Reader) (*Net, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not a gzip stream: %w", ErrWeights, err)
	}
	defer zr.Close()
	head := make([]byte, len(magic)+4+7*4)
	if _, err := io.ReadFull(zr, head); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrWeights, err)
	}
	if string(head[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: magic %q, want %q", ErrWeights, head[:len(magic)], magic)
	}
	if v := binary.LittleEndian.Uint32(head[len(magic):]); v != FormatVersion {
		return nil, fmt.Errorf("%w: format version %d, want %d", ErrWeights, v, FormatVersion)
	}
	var got [7]uint32
	for i := range got {
		got[i] = binary.LittleEndian.Uint32(head[len(magic)+4+4*i:])
	}
	if want := shape(); got != want {
		return nil, fmt.Errorf("%w: shape (d, ff, hidden, maxpos, window, features, params) = %v, want %v", ErrWeights, got, want)
	}
	n := &Net{W: make([]float64, NumParams)}
	if err := binary.Read(zr, binary.LittleEndian, n.W); err != nil {
		return nil, fmt.Errorf("%w: %d weights expected: %w", ErrWeights, NumParams, err)
	}
	if extra, _ := io.Copy(io.Discard, io.LimitReader(zr, 1)); extra != 0 {
		return nil, fmt.Errorf("%w: data after the %d weights", ErrWeights, NumParams)
	}
	for i, v := range n.W {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%w: weight %d is %v", ErrNotFinite, i, v)
		}
	}
	return n, nil
}

// LoadFile reads a network from the file path (see [Load]).
func LoadFile(path string) (*Net, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Load(f)
}

// shipped holds the weights trained by the package's documented command
// (see the package doc).
//
//go:embed weights/jssp-v1.gz
var shipped []byte

// Shipped returns the trained network shipped with the package (see the
// package doc for how it was trained and how to reproduce it).
func Shipped() (*Net, error) { return Load(bytes.NewReader(shipped)) }
