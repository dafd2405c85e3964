package multiwinner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Study is the spec's simulation of subset selection from biased rankings:
// each trial draws latent utilities w_c ~ Uniform(0, 1), biases them
// ([Biased]), draws n rankings from Model on the biased utilities, selects
// a committee of K items with a rule (under the proportional quota when
// Constrained) and scores it on the latent utilities.
type Study struct {
	// Group labels the items (its length is the number of items m); the
	// spec's default is two groups of 20, the second disadvantaged.
	Group []int
	// K is the committee size.
	K int
	// Theta holds the bias factor of each group, in (0, 1].
	Theta []float64
	// Model draws the rankings. Nil means Thurstone{Sigma: 0.1}.
	Model RankingModel
	// Constrained selects under the proportional quota ([Proportional]).
	Constrained bool
	// ScoreRatio also scores each committee with the rule itself on 1000
	// fresh unbiased rankings, against the greedy unconstrained maximiser
	// there (the spec's measure for diversity rules such as CC).
	ScoreRatio bool
	// Workers is the number of goroutines trials run on. Zero means
	// GOMAXPROCS. Results do not depend on it.
	Workers int
}

// Stats are the means over a study's trials.
type Stats struct {
	// U is the mean latent-utility ratio against the best committee.
	U float64
	// Uc is the mean ratio against the best quota-feasible committee.
	Uc float64
	// Last is the mean number of members from the last group (the
	// disadvantaged one in the spec's setting).
	Last float64
	// Score is the mean score ratio on unbiased rankings (NaN unless
	// Study.ScoreRatio).
	Score float64
	// Trials is the number of trials.
	Trials int
}

// freshRankings is the number of unbiased rankings of the score ratio.
const freshRankings = 1000

// Run runs trials trials with n rankings each, the trial streams drawn
// from rng in index order (so the result does not depend on Workers or
// GOMAXPROCS), and returns the means. It returns an error wrapping
// [ErrSettings] for bad settings and the context's error when canceled;
// a panic in a user's rule or model becomes an error.
func (s *Study) Run(ctx context.Context, rule Rule, n, trials int, rng *rand.Rand) (Stats, error) {
	if rule == nil || rng == nil {
		return Stats{}, fmt.Errorf("%w: nil rule or *rand.Rand", ErrSettings)
	}
	if trials < 1 || n < 1 {
		return Stats{}, fmt.Errorf("%w: %d trials of %d rankings", ErrSettings, trials, n)
	}
	m := len(s.Group)
	if s.K < 1 || s.K > m {
		return Stats{}, fmt.Errorf("%w: committee size %d for %d items", ErrSettings, s.K, m)
	}
	if _, err := Biased(nil, make([]float64, m), s.Group, s.Theta); err != nil {
		return Stats{}, err
	}
	seeds := make([]uint64, trials)
	for i := range seeds {
		seeds[i] = rng.Uint64()
	}
	out := make([]trialResult, trials)
	errs := make([]error, trials)
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	var wg sync.WaitGroup
	for w := 0; w < min(workers, trials); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < trials; i += workers {
				if ctx.Err() != nil {
					errs[i] = ctx.Err()
					return
				}
				out[i], errs[i] = s.safeTrial(ctx, rule, n, rand.New(rand.NewPCG(seeds[i], uint64(i))))
			}
		}()
	}
	wg.Wait()
	var st Stats
	for i := range out {
		if errs[i] != nil {
			return Stats{}, errs[i]
		}
		st.U += out[i].u / float64(trials)
		st.Uc += out[i].uc / float64(trials)
		st.Last += out[i].last / float64(trials)
		st.Score += out[i].score / float64(trials)
	}
	st.Trials = trials
	if !s.ScoreRatio {
		st.Score = math.NaN()
	}
	return st, nil
}

type trialResult struct{ u, uc, last, score float64 }

func (s *Study) safeTrial(ctx context.Context, rule Rule, n int, rng *rand.Rand) (r trialResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("multiwinner: panic in a trial: %v", p)
		}
	}()
	return s.trial(ctx, rule, n, rng)
}

func (s *Study) trial(ctx context.Context, rule Rule, n int, rng *rand.Rand) (trialResult, error) {
	m := len(s.Group)
	model := s.Model
	if model == nil {
		model = Thurstone{Sigma: 0.1}
	}
	w := make([]float64, m)
	for c := range w {
		w[c] = rng.Float64()
	}
	wb, err := Biased(nil, w, s.Group, s.Theta)
	if err != nil {
		return trialResult{}, err
	}
	rk, err := model.Sample(wb, n, rng)
	if err != nil {
		return trialResult{}, err
	}
	p, err := NewProfile(m, rk, s.Group)
	if err != nil {
		return trialResult{}, err
	}
	q, err := Proportional(p.GroupSizes(), s.K)
	if err != nil {
		return trialResult{}, err
	}
	var use *Quota
	if s.Constrained {
		use = q
	}
	S, err := Select(ctx, rule, p, s.K, use, &Settings{Rand: rng})
	if err != nil {
		return trialResult{}, err
	}
	r := trialResult{u: UtilityRatio(S, w, nil, nil), uc: UtilityRatio(S, w, s.Group, q)}
	last := p.Groups() - 1
	for _, c := range S {
		if s.Group[c] == last {
			r.last++
		}
	}
	if s.ScoreRatio {
		fresh, err := model.Sample(w, freshRankings, rng)
		if err != nil {
			return trialResult{}, err
		}
		pt, err := NewProfile(m, fresh, s.Group)
		if err != nil {
			return trialResult{}, err
		}
		best, err := Select(ctx, rule, pt, s.K, nil, &Settings{Method: Greedy, Rand: rng})
		if err != nil {
			return trialResult{}, err
		}
		r.score = rule.Value(pt, S) / rule.Value(pt, best)
	}
	return r, nil
}

// SampleComplexity is the spec's empirical smoothness tool: for each n of
// grid (increasing), it runs the study (which should be Constrained) with
// trials trials and returns the first n whose mean latent-utility ratio U
// reaches 1 − eps, with found = true; found = false means no n of the grid
// did ("> the largest n"). It returns the errors of [Study.Run] and
// [ErrSettings] for an empty grid or eps outside (0, 1).
func SampleComplexity(ctx context.Context, s *Study, rule Rule, eps float64, grid []int, trials int, rng *rand.Rand) (n int, found bool, err error) {
	if len(grid) == 0 || !(eps > 0 && eps < 1) {
		return 0, false, fmt.Errorf("%w: grid of %d sizes, eps %v", ErrSettings, len(grid), eps)
	}
	for _, n := range grid {
		st, err := s.Run(ctx, rule, n, trials, rng)
		if err != nil {
			return 0, false, err
		}
		if st.U >= 1-eps {
			return n, true, nil
		}
	}
	return 0, false, nil
}

// TwoGroups returns the labels of m items in two groups: the first ⌈m/2⌉
// items in group 0, the rest in group 1.
func TwoGroups(m int) []int {
	g := make([]int, m)
	for c := (m + 1) / 2; c < m; c++ {
		g[c] = 1
	}
	return g
}
