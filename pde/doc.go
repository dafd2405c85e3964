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
// # PI-HC-MoE
//
// The package also implements physics-informed hard constraints with a
// mixture of experts (Chalapathi, Du, Krishnapriyan, "Scaling
// physics-informed hard constraints with mixture-of-experts", ICLR 2024,
// arXiv:2402.13412): a network outputs a basis B (one row per node of a
// space-time [Grid], N columns); a [HardConstraint] finds weights ω by a
// nonlinear least-squares solve ([LevenbergMarquardt] with Nielsen's
// damping, or [GaussNewton]) so that u = Bω satisfies the PDE [Residual] at
// M sampled nodes, the initial/boundary [LinearRows] and ridge rows; its
// Backward is the implicit-function-theorem vector-Jacobian product in
// Gauss–Newton form (exact for affine residuals with AffineExact). A
// [Router] splits the grid into boxes and a [MoEConstraint] solves one
// expert per box in parallel goroutines (each sees the global conditions),
// deterministic for any GOMAXPROCS. Finite differences are [Stencil]s
// (central inside, one-sided at the ends, second derivative = first
// applied twice) with transposes; [DiffusionSorption] is the residual of
// the paper's first experiment, [DiffusionSorptionConditions] its rows,
// and [DSReference] the reference explicit solver. examples/hcmoe trains
// the basis network (an nn.MLP) with the soft constraint, one hard
// constraint and four experts.
//
//	paper        here
//	B, B_t, B_xx Basis.B, Basis.Bt, Basis.Bxx (HardConstraint.Images)
//	ω_k          HCState.Omega of expert k (MoEState.Experts[k])
//	S_k, m       HCState.Rows, HardConstraint.M
//	F            Residual.Eval (with ∂F/∂(u, u_t, u_x, u_xx))
//	ridge 1e-4   HardConstraint.Ridge
//	μ₀ = τ·max   LevenbergMarquardt.Tau
//	K, splits    Router.Splits
//
//	h := pde.HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Residual: pde.DiffusionSorption{Kappa: 0.25}, Conditions: rows, M: 600}
//	bs, _ := h.Images(B)
//	moe := pde.MoEConstraint{Router: pde.Router{Splits: [2]int{1, 4}}, Expert: h}
//	st, err := moe.Forward(ctx, bs, rng) // st.U: u on the grid
//	gB, err := moe.Backward(ctx, st, gradU) // push gB through the network
//
// The GPME test cases and the experiment pipeline of the paper live in
// package pde/gpme; the paper's own step-1 model, an attentive neural
// process (and SoftC-ANP, its soft-constraint baseline), with shipped
// weights, lives in package pde/anp; examples/probconserv prints the
// method × case table for both step-1 models.
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
