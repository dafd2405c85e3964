package morl

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/linalg"
)

// dominates reports whether p Pareto-dominates q (maximisation): p ≥ q in
// every component and p > q in at least one.
func dominates(p, q []float64) bool {
	gt := false
	for k := range p {
		if p[k] < q[k] {
			return false
		}
		if p[k] > q[k] {
			gt = true
		}
	}
	return gt
}

// equalTol is the tolerance under which two objective vectors are treated
// as the same point (the spec's selection-history tolerance).
const equalTol = 1e-9

func sameVector(p, q []float64) bool {
	for k := range p {
		if math.Abs(p[k]-q[k]) > equalTol {
			return false
		}
	}
	return true
}

// NonDominated returns the points of ps that no other point dominates, in
// input order, dropping later copies of equal points (within 1e-9). The
// returned slices alias ps. It returns an error for a ragged point set or
// non-finite values.
func NonDominated(ps [][]float64) ([][]float64, error) {
	if err := checkSet(ps); err != nil {
		return nil, err
	}
	return nonDominated(ps), nil
}

// nonDominated is NonDominated on validated points.
func nonDominated(ps [][]float64) [][]float64 {
	var out [][]float64
outer:
	for i, p := range ps {
		for j, q := range ps {
			if i != j && (dominates(q, p) || (j < i && sameVector(p, q))) {
				continue outer
			}
		}
		out = append(out, p)
	}
	return out
}

func checkPoints(points [][]float64, ref []float64) error {
	if len(ref) == 0 {
		return fmt.Errorf("%w: empty reference point", ErrDimension)
	}
	for _, v := range ref {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: reference point %v", ErrNotFinite, ref)
		}
	}
	for i, p := range points {
		if len(p) != len(ref) {
			return fmt.Errorf("%w: point %d has %d objectives, reference %d", ErrDimension, i, len(p), len(ref))
		}
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: point %d = %v", ErrNotFinite, i, p)
			}
		}
	}
	return nil
}

// shifted returns the non-dominated points p − ref of those with p ≥ ref.
func shifted(points [][]float64, ref []float64) [][]float64 {
	var qs [][]float64
	for _, p := range points {
		ok := true
		q := make([]float64, len(p))
		for k := range p {
			q[k] = p[k] - ref[k]
			if q[k] < 0 {
				ok = false
				break
			}
		}
		if ok {
			qs = append(qs, q)
		}
	}
	return nonDominated(qs)
}

// Hypervolume returns the Lebesgue measure of ∪_p [ref, p] (maximisation).
// Points not ≥ ref in every component are dropped first. Two objectives use
// an O(m log m) sweep; more use the exact WFG algorithm (While, Bradstreet
// and Barone 2012), which is practical up to about 6–9 objectives and a few
// hundred points. It returns an error for mismatched dimensions or
// non-finite values; no point ≥ ref gives 0.
func Hypervolume(points [][]float64, ref []float64) (float64, error) {
	if err := checkPoints(points, ref); err != nil {
		return 0, err
	}
	return wfg(shifted(points, ref)), nil
}

// hv2 is the 2-D sweep over points relative to the origin.
func hv2(qs [][]float64) float64 {
	s := slices.Clone(qs)
	slices.SortFunc(s, func(a, b []float64) int { return cmp.Compare(b[0], a[0]) })
	hv, maxY := 0.0, 0.0
	for _, q := range s {
		if q[1] > maxY {
			hv += q[0] * (q[1] - maxY)
			maxY = q[1]
		}
	}
	return hv
}

// wfg returns the hypervolume of ∪ [0, q] for points qs ≥ 0.
func wfg(qs [][]float64) float64 {
	if len(qs) == 0 {
		return 0
	}
	d := len(qs[0])
	switch {
	case d == 1:
		m := 0.0
		for _, q := range qs {
			m = math.Max(m, q[0])
		}
		return m
	case d == 2:
		return hv2(qs)
	}
	s := slices.Clone(qs)
	// Sorting by the last objective descending keeps limit sets small.
	slices.SortFunc(s, func(a, b []float64) int { return cmp.Compare(b[d-1], a[d-1]) })
	total := 0.0
	for k := range s {
		total += exclHV(s, k)
	}
	return total
}

