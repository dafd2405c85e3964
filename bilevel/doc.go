// Package bilevel implements first-order methods for bilevel optimisation
//
//	min_{x∈X} F(x, y)  subject to  y ∈ S(x) = argmin_{y∈Y} { f(x, y) : g(x, y) ≤ 0 },
//
// from two papers, and equilibrium propagation, which computes the
// hypergradient of a loss at the fixed point of a recurrent network:
//
//   - [Penalty]: J. Kwon, D. Kwon, S. Wright, R. Nowak, "On Penalty Methods
//     for Nonconvex Bilevel Optimization and First-Order Stochastic
//     Approximation", ICLR 2024, arXiv:2309.01753. The lower level may be
//     nonconvex (it must satisfy a proximal error bound, e.g. the PL
//     condition); the method minimises ψσ(x) = (l(x,σ) − l(x,0))/σ with
//     l(x,σ) = min_y σf + g, using only gradients: Algorithm A (double loop,
//     T inner steps), Algorithm B (single loop), deterministic or stochastic
//     (minibatch M, shared lower sample in both ∇ₓg terms, STORM momentum in
//     the single loop). [PenaltyOracle] evaluates ψσ and ∇ψσ directly.
//   - [LVHBA]: W. Yao, C. Yu, S. Zeng, J. Zhang, "Constrained Bi-Level
//     Optimization: Proximal Lagrangian Value Function Approach and
//     Hessian-free Algorithm", ICLR 2024, arXiv:2401.16164. The lower level
//     is convex in y with constraints g(x, y) ≤ 0 that may couple x and y;
//     the single-loop algorithm follows the official code
//     (SUSTech-Optimization/LV-HBA). [LVHBAOracle] evaluates the value
//     function v_γ, its proximal saddle point and the directions (d_x, d_y)
//     at a given point.
//   - Equilibrium propagation ([EPNet], [TrainEP]): A. Laborieux, F. Zenke,
//     "Improving equilibrium propagation without weight symmetry through
//     Jacobian homeostasis", ICLR 2024, arXiv:2309.02214. EP computes the
//     hypergradient of a loss at the fixed point u* = Φ(σ(u*); w, x) of a
//     recurrent network by nudging its output. The estimators of the neuron
//     error vector δ are [ImplicitBP] (the exact reference, a dense solve),
//     [RBP], [GenEPExact] (generalized EP, δ = ds*/dβ), [HolomorphicEP]
//     (the Cauchy integral over N points on a circle of radius |β|, in
//     complex128) and its online variant [OnlineHEP]; [HomeostaticLoss] penalises the Jacobian's asymmetry;
//     [EPNet.RotateFeedback], [EPNet.WeightAngle], [EPNet.JacSymIndex] and
//     [Alignment] are the spec's asymmetry controls and metrics.
//
// Naming: each paper keeps its own symbols. For EP: T1 → EPSettings.FreeSteps,
// T2 → HolomorphicEP.Steps and RBP.Steps, |β| → HolomorphicEP.Beta, N →
// HolomorphicEP.N, λ_h → HomeostaticLoss.Coef, K_ε → HomeostaticLoss.Draws,
// T1_eval → EPSettings.EvalSteps, 𝐖 → [EPNet.Blocks]. For [Penalty] the problem's
// UpperGrad is ∇f and LowerGrad ∇g (Kwon et al.); for [LVHBA] UpperGrad is
// ∇F, LowerGrad ∇f and [Constraints] are g (Yao et al.). Paper symbols map
// to settings fields as σ → Sigma, α → Alpha, β → Beta, T → Inner,
// K → MaxIter, M → Batch, a → Momentum (penalty) and α, β, η, γ₁, γ₂, c̲, p, r →
// Alpha, Beta, Eta, Gamma1, Gamma2, CLow, P, R (LV-HBA).
//
// Feasible sets are [Projector]s: [Identity], [Box], [Ball], [Halfspace] and
// [Polyhedron] (Hildreth's dual coordinate ascent with a Farkas test for
// empty sets). Problems with known solutions (P1–P3, R1–R2 of the
// specifications) are in package bilevel/problems.
//
// # Usage
//
//	p, err := problems.NewSinePL(nil, 0) // nonconvex PL lower level, x* = t/2
//	var m bilevel.Penalty
//	res, err := m.Solve(ctx, p, x0, y0, z0, &bilevel.PenaltySettings{Sigma: 1e-2, Inner: 5})
//	// res.X is within about 0.133σ of x*
//
//	r1 := problems.LLCToy{N: 100}
//	var l bilevel.LVHBA
//	out, err := l.Solve(ctx, r1, x0, y0, &bilevel.LVHBASettings{MaxIter: 80000, ProjC: r1.ProjC()})
//
// # Run control
//
// Both solvers take ctx first and follow the library's run shape (package
// run): a *Settings whose zero value works, MaxIter (one outer iteration),
// Tol (zero = default, negative = off), TimeLimit, a [Recorder] called at
// the start, after each outer iteration and at the end ([History] keeps
// the states, [Printer] writes progress lines), and a Result with
// Iterations and a [run.Status]. The penalty method reports
// [run.Converged] only when the stationarity residuals of all three blocks
// x, y and z are at most Tol; LV-HBA has no stopping test and ends with
// [run.Completed] after MaxIter iterations.
//
// Equilibrium propagation:
//
//	net, err := bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 90, rng) // 90° = independent feedback
//	res, err := bilevel.TrainEP(ctx, net, train, test, &bilevel.EPSettings{
//		Estimator:   bilevel.GenEPExact{},
//		Homeostasis: bilevel.HomeostaticLoss{Coef: 1},
//	})
//	// res.Last.Alignment, res.Last.WeightAngle, res.Last.TestAccuracy
//
// [TrainEP] follows the same run shape (EPSettings, EPResult with
// Iterations = epochs and Status [run.Completed], [EPRecorder],
// [EPHistory], [EPPrinter]).
//
// # Accuracy
//
// Both methods are biased by construction: the penalty method by O(σ) (the
// surrogate ψσ differs from ψ by O(σ/μ)), LV-HBA by O(1/c_k). Neither
// converges to machine precision on the original problem.
package bilevel
