package multiwinner

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/stat/combin"
)

// Quota bounds how many members of each group a committee has:
// Lower[j] ≤ |S ∩ G_j| ≤ Upper[j] (a partition matroid with lower bounds).
type Quota struct {
	Lower, Upper []int
}

// Proportional returns the quota |S ∩ G_j| = k·|G_j|/m for groups of the
// given sizes: floor(k·|G_j|/m) for every group, and the remaining seats to
// the groups with the largest fractional parts (lower index first among
// equal parts). Lower = Upper. It returns an error wrapping [ErrSettings]
// for k < 0, k > Σ sizes, or a negative size.
func Proportional(sizes []int, k int) (*Quota, error) {
	m := 0
	for _, s := range sizes {
		if s < 0 {
			return nil, fmt.Errorf("%w: group size %d", ErrSettings, s)
		}
		m += s
	}
	if k < 0 || k > m {
		return nil, fmt.Errorf("%w: committee size %d for %d items", ErrSettings, k, m)
	}
	q := &Quota{Lower: make([]int, len(sizes)), Upper: make([]int, len(sizes))}
	type frac struct {
		j int
		f float64
	}
	var fr []frac
	left := k
	for j, s := range sizes {
		x := float64(k) * float64(s) / float64(m)
		q.Lower[j] = int(math.Floor(x))
		left -= q.Lower[j]
		fr = append(fr, frac{j, x - math.Floor(x)})
	}
	slices.SortStableFunc(fr, func(a, b frac) int {
		switch {
		case a.f > b.f:
			return -1
		case a.f < b.f:
			return 1
		}
		return 0
	})
	for i := 0; i < left; i++ {
		q.Lower[fr[i].j]++
	}
	copy(q.Upper, q.Lower)
	return q, nil
}

// check validates q against the profile's groups and k.
func (q *Quota) check(sizes []int, k int) error {
	if len(q.Lower) != len(sizes) || len(q.Upper) != len(sizes) {
		return fmt.Errorf("%w: quota for %d/%d groups, profile has %d", ErrSettings, len(q.Lower), len(q.Upper), len(sizes))
	}
	lo, hi := 0, 0
	for j := range sizes {
		if q.Lower[j] < 0 || q.Lower[j] > q.Upper[j] {
			return fmt.Errorf("%w: group %d quota [%d, %d]", ErrSettings, j, q.Lower[j], q.Upper[j])
		}
		if q.Lower[j] > sizes[j] {
			return fmt.Errorf("%w: group %d needs %d members but has %d items", ErrInfeasible, j, q.Lower[j], sizes[j])
		}
		lo += q.Lower[j]
		hi += min(q.Upper[j], sizes[j])
	}
	if lo > k || hi < k {
		return fmt.Errorf("%w: the quotas allow committees of %d to %d members, not %d", ErrInfeasible, lo, hi, k)
	}
	return nil
}

// Feasible reports whether S meets q for the profile's groups.
func (q *Quota) Feasible(p *Profile, S []int) bool {
	if q == nil {
		return true
	}
	cnt := make([]int, len(q.Lower))
	for _, c := range S {
		g := p.group(c)
		if g >= len(cnt) {
			return false
		}
		cnt[g]++
	}
	for j, n := range cnt {
		if n < q.Lower[j] || n > q.Upper[j] {
			return false
		}
	}
	return true
}

// Method selects how [Select] maximises a rule.
type Method int

// Methods.
const (
	// Auto: exact sorting for a Separable rule, otherwise Greedy.
	Auto Method = iota
	// Greedy: repeatedly add the admissible item of largest marginal gain
	// (lazy evaluation, random tie-breaking). For a monotone submodular
	// rule under a partition-matroid quota it reaches at least 1/2 of the
	// constrained optimum (Fisher, Nemhauser, Wolsey 1978).
	Greedy
	// PlainGreedy: the same selection as Greedy, re-evaluating every gain
	// at every step (the reference Greedy's lazy evaluation must equal).
	PlainGreedy
	// Exact: enumerate every feasible committee (at most Settings.MaxExact
	// subsets).
	Exact
)

// Settings configures [Select]. The zero value selects Auto with a fixed
// random tie-breaking seed.
type Settings struct {
	// Method chooses the algorithm. Zero means Auto.
	Method Method
	// Rand breaks ties uniformly at random (essential for SNTV, where most
	// items score 0: breaking ties by index would favour one group). Nil
	// means rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
	// MaxExact is the largest number of k-subsets Exact enumerates. Zero
	// means 10⁶.
	MaxExact int
}

