package bilevel

import (
	"fmt"
	"io"
	"math"

	"github.com/optlearn/optlearn/linalg"
)

// Iter is the progress report passed to a [Recorder]. Slices are views of the
// solver's state, valid only during the call. Fields a method does not
// compute are NaN (scalars) or nil (slices).
type Iter struct {
	// Method is "penalty" or "lvhba".
	Method string
	// Iter is the number of completed outer iterations.
	Iter int
	// Status is NotTerminated during the run and the final status at the end.
	Status Status
	// X and Y are the current upper- and lower-level iterates.
	X, Y []float64
	// Z is the penalty method's σ = 0 tracker, or LV-HBA's multiplier centre.
	Z []float64
	// Theta and Lambda are LV-HBA's proximal primal and dual iterates.
	Theta, Lambda []float64

	// Step is the current outer step size α_k.
	Step float64
	// GradNorm is ‖G‖ for the penalty method and ‖(d_x, d_y)‖ for LV-HBA.
	GradNorm float64
	// Stationarity is the penalty method's gradient mapping
	// ‖(x − Proj_X(x − α_k G))/α_k‖ (equal to ‖G‖ without constraints on x).
	Stationarity float64
	// YZDist is the penalty method's ‖y − z‖.
	YZDist float64
	// LowerGap is g(x,y) − g(x,z) (penalty) or f(x,y) − f(x,θ) (LV-HBA);
	// NaN if the problem is not a [LowerValuer].
	LowerGap float64
	// Ck is LV-HBA's penalty parameter c_k.
	Ck float64
	// Violation is LV-HBA's max_i g_i(x, y)₊.
	Violation float64
}

// History is a [Recorder] that keeps the scalar trace (and optionally the x
// iterates) in slices, for tables and plots.
type History struct {
	// XStar, if set, is the known solution used for RelErr.
	XStar []float64
	// KeepX makes History keep a copy of every recorded X.
	KeepX bool

	Iters        []int
	GradNorm     []float64
	Stationarity []float64
	YZDist       []float64
	LowerGap     []float64
	Ck           []float64
	Violation    []float64
	// LambdaMax is max_i λᵢ (LV-HBA), NaN for the penalty method.
	LambdaMax []float64
	// RelErr is ‖x − XStar‖/‖XStar‖ (NaN without XStar).
	RelErr []float64
	X      [][]float64
}

var _ Recorder = (*History)(nil)

// Record appends the scalars of it. It returns an error wrapping
// [ErrDimension] if XStar is set with the wrong length.
func (h *History) Record(it *Iter) error {
	h.Iters = append(h.Iters, it.Iter)
	h.GradNorm = append(h.GradNorm, it.GradNorm)
	h.Stationarity = append(h.Stationarity, it.Stationarity)
	h.YZDist = append(h.YZDist, it.YZDist)
	h.LowerGap = append(h.LowerGap, it.LowerGap)
	h.Ck = append(h.Ck, it.Ck)
	h.Violation = append(h.Violation, it.Violation)
	lm := math.NaN()
	if len(it.Lambda) > 0 {
		lm = it.Lambda[0]
		for _, l := range it.Lambda {
			lm = math.Max(lm, l)
		}
	}
	h.LambdaMax = append(h.LambdaMax, lm)
	re := math.NaN()
	if h.XStar != nil {
		if len(h.XStar) != len(it.X) {
			return fmt.Errorf("%w: History.XStar has length %d, x has %d", ErrDimension, len(h.XStar), len(it.X))
		}
		re = RelErr(it.X, h.XStar)
	}
	h.RelErr = append(h.RelErr, re)
	if h.KeepX {
		h.X = append(h.X, append([]float64(nil), it.X...))
	}
	return nil
}

// RelErr returns ‖x − xstar‖/‖xstar‖ (the absolute error if xstar = 0).
// It panics if the lengths differ.
func RelErr(x, xstar []float64) float64 {
	d := math.Sqrt(linalg.DistSq(x, xstar))
	if n := linalg.Nrm2(xstar); n > 0 {
		return d / n
	}
	return d
}

// Printer is a [Recorder] that writes one line per report to W.
type Printer struct {
	W io.Writer
}

// Record prints the iteration number and the non-NaN scalars of it. It
// returns the writer's error.
func (p Printer) Record(it *Iter) error {
	_, err := fmt.Fprintf(p.W, "%s k=%d status=%v ‖G‖=%.4g gap=%.4g ‖y−z‖=%.4g c=%.4g viol=%.3g\n",
		it.Method, it.Iter, it.Status, it.GradNorm, it.LowerGap, it.YZDist, it.Ck, it.Violation)
	return err
}
