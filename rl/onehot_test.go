package rl_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
)

// argmaxRef is the definition OneHotIndex must agree with: the first index
// of the largest entry under >.
func argmaxRef(x []float64) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

func TestOneHotIndexMatchesArgmax(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	vals := []float64{0, math.Copysign(0, -1), 1, 0.5, -1, math.NaN(), math.Inf(1), math.Inf(-1), 2}
	for trial := range 20000 {
		n := rng.IntN(12)
		x := make([]float64, n)
		switch trial % 3 {
		case 0: // one-hot
			if n > 0 {
				x[rng.IntN(n)] = 1
			}
		case 1: // one-hot with a few other entries disturbed
			if n > 0 {
				x[rng.IntN(n)] = 1
				for range rng.IntN(3) {
					x[rng.IntN(n)] = vals[rng.IntN(len(vals))]
				}
			}
		default:
			for i := range x {
				x[i] = vals[rng.IntN(len(vals))]
			}
		}
		if got, want := rl.OneHotIndex(x), argmaxRef(x); got != want {
			t.Fatalf("OneHotIndex(%v) = %d, argmax %d", x, got, want)
		}
	}
}

func BenchmarkOneHotIndex(b *testing.B) {
	x := make([]float64, 121) // Deep Sea Treasure's 11×11 grid
	x[77] = 1
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			_ = rl.OneHotIndex(x)
		}
	})
	b.Run("argmax", func(b *testing.B) {
		for b.Loop() {
			_ = argmaxRef(x)
		}
	})
}
