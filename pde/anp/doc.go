// Package anp is the paper's own step-1 model for ProbConserv (Hansen,
// Maddix, Alizadeh, Gupta, Mahoney, "Learning Physical Models that Can
// Respect Conservation Laws", ICML 2023, arXiv:2302.11002): an attentive
// neural process (Kim et al., "Attentive Neural Processes", ICLR 2019)
// trained by the ELBO on the generalized porous medium equation (GPME)
// families, and SoftC-ANP, the same model trained with a PDE-residual
// penalty of weight λ = 1, the paper's soft-constraint baseline.
//
// # Model
//
// A [Model] works on normalised points τ = t/T, ξ = (x − X0)/L. Its
// deterministic path encodes each context (τ, ξ, y) and lets every target
// attend to the contexts ([nn.Attention], keys and queries from an MLP on
// (τ, ξ)); its latent path mean-pools context encodings into a Gaussian
// q(z | C); the decoder maps (r*, z, τ, ξ) to a mean and a standard
// deviation per target. [Train] minimises the negative ELBO
//
//	−(1/n_T) Σ_j log N(y_j; μ_j(z), σ_j²(z)) + KL(q(z | T) ‖ q(z | C)) / n_T,
//	z = μ_T + σ_T ⊙ ε  (reparameterised, ε from Settings.Rand),
//
// with gorgonia's symbolic gradients and Adam (nn/optim); with
// Settings.Lambda > 0 it adds λ times the mean squared finite-difference
// residual of u_t = ∂x(k(u) ∂x u) of the predicted mean at random interior
// points (k = constant, u^m or the Stefan step, from each training
// function's parameter). Prediction ([Model.Condition],
// [Conditioned.Decode]) builds no graph and equals the graph's output to
// 1e-12 (tested).
//
// # ProbConserv-ANP
//
// A [Predictor] (a model plus the contexts of one problem) is a
// pde.LatentModel: each of 100 latent draws gives N(μ_s, diag σ_s²);
// pde.AggregateLatent applies the conservation update to each draw and
// averages (the paper's step 7), so the mean conserves exactly.
// examples/probconserv prints ANP, SoftC-ANP, HardC-ANP and
// ProbConserv-ANP beside the GP rows.
//
// # Shipped weights and scale
//
// [Pretrained] returns the weights in weights/ (one ANP and one SoftC-ANP
// per family; README there gives the commands). They were trained at a
// reduced scale that fits two shared CPU cores: 1,000 functions per family
// (the paper: 10,000), hidden width 32 (the paper: 128), 1,500 Adam steps
// of 16 functions, learning rate 1e-3 (the paper: 1e-4). Checkpoints are
// versioned gzip JSON ([Model.Save], [Load], [Model.LoadWeights]).
//
// # Symbols
//
//	paper            here
//	C, T             contexts, targets (Function.C*, Function.T*)
//	r_i, r*          Model.Det outputs, Model.Cross output
//	s_C, q(z | C)    pooled Model.Lat outputs; Conditioned.ZMean, ZStd
//	μ, σ             Conditioned.Decode outputs
//	λ (SoftC)        Settings.Lambda
//	S = 100 samples  Predictor.Draws
//
// # Usage
//
//	m, err := anp.Pretrained(anp.Stefan, false)
//	p := &anp.Predictor{Model: m, Case: c, Contexts: cx}  // gpme.Case, gpme.Contexts
//	mus, covs, err := p.PredictLatent(c.TEval, x)
//	agg, err := pde.AggregateLatent(mus, covs, &mass)      // ProbConserv-ANP
//
//	data, err := anp.MakeData([]anp.Family{anp.Diffusion}, 1000, 50, rng)
//	m, err := anp.New(anp.Architecture{}, rng)
//	res, err := anp.Train(ctx, m, data, &anp.Settings{MaxIter: 1500, Lambda: 1})
package anp
