package optim

import "math"

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
// objective). It panics if the shapes differ from each other or from the
// shapes seen at the first step. It does not allocate after the first call.
func (a *Adam) Step(params, grads [][]float64) {
	if len(params) != len(grads) {
		panic("optim: Adam length mismatch")
	}
	if a.m == nil {
		a.m = make([][]float64, len(params))
		a.v = make([][]float64, len(params))
		for i, p := range params {
			a.m[i] = make([]float64, len(p))
			a.v[i] = make([]float64, len(p))
		}
	}
	if len(a.m) != len(params) {
		panic("optim: Adam parameter count changed; call Reset")
	}
	lr, b1, b2, eps := a.LR, a.Beta1, a.Beta2, a.Eps
	if lr == 0 {
		lr = 0.001
	}
	if b1 == 0 {
		b1 = 0.9
	}
	if b2 == 0 {
		b2 = 0.999
	}
	if eps == 0 {
		eps = 1e-8
	}
	sign := -1.0
	if a.Ascent {
		sign = 1
	}
	a.t++
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	step := sign * lr * math.Sqrt(c2) / c1
	for i, p := range params {
		g, m, v := grads[i], a.m[i], a.v[i]
		if len(g) != len(p) || len(m) != len(p) {
			panic("optim: Adam length mismatch")
		}
		for j := range p {
			m[j] = b1*m[j] + (1-b1)*g[j]
			v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
			p[j] += step * m[j] / (math.Sqrt(v[j]) + eps*math.Sqrt(c2))
		}
	}
}
