// Package srm trains step-level reward models (SRMs) on preference pairs
// and uses them to guide search, after
//
//	Ma, Chen, Liu, Tian, Liu, Liu, Luo, "What Are Step-Level Reward Models
//	Rewarding? Counterintuitive Findings from MCTS-Boosted Mathematical
//	Reasoning", AAAI 2025, arXiv 2412.15904.
//
// A [Model] scores a step's features with an MLP (package nn; two hidden
// layers of 64 ReLU units) trained by [Fit] on pairs (chosen preferred to
// rejected, from package rl/mcts's annotation) with the Bradley–Terry loss
// −log σ(r(chosen) − r(rejected)), Adam and L2 weight decay. [Beam] is the
// paper's SRM-guided beam search (B = 1: greedy; no scorer and B = c = 1:
// plain sampling, Pass@1), generic over the state type. Which part of a
// step the model sees (the paper's FC, MO, SSMO and NT inputs) is the
// featuriser's business: rl/envs/game24's game24.Features is the spec's.
//
// Usage:
//
//	m, err := srm.Fit(ctx, chosen, rejected, &srm.Settings{Rand: rng})
//	final := srm.Beam(root, next, terminal, func(p, c S) float64 { return m.Score(features(p, c)) }, 1, 5, depth, rng)
package srm
