package ef21

import (
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
)

// Compressor is a contractive compression operator C: it satisfies
// E‖C(v) − v‖² ≤ (1 − α)‖v‖² with α = Alpha(len(v)).
type Compressor interface {
	// Compress sets dst to C(v). It must not modify v, must leave dst with
	// dimension len(v), and may draw from rng (nil for deterministic
	// compressors is fine).
	Compress(dst *linalg.Sparse, v []float64, rng *rand.Rand)
	// Alpha returns the contraction constant α ∈ (0, 1] for vectors of
	// dimension d. A value outside (0, 1] means the compressor cannot be
	// used in dimension d (for example TopK with K > d), and Run reports it.
	Alpha(d int) float64
	// Homogeneous reports whether C(t·v) = t·C(v) for t > 0 (with the same
	// random draws), the condition under which EF21 and EF21-W coincide.
	Homogeneous() bool
}

// Oracle gives the clients' local functions fᵢ, i = 0..N()−1, of
// f = (1/n) Σᵢ fᵢ on ℝ^Dim(). Run calls Grad concurrently for distinct i, so
// an implementation must keep per-client scratch space.
type Oracle interface {
	// Grad writes ∇fᵢ(x) into dst and returns fᵢ(x).
	Grad(i int, dst, x []float64) float64
	// Dim returns the dimension d of x.
	Dim() int
	// N returns the number of clients n.
	N() int
}

// StochOracle is an Oracle that also gives minibatch gradients; Run needs it
// when Settings.Batch > 0 (EF21-W-SGD).
type StochOracle interface {
	Oracle
	// StochGrad writes an unbiased estimate of ∇fᵢ(x) from a minibatch of
	// size batch, drawn with rng, into dst.
	StochGrad(i int, dst, x []float64, batch int, rng *rand.Rand)
}

// Smooth is an Oracle that knows its smoothness constants: fᵢ is
// Lᵢ-smooth and f is L-smooth. Run uses them for the weights of EF21-W and
// the theory step sizes unless Settings gives them.
type Smooth interface {
	// LocalSmoothness returns Lᵢ.
	LocalSmoothness(i int) float64
	// Smoothness returns L, the smoothness constant of f (L ≤ mean Lᵢ).
	Smoothness() float64
}

// Supporter is an Oracle whose clients' gradients are supported on known
// coordinate sets Zᵢ (the "rare features" regime); Run needs it for
// RuleRare.
type Supporter interface {
	// Support returns the coordinates, increasing, outside which ∇fᵢ is
	// always 0. Nil means every coordinate.
	Support(i int) []int
}
