package ef21

import (
	"fmt"
	"io"
)

// Iter is the state of a run after a round, passed to a [Recorder].
type Iter struct {
	// Round is t: 0 at the start, then 1, 2, ...
	Round int
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
	// Done is true for the last call, which repeats the final state.
	Done bool
}

// History is a [Recorder] that keeps every round (not the final repeat) for
// plots and tests.
type History struct {
	Round        []int
	F            []float64
	GradNormSq   []float64
	G            []float64
	Lyapunov     []float64
	Bits         []int64
	Participants []int
}

var (
	_ Recorder = (*History)(nil)
	_ Recorder = (*Printer)(nil)
)

// Record appends it to h, unless it.Done. It never fails.
func (h *History) Record(it *Iter) error {
	if it.Done {
		return nil
	}
	h.Round = append(h.Round, it.Round)
	h.F = append(h.F, it.F)
	h.GradNormSq = append(h.GradNormSq, it.GradNormSq)
	h.G = append(h.G, it.G)
	h.Lyapunov = append(h.Lyapunov, it.Lyapunov)
	h.Bits = append(h.Bits, it.Bits)
	h.Participants = append(h.Participants, it.Participants)
	return nil
}

// Printer is a [Recorder] that writes a table line to W every Every rounds
// and at the end.
type Printer struct {
	// W receives the lines.
	W io.Writer
	// Every is the interval in rounds. Zero means 100.
	Every int
}

// Record writes a line for round 0, every Every-th round and the final
// state. It returns the writer's error.
func (p *Printer) Record(it *Iter) error {
	every := p.Every
	if every <= 0 {
		every = 100
	}
	if it.Round == 0 && !it.Done {
		if _, err := fmt.Fprintf(p.W, "%8s %14s %14s %14s %12s\n", "round", "f", "|grad f|^2", "G", "bits"); err != nil {
			return err
		}
	}
	if !it.Done && it.Round%every != 0 {
		return nil
	}
	mark := ""
	if it.Done {
		mark = " (end)"
	}
	_, err := fmt.Fprintf(p.W, "%8d %14.6e %14.6e %14.6e %12d%s\n", it.Round, it.F, it.GradNormSq, it.G, it.Bits, mark)
	return err
}
