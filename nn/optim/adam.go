package optim

import (
	"cmp"
	"errors"
	"fmt"
	"math"
)

// Errors returned (wrapped, with detail) by [Adam.Step].
var (
	// ErrSettings: a field of Adam is out of range or not finite.
	ErrSettings = errors.New("optim: invalid settings")
	// ErrDimension: params and grads do not match, or differ from the
	// shapes of the first step.
	ErrDimension = errors.New("optim: dimension mismatch")
	// ErrNotFinite: a gradient holds NaN or Inf.
	ErrNotFinite = errors.New("optim: gradient not finite")
)

// Adam is the Adam optimizer (Kingma & Ba, ICLR 2015) on plain parameter
// slices. It is deterministic. The zero value is usable: zero fields take
// the defaults below. State is sized on the first [Adam.Step]; call
// [Adam.Reset] before reusing it on other parameters.
type Adam struct {
	// LR is the step size. Zero means 0.001.
	LR float64
	// Beta1 is the first-moment decay. Zero means 0.9.
	Beta1 float64
	// Beta2 is the second-moment decay. Zero means 0.999.
	Beta2 float64
	// Eps is the denominator guard. Zero means 1e-8.
	Eps float64
	// Ascent maximises instead of minimising when true.
	Ascent bool

	t    int
	m, v [][]float64
}

// Reset clears the moment estimates and the step counter.
func (a *Adam) Reset() { a.t, a.m, a.v = 0, nil, nil }

// Steps returns the number of steps taken since the last reset.
func (a *Adam) Steps() int { return a.t }

// Step updates every params[i] in place using grads[i] (the gradient of the
// objective), over each whole slice. It returns an error, and changes
// nothing, if a field is invalid (wrapping [ErrSettings]: LR < 0, Beta1 or
// Beta2 outside [0, 1), Eps < 0, or NaN/Inf), if the shapes differ from
// each other or from the shapes seen at the first step ([ErrDimension]),
// or if a gradient holds NaN or Inf ([ErrNotFinite], naming it). It does
// not allocate after the first call.
func (a *Adam) Step(params, grads [][]float64) error {
	if err := a.check(params, grads); err != nil {
		return err
	}
	a.step(params, grads)
	return nil
}

// check validates the settings and the shapes and gradients of a step.
func (a *Adam) check(params, grads [][]float64) error {
	for _, f := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"LR", a.LR, a.LR >= 0 && !math.IsInf(a.LR, 0)},
		{"Beta1", a.Beta1, a.Beta1 >= 0 && a.Beta1 < 1},
		{"Beta2", a.Beta2, a.Beta2 >= 0 && a.Beta2 < 1},
		{"Eps", a.Eps, a.Eps >= 0 && !math.IsInf(a.Eps, 0)},
	} {
		if !f.ok {
			return fmt.Errorf("%w: Adam.%s = %v", ErrSettings, f.name, f.v)
		}
	}
	if len(params) != len(grads) {
		return fmt.Errorf("%w: %d parameter slices, %d gradient slices", ErrDimension, len(params), len(grads))
	}
	if a.m != nil && len(a.m) != len(params) {
		return fmt.Errorf("%w: %d parameter slices, %d at the first step (call Reset)", ErrDimension, len(params), len(a.m))
	}
	for i, p := range params {
		if len(grads[i]) != len(p) || (a.m != nil && len(a.m[i]) != len(p)) {
			return fmt.Errorf("%w: parameter slice %d has %d values, its gradient %d", ErrDimension, i, len(p), len(grads[i]))
		}
		for j, g := range grads[i] {
			if math.IsNaN(g) || math.IsInf(g, 0) {
				return fmt.Errorf("%w: gradient %d[%d] = %v", ErrNotFinite, i, j, g)
			}
		}
	}
	return nil
}

func (a *Adam) step(params, grads [][]float64) {
	if a.m == nil {
		a.m = make([][]float64, len(params))
		a.v = make([][]float64, len(params))
		for i, p := range params {
			a.m[i] = make([]float64, len(p))
			a.v[i] = make([]float64, len(p))
		}
	}
	lr, b1, b2, eps := a.LR, a.Beta1, a.Beta2, a.Eps
	lr = cmp.Or(lr, 0.001)
	b1 = cmp.Or(b1, 0.9)
	b2 = cmp.Or(b2, 0.999)
	eps = cmp.Or(eps, 1e-8)
	sign := -1.0
	if a.Ascent {
		sign = 1
	}
	a.t++
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	step := sign * lr * math.Sqrt(c2) / c1
	epsHat := eps * math.Sqrt(c2) // hoisted: the same product in every element
	for i, p := range params {
		g, m, v := grads[i], a.m[i], a.v[i]
		m, v = m[:len(p)], v[:len(p)]
		for j, gj := range g[:len(p)] {
			m[j] = b1*m[j] + (1-b1)*gj
			v[j] = b2*v[j] + (1-b2)*gj*gj
			p[j] += step * m[j] / (math.Sqrt(v[j]) + epsHat)
		}
	}
}
