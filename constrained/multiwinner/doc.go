// Package multiwinner selects a committee of k items from many voters'
// rankings with multiwinner score functions, under group-fairness quotas,
// and measures how well it does when the rankings are biased against a
// group. It implements the model of
//
//	Boehmer, Celis, Huang, Mehrotra, Vishnoi, "Subset Selection Based On
//	Multiple Rankings in the Presence of Bias: Effectiveness of Fairness
//	Constraints for Multiwinner Voting Score Functions", ICML 2023,
//	arXiv 2306.09835.
//
// The paper's finding: requiring proportional representation can recover
// the quality of the committee measured on the unbiased preferences, with
// few rankings for some score functions (Borda) and never, or only with
// exponentially many, for others (SNTV), because a multiplicative bias
// keeps each group's internal order but SNTV only sees first places. The
// paper's full text was not available; the standard definitions the spec
// fixes (committee scoring rules, the partition-matroid quota, the
// multiplicative bias model) are implemented as documented here and are
// configurable (ranking models, quotas, bias factors per group).
//
// Pieces: [Profile] (rankings of M items and the items' groups, checked by
// [NewProfile]); rules behind [Rule]: the separable [SNTV], [Bloc] and
// [KBorda] (best committee by sorting, exact under quotas) and the
// submodular [CC] and [ApprovalCC] (greedy under the quota, at least 1/2
// of the optimum for a partition matroid, with lazy evaluation, or exact
// enumeration); [Quota] and [Proportional] quotas (|S ∩ G_j| = k|G_j|/m,
// remainders to the largest fractions); [RankingModel]s [Thurstone],
// [PlackettLuce] and [Mallows]; the bias model [Biased]; the utility ratio
// [UtilityRatio]; a [Study] of the spec's simulation and the
// sample-complexity tool [SampleComplexity]. Ties are broken uniformly at
// random with the caller's *rand.Rand (with SNTV most items score 0, and
// breaking ties by index would favour one group).
//
// Symbols: θ → Study.Theta / [Biased], σ → Thurstone.Sigma, k → the
// committee size, L_j, U_j → Quota.Lower, Quota.Upper, β(i) = m − i →
// [KBorda] and [CC], ε → SampleComplexity's eps.
//
// Usage:
//
//	p, err := multiwinner.NewProfile(m, rankings, groups)
//	q, _ := multiwinner.Proportional(p.GroupSizes(), k)
//	S, err := multiwinner.Select(ctx, multiwinner.KBorda{}, p, k, q, &multiwinner.Settings{Rand: rng})
//
// It is a sub-package of constrained because its problem is a constrained
// selection (a partition matroid with lower bounds), not a continuous
// program; it shares no code with the equality-constrained solvers.
package multiwinner
