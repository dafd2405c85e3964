// Package ef21 implements error feedback for distributed optimisation with
// compressed communication: EF21 and its weighted variant EF21-W, with
// stochastic gradients (EF21-W-SGD) and partial participation (EF21-W-PP),
// following
//
//	P. Richtárik, E. Gasanov, K. Burlachenko. Error Feedback Reloaded: From
//	Quadratic to Arithmetic Mean of Smoothness Constants. ICLR 2024,
//	arXiv:2402.10774.
//
// and EF21 itself (P. Richtárik, I. Sokolov, I. Fatkhullin, NeurIPS 2021,
// arXiv:2106.05203).
//
// The problem is min f(x) = (1/n) Σᵢ fᵢ(x) over n clients, fᵢ Lᵢ-smooth and
// f L-smooth, possibly nonconvex. Each round every client uploads a message
// compressed by a contractive compressor C (E‖C(v) − v‖² ≤ (1 − α)‖v‖²).
// The paper's point is that the step size may depend on the arithmetic mean
// L_AM = (1/n)ΣLᵢ instead of the quadratic mean L_QM = √((1/n)ΣLᵢ²):
//
//	γ_QM = 1/(L + L_QM·√(β/θ)),  γ_AM = 1/(L + L_AM·√(β/θ)),
//	θ = 1 − √(1 − α),  β = (1 − α)/(1 − √(1 − α)).
//
// γ_AM is valid for EF21-W (weights wᵢ = Lᵢ/ΣLⱼ) and, by the improved
// analysis, for plain EF21; with a positively homogeneous compressor such as
// TopK the two methods produce the same iterates, so the gain is the larger
// step, and the rounds needed scale like γ_QM/γ_AM.
//
// # Paper symbols
//
//	α, θ, β          Compressor.Alpha, Theta, Beta (Result.Alpha/Theta/Beta)
//	Lᵢ, L            Smooth.LocalSmoothness, Smooth.Smoothness; Settings.L, LGlobal
//	wᵢ               Settings.Weighted (Lᵢ/ΣLⱼ) or Settings.Weights; Result.Weights
//	γ                Settings.Gamma, default StepsizeAM/StepsizeQM/StepsizePP (Settings.Rule)
//	p                Settings.P (EF21-W-PP)
//	minibatch, κ     Settings.Batch, Settings.Kappa (EF21-W-SGD, γ = γ_AM/κ)
//	Zᵢ, W_c          Supporter.Support, RareOverlap, RuleRare (rare features)
//	gᵢ, g            Client.State, Server.G
//	Gᵗ, Lyapunov     Iter.G, Iter.Lyapunov
//	t (rounds)       Iter.Iteration, Settings.MaxIter, Result.Iterations
//	‖∇f(xᵗ)‖² ≤ ε    Settings.Tol (Status run.Converged)
//
// # Smoothness constants
//
// The weights of EF21-W and the theory steps need the Lᵢ and L. Run takes
// them from Settings.L and Settings.LGlobal, or else from an Oracle that
// implements [Smooth]. The problems package computes them exactly with a
// symmetric eigendecomposition of the d × d Gram matrices for d ≤ 1024 and
// otherwise with problems.PowerIteration (at least 300 iterations, then
// until the Rayleigh quotient settles to 1e-13, returning the quotient plus
// the residual norm), because an underestimated L voids the guarantees.
//
// # Protocol
//
// A [Client] owns its state gᵢ and its random stream; given the broadcast x
// it produces a linalg.Sparse message. The [Server] owns x and g and folds
// messages in client order. [Run] drives both in one process, clients of a
// round in parallel goroutines, with results identical for any GOMAXPROCS;
// every uploaded bit is counted ([MessageBits]).
//
// A [Transport] (Settings.Transport) carries the rounds elsewhere: each
// round it broadcasts x with the round number and gathers one [Upload]
// per client, which Run folds in client order. The clients at the other
// end build their Client from the run's [Setup] ([Setup.NewClient]: same
// settings, same random stream rand.NewPCG(seed, i)) and answer with
// [Client.Answer], so the iterates are bit for bit those of the in-process
// run. Sub-package ef21grpc is such a transport over gRPC; importing ef21
// alone does not pull in gRPC.
//
// # Run control
//
// Run follows the library's conventions (package run): Settings.MaxIter
// caps the rounds, Settings.Tol is the test on ‖∇f(xᵗ)‖² (zero means 1e-8,
// negative turns it off, so that a run does exactly MaxIter rounds),
// Settings.TimeLimit bounds the wall time, Settings.Rand seeds the clients'
// streams, and Result.Status is a run.Status. A [Recorder] sees the start,
// every round and the end; [History] keeps them for plots and [Printer]
// writes progress lines. A panic in a user's Oracle or Compressor inside a
// worker goroutine is recovered and returned as an error wrapping
// [ErrPanic].
//
// # Usage
//
//	p, _ := problems.NewR1(1000, rand.New(rand.NewPCG(1, 0)))
//	res, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
//		&ef21.Settings{Weighted: true, Tol: 1e-8, MaxIter: 20000,
//			Recorder: &ef21.Printer{W: os.Stderr}})
//	if err != nil { ... }
//	fmt.Println(res.Status, res.Iterations, res.GradNormSq)
//
// Sub-package problems holds the spec's heterogeneous least squares (R1) and
// the nonconvex logistic regression over LIBSVM data (see libsvm/sets).
package ef21