// Select returns a committee S of k items of p maximising rule under the
// quota q (nil means no quota), with the method of s, sorted by item. ctx
// is checked every few thousand subsets or greedy steps. It returns an
// error wrapping [ErrSettings] for k out of [0, M], a quota that does not
// match the groups, or a nil rule; [ErrInfeasible] if no committee meets
// q; the context's error when canceled.
func Select(ctx context.Context, rule Rule, p *Profile, k int, q *Quota, s *Settings) ([]int, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if set.Rand == nil {
		set.Rand = rand.New(rand.NewPCG(1, 0))
	}
	set.MaxExact = cmp.Or(set.MaxExact, 1_000_000)
	if rule == nil || p == nil {
		return nil, fmt.Errorf("%w: nil rule or profile", ErrSettings)
	}
	if k < 0 || k > p.M {
		return nil, fmt.Errorf("%w: committee size %d outside [0, %d]", ErrSettings, k, p.M)
	}
	if q == nil {
		q = &Quota{Lower: make([]int, p.Groups()), Upper: slices.Repeat([]int{k}, p.Groups())}
	}
	if err := q.check(p.GroupSizes(), k); err != nil {
		return nil, err
	}
	// one random key per item breaks every tie the same way in all methods
	key := make([]float64, p.M)
	for c := range key {
		key[c] = set.Rand.Float64()
	}
	method := set.Method
	if method == Auto {
		method = Greedy
		if _, ok := rule.(Separable); ok {
			return selectSeparable(rule.(Separable), p, k, q, key), nil
		}
	}
	switch method {
	case Greedy, PlainGreedy:
		return greedy(ctx, rule, p, k, q, key, method == Greedy)
	case Exact:
		return exact(ctx, rule, p, k, q, key, set.MaxExact)
	}
	return nil, fmt.Errorf("%w: unknown method %d", ErrSettings, method)
}

// better reports whether (a, ka) beats (b, kb): larger value, then larger
// random key.
func better(a, ka, b, kb float64) bool { return a > b || (a == b && ka > kb) }

// selectSeparable is exact for F(S) = Σ s(c) under a partition matroid with
// lower bounds: each group's Lower best items, then the best remaining
// items of groups below Upper.
func selectSeparable(f Separable, p *Profile, k int, q *Quota, key []float64) []int {
	s := f.ItemScores(nil, p, k)
	order := make([]int, p.M)
	for c := range order {
		order[c] = c
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case better(s[a], key[a], s[b], key[b]):
			return -1
		case better(s[b], key[b], s[a], key[a]):
			return 1
		}
		return 0
	})
	cnt := make([]int, len(q.Lower))
	taken := make([]bool, p.M)
	var S []int
	for _, c := range order {
		if g := p.group(c); cnt[g] < q.Lower[g] {
			cnt[g]++
			taken[c] = true
			S = append(S, c)
		}
	}
	for _, c := range order {
		if len(S) == k {
			break
		}
		if g := p.group(c); !taken[c] && cnt[g] < q.Upper[g] {
			cnt[g]++
			taken[c] = true
			S = append(S, c)
		}
	}
	slices.Sort(S)
	return S
}

// admissible reports whether item c's group may take one more member
// without leaving too few seats for the other groups' lower bounds.
func admissible(g int, cnt []int, q *Quota, left int) bool {
	if cnt[g] >= q.Upper[g] {
		return false
	}
	need := 0
	for j := range cnt {
		n := cnt[j]
		if j == g {
			n++
		}
		need += max(0, q.Lower[j]-n)
	}
	return need <= left-1
}

// gainer computes marginal gains for any rule: incrementally for a
// Marginal rule, by two evaluations of Value otherwise.
type gainer struct {
	rule  Rule
	mr    Marginal
	p     *Profile
	state []float64
	S     []int
	base  float64
}

func newGainer(rule Rule, p *Profile) *gainer {
	g := &gainer{rule: rule, p: p}
	if mr, ok := rule.(Marginal); ok {
		g.mr, g.state = mr, mr.NewState(p)
	}
	return g
}

func (g *gainer) gain(c int) float64 {
	if g.mr != nil {
		return g.mr.Gain(g.p, g.state, c)
	}
	return g.rule.Value(g.p, append(g.S, c)) - g.base
}

