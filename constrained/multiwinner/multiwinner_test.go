package multiwinner

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/stat/combin"
)

// The spec's 4-item, 3-voter example.
func TestRuleValues(t *testing.T) {
	const a, b, c, d = 0, 1, 2, 3
	p, err := NewProfile(4, []Ranking{{a, b, c, d}, {c, a, b, d}, {b, d, a, c}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		rule Rule
		S    []int
		want float64
	}{
		{"Borda {a,b}", KBorda{}, []int{a, b}, 12},
		{"SNTV {a,b}", SNTV{}, []int{a, b}, 2},
		{"Bloc {a,b}", Bloc{}, []int{a, b}, 4},
		{"CC {a,b}", CC{}, []int{a, b}, 8},
		{"CC {a,c}", CC{}, []int{a, c}, 7},
		{"CC {c,d}", CC{}, []int{c, d}, 6},
		{"2-approval CC {c,d}", ApprovalCC{T: 2}, []int{c, d}, 2},
	} {
		if got := tc.rule.Value(p, tc.S); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, got, tc.want)
		}
	}
	// the best CC pair is worth 8, reached by {a,b} and {b,c}
	best, arg := 0.0, [][]int{}
	for _, S := range combin.Combinations(4, 2) {
		v := CC{}.Value(p, S)
		switch {
		case v > best:
			best, arg = v, [][]int{S}
		case v == best:
			arg = append(arg, S)
		}
	}
	if best != 8 || len(arg) != 2 || !slices.Equal(arg[0], []int{a, b}) || !slices.Equal(arg[1], []int{b, c}) {
		t.Errorf("best CC pairs %v worth %v", arg, best)
	}
	S, err := Select(context.Background(), CC{}, p, 2, nil, &Settings{Method: Exact})
	if err != nil || (CC{}).Value(p, S) != 8 {
		t.Errorf("exact CC selected %v (%v)", S, err)
	}
}

// scores is a separable rule with given item scores.
type scores []float64

func (s scores) Value(_ *Profile, S []int) float64 {
	v := 0.0
	for _, c := range S {
		v += s[c]
	}
	return v
}

func (s scores) ItemScores(dst []float64, _ *Profile, _ int) []float64 {
	return append(dst[:0], s...)
}

// Separable selection under quotas equals brute force on m = 12, k = 4.
func TestSeparableMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	group := []int{0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2}
	rk := []Ranking{make(Ranking, 12)}
	for c := range rk[0] {
		rk[0][c] = c
	}
	p, _ := NewProfile(12, rk, group)
	quotas := []*Quota{
		nil,
		{Lower: []int{1, 1, 1}, Upper: []int{2, 2, 2}},
		{Lower: []int{0, 2, 0}, Upper: []int{4, 2, 1}},
		{Lower: []int{2, 1, 1}, Upper: []int{2, 1, 1}},
	}
	for trial := 0; trial < 200; trial++ {
		s := make(scores, 12)
		for c := range s {
			s[c] = math.Round(rng.Float64()*20) / 4 // ties on purpose
		}
		q := quotas[trial%len(quotas)]
		S, err := Select(context.Background(), s, p, 4, q, &Settings{Rand: rng})
		if err != nil {
			t.Fatal(err)
		}
		want := math.Inf(-1)
		for _, T := range combin.Combinations(12, 4) {
			if q.Feasible(p, T) {
				want = math.Max(want, s.Value(p, T))
			}
		}
		if got := s.Value(p, S); got != want || !q.Feasible(p, S) {
			t.Fatalf("trial %d: selected %v worth %v, brute force %v (quota %+v)", trial, S, got, want, q)
		}
	}
}

