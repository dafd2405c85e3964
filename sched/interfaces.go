package sched

import "context"

// Env is a dispatching environment (spec: CPEnv). Actions 0..N-1 dispatch
// the next operation of that job at the current time; action N is No-Op.
type Env interface {
	// Reset returns the environment to its initial state.
	Reset()
	// Time returns the current event time t = min over unfinished jobs of
	// the start lower bound of their next operation.
	Time() int
	// Legal returns the legality mask of the N+1 actions. The slice is owned
	// by the environment and valid until the next Step or Reset.
	Legal() []bool
	// Step applies the ordered action list while the time stays unchanged,
	// skipping actions that have become illegal. It reports whether every
	// operation is now fixed.
	Step(acts []int) (done bool)
	// Observe fills o with the current state.
	Observe(o *Obs)
	// Schedule returns the fixed start times (-1 for unfixed operations).
	Schedule() Schedule
}

// Policy scores the actions of a state. Scores writes N+1 logits into dst
// (dst[N] is No-Op); higher is preferred, -Inf means never. Equal logits go
// to the lowest action index.
type Policy interface {
	Scores(o *Obs, dst []float64)
}

// Solver solves a job-shop instance, optionally from a warm start, with
// pinned operations and release dates. It returns a semi-active schedule.
type Solver interface {
	Solve(ctx context.Context, inst *Instance, set *Settings) (Result, error)
}
