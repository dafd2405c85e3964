package multiwinner

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// RankingModel draws rankings of m items from their (observed) utilities.
// Sample returns n rankings of len(w) items drawn with rng.
type RankingModel interface {
	Sample(w []float64, n int, rng *rand.Rand) ([]Ranking, error)
}

// Thurstone ranks items by w_c + σZ_vc with Z i.i.d. standard normal
// (the spec's default model).
type Thurstone struct {
	// Sigma is the noise scale σ > 0.
	Sigma float64
}

// PlackettLuce draws rankings top-down with probabilities proportional to
// exp(w_c/σ), equivalently by w_c + σ·Gumbel noise.
type PlackettLuce struct {
	// Sigma is the temperature σ > 0.
	Sigma float64
}

// Mallows draws rankings around the centre (items in decreasing w) with
// dispersion φ ∈ [0, 1]: P(r) ∝ φ^{Kendall-τ(r, centre)} (repeated
// insertion). φ = 0 always returns the centre; φ = 1 is uniform.
type Mallows struct {
	// Phi is the dispersion φ.
	Phi float64
}

var (
	_ RankingModel = Thurstone{}
	_ RankingModel = PlackettLuce{}
	_ RankingModel = Mallows{}
)

// maxSample bounds n·len(w) for one Sample call.
const maxSample = 1 << 28

// checkModel validates a Sample call: the utilities and n (checkSample),
// the model's parameter (ok says it is in range) and rng.
func checkModel(w []float64, n int, rng *rand.Rand, param string, v float64, ok bool) error {
	if err := checkSample(w, n); err != nil {
		return err
	}
	if !ok || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%w: %s = %v", ErrSettings, param, v)
	}
	if rng == nil {
		return fmt.Errorf("%w: nil *rand.Rand", ErrSettings)
	}
	return nil
}

func checkSample(w []float64, n int) error {
	if len(w) == 0 || n < 1 {
		return fmt.Errorf("%w: %d items, %d rankings", ErrSettings, len(w), n)
	}
	if float64(n)*float64(len(w)) > maxSample {
		return fmt.Errorf("%w: %d rankings of %d items exceed %d cells", ErrSettings, n, len(w), maxSample)
	}
	for c, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: utility w[%d] = %v", ErrSettings, c, x)
		}
	}
	return nil
}

func noisyRankings(w []float64, n int, noise func() float64) []Ranking {
	m := len(w)
	out := make([]Ranking, n)
	score := make([]float64, m)
	for v := range out {
		for c := range score {
			score[c] = w[c] + noise()
		}
		r := make(Ranking, m)
		for c := range r {
			r[c] = c
		}
		slices.SortFunc(r, func(a, b int) int {
			switch {
			case score[a] > score[b]:
				return -1
			case score[a] < score[b]:
				return 1
			}
			return a - b
		})
		out[v] = r
	}
	return out
}

// Sample returns n Thurstone rankings.
func (t Thurstone) Sample(w []float64, n int, rng *rand.Rand) ([]Ranking, error) {
	if err := checkModel(w, n, rng, "Thurstone.Sigma", t.Sigma, t.Sigma > 0); err != nil {
		return nil, err
	}
	return noisyRankings(w, n, func() float64 { return t.Sigma * rng.NormFloat64() }), nil
}

// Sample returns n Plackett–Luce rankings (Gumbel-max construction).
func (pl PlackettLuce) Sample(w []float64, n int, rng *rand.Rand) ([]Ranking, error) {
	if err := checkModel(w, n, rng, "PlackettLuce.Sigma", pl.Sigma, pl.Sigma > 0); err != nil {
		return nil, err
	}
	return noisyRankings(w, n, func() float64 {
		return -pl.Sigma * math.Log(-math.Log(1-rng.Float64()))
	}), nil
}

// Sample returns n Mallows rankings by repeated insertion: the i-th item of
// the centre is inserted at position j ≤ i with probability ∝ φ^{i−j}.
func (ml Mallows) Sample(w []float64, n int, rng *rand.Rand) ([]Ranking, error) {
	if err := checkModel(w, n, rng, "Mallows.Phi (in [0, 1])", ml.Phi, ml.Phi >= 0 && ml.Phi <= 1); err != nil {
		return nil, err
	}
	m := len(w)
	centre := byUtility(w)
	out := make([]Ranking, n)
	weights := make([]float64, m)
	for v := range out {
		r := make(Ranking, 0, m)
		for i, c := range centre {
			// positions 0..i; weight φ^{i−j}
			total := 0.0
			for j := 0; j <= i; j++ {
				weights[j] = math.Pow(ml.Phi, float64(i-j))
				total += weights[j]
			}
			u, j := rng.Float64()*total, i
			for jj := 0; jj <= i; jj++ {
				if u < weights[jj] {
					j = jj
					break
				}
				u -= weights[jj]
			}
			r = slices.Insert(r, j, c)
		}
		out[v] = r
	}
	return out, nil
}

// Biased writes the observed utilities ŵ_c = θ_{g(c)}·w_c into dst
// (allocated when nil) and returns it: the multiplicative implicit-bias
// model, with theta[j] ∈ (0, 1] the factor of group j (1 = no bias). It
// returns an error wrapping [ErrDimension] for mismatched lengths and
// [ErrSettings] for a factor outside (0, 1] or a group label beyond theta.
func Biased(dst, w []float64, group []int, theta []float64) ([]float64, error) {
	if len(group) != len(w) || (dst != nil && len(dst) != len(w)) {
		return nil, fmt.Errorf("%w: %d utilities, %d group labels, dst %d", ErrDimension, len(w), len(group), len(dst))
	}
	for j, t := range theta {
		if !(t > 0 && t <= 1) {
			return nil, fmt.Errorf("%w: theta[%d] = %v outside (0, 1]", ErrSettings, j, t)
		}
	}
	if dst == nil {
		dst = make([]float64, len(w))
	}
	for c, x := range w {
		g := group[c]
		if g < 0 || g >= len(theta) {
			return nil, fmt.Errorf("%w: item %d in group %d, %d factors", ErrSettings, c, g, len(theta))
		}
		dst[c] = theta[g] * x
	}
	return dst, nil
}

// UtilityRatio returns Σ_{c∈S} w_c / max_{|T|=|S|} Σ_{c∈T} w_c, the latent
// quality of S against the unconstrained best committee of its size
// (top-|S| by w). With a quota q it returns the ratio against the best
// quota-feasible committee instead (the spec's U_c). It returns NaN if the
// best committee has zero utility.
func UtilityRatio(S []int, w []float64, group []int, q *Quota) float64 {
	num := 0.0
	for _, c := range S {
		num += w[c]
	}
	order := byUtility(w)
	k, den := len(S), 0.0
	if q == nil {
		for _, c := range order[:k] {
			den += w[c]
		}
		return num / den
	}
	cnt := make([]int, len(q.Lower))
	taken := make([]bool, len(w))
	n := 0
	for _, c := range order {
		if g := group[c]; cnt[g] < q.Lower[g] {
			cnt[g]++
			taken[c] = true
			den += w[c]
			n++
		}
	}
	for _, c := range order {
		if n == k {
			break
		}
		if g := group[c]; !taken[c] && cnt[g] < q.Upper[g] {
			cnt[g]++
			den += w[c]
			n++
		}
	}
	return num / den
}

// byUtility returns the items in decreasing order of w, ties by index.
func byUtility(w []float64) []int {
	order := make([]int, len(w))
	for c := range order {
		order[c] = c
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case w[a] > w[b]:
			return -1
		case w[a] < w[b]:
			return 1
		}
		return 0
	})
	return order
}
