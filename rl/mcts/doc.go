// Package mcts is a generic Monte Carlo tree search over step-structured
// problems with a verifiable terminal reward, and the step-level
// preference annotation built on it, from
//
//	Ma, Chen, Liu, Tian, Liu, Liu, Luo, "What Are Step-Level Reward Models
//	Rewarding? Counterintuitive Findings from MCTS-Boosted Mathematical
//	Reasoning", AAAI 2025, arXiv 2412.15904.
//
// A problem implements [StepNode] (Terminal, Expand into sampled next
// steps, Rollout to a 0/1 reward). [Run] grows a tree by the paper's
// AlphaZero-style loop (UCT selection with c/N + w_exp·sqrt(ln N/N'),
// expansion of n sampled children at visited leaves, one rollout,
// backpropagation of visits and correct counts), and [Pairs] turns it into
// preference pairs: at every node, each ordered pair of visited children
// whose estimated success rates Q = c/N differ by more than a gap (0.7 in
// the paper). Package rl/srm trains step reward models on such pairs;
// package rl/envs/game24 is the spec's environment.
//
// Symbols: n → Settings.Children, w_exp → Settings.WExp, iterations →
// Settings.MaxIter, depth limit → Settings.MaxDepth, c and N → Node.C and
// Node.N.
//
// Usage:
//
//	tree, err := mcts.Run(ctx, root, &mcts.Settings{Rand: rng})
//	pairs := mcts.Pairs(tree, 0.7)
package mcts