// Lazy greedy selects exactly what plain greedy selects, and both meet the
// quotas.
func TestLazyGreedyEqualsPlain(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	group := TwoGroups(30)
	for trial := 0; trial < 30; trial++ {
		w := make([]float64, 30)
		for c := range w {
			w[c] = rng.Float64()
		}
		rk, _ := Thurstone{Sigma: 0.3}.Sample(w, 50, rng)
		p, _ := NewProfile(30, rk, group)
		q, _ := Proportional(p.GroupSizes(), 8)
		for _, rule := range []Rule{CC{}, ApprovalCC{T: 3}} {
			seed := rng.Uint64()
			a, err := Select(context.Background(), rule, p, 8, q, &Settings{Method: Greedy, Rand: rand.New(rand.NewPCG(seed, 0))})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := Select(context.Background(), rule, p, 8, q, &Settings{Method: PlainGreedy, Rand: rand.New(rand.NewPCG(seed, 0))})
			if !slices.Equal(a, b) || !q.Feasible(p, a) {
				t.Fatalf("lazy %v, plain %v (feasible %v)", a, b, q.Feasible(p, a))
			}
		}
	}
}

// Spec check 6, second part: greedy CC against exact enumeration on 100
// random instances (m = 16, groups 8/8, k = 4, quotas 2/2, Thurstone
// σ = 0.1, θ = 0.5, n = 20): greedy ≥ ½·exact always, equal on ≥ 90.
func TestGreedyCCAgainstExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	group := TwoGroups(16)
	q := &Quota{Lower: []int{2, 2}, Upper: []int{2, 2}}
	equal, worst := 0, 1.0
	for trial := 0; trial < 100; trial++ {
		w := make([]float64, 16)
		for c := range w {
			w[c] = rng.Float64()
		}
		wb, _ := Biased(nil, w, group, []float64{1, 0.5})
		rk, _ := Thurstone{Sigma: 0.1}.Sample(wb, 20, rng)
		p, _ := NewProfile(16, rk, group)
		g, err := Select(context.Background(), CC{}, p, 4, q, &Settings{Method: Greedy, Rand: rng})
		if err != nil {
			t.Fatal(err)
		}
		e, err := Select(context.Background(), CC{}, p, 4, q, &Settings{Method: Exact, Rand: rng})
		if err != nil {
			t.Fatal(err)
		}
		gv, ev := CC{}.Value(p, g), CC{}.Value(p, e)
		if gv == ev {
			equal++
		}
		worst = math.Min(worst, gv/ev)
	}
	if worst < 0.5 || equal < 90 {
		t.Errorf("greedy/exact: worst %.4f (≥ 0.5), equal on %d of 100 (≥ 90)", worst, equal)
	}
	t.Logf("greedy/exact CC: worst ratio %.4f, equal on %d of 100", worst, equal)
}

