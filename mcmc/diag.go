package mcmc

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// column returns the draws of coordinate j as chains × draws.
func column(chains [][][]float64, j int) [][]float64 {
	out := make([][]float64, len(chains))
	for c, ch := range chains {
		out[c] = make([]float64, len(ch))
		for t, x := range ch {
			out[c][t] = x[j]
		}
	}
	return out
}

// split halves every chain (dropping a middle draw of an odd length).
func split(ch [][]float64) [][]float64 {
	var out [][]float64
	for _, c := range ch {
		h := len(c) / 2
		out = append(out, c[:h], c[len(c)-h:])
	}
	return out
}

// rankNormalize replaces every draw by Φ⁻¹((r − 3/8)/(S + 1/4)) of its
// rank r among all S draws (ties averaged), as Vehtari et al. (2021) do
// for bulk diagnostics.
func rankNormalize(ch [][]float64) [][]float64 {
	type item struct {
		v    float64
		c, t int
	}
	var all []item
	for c, x := range ch {
		for t, v := range x {
			all = append(all, item{v, c, t})
		}
	}
	sort.Slice(all, func(a, b int) bool { return all[a].v < all[b].v })
	S := float64(len(all))
	out := make([][]float64, len(ch))
	for c := range ch {
		out[c] = make([]float64, len(ch[c]))
	}
	norm := distuv.UnitNormal
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		r := float64(i+j+1) / 2 // average 1-based rank
		z := norm.Quantile((r - 0.375) / (S + 0.25))
		for k := i; k < j; k++ {
			out[all[k].c][all[k].t] = z
		}
		i = j
	}
	return out
}

func meanVar(x []float64) (float64, float64) {
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	return m, s / float64(len(x)-1)
}

// rhat is the potential scale reduction of the given (split) chains.
func rhat(ch [][]float64) float64 {
	n := float64(len(ch[0]))
	means := make([]float64, len(ch))
	W := 0.0
	for c, x := range ch {
		m, v := meanVar(x)
		means[c] = m
		W += v / float64(len(ch))
	}
	_, vm := meanVar(means)
	B := n * vm
	vp := (n-1)/n*W + B/n
	return math.Sqrt(vp / W)
}

// SplitRhat returns, per coordinate, the rank-normalised split-R̂ of the
// chains (Vehtari et al. 2021): near 1 when the chains agree; 1.05 or
// more signals that they have not mixed. It returns NaN for a coordinate
// when there are fewer than 4 draws per chain.
func SplitRhat(chains [][][]float64) []float64 {
	d := len(chains[0][0])
	out := make([]float64, d)
	for j := 0; j < d; j++ {
		ch := split(column(chains, j))
		if len(ch[0]) < 2 {
			out[j] = math.NaN()
			continue
		}
		out[j] = rhat(rankNormalize(ch))
	}
	return out
}

// BulkESS returns, per coordinate, the bulk effective sample size of the
// chains: the ESS of the rank-normalised split chains, with Geyer's
// initial monotone sequence over the autocorrelations combined across
// chains (as Stan computes it).
func BulkESS(chains [][][]float64) []float64 {
	d := len(chains[0][0])
	out := make([]float64, d)
	for j := 0; j < d; j++ {
		out[j] = ess(rankNormalize(split(column(chains, j))))
	}
	return out
}

func ess(ch [][]float64) float64 {
	m := len(ch)
	n := len(ch[0])
	if n < 4 {
		return math.NaN()
	}
	means := make([]float64, m)
	vars := make([]float64, m)
	W := 0.0
	for c, x := range ch {
		means[c], vars[c] = meanVar(x)
		W += vars[c] / float64(m)
	}
	_, vm := meanVar(means)
	vp := float64(n-1)/float64(n)*W + vm
	if !(vp > 0) {
		return math.NaN()
	}
	// autocovariance at lag t, averaged over chains
	acov := func(t int) float64 {
		s := 0.0
		for c, x := range ch {
			a := 0.0
			for i := 0; i+t < n; i++ {
				a += (x[i] - means[c]) * (x[i+t] - means[c])
			}
			s += a / float64(n)
		}
		return s / float64(m)
	}
	rho := func(t int) float64 { return 1 - (W-acov(t))/vp }
	// Geyer: sum pairs Γ_k = ρ_{2k} + ρ_{2k+1} while positive, monotone
	tau := -1.0
	prev := math.Inf(1)
	for k := 0; 2*k+1 < n; k++ {
		g := rho(2*k) + rho(2*k+1)
		if g <= 0 {
			break
		}
		g = math.Min(g, prev)
		prev = g
		tau += 2 * g
	}
	tau = math.Max(tau, 1/math.Log10(float64(m*n)))
	return float64(m*n) / tau
}
