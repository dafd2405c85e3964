// Package selective implements risk prediction from selectively labelled
// outcomes with domain constraints, from
//
//	Balachandar, Garg, Pierson, "Domain Constraints Improve Risk
//	Prediction When Outcome Data Is Missing", ICLR 2024, arXiv 2312.03878.
//
// A decision T (a test) controls whether the outcome Y is observed, and it
// depends on risk through observed features X and an unobservable Z, so the
// tested and the untested differ. The [Model] is the paper's Bayesian
// model: r = X·β_Y + Z, Y ~ Bernoulli(σ(r)), T ~ Bernoulli(σ(α r + X·β_D)),
// with Z uniform on (0, s) (α = 1) or normal N(0, s²) (α or s fixed), Z
// integrated out exactly (closed forms with a numerically stable branch for
// uniform Z; 64-node Gauss–Hermite for normal Z), priors N(0, 3²), and the
// two domain constraints that sharpen inference: prevalence (the implied
// mean risk over everyone matches a known π*, as a penalty of weight
// Lambda) and expertise (β_D is zero off a known feature set Free).
// Gradients are exact and written out by hand (the closed forms'
// derivatives for uniform Z, where S(c) = ∫₀ˢ σ(c+z) dz is evaluated as
// log1p(σ(c)(eˢ−1)); the Gauss–Hermite sums' for normal Z): one log
// posterior with its gradient over N = 5000 units costs two exponentials,
// two log1p and one logarithm per unit and allocates nothing.
//
// Inference without Stan: [Model.MAP] (L-BFGS), [Model.Laplace] (the
// inverse negative Hessian at the mode, a fast approximate mode) and
// [Model.Sample] (HMC or NUTS from package mcmc in the parameterisation
// β_Y,0 + s/2, where the posterior's long curved ridge in s is straight).
// [Generate] is the official synthetic generator (uniform Z, α = 1).
// [Heckman] is the paper's Proposition 3.1 special case, whose exact
// information matrices show the constraint's variance reduction.
//
// Symbols: β_Y, β_D, s, α → the parameter vector θ = (β_Y, β_D on Free,
// log s) (log α when s is fixed); π* → Model.Prevalence; λ → Model.Lambda;
// F → Model.Free.
//
// Usage:
//
//	md, err := selective.New(X, T, Y, &selective.Settings{Free: []int{0, 1}, Prevalence: pi, Lambda: 1.25e5})
//	theta, _, err := md.MAP(nil)
//	cov, err := md.Laplace(theta)
//	post, err := md.Sample(ctx, theta, cov, mcmc.HMC, nil, rng)
package selective
