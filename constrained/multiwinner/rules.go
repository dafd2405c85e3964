package multiwinner

// Rule is a multiwinner score function F(S): how good committee S is for
// the voters of a profile. Every rule here is monotone and submodular.
type Rule interface {
	// Value returns F(S) for the committee S (distinct items of p).
	Value(p *Profile, S []int) float64
}

// Separable is a Rule with F(S) = Σ_{c∈S} s(c): the best committee under
// quotas is found exactly by sorting ([Select]). ItemScores writes s(c)
// for every item into dst (length p.M; allocated when nil) for committees
// of size k, and returns it.
type Separable interface {
	Rule
	ItemScores(dst []float64, p *Profile, k int) []float64
}

// Marginal is a Rule whose greedy marginal gains can be computed
// incrementally: [Select]'s greedy keeps, per voter, the state of the
// committee chosen so far. Gain returns F(S ∪ {c}) − F(S) given state, and
// Add updates state for adding c. NewState returns the state of ∅.
type Marginal interface {
	Rule
	NewState(p *Profile) []float64
	Gain(p *Profile, state []float64, c int) float64
	Add(p *Profile, state []float64, c int)
}

// SNTV is single non-transferable vote: F(S) = number of voters whose top
// item is in S. Separable.
type SNTV struct{}

// Bloc is k-approval: F(S) = Σ_v |{c ∈ S : pos_v(c) ≤ k}| with k = |S|.
// Separable.
type Bloc struct{}

// KBorda is k-Borda: F(S) = Σ_v Σ_{c∈S} (m − pos_v(c)). Separable.
type KBorda struct{}

// CC is Borda Chamberlin–Courant: F(S) = Σ_v max_{c∈S} (m − pos_v(c)),
// each voter represented by its best committee member. Submodular, NP-hard
// to maximise.
type CC struct{}

// ApprovalCC is t-approval Chamberlin–Courant: F(S) = number of voters
// with a committee member among their top T.
type ApprovalCC struct {
	// T is the approval threshold (≥ 1).
	T int
}

var (
	_ Separable = SNTV{}
	_ Separable = Bloc{}
	_ Separable = KBorda{}
	_ Marginal  = CC{}
	_ Marginal  = ApprovalCC{}
)

func separableValue(f Separable, p *Profile, S []int) float64 {
	s := f.ItemScores(nil, p, len(S))
	v := 0.0
	for _, c := range S {
		v += s[c]
	}
	return v
}

func itemScores(dst []float64, p *Profile, w func(pos int) float64) []float64 {
	if dst == nil {
		dst = make([]float64, p.M)
	}
	clear(dst)
	for v := range p.Rankings {
		row := p.pos[v*p.M : (v+1)*p.M]
		for c, i := range row {
			dst[c] += w(int(i) + 1)
		}
	}
	return dst
}

// Value returns the number of voters whose top item is in S.
func (f SNTV) Value(p *Profile, S []int) float64 { return separableValue(f, p, S) }

// ItemScores writes the number of first places of each item.
func (SNTV) ItemScores(dst []float64, p *Profile, _ int) []float64 {
	if dst == nil {
		dst = make([]float64, p.M)
	}
	clear(dst)
	for _, r := range p.Rankings {
		dst[r[0]]++
	}
	return dst
}

// Value returns Σ_v |{c ∈ S : pos_v(c) ≤ |S|}|.
func (f Bloc) Value(p *Profile, S []int) float64 { return separableValue(f, p, S) }

// ItemScores writes the number of voters placing each item in their top k.
func (Bloc) ItemScores(dst []float64, p *Profile, k int) []float64 {
	if dst == nil {
		dst = make([]float64, p.M)
	}
	clear(dst)
	for _, r := range p.Rankings {
		for _, c := range r[:min(k, len(r))] {
			dst[c]++
		}
	}
	return dst
}

// Value returns Σ_v Σ_{c∈S} (m − pos_v(c)).
func (f KBorda) Value(p *Profile, S []int) float64 { return separableValue(f, p, S) }

// ItemScores writes each item's Borda score Σ_v (m − pos_v(c)).
func (KBorda) ItemScores(dst []float64, p *Profile, _ int) []float64 {
	m := float64(p.M)
	return itemScores(dst, p, func(pos int) float64 { return m - float64(pos) })
}

// Value returns Σ_v max_{c∈S} (m − pos_v(c)) (0 for an empty S).
func (f CC) Value(p *Profile, S []int) float64 { return marginalValue(f, p, S) }

// NewState returns every voter's current best utility, 0.
func (CC) NewState(p *Profile) []float64 { return make([]float64, p.Voters()) }

// Gain returns Σ_v max(0, m − pos_v(c) − state_v).
func (CC) Gain(p *Profile, state []float64, c int) float64 {
	m, g := float64(p.M), 0.0
	for v, best := range state {
		if u := m - float64(p.pos[v*p.M+c]+1); u > best {
			g += u - best
		}
	}
	return g
}

// Add raises each voter's best utility to m − pos_v(c) where larger.
func (CC) Add(p *Profile, state []float64, c int) {
	m := float64(p.M)
	for v, best := range state {
		state[v] = max(best, m-float64(p.pos[v*p.M+c]+1))
	}
}

// Value returns the number of voters with a member of S among their top T.
func (f ApprovalCC) Value(p *Profile, S []int) float64 { return marginalValue(f, p, S) }

// NewState returns 0 (not yet represented) for every voter.
func (ApprovalCC) NewState(p *Profile) []float64 { return make([]float64, p.Voters()) }

// Gain returns the number of voters not yet represented who rank c in
// their top T.
func (f ApprovalCC) Gain(p *Profile, state []float64, c int) float64 {
	g := 0.0
	for v, done := range state {
		if done == 0 && int(p.pos[v*p.M+c]) < f.T {
			g++
		}
	}
	return g
}

// Add marks the voters who rank c in their top T as represented.
func (f ApprovalCC) Add(p *Profile, state []float64, c int) {
	for v := range state {
		if int(p.pos[v*p.M+c]) < f.T {
			state[v] = 1
		}
	}
}

func marginalValue(f Marginal, p *Profile, S []int) float64 {
	st := f.NewState(p)
	v := 0.0
	for _, c := range S {
		v += f.Gain(p, st, c)
		f.Add(p, st, c)
	}
	return v
}
