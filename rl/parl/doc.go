// Package parl implements A-PARL, policy alignment as a bilevel problem, from
//
//	Chakraborty, Bedi, Koppel, Wang, Manocha, Wang, Huang, "PARL: A Unified
//	Framework for Policy Alignment in Reinforcement Learning from Human
//	Feedback", ICLR 2024, arXiv 2308.02585.
//
// Reward parameters ν define a reward r_ν = ν·φ; the lower level finds the
// policy π*(ν) optimal for r_ν (with an entropy bonus λ·H(π), which makes it
// unique and smooth); the upper level scores the behaviour of π*(ν) with
// human feedback: a utility U(τ) of its trajectories, or Bradley–Terry
// preferences between pairs of them. The usual pipeline (fit the reward on
// data collected so far, then optimise) ignores that the data of the upper
// level move with ν through π*(ν); A-PARL's hypergradient keeps that
// dependence:
//
//	∇F(ν) = E[∇_ν U_ν(τ)]  +  E[(U_ν(τ) − b) J(ν)ᵀ Σ_h ∇_θ log π_θ*(a_h|s_h)],  J = ∂θ*/∂ν.
//
// For a tabular MDP with a time-indexed softmax policy the lower level is
// solved exactly by soft value iteration ([SoftValueIteration]) and
// J(ν)ᵀ∇_θ log π* has a closed form through the successor features ψ of φ
// under π* (θ* = Q/λ, ∂θ*_h(s,a)/∂ν = ψ_h(s,a)/λ). The paper's source text
// could not be read in full; this closed form and the regulariser are the
// reconstruction of the spec (rl-parl.md), checked against finite
// differences and against exact enumeration.
//
// Symbols and names: ν → Nu, λ → Settings.Lambda, N → Settings.Batch, T →
// Settings.MaxIter, α → Settings.LR, b → the batch mean (Settings.NoBaseline
// drops it), term 1 only → Settings.TermOneOnly, ψ → [Policy.SuccessorFeatures],
// F and ∇F exactly → [Policy.Value] (utility) and [ExactPreference].
//
// What is here: the [MDP] type (reward on entering a state), the spec's
// environments ([LavaGrid5], a general lava [Grid], [PreferenceTree]), the
// lower level ([SoftValueIteration]), [Feedback] ([TrueReturn] utility,
// [Preference] with a [Teacher] such as [BradleyTerry]), A-PARL ([Run]), one
// hypergradient estimate ([Estimate]) and the decoupled "fit the reward,
// then optimise" baseline with the same query budget ([Decoupled]). Runs
// follow the library's shape: [Settings], [Result] with a run.Status,
// [Recorder]/[History]/[Printer], ctx first.
//
// Usage:
//
//	m := parl.LavaGrid5()
//	res, err := parl.Run(ctx, m, []float64{1, 0, 0}, parl.TrueReturn{Noise: 0.1},
//		&parl.Settings{Rand: rand.New(rand.NewPCG(1, 0))})
//	F, _, _ := res.Policy.Value(nil) // the aligned behaviour's true return
//
// The MDP here is a different object from package rl's sampled Env: soft
// value iteration needs the transition table, not just a simulator.
package parl
