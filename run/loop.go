package run

import (
	"context"
	"fmt"
	"time"
)

// Loop is the bookkeeping of one run, shared by the library's methods: it
// stamps the [Progress] of each state, calls the Recorder, and decides
// whether the run must stop because the context ended, the time limit
// elapsed, the iteration budget is spent or the Recorder returned an error.
// It holds no context: ctx is passed to each call. A Loop is used for one
// run; its zero value is ready (no recorder, no limits).
type Loop[T Iter] struct {
	// Recorder, if not nil, receives every state.
	Recorder Recorder[T]
	// MaxIter is the iteration budget; zero or negative means none (the
	// method's own stopping test decides).
	MaxIter int
	// TimeLimit is the wall-time budget; zero means none. Check it with
	// [CheckTimeLimit] when reading Settings: a negative TimeLimit is an
	// error, never "forever".
	TimeLimit time.Duration

	start time.Time
	iter  int
}

// Start records the initial state (Iteration 0) and starts the clock. A
// Recorder error is returned wrapped; the run should then end with
// [Loop.End] and Status RecorderStopped.
func (l *Loop[T]) Start(it T) error {
	l.start = time.Now()
	l.iter = 0
	h := it.Head()
	*h = Progress{Event: Start, MaxIter: max(l.MaxIter, 0)}
	return l.record(it)
}

// Elapsed returns the wall time since Start.
func (l *Loop[T]) Elapsed() time.Duration { return time.Since(l.start) }

// Iterations returns the number of iterations counted by Next.
func (l *Loop[T]) Iterations() int { return l.iter }

// Next counts one finished iteration, records it, and says whether the
// run must stop: NotTerminated to go on; otherwise the Status to end with
// and, for Canceled and RecorderStopped, the error to return. converged
// says whether the method's own stopping test was met in this iteration;
// the order of precedence is RecorderStopped, Converged, Canceled,
// TimeLimit, IterationLimit.
func (l *Loop[T]) Next(ctx context.Context, it T, converged bool) (Status, error) {
	l.iter++
	h := it.Head()
	*h = Progress{Event: Iteration, Iteration: l.iter, MaxIter: max(l.MaxIter, 0), Elapsed: time.Since(l.start)}
	if err := l.record(it); err != nil {
		return RecorderStopped, err
	}
	if converged {
		return Converged, nil
	}
	if st, err := l.Check(ctx); st != NotTerminated {
		return st, err
	}
	if l.MaxIter > 0 && l.iter >= l.MaxIter {
		return IterationLimit, nil
	}
	return NotTerminated, nil
}

// Check reports Canceled (with ctx.Err()) if the context has ended, or
// TimeLimit if the time limit has elapsed; otherwise NotTerminated. Inner
// loops call it to stop promptly.
func (l *Loop[T]) Check(ctx context.Context) (Status, error) {
	if err := ctx.Err(); err != nil {
		return Canceled, err
	}
	if l.TimeLimit > 0 && time.Since(l.start) >= l.TimeLimit {
		return TimeLimit, nil
	}
	return NotTerminated, nil
}

// End records the final state with Status st and returns the error the
// method should return: err if not nil (wrapped with st's sentinel when it
// does not already say why), else st.Err() for a non-success (nil for
// IterationLimit and TimeLimit, which are reported in the Result, not as
// errors), else nil. A Recorder error at End is returned if there was no
// other.
func (l *Loop[T]) End(it T, st Status, err error) error {
	h := it.Head()
	*h = Progress{Event: End, Iteration: l.iter, MaxIter: max(l.MaxIter, 0), Elapsed: time.Since(l.start), Status: st}
	rerr := l.record(it)
	switch {
	case err != nil:
		return err
	case st == Failure:
		return ErrFailure
	}
	return rerr
}

func (l *Loop[T]) record(it T) error {
	if l.Recorder == nil {
		return nil
	}
	if err := l.Recorder.Record(it); err != nil {
		return fmt.Errorf("%w: %w", ErrRecorderStopped, err)
	}
	return nil
}

// CheckTimeLimit returns an error wrapping [ErrSettings] for a negative
// time limit; zero (none) and positive limits are valid.
func CheckTimeLimit(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("%w: TimeLimit %v is negative (zero means no limit)", ErrSettings, d)
	}
	return nil
}
