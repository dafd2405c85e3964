package run

import (
	"cmp"
	"fmt"
	"io"
	"time"
)

// Event says which of a run's calls a [Recorder] is seeing.
type Event int8

// Events, in the order a run produces them.
const (
	// Start: before the first iteration, with the initial state.
	Start Event = iota
	// Iteration: after a major iteration.
	Iteration
	// End: once, after the last iteration, with the final Status.
	End
)

// String returns "start", "iteration" or "end".
func (e Event) String() string {
	switch e {
	case Start:
		return "start"
	case Iteration:
		return "iteration"
	case End:
		return "end"
	}
	return "Event(" + fmt.Sprint(int(e)) + ")"
}

// Progress is the part of every package's Iter that does not depend on the
// method. Packages embed it, so that it.Iteration, it.Event, ... read the
// same everywhere and [Printer] and [History] work on any Iter.
type Progress struct {
	// Event says which call this is.
	Event Event
	// Iteration is the number of major iterations done (0 at Start).
	Iteration int
	// MaxIter is the iteration budget, or 0 if the run has none; Printer
	// estimates the remaining time from it.
	MaxIter int
	// Elapsed is the wall time since Start.
	Elapsed time.Duration
	// Status is NotTerminated except at End, where it is the final status.
	Status Status
}

// Head returns p. Through embedding it gives [Printer], [History] and
// [Loop] access to the Progress of any package's Iter.
func (p *Progress) Head() *Progress { return p }

// Iter is satisfied by a pointer to any struct that embeds [Progress].
type Iter interface {
	Head() *Progress
}

// Recorder receives a run's state: at Start, after each major iteration,
// and at End. A non-nil error stops the run with Status RecorderStopped;
// the method returns that error wrapped. Record must not modify what it is
// given nor keep its slices beyond the call. Packages name their own
// Recorder as an alias: type Recorder = run.Recorder[*Iter].
type Recorder[T Iter] interface {
	Record(it T) error
}

// RecorderFunc adapts a function to a [Recorder].
type RecorderFunc[T Iter] func(it T) error

// Record calls f(it).
func (f RecorderFunc[T]) Record(it T) error { return f(it) }

// Tee returns a Recorder that calls each non-nil r in order and stops at
// the first error.
func Tee[T Iter](rs ...Recorder[T]) Recorder[T] {
	return RecorderFunc[T](func(it T) error {
		for _, r := range rs {
			if r == nil {
				continue
			}
			if err := r.Record(it); err != nil {
				return err
			}
		}
		return nil
	})
}

// Cloner is implemented by an Iter whose slices must be copied before they
// are kept (they are only valid during Record). [History] uses it.
type Cloner[V any] interface {
	Clone() V
}

// History is a [Recorder] that keeps a copy of every state it sees, Start
// and iterations, for plots and tests, and the final status. V is the
// package's Iter type and P its pointer: packages alias it as
// type History = run.History[Iter, *Iter], so users write ef21.History.
// If *V implements Cloner[V], the copies are made with Clone (slice fields
// copied); otherwise they are shallow copies.
type History[V any, P interface {
	*V
	Iter
}] struct {
	// Iters holds the states at Start and after each iteration, in order.
	Iters []V
	// Status is the final status, set at End.
	Status Status
	// Elapsed is the wall time of the run, set at End.
	Elapsed time.Duration
}

// Record appends a copy of it (or, at End, sets Status and Elapsed). It
// never fails.
func (h *History[V, P]) Record(it P) error {
	p := it.Head()
	if p.Event == End {
		h.Status = p.Status
		h.Elapsed = p.Elapsed
		return nil
	}
	if c, ok := any(it).(Cloner[V]); ok {
		h.Iters = append(h.Iters, c.Clone())
	} else {
		h.Iters = append(h.Iters, *it)
	}
	return nil
}

// Len returns the number of kept states.
func (h *History[V, P]) Len() int { return len(h.Iters) }

// Series returns f applied to every kept state, for plotting one quantity:
//
//	f := h.Series(func(it *ef21.Iter) float64 { return it.F })
func (h *History[V, P]) Series(f func(P) float64) []float64 {
	out := make([]float64, len(h.Iters))
	for i := range h.Iters {
		out[i] = f(P(&h.Iters[i]))
	}
	return out
}

// Summarizer is an [Iter] that can say its method-specific quantities in a
// few words ("f 0.1234  ‖∇f‖² 3.2e-05"), for [Printer].
type Summarizer interface {
	Iter
	Summary() string
}

// Printer is a [Recorder] that writes progress lines to W: one at Start,
// one at End, and between them at most one per Interval, each with the
// iteration, the elapsed time, an estimate of the remaining time when the
// run has an iteration budget, and the method's Summary.
type Printer[T Summarizer] struct {
	// W receives the lines. Nil means the lines are discarded.
	W io.Writer
	// Interval is the least time between two iteration lines. Zero means
	// 2 s; negative means every iteration.
	Interval time.Duration
	// Prefix starts every line (a run's name, say). Empty means none.
	Prefix string

	last time.Duration
}

// defaultInterval is the Printer's default least time between lines: often
// enough to see a run move, rarely enough not to flood a terminal.
const defaultInterval = 2 * time.Second

// Record writes a line for Start, End, and an Iteration when Interval has
// passed since the last line. It returns the writer's error.
func (p *Printer[T]) Record(it T) error {
	if p.W == nil {
		return nil
	}
	h := it.Head()
	interval := p.Interval
	interval = cmp.Or(interval, defaultInterval)
	switch h.Event {
	case Start:
		p.last = 0
	case Iteration:
		if interval > 0 && h.Elapsed-p.last < interval {
			return nil
		}
	}
	p.last = h.Elapsed
	_, err := io.WriteString(p.W, p.Prefix+Line(h, it.Summary())+"\n")
	return err
}

// Line formats a progress line: the event or iteration count, elapsed
// time, the remaining-time estimate when MaxIter is known, the status at
// End, and the summary.
func Line(h *Progress, summary string) string {
	var s string
	switch h.Event {
	case Start:
		s = "start"
		if h.MaxIter > 0 {
			s += fmt.Sprintf("  budget %d", h.MaxIter)
		}
	case Iteration:
		if h.MaxIter > 0 {
			s = fmt.Sprintf("iter %d/%d  %s", h.Iteration, h.MaxIter, round(h.Elapsed))
			if h.Iteration > 0 && h.Iteration < h.MaxIter {
				eta := time.Duration(float64(h.Elapsed) * float64(h.MaxIter-h.Iteration) / float64(h.Iteration))
				s += "  eta ≤" + round(eta).String()
			}
		} else {
			s = fmt.Sprintf("iter %d  %s", h.Iteration, round(h.Elapsed))
		}
	case End:
		s = fmt.Sprintf("end %v after %d iterations  %s", h.Status, h.Iteration, round(h.Elapsed))
	}
	if summary != "" {
		s += "  " + summary
	}
	return s
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(time.Second)
	case d >= time.Second:
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}