func (g *gainer) add(c int) {
	if g.mr != nil {
		g.mr.Add(g.p, g.state, c)
	}
	g.S = append(g.S, c)
	if g.mr == nil {
		g.base = g.rule.Value(g.p, g.S)
	}
}

// greedy adds, k times, the admissible item of largest gain (ties by key).
// lazy keeps stale upper bounds in a max-heap and re-evaluates only the
// top (submodularity: gains only shrink), selecting the same items.
func greedy(ctx context.Context, rule Rule, p *Profile, k int, q *Quota, key []float64, lazy bool) ([]int, error) {
	g := newGainer(rule, p)
	cnt := make([]int, len(q.Lower))
	h := &gainHeap{key: key}
	chosen := make([]bool, p.M)
	for c := 0; c < p.M; c++ {
		h.items = append(h.items, gainItem{c: c, gain: math.Inf(1), round: -1})
	}
	heap.Init(h)
	for step := 0; step < k; step++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		best := -1
		if lazy {
			best = h.popBest(g, p, cnt, q, k-step, step)
		} else {
			bg := 0.0
			for c := 0; c < p.M; c++ {
				if chosen[c] || !admissible(p.group(c), cnt, q, k-step) {
					continue
				}
				if gc := g.gain(c); best < 0 || better(gc, key[c], bg, key[best]) {
					best, bg = c, gc
				}
			}
		}
		if best < 0 {
			return nil, fmt.Errorf("%w: no admissible item at step %d", ErrInfeasible, step)
		}
		chosen[best] = true
		cnt[p.group(best)]++
		g.add(best)
	}
	S := slices.Clone(g.S)
	slices.Sort(S)
	return S, nil
}

type gainItem struct {
	c     int
	gain  float64
	round int // the step at which gain was computed
}

type gainHeap struct {
	items []gainItem
	key   []float64
}

func (h *gainHeap) Len() int { return len(h.items) }
func (h *gainHeap) Less(i, j int) bool {
	a, b := h.items[i], h.items[j]
	return better(a.gain, h.key[a.c], b.gain, h.key[b.c])
}
func (h *gainHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *gainHeap) Push(x any)    { h.items = append(h.items, x.(gainItem)) }
func (h *gainHeap) Pop() any {
	it := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return it
}

// popBest pops until the top is fresh and admissible; inadmissible items
// are set aside and pushed back (they may become admissible later), the
// chosen one is removed for good.
func (h *gainHeap) popBest(g *gainer, p *Profile, cnt []int, q *Quota, left, step int) int {
	var aside []gainItem
	best := -1
	for h.Len() > 0 {
		top := h.items[0]
		if !admissible(p.group(top.c), cnt, q, left) {
			aside = append(aside, heap.Pop(h).(gainItem))
			continue
		}
		if top.round == step {
			heap.Pop(h)
			best = top.c
			break
		}
		h.items[0].gain, h.items[0].round = g.gain(top.c), step
		heap.Fix(h, 0)
	}
	for _, it := range aside {
		heap.Push(h, it)
	}
	return best
}

// exact enumerates the feasible k-subsets.
func exact(ctx context.Context, rule Rule, p *Profile, k int, q *Quota, key []float64, maxExact int) ([]int, error) {
	if n := binomial(p.M, k); n > float64(maxExact) {
		return nil, fmt.Errorf("%w: C(%d, %d) subsets exceed MaxExact = %d", ErrSettings, p.M, k, maxExact)
	}
	gen := combin.NewCombinationGenerator(p.M, k)
	S := make([]int, k)
	var best []int
	bestV, bestKey := math.Inf(-1), 0.0
	for i := 0; gen.Next(); i++ {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		gen.Combination(S)
		if !q.Feasible(p, S) {
			continue
		}
		v, kk := rule.Value(p, S), 0.0
		for _, c := range S {
			kk += key[c]
		}
		if best == nil || better(v, kk, bestV, bestKey) {
			best, bestV, bestKey = slices.Clone(S), v, kk
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w: no feasible committee", ErrInfeasible)
	}
	return best, nil
}

// binomial returns C(n, k) in floating point (no overflow for any int).
func binomial(n, k int) float64 {
	k = min(k, n-k)
	c := 1.0
	for i := 0; i < k; i++ {
		c = c * float64(n-i) / float64(i+1)
	}
	return c
}