func inclHV(q []float64) float64 {
	v := 1.0
	for _, x := range q {
		v *= x
	}
	return v
}

// exclHV is the volume dominated by s[k] and by none of s[k+1:].
func exclHV(s [][]float64, k int) float64 {
	p := s[k]
	rest := s[k+1:]
	if len(rest) == 0 {
		return inclHV(p)
	}
	lim := make([][]float64, 0, len(rest))
	for _, q := range rest {
		l := make([]float64, len(p))
		for i := range p {
			l[i] = math.Min(p[i], q[i])
		}
		lim = append(lim, l)
	}
	return inclHV(p) - wfg(nonDominated(lim))
}

// HypervolumeMC estimates the hypervolume by Monte Carlo with the given
// number of samples drawn uniformly in the bounding box [ref, max p] and
// returns the estimate and the half-width of its 95% normal confidence
// interval. Use it beyond the dimensions where [Hypervolume] is fast. It
// returns an error for mismatched dimensions, non-finite values, a nil rng
// or samples < 1.
func HypervolumeMC(points [][]float64, ref []float64, samples int, rng *rand.Rand) (hv, ci95 float64, err error) {
	if err := checkPoints(points, ref); err != nil {
		return 0, 0, err
	}
	if rng == nil || samples < 1 {
		return 0, 0, fmt.Errorf("%w: HypervolumeMC needs a *rand.Rand and samples ≥ 1 (got %d)", ErrSettings, samples)
	}
	qs := shifted(points, ref)
	if len(qs) == 0 {
		return 0, 0, nil
	}
	d := len(ref)
	hi := make([]float64, d)
	for _, q := range qs {
		for k := range q {
			hi[k] = math.Max(hi[k], q[k])
		}
	}
	box := inclHV(hi)
	x := make([]float64, d)
	hits := 0
	for range samples {
		for k := range x {
			x[k] = hi[k] * rng.Float64()
		}
		for _, q := range qs {
			in := true
			for k := range q {
				if x[k] > q[k] {
					in = false
					break
				}
			}
			if in {
				hits++
				break
			}
		}
	}
	p := float64(hits) / float64(samples)
	return box * p, 1.96 * box * math.Sqrt(p*(1-p)/float64(samples)), nil
}

// ExpectedUtility returns mean over ω ∈ W of max_{p} ω·p. It returns an
// error for an empty point set or weight grid, mismatched lengths or
// non-finite values.
func ExpectedUtility(points, W [][]float64) (float64, error) {
	if len(points) == 0 || len(W) == 0 {
		return 0, fmt.Errorf("%w: expected utility needs points and weights", ErrEmpty)
	}
	if err := checkSet(points); err != nil {
		return 0, err
	}
	if err := checkSet(W); err != nil {
		return 0, fmt.Errorf("weights: %w", err)
	}
	sum := 0.0
	for _, w := range W {
		best := math.Inf(-1)
		for _, p := range points {
			if len(p) != len(w) {
				return 0, fmt.Errorf("%w: weight has %d components, point %d", ErrDimension, len(w), len(p))
			}
			best = math.Max(best, linalg.Dot(w, p))
		}
		sum += best
	}
	return sum / float64(len(W)), nil
}

// Sparsity returns (1/(|P|−1))·Σ_k Σ_i (P̃_k(i+1) − P̃_k(i))², where P̃_k holds
// objective k of the points sorted ascending; 0 if there are fewer than 2
// points. It returns an error for a ragged point set or non-finite values.
func Sparsity(points [][]float64) (float64, error) {
	if err := checkSet(points); err != nil {
		return 0, err
	}
	if len(points) < 2 {
		return 0, nil
	}
	d := len(points[0])
	col := make([]float64, len(points))
	sp := 0.0
	for k := range d {
		for i, p := range points {
			col[i] = p[k]
		}
		slices.Sort(col)
		for i := 1; i < len(col); i++ {
			sp += (col[i] - col[i-1]) * (col[i] - col[i-1])
		}
	}
	return sp / float64(len(points)-1), nil
}

// checkSet returns an error wrapping [ErrDimension] if the points do not
// all have the length of the first (at least 1), or [ErrNotFinite] for a
// NaN or infinite value.
func checkSet(points [][]float64) error {
	for i, p := range points {
		if len(p) == 0 || len(p) != len(points[0]) {
			return fmt.Errorf("%w: point %d has %d objectives, point 0 has %d", ErrDimension, i, len(p), len(points[0]))
		}
		for _, v := range p {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: point %d = %v", ErrNotFinite, i, p)
			}
		}
	}
	return nil
}

