package run

import (
	"errors"
	"strconv"
)

// Status says why a run stopped. The same names are used by every package
// of the library; what failed in a [Failure] is said by the error the
// method returns, which wraps that package's sentinel.
type Status int

// Status values.
const (
	// NotTerminated is the zero Status: the run has not stopped. A
	// Recorder sees it at Start and Iteration.
	NotTerminated Status = iota
	// Converged: the method's stopping test (its tolerance) was met.
	Converged
	// Optimal: the result is proven optimal (for example by a matching
	// lower bound in a branch and bound).
	Optimal
	// TargetReached: a user-given target value was reached.
	TargetReached
	// Completed: the method ran the fixed budget it was asked for (epochs,
	// steps, a grid) and has no convergence test of its own.
	Completed
	// IterationLimit: MaxIter iterations without meeting the stopping test.
	IterationLimit
	// TimeLimit: Settings.TimeLimit elapsed.
	TimeLimit
	// Canceled: the context was canceled or its deadline passed.
	Canceled
	// RecorderStopped: the Recorder returned an error.
	RecorderStopped
	// Failure: the method could not continue (a singular system, a
	// non-finite value, a failed line search, ...); the returned error says
	// which.
	Failure
)

var statusNames = [...]string{
	NotTerminated:   "NotTerminated",
	Converged:       "Converged",
	Optimal:         "Optimal",
	TargetReached:   "TargetReached",
	Completed:       "Completed",
	IterationLimit:  "IterationLimit",
	TimeLimit:       "TimeLimit",
	Canceled:        "Canceled",
	RecorderStopped: "RecorderStopped",
	Failure:         "Failure",
}

// String returns the name of s, or "Status(n)" for an unknown value.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return "Status(" + strconv.Itoa(int(s)) + ")"
	}
	return statusNames[s]
}

// Success reports whether s says the run reached its goal: Converged,
// Optimal, TargetReached or Completed.
func (s Status) Success() bool {
	return s == Converged || s == Optimal || s == TargetReached || s == Completed
}

// Err returns nil for NotTerminated and the successes, and otherwise the
// sentinel of s ([ErrIterationLimit], [ErrTimeLimit], [ErrCanceled],
// [ErrRecorderStopped], [ErrFailure]). The error a method returns is more
// specific (the context's error, the Recorder's error, the package's
// sentinel) and wraps this one where it applies.
func (s Status) Err() error {
	switch s {
	case IterationLimit:
		return ErrIterationLimit
	case TimeLimit:
		return ErrTimeLimit
	case Canceled:
		return ErrCanceled
	case RecorderStopped:
		return ErrRecorderStopped
	case Failure:
		return ErrFailure
	}
	if s < 0 || int(s) >= len(statusNames) {
		return ErrFailure
	}
	return nil
}

// Sentinel errors of the non-success statuses.
var (
	// ErrIterationLimit: MaxIter iterations without meeting the stopping test.
	ErrIterationLimit = errors.New("run: iteration limit reached")
	// ErrTimeLimit: the time limit elapsed.
	ErrTimeLimit = errors.New("run: time limit reached")
	// ErrCanceled: the context ended the run.
	ErrCanceled = errors.New("run: canceled")
	// ErrRecorderStopped: the Recorder returned an error.
	ErrRecorderStopped = errors.New("run: stopped by the recorder")
	// ErrFailure: the method could not continue.
	ErrFailure = errors.New("run: failure")
	// ErrSettings: a run-control setting is invalid (a negative TimeLimit).
	ErrSettings = errors.New("run: invalid settings")
)
