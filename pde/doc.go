// Package pde implements ProbConserv (Hansen, Maddix, Alizadeh, Gupta,
// Mahoney, "Learning Physical Models that Can Respect Conservation Laws",
// ICML 2023, arXiv:2302.11002): a probabilistic prediction N(μ, Σ) of a PDE
// solution on a grid, from any step-1 model, is conditioned on the linear
// (discretised integral) conservation constraint G u = b, so that the mean
// conserves exactly and the variance shrinks, with the correction at each
// point proportional to the model's uncertainty there.
//
// # What is implemented
//
//   - [ConservationUpdate]: Gaussian conditioning on G u = b + ε,
//     ε ~ N(0, diag σ_G²), with the exact σ_G → 0 limit (NoiseVar nil), the
//     O(n) closed form [UpdateDiag] for a [Diagonal] covariance and one
//     constraint (returning a structured [DiagPlusRank1]), a structured
//     low-rank path, and the Cholesky path for [Full] covariances and m > 1.
//   - [ProjectHardC] (the paper's HardC baseline), [DiffusionRows] (the
//     "w/ diffusion" second-difference rows), [AggregateLatent]
//     (constrain each latent sample of a [LatentModel] such as an
//     [Ensemble], then aggregate) and [NewSampler]
//     (sampling structured covariances without an n×n factorisation), and
//     [ProjectNonNegative] (the optional post-hoc inequality step u ≥ 0 in
//     its σ_G → 0 limit, keeping gᵀu = b).
//   - Exact solutions with their conserved quantity U(t) ([ExactSolution]):
//     [HeatPeriodic], [PME], [Stefan] (erf root by bisection), plus
//     [Advection] and [Burgers]; quadrature rows [TrapezoidWeights] and
//     [RightRiemannWeights].
//   - A step-1 model: [GP] regression behind the [ProbModel] interface;
//     [DiagModel] turns any model into the ANP-like diagonal input.
//   - Metrics: [MSE], [ConservationError], [GaussianLogLik],
//     [ShockPosition], [MedianShock].
//
// The GPME test cases and the experiment pipeline of the paper live in
// package pde/gpme; examples/probconserv prints the method × case table.
//
// # Symbols
//
//	paper      here
//	μ, Σ       mean, cov (step-1 prediction)
//	G, b       LinearConstraint.G, LinearConstraint.B
//	σ_G²       LinearConstraint.NoiseVar (nil = the σ_G → 0 limit)
//	μ̃, Σ̃       the results of ConservationUpdate
//	g          TrapezoidWeights(x)
//	U(t)       ExactSolution.Mass(t)
//
// # Usage
//
//	w, _ := pde.TrapezoidWeights(x)
//	mu, cov, _ := pde.DiagModel{Model: gp}.Predict(t, x)
//	mu2, cov2, err := pde.ConservationUpdate(mu, cov, pde.MassConstraint(w, sol.Mass(t)))
//	// wᵀmu2 == U(t) to rounding; cov2 is a *DiagPlusRank1.
package pde
