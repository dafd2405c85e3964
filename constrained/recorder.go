package constrained

import (
	"fmt"

	"github.com/optlearn/optlearn/run"
)

// Iter is the state a [Recorder] sees: at the start (Event run.Start,
// Iteration 0), after each accepted outer step (run.Iteration) and at the
// end (run.End, with Status set). One iteration is one accepted outer step
// of the method. The slices are the solver's own and only valid during
// Record.
type Iter struct {
	run.Progress
	// X and L are the current iterate (read only).
	X, L []float64
	// F = f(X); KKT = ‖(∇ₓL, c)‖₂.
	F, KKT float64
	// Alpha is the step length accepted in this iteration (0 at the start).
	Alpha float64
	// Mu, Nu, Delta are the penalty parameters and inner accuracy used in
	// this iteration (for the baselines: the merit or AL parameters, see
	// their docs).
	Mu, Nu, Delta float64
	// InnerSteps and RowOps are this iteration's inner-solver steps and
	// row operations; Retries its descent-test failures.
	InnerSteps, RowOps int64
	Retries            int
	// InnerCapHit reports that an inner solve of this iteration hit its cap.
	InnerCapHit bool
	// Shifted reports that H was shifted (B = H + (ξ_B + ‖H‖) I).
	Shifted bool
}

// Summary returns the iteration's f, KKT residual, step and inner steps in
// a few words, for [Printer].
func (it *Iter) Summary() string {
	return fmt.Sprintf("f %.6g  kkt %.3e  alpha %.3g  mu %.3g  inner %d", it.F, it.KKT, it.Alpha, it.Mu, it.InnerSteps)
}

// Clone returns a copy of it whose X and L do not alias the solver's.
func (it *Iter) Clone() Iter {
	c := *it
	c.X = append([]float64(nil), it.X...)
	c.L = append([]float64(nil), it.L...)
	return c
}

// Recorder receives the state of a run: at the start, after each outer
// iteration and at the end. A non-nil error stops the run with Status
// run.RecorderStopped and is returned wrapped.
type Recorder = run.Recorder[*Iter]

// History is a [Recorder] that keeps a copy of every state (index 0 is the
// start, index t the state after t outer iterations) and the final status;
// h.Series(func(it *Iter) float64 { return it.KKT }) gives one trace.
type History = run.History[Iter, *Iter]

// Printer is a [Recorder] that writes a progress line at the start, the end
// and at most every Interval (2 s by default) between them.
type Printer = run.Printer[*Iter]

// RecorderFunc adapts a function to a [Recorder].
type RecorderFunc = run.RecorderFunc[*Iter]
