package causal

import (
	"fmt"
	"io"
)

// RiskIter is the progress report passed to a [Recorder].
type RiskIter struct {
	// Method is the estimator.
	Method RiskMethod
	// Subset is S' of the predictor being assessed (sorted node ids; a view,
	// valid only during the call).
	Subset []int64
	// Restart is the 0-based ascent restart (0 for Grid).
	Restart int
	// Step counts the completed ascent steps of this restart (Grid: rows
	// done).
	Step int
	// MSE is the regenerated mean squared error at this step, without the
	// weight penalty (Grid: the running estimate).
	MSE float64
	// Status is NotTerminated during a restart and the restart's final
	// status in its last report.
	Status Status
}

// History is a [Recorder] that keeps the trace in slices, for tables and
// plots (one entry per report).
type History struct {
	Restart []int
	Step    []int
	MSE     []float64
	Status  []Status
}

var _ Recorder = (*History)(nil)

// Record appends it to the history; it never fails.
func (h *History) Record(it *RiskIter) error {
	h.Restart = append(h.Restart, it.Restart)
	h.Step = append(h.Step, it.Step)
	h.MSE = append(h.MSE, it.MSE)
	h.Status = append(h.Status, it.Status)
	return nil
}

// Printer is a [Recorder] that writes one line per report to W. Every,
// if positive, prints only steps that are multiples of it (first and last
// reports of a restart are always printed).
type Printer struct {
	W     io.Writer
	Every int
}

// Record prints it. It returns the writer's error.
func (p Printer) Record(it *RiskIter) error {
	if p.Every > 0 && it.Status == NotTerminated && it.Step != 0 && it.Step%p.Every != 0 {
		return nil
	}
	_, err := fmt.Fprintf(p.W, "%v S'=%v restart=%d step=%d mse=%.5g status=%v\n",
		it.Method, it.Subset, it.Restart, it.Step, it.MSE, it.Status)
	return err
}
