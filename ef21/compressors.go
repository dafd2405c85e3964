package ef21

import (
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
)

var (
	_ Compressor = TopK{}
	_ Compressor = RandK{}
	_ Compressor = Identity{}
)

// TopK keeps the K entries of largest magnitude (ties to the lower index),
// a deterministic, positively homogeneous compressor with α = K/d. It uses
// linalg.TopK (selection, not sorting) and allocates nothing once dst has
// grown.
type TopK struct {
	// K is the number of entries kept, 1 ≤ K ≤ d.
	K int
}

// Compress sets dst to TopK(v); rng is not used. Like the linalg kernels
// it panics on a programmer error: a nil dst or K outside [0, len(v)]
// (Run checks K through Alpha before any call).
func (c TopK) Compress(dst *linalg.Sparse, v []float64, _ *rand.Rand) {
	checkDst(dst)
	linalg.TopK(dst, v, c.K)
}

// checkDst panics if dst is nil: Compress has no error result, and a nil
// message is a programmer error.
func checkDst(dst *linalg.Sparse) {
	if dst == nil {
		panic("ef21: Compress with a nil dst")
	}
}

// Alpha returns K/d (0 when K < 1; above 1 when K > d, which Run rejects).
func (c TopK) Alpha(d int) float64 { return alphaK(c.K, d) }

// Homogeneous returns true.
func (TopK) Homogeneous() bool { return true }

// RandK keeps K entries at positions drawn uniformly without replacement,
// unscaled, so that E‖C(v) − v‖² = (1 − K/d)‖v‖²: α = K/d. It is
// homogeneous for a fixed random draw.
type RandK struct {
	// K is the number of entries kept, 1 ≤ K ≤ d.
	K int
}

// Compress sets dst to RandK(v), drawing K numbers from rng. It panics on
// a programmer error: a nil dst or rng, or K outside [0, len(v)] (Run
// checks K and always passes a stream).
func (c RandK) Compress(dst *linalg.Sparse, v []float64, rng *rand.Rand) {
	checkDst(dst)
	linalg.RandK(dst, v, c.K, rng)
}

// Alpha returns K/d (0 when K < 1; above 1 when K > d, which Run rejects).
func (c RandK) Alpha(d int) float64 { return alphaK(c.K, d) }

// Homogeneous returns true: with the same mask, C(t·v) = t·C(v).
func (RandK) Homogeneous() bool { return true }

// Identity sends v unchanged (α = 1): EF21 reduces to gradient descent with
// step 1/L.
type Identity struct{}

// Compress sets dst to v. It panics if dst is nil.
func (Identity) Compress(dst *linalg.Sparse, v []float64, _ *rand.Rand) {
	checkDst(dst)
	dst.Reset(len(v))
	for i, x := range v {
		dst.Index = append(dst.Index, i)
		dst.Value = append(dst.Value, x)
	}
}

// Alpha returns 1.
func (Identity) Alpha(int) float64 { return 1 }

// Homogeneous returns true.
func (Identity) Homogeneous() bool { return true }

func alphaK(k, d int) float64 {
	if k < 1 || d < 1 {
		return 0
	}
	return float64(k) / float64(d)
}

// MessageBits returns the exact number of bits a client uploads to send m:
// each entry costs a float64 value plus its position (linalg.Sparse.Bits),
// except that a message holding all N entries is sent dense, without
// positions (linalg.DenseBits). An empty or nil message costs 0 bits.
func MessageBits(m *linalg.Sparse) int64 {
	if m == nil {
		return 0
	}
	if m.N > 0 && m.NNZ() == m.N {
		return linalg.DenseBits(m.N)
	}
	return m.Bits()
}
