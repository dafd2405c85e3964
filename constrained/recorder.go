package constrained

import (
	"fmt"
	"io"
)

// History is a [Recorder] that keeps per-iteration traces for plots and
// tests. Index 0 is the start point; index t is after t outer iterations.
type History struct {
	// KKT is ‖(∇ₓL, c)‖₂; F is f(x).
	KKT, F []float64
	// Alpha is the accepted step (0 at the start); Mu, Nu, Delta the
	// parameters used by the iteration (their initial values at the start).
	Alpha, Mu, Nu, Delta []float64
	// InnerSteps and RowOps are per-iteration sketch work.
	InnerSteps, RowOps []int64
	// Shifted reports Hessian modification per iteration.
	Shifted []bool
	// Status is the final status (set at the end).
	Status Status
}

var _ Recorder = (*History)(nil)

// Record appends it to h. It never fails.
func (h *History) Record(it *Iter) error {
	if it.Kind == DoneIter {
		h.Status = it.Status
		return nil
	}
	h.KKT = append(h.KKT, it.KKT)
	h.F = append(h.F, it.F)
	h.Alpha = append(h.Alpha, it.Alpha)
	h.Mu = append(h.Mu, it.Mu)
	h.Nu = append(h.Nu, it.Nu)
	h.Delta = append(h.Delta, it.Delta)
	h.InnerSteps = append(h.InnerSteps, it.InnerSteps)
	h.RowOps = append(h.RowOps, it.RowOps)
	h.Shifted = append(h.Shifted, it.Shifted)
	return nil
}

// Printer is a [Recorder] that writes one line per iteration to W.
type Printer struct {
	W io.Writer
}

// Record writes it; it returns the writer's error.
func (p Printer) Record(it *Iter) error {
	var err error
	switch it.Kind {
	case InitIter:
		_, err = fmt.Fprintf(p.W, "%5s %12s %10s %8s %9s %9s %9s %9s\n", "iter", "f", "kkt", "alpha", "mu", "nu", "delta", "inner")
		if err == nil {
			_, err = fmt.Fprintf(p.W, "%5d %12.6g %10.3e\n", it.Iter, it.F, it.KKT)
		}
	case MajorIter:
		_, err = fmt.Fprintf(p.W, "%5d %12.6g %10.3e %8.3g %9.3g %9.3g %9.3g %9d\n",
			it.Iter, it.F, it.KKT, it.Alpha, it.Mu, it.Nu, it.Delta, it.InnerSteps)
	case DoneIter:
		_, err = fmt.Fprintf(p.W, "status %v after %d iterations, kkt %.3e\n", it.Status, it.Iter, it.KKT)
	}
	return err
}
