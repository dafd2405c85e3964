package anp

import (
	"fmt"
	"math"

	"github.com/optlearn/optlearn/nn"
)

// maxPoints bounds the context and query sets of the fast pass.
const maxPoints = 1 << 16

// Conditioned is a model conditioned on one context set: the keys and
// values of the cross-attention and the latent distribution q(z | C). It
// is built by [Model.Condition], evaluated by [Conditioned.Decode], and
// builds no graph.
type Conditioned struct {
	m          *Model
	nc         int
	keys, vals []float64 // nc×H each
	// ZMean and ZStd are the mean and standard deviation of q(z | C).
	ZMean, ZStd []float64
}

// checkPoints validates a set of n normalised points: equal lengths, at
// least one point, finite values.
func checkPoints(what string, cols ...[]float64) (int, error) {
	n := len(cols[0])
	for _, c := range cols[1:] {
		if len(c) != n {
			return 0, fmt.Errorf("%w: %s columns of lengths %d and %d", ErrDimension, what, n, len(c))
		}
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: no %s points", ErrEmpty, what)
	}
	if n > maxPoints {
		return 0, fmt.Errorf("%w: %d %s points, at most %d", ErrDimension, n, what, maxPoints)
	}
	for k, c := range cols {
		for i, v := range c {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, fmt.Errorf("%w: %s column %d, point %d is %v", ErrNotFinite, what, k, i, v)
			}
		}
	}
	return n, nil
}

// Condition encodes a context set of normalised points (tau[i], xi[i])
// with values y[i]. It returns an error wrapping [ErrDimension] for
// columns of different lengths (or more than 65536 points), [ErrEmpty]
// for no context and [ErrNotFinite] for NaN or Inf.
func (m *Model) Condition(tau, xi, y []float64) (*Conditioned, error) {
	nc, err := checkPoints("context", tau, xi, y)
	if err != nil {
		return nil, err
	}
	h := m.Arch.Hidden
	c := &Conditioned{m: m, nc: nc, keys: make([]float64, nc*h), vals: make([]float64, nc*h)}
	in3 := make([]float64, 3)
	pool := make([]float64, h)
	tmp := make([]float64, h)
	for i := 0; i < nc; i++ {
		in3[0], in3[1], in3[2] = tau[i], xi[i], y[i]
		m.Det.Predict(c.vals[i*h:(i+1)*h], in3)
		m.QK.Predict(c.keys[i*h:(i+1)*h], in3[:2])
		m.Lat.Predict(tmp, in3)
		for j, v := range tmp {
			pool[j] += v
		}
	}
	if m.Self != nil {
		sa, err := m.Self.Forward(nil, c.vals, c.vals, c.vals, nc, nc, nil)
		if err != nil {
			return nil, fmt.Errorf("anp: %w", err)
		}
		for i, v := range sa {
			c.vals[i] += v
		}
	}
	for j := range pool {
		pool[j] /= float64(nc)
	}
	c.ZMean, c.ZStd = m.latentDist(pool)
	return c, nil
}

// latentDist maps a pooled latent representation to (mean, std) of q(z).
func (m *Model) latentDist(pool []float64) (mean, std []float64) {
	hh := m.LatHead.Predict(nil, pool)
	mean = m.ZMean.Predict(nil, hh)
	std = m.ZStd.Predict(nil, hh)
	for i, v := range std {
		std[i] = zStd(v)
	}
	return mean, std
}

// Decode evaluates the decoder at the normalised query points (tau[j],
// xi[j]) for each latent value zs[s] and returns the predictive means and
// standard deviations, means[s][j] and stds[s][j]. The cross-attention is
// computed once for all latent values. It returns an error wrapping
// [ErrDimension] for query columns of different lengths or a z of the
// wrong length, [ErrEmpty] for no query or no z, and [ErrNotFinite] for
// NaN or Inf in the queries or a z.
func (c *Conditioned) Decode(tau, xi []float64, zs [][]float64) (means, stds [][]float64, err error) {
	nq, err := checkPoints("query", tau, xi)
	if err != nil {
		return nil, nil, err
	}
	if len(zs) == 0 {
		return nil, nil, fmt.Errorf("%w: no latent values", ErrEmpty)
	}
	m := c.m
	h, dz := m.Arch.Hidden, m.Arch.Latent
	for s, z := range zs {
		if len(z) != dz {
			return nil, nil, fmt.Errorf("%w: latent value %d has %d entries, want %d", ErrDimension, s, len(z), dz)
		}
		for _, v := range z {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, fmt.Errorf("%w: latent value %d", ErrNotFinite, s)
			}
		}
	}
	q := make([]float64, nq*h)
	for j := 0; j < nq; j++ {
		m.QK.Predict(q[j*h:(j+1)*h], []float64{tau[j], xi[j]})
	}
	rstar, err := m.Cross.Forward(nil, q, c.keys, c.vals, nq, c.nc, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("anp: %w", err)
	}
	// The decoder's first layer splits into a part that depends on the
	// query (r*, τ, ξ) and one that depends on z: a_j + Wzᵀz.
	dec := m.Dec
	w0, b0, h1 := dec.W[0], dec.B[0], dec.Sizes[1]
	base := make([]float64, nq*h1)
	for j := 0; j < nq; j++ {
		a := base[j*h1 : (j+1)*h1]
		copy(a, b0)
		row := rstar[j*h : (j+1)*h]
		for i, v := range row {
			for k, w := range w0[i*h1 : (i+1)*h1] {
				a[k] += v * w
			}
		}
		for i, v := range [2]float64{tau[j], xi[j]} {
			for k, w := range w0[(h+dz+i)*h1 : (h+dz+i+1)*h1] {
				a[k] += v * w
			}
		}
	}
	means, stds = make([][]float64, len(zs)), make([][]float64, len(zs))
	zpart := make([]float64, h1)
	act := make([]float64, h1)
	rest := restMLP(dec)
	out := make([]float64, 2)
	for s, z := range zs {
		clear(zpart)
		for i, v := range z {
			for k, w := range w0[(h+i)*h1 : (h+i+1)*h1] {
				zpart[k] += v * w
			}
		}
		mu, sd := make([]float64, nq), make([]float64, nq)
		for j := 0; j < nq; j++ {
			a := base[j*h1 : (j+1)*h1]
			for k := range act {
				act[k] = math.Tanh(a[k] + zpart[k])
			}
			out = rest.Predict(out, act)
			mu[j], sd[j] = out[0], yStd(out[1])
		}
		means[s], stds[s] = mu, sd
	}
	return means, stds, nil
}

// restMLP returns a network that shares layers 1.. of d (its weight
// slices alias d's), with its own scratch.
func restMLP(d *nn.MLP) *nn.MLP {
	r, _ := nn.NewMLPConst(d.Sizes[1:], d.Act, 0, 0)
	r.W, r.B = d.W[1:], d.B[1:]
	return r
}
