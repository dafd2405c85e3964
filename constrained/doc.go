// Package constrained implements AdaSketch-Newton, an inexact Newton/SQP
// method for equality-constrained nonlinear programs
//
//	min f(x)  subject to  c(x) = 0,   f: Rᵈ → R,  c: Rᵈ → Rᵐ,  m ≤ d,
//
// from I. Hong, S. Na, M. W. Mahoney and M. Kolar, "Constrained
// Optimization via Exact Augmented Lagrangian and Randomized Iterative
// Sketching", ICML 2023 (PMLR 202), arXiv:2305.18379. The algorithm follows
// the authors' Julia code (IlgeeHong/AdaSketch-Newton).
//
// Each outer iteration forms the KKT system
//
//	[B  Gᵀ] [Δx]     [∇ₓL]
//	[G  0 ] [Δλ] = − [ c ]
//
// (B = ∇²ₓL, shifted by ξ_B + ‖∇²ₓL‖ when the reduced Hessian is not
// positive definite) and solves it only approximately with a randomized
// sketch-and-project iteration ([Sketcher]: [RK] randomized Kaczmarz, also on
// the nonzeros of K only as [SparseRK],
// [GaussianSketch] Gaussian vectors, [ExactLU] as the exact reference),
// stopped by the adaptive test ‖K‖ Ψ ‖r‖ ≤ θₜ δ ‖b‖. The step is globalised
// by Armijo backtracking on the exact augmented Lagrangian
//
//	L_{μ,ν}(x, λ) = f + λᵀc + (μ/2)‖c‖² + (ν/2)‖∇ₓL‖²,
//
// whose penalties μ (increased by ρ²) and ν (decreased by ρ), together with
// the accuracy δ, are adapted until the inexact direction is a descent
// direction. The gradient of the merit function uses the Hessian of the
// Lagrangian (the official code uses ∇²f there, a known slip).
//
// Paper symbols map to [Settings] fields: μ₀ Mu0, ν₀ Nu0, δ₀ Delta0,
// ξ_B XiB, β Beta, ρ Rho (called nu in the code), ε Tol, θₜ Theta. The
// safeguards of the code are fields too: λmin(GGᵀ) < XiGMin stops with
// Status run.Failure and an error wrapping [ErrSingularJacobian]; μ > MuMax
// or ν < NuMin accepts the direction as is; δ ≥ DeltaMin; at most MaxInner
// sketch steps per inner solve. Matrix norms are spectral by default (the
// paper's and the spec's reference); [Frobenius] norms, the official
// code's, are cheaper for large KKT systems and need more sketch steps.
//
// # Run shape
//
// The package follows the library's run vocabulary (package run): Solve,
// SolveSQP and SolveAL take ctx first and return within milliseconds of its
// end, also from inside an inner sketch or GMRES solve; one iteration is one accepted outer step
// (MaxIter caps them, Result.Iterations counts them); Tol zero means the
// default 1e-4 and a negative Tol turns the convergence test off;
// Result.Status is a run.Status (Converged, IterationLimit, TimeLimit,
// Canceled, RecorderStopped, Failure) and for Failure the returned error
// wraps one of ErrSingularJacobian, ErrPenaltyBlowUp, ErrInnerCap,
// ErrLineSearch, ErrNotFinite, ErrSingularKKT (for the baselines also
// ErrSubproblem or ErrBreakdown). [Iter] embeds run.Progress; [Recorder],
// [History] and [Printer] are the run package's, for Iter.
//
// # Baselines of the paper's comparison
//
// [SolveSQP] is the inexact SQP method with an ℓ1 merit function whose KKT
// systems are solved by [GMRES] under the Byrd–Curtis–Nocedal termination
// tests (GmresL1SQP of the official code; SQPSettings.Adaptive selects
// GmresL1AdapSQP, which adapts the residual factor with the merit
// parameter). [SolveAL] is the augmented Lagrangian method (AL): inexact
// Newton on the subproblem with a modified Hessian, GMRES inner solves and
// Armijo backtracking, then λ ← λ + μc, μ ← 1.5μ, τ ← 0.1τ. Both share
// [Result] with Solve: outer iterations, function (f, c) and gradient
// (∇f, G) evaluations, inner steps and row operations, wall time.
//
// Test problems with known solutions (14 Hock–Schittkowski problems, the
// linear-quadratic PDE control problem, constrained logistic regression)
// live in package constrained/problems. [CheckDerivatives] compares a
// problem's analytic derivatives with central differences.
//
// # Usage
//
//	p := problems.HS40()
//	res, err := constrained.Solve(ctx, p, p.X0, nil, &constrained.Settings{
//		Tol:      1e-6,
//		Sketcher: &constrained.RK{},
//		Rand:     rand.New(rand.NewPCG(1, 0)),
//	})
package constrained