// A reduced E1 (30 trials instead of 100): Borda under bias, with and
// without the proportional quota, and SNTV's failure.
func TestStudyReduced(t *testing.T) {
	if testing.Short() {
		t.Skip("study")
	}
	ctx := context.Background()
	st := func(rule Rule, theta float64, n int, constrained bool) Stats {
		s := &Study{Group: TwoGroups(40), K: 10, Theta: []float64{1, theta}, Constrained: constrained}
		r, err := s.Run(ctx, rule, n, 30, rand.New(rand.NewPCG(1, 0)))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	if u := st(KBorda{}, 0.5, 500, false); u.U > 0.92 || u.Last > 1.5 {
		t.Errorf("Borda unconstrained θ = 0.5, n = 500: U %.3f, G2 members %.2f", u.U, u.Last)
	}
	if c := st(KBorda{}, 0.5, 100, true); c.U < 0.98 || c.Uc < 0.99 || c.Last != 5 {
		t.Errorf("Borda constrained θ = 0.5, n = 100: U %.3f, Uc %.3f, G2 members %.2f", c.U, c.Uc, c.Last)
	}
	if c := st(SNTV{}, 0.5, 500, true); c.U > 0.85 {
		t.Errorf("SNTV constrained θ = 0.5, n = 500: U %.3f", c.U)
	}
}

// The same seed gives the same means whatever the number of workers.
func TestStudyDeterministic(t *testing.T) {
	s := &Study{Group: TwoGroups(20), K: 4, Theta: []float64{1, 0.5}, Constrained: true, ScoreRatio: true}
	a, err := s.Run(context.Background(), CC{}, 20, 8, rand.New(rand.NewPCG(2, 0)))
	if err != nil {
		t.Fatal(err)
	}
	s.Workers = 1
	b, _ := s.Run(context.Background(), CC{}, 20, 8, rand.New(rand.NewPCG(2, 0)))
	if a != b {
		t.Errorf("2 workers %+v, 1 worker %+v", a, b)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	s := &Study{Group: TwoGroups(40), K: 10, Theta: []float64{1, 0.5}, ScoreRatio: true}
	_, err := s.Run(ctx, CC{}, 2000, 1000, rand.New(rand.NewPCG(1, 0)))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if d := time.Since(start); d > 150*time.Millisecond {
		t.Errorf("returned after %v", d)
	}
}

type panicRule struct{}

func (panicRule) Value(*Profile, []int) float64 { panic("user bug") }

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 0))
	good, _ := NewProfile(4, []Ranking{{0, 1, 2, 3}}, []int{0, 0, 1, 1})
	w := []float64{0.1, 0.2, 0.3, 0.4}
	cases := []struct {
		name string
		err  error
		call func() error
	}{
		{"no items", ErrProfile, func() error { _, err := NewProfile(0, []Ranking{{}}, nil); return err }},
		{"empty profile", ErrProfile, func() error { _, err := NewProfile(3, nil, nil); return err }},
		{"repeated item", ErrProfile, func() error { _, err := NewProfile(3, []Ranking{{0, 1, 1}}, nil); return err }},
		{"unknown item", ErrProfile, func() error { _, err := NewProfile(3, []Ranking{{0, 1, 7}}, nil); return err }},
		{"short ranking", ErrProfile, func() error { _, err := NewProfile(3, []Ranking{{0, 1}}, nil); return err }},
		{"group labels length", ErrProfile, func() error { _, err := NewProfile(3, []Ranking{{0, 1, 2}}, []int{0}); return err }},
		{"negative group", ErrProfile, func() error { _, err := NewProfile(3, []Ranking{{0, 1, 2}}, []int{0, -1, 0}); return err }},
		{"huge profile", ErrProfile, func() error { _, err := NewProfile(1<<20, make([]Ranking, 1<<10), nil); return err }},
		{"k > items", ErrSettings, func() error { _, err := Select(ctx, KBorda{}, good, 5, nil, nil); return err }},
		{"k < 0", ErrSettings, func() error { _, err := Select(ctx, KBorda{}, good, -1, nil, nil); return err }},
		{"nil rule", ErrSettings, func() error { _, err := Select(ctx, nil, good, 2, nil, nil); return err }},
		{"nil profile", ErrSettings, func() error { _, err := Select(ctx, CC{}, nil, 2, nil, nil); return err }},
		{"quota for wrong groups", ErrSettings, func() error {
			_, err := Select(ctx, KBorda{}, good, 2, &Quota{Lower: []int{1}, Upper: []int{1}}, nil)
			return err
		}},
		{"lower > upper", ErrSettings, func() error {
			_, err := Select(ctx, KBorda{}, good, 2, &Quota{Lower: []int{2, 0}, Upper: []int{1, 2}}, nil)
			return err
		}},
		{"quotas sum above k", ErrInfeasible, func() error {
			_, err := Select(ctx, CC{}, good, 2, &Quota{Lower: []int{2, 1}, Upper: []int{2, 2}}, nil)
			return err
		}},
		{"quotas cannot reach k", ErrInfeasible, func() error {
			_, err := Select(ctx, CC{}, good, 3, &Quota{Lower: []int{0, 0}, Upper: []int{1, 1}}, nil)
			return err
		}},
		{"group too small for its lower bound", ErrInfeasible, func() error {
			_, err := Select(ctx, KBorda{}, good, 3, &Quota{Lower: []int{3, 0}, Upper: []int{3, 3}}, nil)
			return err
		}},
		{"exact too large", ErrSettings, func() error {
			_, err := Select(ctx, CC{}, good, 2, nil, &Settings{Method: Exact, MaxExact: 3})
			return err
		}},
		{"unknown method", ErrSettings, func() error { _, err := Select(ctx, CC{}, good, 2, nil, &Settings{Method: 9}); return err }},
		{"proportional k > m", ErrSettings, func() error { _, err := Proportional([]int{2, 2}, 5); return err }},
		{"proportional negative size", ErrSettings, func() error { _, err := Proportional([]int{2, -2}, 1); return err }},
		{"Thurstone σ = 0", ErrSettings, func() error { _, err := Thurstone{}.Sample(w, 3, rng); return err }},
		{"Thurstone nil rand", ErrSettings, func() error { _, err := Thurstone{Sigma: 1}.Sample(w, 3, nil); return err }},
		{"Plackett-Luce σ NaN", ErrSettings, func() error { _, err := PlackettLuce{Sigma: math.NaN()}.Sample(w, 3, rng); return err }},
		{"Mallows φ > 1", ErrSettings, func() error { _, err := Mallows{Phi: 2}.Sample(w, 3, rng); return err }},
		{"NaN utility", ErrSettings, func() error { _, err := Thurstone{Sigma: 1}.Sample([]float64{math.NaN()}, 3, rng); return err }},
		{"zero rankings", ErrSettings, func() error { _, err := Thurstone{Sigma: 1}.Sample(w, 0, rng); return err }},
		{"Biased lengths", ErrDimension, func() error { _, err := Biased(nil, w, []int{0}, []float64{1}); return err }},
		{"Biased θ = 0", ErrSettings, func() error { _, err := Biased(nil, w, []int{0, 0, 1, 1}, []float64{1, 0}); return err }},
		{"Biased group beyond θ", ErrSettings, func() error { _, err := Biased(nil, w, []int{0, 0, 1, 2}, []float64{1, 1}); return err }},
		{"Study k too large", ErrSettings, func() error {
			_, err := (&Study{Group: TwoGroups(4), K: 9, Theta: []float64{1, 1}}).Run(ctx, CC{}, 5, 2, rng)
			return err
		}},
		{"Study zero trials", ErrSettings, func() error {
			_, err := (&Study{Group: TwoGroups(4), K: 2, Theta: []float64{1, 1}}).Run(ctx, CC{}, 5, 0, rng)
			return err
		}},
		{"Study nil rand", ErrSettings, func() error {
			_, err := (&Study{Group: TwoGroups(4), K: 2, Theta: []float64{1, 1}}).Run(ctx, CC{}, 5, 2, nil)
			return err
		}},
		{"Study missing θ", ErrSettings, func() error {
			_, err := (&Study{Group: TwoGroups(4), K: 2, Theta: []float64{1}}).Run(ctx, CC{}, 5, 2, rng)
			return err
		}},
		{"SampleComplexity empty grid", ErrSettings, func() error {
			_, _, err := SampleComplexity(ctx, &Study{Group: TwoGroups(4), K: 2, Theta: []float64{1, 1}}, CC{}, 0.1, nil, 2, rng)
			return err
		}},
		{"SampleComplexity eps 0", ErrSettings, func() error {
			_, _, err := SampleComplexity(ctx, &Study{Group: TwoGroups(4), K: 2, Theta: []float64{1, 1}}, CC{}, 0, []int{5}, 2, rng)
			return err
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.call(); !errors.Is(err, c.err) {
				t.Errorf("got %v, want an error wrapping %v", err, c.err)
			}
		})
	}
	// a user's rule that panics inside a worker goroutine becomes an error
	_, err := (&Study{Group: TwoGroups(4), K: 2, Theta: []float64{1, 1}}).Run(ctx, panicRule{}, 5, 4, rng)
	if err == nil {
		t.Error("panicking rule: no error")
	}
}
