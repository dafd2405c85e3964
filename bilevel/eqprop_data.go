package bilevel

import (
	"fmt"

	"github.com/optlearn/optlearn/linalg"
)

// EPData is a labelled data set for [TrainEP]: sample i has input
// X[i*In : (i+1)*In] and class label Y[i].
type EPData struct {
	// In is the input dimension.
	In int
	// X holds the inputs row by row (length len(Y)·In).
	X []float64
	// Y holds the labels.
	Y []int
}

// Len returns the number of samples.
func (d *EPData) Len() int { return len(d.Y) }

// Input returns the view of input i, or nil if i is out of range.
func (d *EPData) Input(i int) []float64 {
	if i < 0 || i >= len(d.Y) || (i+1)*d.In > len(d.X) {
		return nil
	}
	return d.X[i*d.In : (i+1)*d.In]
}

// check returns an error unless d matches a net with in inputs and the
// given number of classes.
func (d *EPData) check(name string, in, classes int) error {
	if d == nil || len(d.Y) == 0 {
		return fmt.Errorf("%w: %s data set is empty", ErrDimension, name)
	}
	if d.In != in || len(d.X) != len(d.Y)*d.In {
		return fmt.Errorf("%w: %s data set has In = %d and %d values for %d labels; the net has %d inputs", ErrDimension, name, d.In, len(d.X), len(d.Y), in)
	}
	if !linalg.AllFinite(d.X) {
		return fmt.Errorf("%w: %s inputs", ErrNotFinite, name)
	}
	for i, y := range d.Y {
		if y < 0 || y >= classes {
			return fmt.Errorf("%w: %s label %d of sample %d outside [0, %d)", ErrDimension, name, y, i, classes)
		}
	}
	return nil
}
