package rl

import (
	"fmt"
	"math"
)

// Space is an observation or action space: discrete with N elements
// {0, …, N−1} when N > 0, otherwise a box of Dim components with bounds
// Low[i] ≤ x[i] ≤ High[i] (±Inf allowed).
type Space struct {
	N    int
	Dim  int
	Low  []float64
	High []float64
}

// Discrete returns the discrete space {0, …, n−1}.
func Discrete(n int) Space { return Space{N: n, Dim: 1} }

// Box returns the box [low, high] ⊂ R^len(low). It panics if the lengths differ.
func Box(low, high []float64) Space {
	if len(low) != len(high) {
		panic("rl: length mismatch")
	}
	return Space{Dim: len(low), Low: append([]float64(nil), low...), High: append([]float64(nil), high...)}
}

// IsDiscrete reports whether s is a discrete space.
func (s Space) IsDiscrete() bool { return s.N > 0 }

// Contains returns nil if a lies in s and an error wrapping [ErrAction]
// otherwise (wrong kind, wrong length, out of bounds or NaN).
func (s Space) Contains(a Action) error {
	if s.IsDiscrete() {
		if a.Box != nil || a.Discrete < 0 || a.Discrete >= s.N {
			return fmt.Errorf("%w: discrete action %d not in {0..%d}", ErrAction, a.Discrete, s.N-1)
		}
		return nil
	}
	if len(a.Box) != s.Dim {
		return fmt.Errorf("%w: box action has %d components, want %d", ErrAction, len(a.Box), s.Dim)
	}
	for i, v := range a.Box {
		if math.IsNaN(v) || v < s.Low[i] || v > s.High[i] {
			return fmt.Errorf("%w: component %d = %g outside [%g, %g]", ErrAction, i, v, s.Low[i], s.High[i])
		}
	}
	return nil
}

// Clip returns a copy of the box action a clipped into s (NaN becomes the
// lower bound). Discrete actions are returned unchanged.
func (s Space) Clip(a Action) Action {
	if s.IsDiscrete() || len(a.Box) != s.Dim {
		return a
	}
	out := make([]float64, s.Dim)
	for i, v := range a.Box {
		switch {
		case math.IsNaN(v) || v < s.Low[i]:
			v = s.Low[i]
		case v > s.High[i]:
			v = s.High[i]
		}
		out[i] = v
	}
	return Action{Box: out}
}
