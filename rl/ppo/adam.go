package ppo

import "math"

// adam is Adam (Kingma & Ba 2015) minimising over parameter slices; state is
// sized on the first step.
type adam struct {
	lr, eps float64
	t       int
	m, v    [][]float64
}

func (a *adam) step(params, grads [][]float64) {
	if a.m == nil {
		a.m = make([][]float64, len(params))
		a.v = make([][]float64, len(params))
		for i, p := range params {
			a.m[i] = make([]float64, len(p))
			a.v[i] = make([]float64, len(p))
		}
	}
	const b1, b2 = 0.9, 0.999
	a.t++
	c1 := 1 - math.Pow(b1, float64(a.t))
	c2 := 1 - math.Pow(b2, float64(a.t))
	for i, p := range params {
		g, m, v := grads[i], a.m[i], a.v[i]
		for j := range p {
			m[j] = b1*m[j] + (1-b1)*g[j]
			v[j] = b2*v[j] + (1-b2)*g[j]*g[j]
			p[j] -= a.lr * (m[j] / c1) / (math.Sqrt(v[j]/c2) + a.eps)
		}
	}
}
