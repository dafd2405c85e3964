package anp

import (
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
)

// Checkpoint format: gzip-compressed JSON
//
//	{"format": "optlearn-pde-anp", "version": 1,
//	 "config": {"hidden": 32, "latent": 32, "heads": 4, "self_attention": false},
//	 "meta": {"command": "...", ...},
//	 "tensors": [{"name": "det.W0", "shape": [3, 32], "data": "<base64>"}, ...]}
//
// Tensors appear in the order of [Model.Params]; weight matrices are
// row-major with shape [inputs, outputs], attention blocks [heads, in,
// head width]. "data" is the base64 encoding of the values as
// little-endian IEEE-754 float64, so a save/load round trip is bit-exact.
const (
	// Format is the "format" string of a checkpoint.
	Format = "optlearn-pde-anp"
	// Version is the checkpoint version this package writes and reads.
	Version = 1
)

// maxCheckpoint bounds the decompressed size read by [Load] (64 MiB).
const maxCheckpoint = 64 << 20

type fileConfig struct {
	Hidden        int  `json:"hidden"`
	Latent        int  `json:"latent"`
	Heads         int  `json:"heads"`
	SelfAttention bool `json:"self_attention"`
}

type fileTensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Data  []byte `json:"data"`
}

type file struct {
	Format  string            `json:"format"`
	Version int               `json:"version"`
	Config  fileConfig        `json:"config"`
	Meta    map[string]string `json:"meta,omitempty"`
	Tensors []fileTensor      `json:"tensors"`
}

// Save writes the model as a gzip-compressed JSON checkpoint (format
// above) with the given free-form metadata (for example the training
// command). It returns an error wrapping [ErrNotFinite] if a weight is
// NaN or Inf, or the writer's error.
func (m *Model) Save(w io.Writer, meta map[string]string) error {
	f := file{Format: Format, Version: Version, Meta: meta,
		Config: fileConfig{Hidden: m.Arch.Hidden, Latent: m.Arch.Latent, Heads: m.Arch.Heads, SelfAttention: m.Arch.SelfAttention}}
	for _, t := range m.tensors() {
		for i, v := range t.data {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: weight %s[%d] = %v", ErrNotFinite, t.name, i, v)
			}
		}
		b := make([]byte, 8*len(t.data))
		for i, v := range t.data {
			binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(v))
		}
		f.Tensors = append(f.Tensors, fileTensor{Name: t.name, Shape: t.shape, Data: b})
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(zw).Encode(&f); err != nil {
		return fmt.Errorf("anp: writing checkpoint: %w", err)
	}
	return zw.Close()
}

// readFile decodes and checks the format and version of a checkpoint.
func readFile(r io.Reader) (*file, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: not gzip: %v", ErrCheckpoint, err)
	}
	defer zr.Close()
	var f file
	dec := json.NewDecoder(io.LimitReader(zr, maxCheckpoint))
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	if f.Format != Format {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrCheckpoint, f.Format, Format)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%w: version %d, want %d", ErrCheckpoint, f.Version, Version)
	}
	return &f, nil
}

// Load reads a checkpoint written by [Model.Save] and returns the model
// and its metadata. It returns an error wrapping [ErrCheckpoint] for a
// file that is not gzip JSON of this format, or of another version (the
// message names the expected and the found version), [ErrSettings] for a
// bad configuration, and [ErrDimension] for tensors that do not match the
// configuration (naming the expected and the found shape).
func Load(r io.Reader) (*Model, map[string]string, error) {
	f, err := readFile(r)
	if err != nil {
		return nil, nil, err
	}
	c := Architecture{Hidden: f.Config.Hidden, Latent: f.Config.Latent, Heads: f.Config.Heads, SelfAttention: f.Config.SelfAttention}
	if c.Hidden <= 0 || c.Latent <= 0 || c.Heads <= 0 {
		return nil, nil, fmt.Errorf("%w: checkpoint config %+v", ErrSettings, f.Config)
	}
	c, err = c.withDefaults()
	if err != nil {
		return nil, nil, err
	}
	// Compare sizes before allocating a model of the file's architecture.
	have := 0
	for _, t := range f.Tensors {
		have += len(t.Data) / 8
	}
	if want := paramCount(c); have != want {
		return nil, nil, fmt.Errorf("%w: checkpoint holds %d weights, its architecture %+v needs %d", ErrDimension, have, f.Config, want)
	}
	// The weights are overwritten below; the seed only fills them first.
	m, err := New(c, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, nil, err
	}
	if err := m.setTensors(f.Tensors); err != nil {
		return nil, nil, err
	}
	return m, f.Meta, nil
}

// paramCount returns the number of weights of a model of architecture c
// (defaults filled in), the sum over [Model.Params].
func paramCount(c Architecture) int {
	mlp := func(sizes ...int) int {
		n := 0
		for i := 1; i < len(sizes); i++ {
			n += (sizes[i-1] + 1) * sizes[i]
		}
		return n
	}
	h, dz := c.Hidden, c.Latent
	att := 4*h*h + h
	n := 2*mlp(3, h, h, h) + mlp(2, h, h) + att + mlp(h, h, h) + 2*mlp(h, dz) + mlp(h+dz+2, h, h, 2)
	if c.SelfAttention {
		n += att
	}
	return n
}

// LoadWeights reads a checkpoint into m, whose architecture the file
// must match. It returns the errors of [Load], with a shape mismatch
// naming m's shape and the file's; m is unchanged on error.
func (m *Model) LoadWeights(r io.Reader) error {
	f, err := readFile(r)
	if err != nil {
		return err
	}
	c := m.Arch
	if fc := fileConfig(c); fc != f.Config {
		return fmt.Errorf("%w: checkpoint config %+v, model %+v", ErrDimension, f.Config, fc)
	}
	return m.setTensors(f.Tensors)
}

// setTensors checks names and shapes against m, then copies the data.
func (m *Model) setTensors(ts []fileTensor) error {
	want := m.tensors()
	if len(ts) != len(want) {
		return fmt.Errorf("%w: checkpoint has %d tensors, model %d", ErrDimension, len(ts), len(want))
	}
	for i, w := range want {
		t := ts[i]
		if t.Name != w.name || !slices.Equal(t.Shape, w.shape) || len(t.Data) != 8*len(w.data) {
			return fmt.Errorf("%w: tensor %d is %s %v with %d bytes in the file, want %s %v with %d",
				ErrDimension, i, t.Name, t.Shape, len(t.Data), w.name, w.shape, 8*len(w.data))
		}
		for j := range w.data {
			if v := math.Float64frombits(binary.LittleEndian.Uint64(t.Data[8*j:])); math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: checkpoint tensor %s[%d] = %v", ErrNotFinite, t.Name, j, v)
			}
		}
	}
	for i, w := range want {
		for j := range w.data {
			w.data[j] = math.Float64frombits(binary.LittleEndian.Uint64(ts[i].Data[8*j:]))
		}
	}
	return nil
}