// CrowdingDistance returns the crowding distance of each point: for each
// objective k with max_k > min_k, the points sorted by objective k get
// (next − prev)/(max_k − min_k) if interior and +Inf at both extremes;
// distances are summed over objectives. Objectives with a zero range are
// skipped. It returns an error for a ragged point set or non-finite values.
func CrowdingDistance(points [][]float64) ([]float64, error) {
	if err := checkSet(points); err != nil {
		return nil, err
	}
	return crowding(points), nil
}

// crowding is CrowdingDistance on validated points.
func crowding(points [][]float64) []float64 {
	m := len(points)
	cd := make([]float64, m)
	if m == 0 {
		return cd
	}
	idx := make([]int, m)
	for k := range points[0] {
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(points[a][k], points[b][k]) })
		lo, hi := points[idx[0]][k], points[idx[m-1]][k]
		if hi <= lo {
			continue
		}
		cd[idx[0]] = math.Inf(1)
		cd[idx[m-1]] = math.Inf(1)
		for i := 1; i < m-1; i++ {
			cd[idx[i]] += (points[idx[i+1]][k] - points[idx[i-1]][k]) / (hi - lo)
		}
	}
	return cd
}

// SimplexGrid returns every preference vector whose first n−1 components
// lie in {0, δ, 2δ, …} with sum ≤ 1 and whose last component is the
// remainder, in depth-first order (first component slowest). For δ with
// 1/δ an integer these are all grid points of the simplex; n=2, δ=0.2 gives
// 6 vectors and δ=1 the n one-hot vectors. It returns an error for n < 1 or
// δ outside (0, 1], and one wrapping [ErrSize] before allocating if the
// grid would have more than [MaxGridSize] vectors (C(m+n−1, n−1) for
// m = ⌊1/δ⌋: n = 12 and δ = 10⁻³ would give 10²⁵).
func SimplexGrid(n int, step float64) ([][]float64, error) {
	if n < 1 || !(step > 0 && step <= 1) {
		return nil, fmt.Errorf("%w: simplex grid n=%d step=%g", ErrSettings, n, step)
	}
	if n >= 2 && 1/step > MaxGridSize {
		return nil, fmt.Errorf("%w: simplex grid n=%d step=%g has more than %d vectors", ErrSize, n, step, MaxGridSize)
	}
	m := int(math.Floor(1/step + equalTol))
	if size, ok := gridSize(m, n); !ok {
		return nil, fmt.Errorf("%w: simplex grid n=%d step=%g has more than %d vectors", ErrSize, n, step, MaxGridSize)
	} else if size*n > maxGridFloats {
		return nil, fmt.Errorf("%w: simplex grid n=%d step=%g needs %d floats", ErrSize, n, step, size*n)
	}
	var out [][]float64
	w := make([]int, n-1)
	var dfs func(i, used int)
	dfs = func(i, used int) {
		if i == n-1 {
			v := make([]float64, n)
			s := 0.0
			for j, c := range w {
				v[j] = float64(c) * step
				s += v[j]
			}
			v[n-1] = math.Max(0, 1-s)
			if math.Abs(v[n-1]) < equalTol {
				v[n-1] = 0
			}
			out = append(out, v)
			return
		}
		for c := 0; used+c <= m && float64(used+c)*step <= 1+equalTol; c++ {
			w[i] = c
			dfs(i+1, used+c)
		}
	}
	dfs(0, 0)
	return out, nil
}

// MaxGridSize is the largest number of vectors [SimplexGrid] returns.
const MaxGridSize = 1 << 20

// maxGridFloats bounds the memory of a grid (8 bytes each): 64 MB.
const maxGridFloats = 1 << 23

// gridSize returns C(m+n−1, n−1), the number of grid vectors, and false if
// it exceeds MaxGridSize. The running product C(m+i, i) stays exact.
func gridSize(m, n int) (int, bool) {
	c := 1
	for i := 1; i < n; i++ {
		c = c * (m + i) / i
		if c > MaxGridSize {
			return c, false
		}
	}
	return c, true
}
