package parl

import (
	"fmt"
	"math"
)

// Transition is one outcome of taking an action: the next state and its
// probability.
type Transition struct {
	// To is the next state.
	To int
	// P is the probability of To, in (0, 1].
	P float64
}

// MDP is a finite-horizon tabular Markov decision process whose reward is
// earned on entering a state: r_ν(s, a, s') = ν·φ(s'), and, for utility
// feedback, the designer's true reward TrueReward[s']. Both of the spec's
// environments ([LavaGrid5], [PreferenceTree]) have this form. Entering a
// Terminal state ends the episode (no further reward; its value is 0).
type MDP struct {
	// States and Actions are the sizes of the state and action sets.
	States, Actions int
	// Horizon is the number of decision steps H.
	Horizon int
	// Next[s][a] lists the transitions from s under a; their probabilities
	// sum to 1.
	Next [][][]Transition
	// Start is the initial distribution μ(s₀) (length States, sum 1).
	Start []float64
	// Terminal marks the states that end an episode. Nil means none.
	Terminal []bool
	// Features holds φ(s) for every state (States rows of one length d).
	Features [][]float64
	// TrueReward is the true reward of entering each state, used by
	// [TrueReturn] and [Policy.Value]. Nil means zero.
	TrueReward []float64
	// Discount is γ. Zero means 1 (the spec's environments are
	// undiscounted); it must lie in (0, 1].
	Discount float64
}

// sumTol is how far a probability vector may be from summing to 1: a few
// ulps per entry for probabilities written as decimals.
const sumTol = 1e-9

// maxTabular bounds States·Actions·Horizon, the size of the policy tables,
// so that a malformed MDP cannot ask for an absurd allocation.
const maxTabular = 1 << 26

// Dim returns the feature dimension d.
func (m *MDP) Dim() int {
	if len(m.Features) == 0 {
		return 0
	}
	return len(m.Features[0])
}

func (m *MDP) gamma() float64 {
	if m.Discount == 0 {
		return 1
	}
	return m.Discount
}

func (m *MDP) terminal(s int) bool { return m.Terminal != nil && m.Terminal[s] }

func (m *MDP) trueReward(s int) float64 {
	if m.TrueReward == nil {
		return 0
	}
	return m.TrueReward[s]
}

// Validate returns an error wrapping [ErrMDP] that names the first
// inconsistency: non-positive sizes, tables of the wrong shape, transitions
// to unknown states, probabilities that are not finite or do not sum to 1,
// features of unequal length or non-finite values, a discount outside (0, 1].
func (m *MDP) Validate() error {
	if m == nil {
		return fmt.Errorf("%w: nil MDP", ErrMDP)
	}
	if m.States <= 0 || m.Actions <= 0 || m.Horizon <= 0 {
		return fmt.Errorf("%w: States %d, Actions %d, Horizon %d must be positive", ErrMDP, m.States, m.Actions, m.Horizon)
	}
	if float64(m.States)*float64(m.Actions)*float64(m.Horizon) > maxTabular {
		return fmt.Errorf("%w: States·Actions·Horizon = %d·%d·%d exceeds %d", ErrMDP, m.States, m.Actions, m.Horizon, maxTabular)
	}
	if g := m.Discount; math.IsNaN(g) || g < 0 || g > 1 {
		return fmt.Errorf("%w: Discount %v outside (0, 1]", ErrMDP, g)
	}
	if len(m.Next) != m.States {
		return fmt.Errorf("%w: len(Next) = %d, want States = %d", ErrMDP, len(m.Next), m.States)
	}
	for s, row := range m.Next {
		if len(row) != m.Actions {
			return fmt.Errorf("%w: len(Next[%d]) = %d, want Actions = %d", ErrMDP, s, len(row), m.Actions)
		}
		for a, ts := range row {
			if m.terminal(s) {
				continue
			}
			sum := 0.0
			for _, t := range ts {
				if t.To < 0 || t.To >= m.States {
					return fmt.Errorf("%w: Next[%d][%d] goes to unknown state %d", ErrMDP, s, a, t.To)
				}
				if !(t.P > 0 && t.P <= 1) {
					return fmt.Errorf("%w: Next[%d][%d] has probability %v", ErrMDP, s, a, t.P)
				}
				sum += t.P
			}
			if math.Abs(sum-1) > sumTol*float64(len(ts)+1) {
				return fmt.Errorf("%w: Next[%d][%d] probabilities sum to %v", ErrMDP, s, a, sum)
			}
		}
	}
	if len(m.Start) != m.States {
		return fmt.Errorf("%w: len(Start) = %d, want States = %d", ErrMDP, len(m.Start), m.States)
	}
	sum := 0.0
	for s, p := range m.Start {
		if !(p >= 0 && p <= 1) {
			return fmt.Errorf("%w: Start[%d] = %v", ErrMDP, s, p)
		}
		sum += p
	}
	if math.Abs(sum-1) > sumTol*float64(m.States) {
		return fmt.Errorf("%w: Start sums to %v", ErrMDP, sum)
	}
	if m.Terminal != nil && len(m.Terminal) != m.States {
		return fmt.Errorf("%w: len(Terminal) = %d, want States = %d", ErrMDP, len(m.Terminal), m.States)
	}
	if m.TrueReward != nil && len(m.TrueReward) != m.States {
		return fmt.Errorf("%w: len(TrueReward) = %d, want States = %d", ErrMDP, len(m.TrueReward), m.States)
	}
	for s, r := range m.TrueReward {
		if math.IsNaN(r) || math.IsInf(r, 0) {
			return fmt.Errorf("%w: TrueReward[%d] = %v", ErrMDP, s, r)
		}
	}
	if len(m.Features) != m.States {
		return fmt.Errorf("%w: len(Features) = %d, want States = %d", ErrMDP, len(m.Features), m.States)
	}
	d := len(m.Features[0])
	if d == 0 {
		return fmt.Errorf("%w: empty feature vectors", ErrMDP)
	}
	for s, f := range m.Features {
		if len(f) != d {
			return fmt.Errorf("%w: len(Features[%d]) = %d, want %d", ErrMDP, s, len(f), d)
		}
		for _, v := range f {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: Features[%d] has %v", ErrMDP, s, v)
			}
		}
	}
	return nil
}
