package bilevel

import (
	"fmt"
	"math"
)

// nonNeg returns an error naming the field if v is negative, NaN or
// infinite (zero selects a default, so it is valid).
func nonNeg(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%w: %s = %g must be finite and non-negative", ErrSettings, field, v)
	}
	return nil
}

// finite returns an error naming the field if v is NaN or infinite.
func finite(field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s = %g must be finite", ErrSettings, field, v)
	}
	return nil
}

// nonNegInt returns an error naming the field if v is negative.
func nonNegInt(field string, v int) error {
	if v < 0 {
		return fmt.Errorf("%w: %s = %d must be non-negative", ErrSettings, field, v)
	}
	return nil
}

// firstErr returns the first non-nil error.
func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// MaxDim bounds every dimension a solver, oracle or projector of this
// package accepts (nx, ny, the number of constraints, a polyhedron's n),
// so that a problem reporting a wrong size returns an error wrapping
// [ErrDimension] instead of trying to allocate gigabytes: the penalty
// method keeps 17 vectors of these lengths.
const MaxDim = 1 << 24
