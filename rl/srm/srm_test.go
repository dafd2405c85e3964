package srm

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// A model learns a linear preference: chosen steps have a larger first
// feature.
func TestFitLearnsPreference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	var c, r [][]float64
	for k := 0; k < 2000; k++ {
		a := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		b := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		if a[0] < b[0] {
			a, b = b, a
		}
		c, r = append(c, a), append(r, b)
	}
	m, err := Fit(context.Background(), c[:1800], r[:1800], &Settings{Epochs: 5, Rand: rng})
	if err != nil {
		t.Fatal(err)
	}
	if acc := m.Accuracy(c[1800:], r[1800:]); acc < 0.95 {
		t.Errorf("held-out accuracy %.3f", acc)
	}
}

// Beam search on a counting toy: states are integers, a step adds 0 or 1
// at random, the score prefers larger numbers; greedy search with c = 5
// finds the maximum 3 in three steps almost surely, plain sampling does not.
func TestBeam(t *testing.T) {
	next := func(s int, rng *rand.Rand) int { return s + 1 + rng.IntN(2)*10 }
	terminal := func(s int) bool { return s%10 >= 3 }
	score := func(_, ch int) float64 { return float64(ch) }
	rng := rand.New(rand.NewPCG(2, 0))
	if got := Beam(0, next, terminal, score, 1, 5, 3, rng); got < 30 {
		t.Errorf("greedy c = 5 reached %d", got)
	}
	if got := Beam(0, next, terminal, score, 3, 5, 3, rng); got != 33 && got < 30 {
		t.Errorf("beam reached %d", got)
	}
	if got := Beam(0, next, terminal, nil, 1, 1, 3, rand.New(rand.NewPCG(3, 0))); got%10 != 3 {
		t.Errorf("plain sampling did not reach a terminal state: %d", got)
	}
}

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	ok := [][]float64{{1, 2}}
	for _, c := range []struct {
		name string
		c, r [][]float64
		s    *Settings
		err  error
	}{
		{"no pairs", nil, nil, nil, ErrDimension},
		{"unequal counts", ok, [][]float64{{1, 2}, {3, 4}}, nil, ErrDimension},
		{"ragged features", ok, [][]float64{{1}}, nil, ErrDimension},
		{"NaN feature", [][]float64{{math.NaN(), 1}}, ok, nil, ErrNotFinite},
		{"negative LR", ok, ok, &Settings{LR: -1}, ErrSettings},
		{"zero batch", ok, ok, &Settings{Batch: -1}, ErrSettings},
	} {
		if _, err := Fit(ctx, c.c, c.r, c.s); !errors.Is(err, c.err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Fit(cctx, ok, ok, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: %v", err)
	}
}
