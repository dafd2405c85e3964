package morl

import "context"

// Extender runs one Stage-2 extension: starting from a copy of parent it
// pushes objective l up while holding the others, and returns every
// evaluated iterate (with Origin filled) and the environment steps used.
// seed fixes the task's random streams.
type Extender interface {
	Extend(ctx context.Context, parent Entry, l, round int, seed uint64) (iterates []Entry, steps int, err error)
}

// Recorder observes the progress of [Run]. It must not modify the Round.
type Recorder interface {
	Record(r *Round) error
}
