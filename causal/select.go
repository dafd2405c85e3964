package causal

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Settings configures [SelectSubset]. The zero value works.
type Settings struct {
	// Predictor learns the stable predictors f_{S'}. Nil means [RFFRidge]
	// with defaults.
	Predictor Learner
	// Equation learns the structural equations. Nil means [RFFRidge] with
	// defaults.
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
	// X_S was chosen without a search.
	FullSet bool
}

// SubsetString formats a subset of names as "{A,B}".
func SubsetString(names []string) string { return "{" + strings.Join(names, ",") + "}" }

// SelectSubset runs the causal minimax method of Liu et al. (ICML 2023):
// parse the augmented graph g (outcome y, environment e), fit the
// structural equations on the pooled training environments in d, and, unless
// the whole stable set is provably optimal, fit the stable predictor f_{S'}
// of one representative per G-equivalence class ([EquivalenceClasses]) and
// estimate its worst-case risk h*(S'); return argmin h*. Errors: as
// [NewModel], [Model.FitPredictor] and [Model.WorstCaseRisk]; on
// cancellation the candidates evaluated so far and ctx.Err().
func SelectSubset(ctx context.Context, g *Graph, y, e string, d Data, s *Settings, rng *rand.Rand) (Selection, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	if _, err := set.Risk.withDefaults(); err != nil {
		return Selection{}, err
	}
	if set.DoRows < 0 {
		return Selection{}, fmt.Errorf("%w: DoRows %d < 0", ErrSettings, set.DoRows)
	}
	m, err := NewModel(g, y, e, d, set.Equation, rng)
	if err != nil {
		return Selection{}, err
	}
	sel := Selection{Model: m}
	type cand struct {
		s    []int64
		size int64
	}
	var cands []cand
	switch {
	case m.C.IsFullSet && !set.IgnoreFullSet:
		sel.FullSet = true
		cands = []cand{{m.C.XS, 1}}
	case set.Exhaustive:
		xs := m.C.XS
		if len(xs) > 20 {
			return sel, fmt.Errorf("%w: %d stable covariates is too many for exhaustive search", ErrSettings, len(xs))
		}
		for mask := 0; mask < 1<<len(xs); mask++ {
			var sub []int64
			for i, v := range xs {
				if mask&(1<<i) != 0 {
					sub = append(sub, v)
				}
			}
			cands = append(cands, cand{sub, 1})
		}
	default:
		cls, err := EquivalenceClasses(ctx, m.C.StableGraph(g), m.C.Y)
		if err != nil {
			return sel, err
		}
		for _, c := range cls {
			cands = append(cands, cand{c.Rep, c.Size()})
		}
	}
	for _, c := range cands {
		if err := ctx.Err(); err != nil {
			return sel, err
		}
		p, err := m.FitPredictor(c.s, &PredictorSettings{Learner: set.Predictor, DoRows: set.DoRows, DoNoise: set.DoNoise}, rng)
		if err != nil {
			return sel, err
		}
		r, err := m.WorstCaseRisk(ctx, p, &set.Risk, rng)
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
