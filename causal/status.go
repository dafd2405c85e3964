package causal

import (
	"errors"
	"fmt"
)

// Status says how a worst-case risk run ended.
type Status int

const (
	// NotTerminated means the run has not finished (seen by recorders).
	NotTerminated Status = iota
	// Converged means the ascent's early-stopping test was met: Patience
	// consecutive records within Tol of the reference record.
	Converged
	// IterationLimit means an ascent restart used MaxIter steps without
	// meeting the early-stopping test (its estimate is still reported).
	IterationLimit
	// Completed means the grid estimator evaluated every row.
	Completed
	// Canceled means the context was canceled; the estimate is partial.
	Canceled
	// RecorderStopped means a [Recorder] returned an error.
	RecorderStopped
)

var statusNames = [...]string{"NotTerminated", "Converged", "IterationLimit", "Completed", "Canceled", "RecorderStopped"}

// String returns the name of the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}

// Sentinel errors. Functions wrap them with %w and add detail; test with
// errors.Is.
var (
	// ErrCyclic reports a graph with a directed cycle.
	ErrCyclic = errors.New("causal: graph has a directed cycle")
	// ErrUnknownNode reports a node name or id not in the graph.
	ErrUnknownNode = errors.New("causal: unknown node")
	// ErrGraph reports a malformed graph or an augmented graph violating the
	// method's assumptions (E with parents, Y adjacent to E, Y a descendant of
	// a mutable variable, duplicate names, self loops).
	ErrGraph = errors.New("causal: invalid graph")
	// ErrData reports malformed data: fewer than two environments,
	// mismatched or missing columns, empty environments.
	ErrData = errors.New("causal: invalid data")
	// ErrNotFinite reports NaN or Inf in data.
	ErrNotFinite = errors.New("causal: data not finite")
	// ErrSettings reports an invalid setting (for example a bound B <= 0).
	ErrSettings = errors.New("causal: invalid settings")
)
