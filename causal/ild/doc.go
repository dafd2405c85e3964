// Package ild implements invertible latent domain (ILD) models and their
// domain counterfactuals, from
//
//	Zhou, Bai, Kulinski, Kocaoglu, Inouye, "Towards Characterizing Domain
//	Counterfactuals for Invertible Latent Causal Models", ICLR 2024,
//	arXiv 2306.11281.
//
// Data of domain d are x = g(f_d(ε)), ε ~ N(0, I): f_d is an invertible
// autoregressive latent map (a latent SCM), g an invertible observation
// map shared by all domains. The domain counterfactual of x from d to d' is
// g(f_{d'}(f_d⁻¹(g⁻¹(x)))). The paper shows the latent SCM need not be
// recovered: any model in the same equivalence class gives the same
// counterfactuals, and sparse domain differences (k intervened mechanisms)
// make that class small; Theorem 2's canonical form has the intervened
// mechanisms last and the others identity ([Canonicalize], for linear g).
//
// [Model] is the official code's model: f_d(ε) = (I − L_d)⁻¹ S_d ε + b_d
// with L_d strictly lower triangular and S_d diagonal, g(z) = W·LReLU_a(z) +
// c, in three variants ([Mode]: Dense, RelaxCan(k) with the first m − k
// rows shared, Can(k) with them fixed to identity). Its exact log-density
// is by change of variables (O(m) log-determinant per layer: a diagonal and
// the leaky slopes, plus log|det W| once per batch). [Fit] is maximum
// likelihood with Adam (β₁ = 0.5) on batches mixing all domains and keeps
// the best validation checkpoint; gradients are analytic. [Simulation] is
// the official synthetic generator, whose ground truth is exactly a
// [Model] ([Dataset.Truth]); [CFError] is the paper's counterfactual error.
//
// Symbols: L_d, S_d, b_d → Model.L[d], Model.S[d], Model.B[d]; W, c →
// Model.W, Model.C; a → Model.Slope; k → Model.K; D → Model.D.
//
// Usage:
//
//	ds, _ := ild.Simulation{M: 6, D: 3, Intervened: []int{4, 5}}.Generate(20000, 1000, 1000, rng)
//	md, _ := ild.New(6, 3, 2, ild.RelaxCan, 0.5)
//	res, err := ild.Fit(ctx, md, ds.Train, ds.Val, nil)
//	cf, _ := ild.CFError(res.Model, ds.Truth, ds.Test, ds.TestEps, false)
//
// It is a sub-package of causal because its models (invertible flows over
// domains) share nothing with the minimax package's structural equations.
package ild
