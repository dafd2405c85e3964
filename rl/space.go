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

// Box returns the box [low, high] ⊂ R^len(low). If the lengths differ
// or a bound is NaN the space is malformed: [Space.Check] reports it and
// Contains rejects every action.
func Box(low, high []float64) Space {
	return Space{Dim: len(low), Low: append([]float64(nil), low...), High: append([]float64(nil), high...)}
}

// Check returns nil for a well-formed space and an error wrapping
// [ErrSpace] otherwise: a discrete space needs N ≥ 1, a box Dim =
// len(Low) = len(High) with no NaN bound and Low ≤ High.
func (s Space) Check() error {
	if s.N > 0 {
		return nil
	}
	if s.N < 0 || s.Dim < 1 || len(s.Low) != s.Dim || len(s.High) != s.Dim {
		return fmt.Errorf("%w: N %d, Dim %d, %d lower and %d upper bounds", ErrSpace, s.N, s.Dim, len(s.Low), len(s.High))
	}
	for i := range s.Low {
		if math.IsNaN(s.Low[i]) || math.IsNaN(s.High[i]) || s.Low[i] > s.High[i] {
			return fmt.Errorf("%w: component %d bounds [%g, %g]", ErrSpace, i, s.Low[i], s.High[i])
		}
	}
	return nil
}

// IsDiscrete reports whether s is a discrete space.
func (s Space) IsDiscrete() bool { return s.N > 0 }

// Contains returns nil if a lies in s and an error wrapping [ErrAction]
// otherwise (wrong kind, wrong length, out of bounds or NaN), or the error
// of [Space.Check] for a malformed space.
func (s Space) Contains(a Action) error {
	if err := s.Check(); err != nil {
		return err
	}
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
	if s.IsDiscrete() || len(a.Box) != s.Dim || s.Check() != nil {
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
