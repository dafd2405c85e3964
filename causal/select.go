package causal

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// Settings configures [SelectSubset]. The zero value works.
type Settings struct {
	// Predictor learns the stable predictors f_{S'}. Nil means [RFFRidge]
	// with the raw inputs as extra linear features, [NewRFFLearner](0, 0,
	// 0, true).
	Predictor Learner
	// Equation learns the structural equations. Nil means the same as
	// Predictor's default.
	Equation Learner
	// DoRows is the size of the do(W) sample. Zero means the pooled
	// training size.
	DoRows int
	// DoNoise adds resampled residuals to the regenerated nodes of the
	// do(W) sample; false (official) regenerates the mean only.
	DoNoise bool
	// Risk configures the worst-case risk estimator.
	Risk RiskSettings
	// Exhaustive evaluates every subset of X_S instead of one
	// representative per equivalence class (the baseline).
	Exhaustive bool
	// IgnoreFullSet evaluates the candidates even when the graphical
	// condition says the whole stable set is optimal.
	IgnoreFullSet bool
	// Rand draws everything random in the run (equations, do(W) samples,
	// predictors, risk rows and restarts), in that order; Risk.Rand is not
	// used. Nil means the fixed seed PCG(1, 0).
	Rand *rand.Rand
}

// Candidate is one evaluated subset.
type Candidate struct {
	Subset    []int64
	Names     []string
	ClassSize int64 // members of its equivalence class (1 when exhaustive)
	Risk      RiskResult
	Predictor *Predictor
}

// Selection is the result of [SelectSubset].
type Selection struct {
	// Best is the candidate with the smallest estimated worst-case risk
	// (ties: the earlier candidate in class-search order).
	Best Candidate
	// Candidates holds every evaluated candidate in search order.
	Candidates []Candidate
	// Model is the fitted pipeline (components, equations).
	Model *Model
	// FullSet reports that the graphical condition K ∩ Ch(Y) = ∅ held and
	// X_S was chosen without a search: its predictor is fitted, but its
	// worst-case risk is not estimated (Best.Risk.Risk is NaN and
	// Best.Risk.Status NotTerminated), since no other subset can beat it.
	FullSet bool
}

// SubsetString formats a subset of names as "{A,B}".
func SubsetString(names []string) string { return "{" + strings.Join(names, ",") + "}" }

// SelectSubset runs the causal minimax method of Liu et al. (ICML 2023):
// parse the augmented graph g (outcome y, environment e), fit the
// structural equations on the pooled training environments in d, and, unless
// the whole stable set is provably optimal (then it only fits that
// predictor), fit the stable predictor f_{S'} of one representative per
// G-equivalence class ([EquivalenceClasses]) and estimate its worst-case
// risk h*(S'); return argmin h*. Errors: as [NewModel],
// [Model.FitPredictor] and [Model.WorstCaseRisk]; on cancellation the
// candidates evaluated so far and ctx.Err().
func SelectSubset(ctx context.Context, g *Graph, y, e string, d Data, s *Settings) (Selection, error) {
	set, err := s.withDefaults()
	if err != nil {
		return Selection{}, err
	}
	m, err := NewModel(ctx, g, y, e, d, &set)
	if err != nil {
		return Selection{}, err
	}
	sel := Selection{Model: m}
	if m.C.IsFullSet && !set.IgnoreFullSet {
		sel.FullSet = true
		return sel, sel.fullSet(ctx, m, g, set)
	}
	cands, err := m.candidates(ctx, g, set.Exhaustive)
	if err != nil {
		return sel, err
	}
	risk := set.Risk
	risk.Rand = set.Rand
	for _, c := range cands {
		p, err := m.FitPredictor(ctx, c.s, set.predictorSettings())
		if err != nil {
			return sel, err
		}
		r, err := m.WorstCaseRisk(ctx, p, &risk)
		if err != nil {
			return sel, err
		}
		cd := Candidate{Subset: p.Subset, Names: g.NameSet(p.Subset), ClassSize: c.size, Risk: r, Predictor: p}
		sel.Candidates = append(sel.Candidates, cd)
		if len(sel.Candidates) == 1 || r.Risk < sel.Best.Risk.Risk {
			sel.Best = cd
		}
	}
	return sel, nil
}

// withDefaults copies s (nil: zero), checks the risk settings and DoRows
// and fills Rand.
func (s *Settings) withDefaults() (Settings, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if _, err := set.Risk.withDefaults(); err != nil {
		return set, err
	}
	if set.DoRows < 0 || set.DoRows > MaxRows {
		return set, fmt.Errorf("%w: DoRows %d (want 0..%d)", ErrSettings, set.DoRows, MaxRows)
	}
	set.Rand = orDefault(set.Rand)
	return set, nil
}

func (s *Settings) predictorSettings() *PredictorSettings {
	return &PredictorSettings{Learner: s.Predictor, DoRows: s.DoRows, DoNoise: s.DoNoise, Rand: s.Rand}
}

// fullSet is the spec's shortcut: the whole stable set is optimal, so only
// its predictor is fitted.
func (sel *Selection) fullSet(ctx context.Context, m *Model, g *Graph, set Settings) error {
	p, err := m.FitPredictor(ctx, m.C.XS, set.predictorSettings())
	if err != nil {
		return err
	}
	sel.Best = Candidate{Subset: p.Subset, Names: g.NameSet(p.Subset), ClassSize: 1, Predictor: p,
		Risk: RiskResult{Risk: math.NaN()}}
	sel.Candidates = []Candidate{sel.Best}
	return nil
}

// candidate is a subset to evaluate and the size of its class.
type candidate struct {
	s    []int64
	size int64
}

// candidates lists every subset of X_S (exhaustive) or one representative
// per equivalence class.
func (m *Model) candidates(ctx context.Context, g *Graph, exhaustive bool) ([]candidate, error) {
	var cands []candidate
	if exhaustive {
		xs := m.C.XS
		if len(xs) > 20 {
			return nil, fmt.Errorf("%w: %d stable covariates is too many for exhaustive search", ErrSettings, len(xs))
		}
		for mask := 0; mask < 1<<len(xs); mask++ {
			var sub []int64
			for i, v := range xs {
				if mask&(1<<i) != 0 {
					sub = append(sub, v)
				}
			}
			cands = append(cands, candidate{sub, 1})
		}
		return cands, nil
	}
	cls, err := EquivalenceClasses(ctx, m.C.StableGraph(g), m.C.Y)
	if err != nil {
		return nil, err
	}
	for _, c := range cls {
		cands = append(cands, candidate{c.Rep, c.Size()})
	}
	return cands, nil
}

// Ranked returns the candidates sorted by increasing estimated risk.
func (s Selection) Ranked() []Candidate {
	out := slices.Clone(s.Candidates)
	slices.SortStableFunc(out, func(a, b Candidate) int {
		switch {
		case a.Risk.Risk < b.Risk.Risk:
			return -1
		case a.Risk.Risk > b.Risk.Risk:
			return 1
		}
		return 0
	})
	return out
}
