package causal

import (
	"fmt"
	"slices"

	"github.com/optlearn/optlearn/run"
)

// RiskIter is the state of a worst-case risk run passed to a [Recorder].
// One iteration of [Model.WorstCaseRisk] is one report: for Ascent and
// Search, the MSE recorded every RiskSettings.RecordEvery steps of a
// restart plus one report when a restart ends; for Grid, a block of rows.
type RiskIter struct {
	run.Progress
	// Method is the estimator.
	Method RiskMethod
	// Subset is S' of the predictor being assessed (sorted node ids; a view,
	// valid only during the call).
	Subset []int64
	// Restart is the 0-based restart (0 for Grid).
	Restart int
	// Step counts the completed ascent steps of this restart (Grid: rows
	// done).
	Step int
	// MSE is the regenerated mean squared error at this step, without the
	// weight penalty (Grid: the running estimate).
	MSE float64
	// RestartStatus is NotTerminated while a restart runs and the
	// restart's final status (Converged, IterationLimit or Completed) in
	// its last report.
	RestartStatus run.Status
}

// Summary says the method, restart, step and MSE in a few words, for
// [Printer].
func (it *RiskIter) Summary() string {
	s := fmt.Sprintf("%v S'=%v restart %d step %d mse %.5g", it.Method, it.Subset, it.Restart, it.Step, it.MSE)
	if it.RestartStatus != run.NotTerminated {
		s += " (" + it.RestartStatus.String() + ")"
	}
	return s
}

// Clone returns a copy of it that owns its Subset, for [History].
func (it *RiskIter) Clone() RiskIter {
	c := *it
	c.Subset = slices.Clone(it.Subset)
	return c
}

// Recorder receives the states of [Model.WorstCaseRisk]: at the start, at
// every report (see [RiskIter]) and at the end. A non-nil error stops the
// run with Status RecorderStopped; WorstCaseRisk then returns the estimate
// so far and the error wrapped.
type Recorder = run.Recorder[*RiskIter]

// History is a [Recorder] that keeps every state, for tables and plots.
type History = run.History[RiskIter, *RiskIter]

// Printer is a [Recorder] that writes progress lines (at most one every
// 2 s by default).
type Printer = run.Printer[*RiskIter]
