package sched

import (
	"errors"
	"fmt"
)

// Sentinel errors. Detailed errors wrap one of them with %w, so callers can
// branch with errors.Is.
var (
	// ErrFormat reports a malformed instance file; the message names the line.
	ErrFormat = errors.New("sched: malformed instance")
	// ErrInstance reports an invalid instance (a machine repeated in a job,
	// a non-positive duration, ragged rows, ...).
	ErrInstance = errors.New("sched: invalid instance")
	// ErrSchedule reports a schedule that violates a constraint.
	ErrSchedule = errors.New("sched: invalid schedule")
	// ErrCycle reports machine orders that contradict the job routes.
	ErrCycle = errors.New("sched: machine orders contain a cycle")
	// ErrOptions reports inconsistent solver options (pinned operations,
	// release dates or warm start that do not fit the instance).
	ErrOptions = errors.New("sched: invalid options")
)

// Status says why a solver stopped.
type Status int

// Solver statuses.
const (
	// NotTerminated is the zero Status.
	NotTerminated Status = iota
	// Optimal means the returned schedule is proven optimal (the search
	// tree was exhausted, or the makespan meets a lower bound).
	Optimal
	// IterationLimit means Options.MaxIter was reached.
	IterationLimit
	// TimeLimit means Options.TimeLimit elapsed.
	TimeLimit
	// TargetReached means the makespan reached Options.Target.
	TargetReached
	// Canceled means the context was canceled; the result is the best so far.
	Canceled
	// Stopped means a Recorder returned an error.
	Stopped
)

var statusNames = [...]string{"NotTerminated", "Optimal", "IterationLimit", "TimeLimit", "TargetReached", "Canceled", "Stopped"}

// String returns the name of the status.
func (s Status) String() string {
	if s < 0 || int(s) >= len(statusNames) {
		return fmt.Sprintf("Status(%d)", int(s))
	}
	return statusNames[s]
}
