package ef21

import (
	"fmt"
	"slices"

	"github.com/optlearn/optlearn/run"
)

// Iter is the state of a run, passed to a [Recorder] at the start (round
// 0), after every round and at the end (Event run.End, repeating the final
// state). The embedded run.Progress gives the round number (Iteration),
// the event and, at the end, the Status.
type Iter struct {
	run.Progress
	// X is xᵗ (read only, valid during the call).
	X []float64
	// F is f(xᵗ).
	F float64
	// GradNormSq is ‖∇f(xᵗ)‖².
	GradNormSq float64
	// G is the error term Gᵗ = Σᵢ wᵢ‖gᵢᵗ − ∇fᵢ(xᵗ)/(n wᵢ)‖² of the Lyapunov
	// function (for EF21, wᵢ = 1/n and Gᵗ = (1/n)Σᵢ‖gᵢᵗ − ∇fᵢ(xᵗ)‖²).
	G float64
	// Lyapunov is f(xᵗ) + γ/(2θ)·Gᵗ, the function the theory shows decreases
	// (up to the constant f^inf, which is not subtracted).
	Lyapunov float64
	// Bits is the number of bits uploaded by all clients so far, including
	// the initial round.
	Bits int64
	// Participants is the number of clients that sent a message this round.
	Participants int
}

// Clone returns a copy of it that owns its X, for [History].
func (it *Iter) Clone() Iter {
	c := *it
	c.X = slices.Clone(it.X)
	return c
}

// Summary returns the round's f, ‖∇f‖² and Mbit uploaded, for [Printer].
func (it *Iter) Summary() string {
	return fmt.Sprintf("f %.6g  |grad f|^2 %.3e  G %.3e  %.4g Mbit", it.F, it.GradNormSq, it.G, float64(it.Bits)/1e6)
}

// Recorder receives the state of a run: once at the start (round 0), after
// every round, and once more at the end. A non-nil error stops the run with
// Status run.RecorderStopped. It must not modify the Iter nor keep Iter.X
// beyond the call.
type Recorder = run.Recorder[*Iter]

// History is a [Recorder] that keeps a copy of every state (the start and
// each round) for plots and tests; History.Series extracts one quantity:
//
//	gsq := h.Series(func(it *ef21.Iter) float64 { return it.GradNormSq })
type History = run.History[Iter, *Iter]

// Printer is a [Recorder] that writes a progress line (round, elapsed time,
// remaining-time estimate, [Iter.Summary]) at the start, at most every
// Interval (2 s by default) and at the end.
type Printer = run.Printer[*Iter]

var (
	_ Recorder = (*History)(nil)
	_ Recorder = (*Printer)(nil)
)
