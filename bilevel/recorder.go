package bilevel

import (
	"fmt"
	"math"
	"strings"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// Iter is the state passed to a [Recorder] at the start, after each outer
// iteration (every RecordEvery iterations) and at the end of a run. Its
// embedded [run.Progress] gives the iteration count, the elapsed time and,
// at the end, the Status. Slices are views of the solver's state, valid
// only during the call (History copies them with [Iter.Clone]). Fields a
// method does not compute are NaN (scalars) or nil (slices).
type Iter struct {
	run.Progress
	// Method is "penalty" or "lvhba".
	Method string
	// X and Y are the current upper- and lower-level iterates.
	X, Y []float64
	// Z is the penalty method's σ = 0 tracker, or LV-HBA's multiplier centre.
	Z []float64
	// Theta and Lambda are LV-HBA's proximal primal and dual iterates.
	Theta, Lambda []float64
	// DX and DY are LV-HBA's directions d_x and d_y of the last step; for the
	// penalty method DX is the hypergradient estimate G and DY is nil.
	DX, DY []float64

	// Step is the current outer step size α_k.
	Step float64
	// GradNorm is ‖G‖ for the penalty method and ‖(d_x, d_y)‖ for LV-HBA.
	GradNorm float64
	// Stationarity is the largest of the block residuals ResX, ResY, ResZ
	// (penalty method), the quantity its Tol is compared with.
	Stationarity float64
	// ResX, ResY and ResZ are the penalty method's stationarity residuals of
	// the blocks x, y and z of the penalty Lagrangian
	// f(x,y) + (g(x,y) − g(x,z))/σ: the gradient mappings
	// ‖(x − Proj_X(x − αG))/α‖, ‖(y − Proj_Y(y − β∇_y h_σ))/β‖/σ and
	// ‖(z − Proj_Y(z − β∇_y g))/β‖/σ, the last two measured on the last
	// inner step.
	ResX, ResY, ResZ float64
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

// Clone returns a copy of it whose slices are copies, so that a [History]
// can keep it.
func (it *Iter) Clone() Iter {
	c := *it
	for _, s := range []*[]float64{&c.X, &c.Y, &c.Z, &c.Theta, &c.Lambda, &c.DX, &c.DY} {
		if *s != nil {
			*s = append([]float64(nil), (*s)...)
		}
	}
	return c
}

// Summary returns the method's main quantities in a few words, for
// [Printer]: the stationarity or direction norm, the lower-level gap and,
// for LV-HBA, c_k and the constraint violation.
func (it *Iter) Summary() string {
	var parts []string
	add := func(format string, v float64) {
		if !math.IsNaN(v) {
			parts = append(parts, fmt.Sprintf(format, v))
		}
	}
	add("res %.3g", it.Stationarity)
	if it.Method == "lvhba" {
		add("|d| %.3g", it.GradNorm)
	} else {
		add("|G| %.3g", it.GradNorm)
	}
	add("gap %.3g", it.LowerGap)
	add("|y-z| %.3g", it.YZDist)
	add("c %.3g", it.Ck)
	add("viol %.2g", it.Violation)
	return strings.Join(parts, "  ")
}

// Recorder receives a run's [Iter] at the start, every RecordEvery outer
// iterations and at the end (see [run.Recorder]). A non-nil error stops the
// run with Status [run.RecorderStopped]; Solve returns it wrapped.
type Recorder = run.Recorder[*Iter]

// History is a [Recorder] that keeps a copy of every state, for tables and
// plots: h.Series(func(it *Iter) float64 { return it.GradNorm }).
type History = run.History[Iter, *Iter]

// Printer is a [Recorder] that writes a progress line at most every two
// seconds (see [run.Printer]).
type Printer = run.Printer[*Iter]

var (
	_ Recorder = (*History)(nil)
	_ Recorder = (*Printer)(nil)
)

// RelErr returns ‖x − xstar‖/‖xstar‖ (the absolute error if xstar = 0),
// or +Inf if the lengths differ (a vector of the wrong length is not close
// to xstar).
func RelErr(x, xstar []float64) float64 {
	if len(x) != len(xstar) {
		return math.Inf(1)
	}
	d := math.Sqrt(linalg.DistSq(x, xstar))
	if n := linalg.Nrm2(xstar); n > 0 {
		return d / n
	}
	return d
}

// everyNth returns r filtered so that it sees Start, End and every n-th
// iteration; n ≤ 1 returns r.
func everyNth(r Recorder, n int) Recorder {
	if r == nil || n <= 1 {
		return r
	}
	return run.RecorderFunc[*Iter](func(it *Iter) error {
		if it.Event == run.Iteration && it.Iteration%n != 0 {
			return nil
		}
		return r.Record(it)
	})
}
