package morl

import "errors"

var (
	// ErrDimension reports mismatched numbers of objectives.
	ErrDimension = errors.New("morl: dimension mismatch")
	// ErrNonFinite reports a NaN or infinite objective value.
	ErrNonFinite = errors.New("morl: non-finite value")
	// ErrEmpty reports an empty point set or weight grid.
	ErrEmpty = errors.New("morl: empty input")
	// ErrReference reports a reference point that no archive point dominates.
	ErrReference = errors.New("morl: reference point not dominated by any point")
	// ErrConfig reports an invalid configuration value.
	ErrConfig = errors.New("morl: invalid configuration")
)

// Status says how a [Run] ended.
type Status int

const (
	// Done means the budget was used up.
	Done Status = iota
	// Canceled means the context was cancelled.
	Canceled
	// Failed means training returned an error.
	Failed
)

// String returns the status name.
func (s Status) String() string {
	switch s {
	case Done:
		return "Done"
	case Canceled:
		return "Canceled"
	case Failed:
		return "Failed"
	}
	return "Status(?)"
}
