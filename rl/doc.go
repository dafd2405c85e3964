// Package rl defines the reinforcement-learning foundation of optlearn:
// environments with scalar or vector rewards ([MOEnv], [Env]), discrete and
// box spaces ([Space]), stochastic policies ([Policy]) and vector critics
// ([VectorCritic]), plus scalarisation ([Scalarize]) and policy evaluation
// ([Evaluate]).
//
// Sub-packages: envs (Deep Sea Treasure, Fruit Tree, CartPole, Pendulum and
// an energy-cost Pendulum), ppo (clipped PPO with pluggable loss terms,
// tabular softmax policies, parallel rollouts, and its network policies),
// mlp (deprecated aliases of ppo's network policies), morl (Pareto
// archives, hypervolume, expected utility, sparsity and C-MORL, Liu et al.,
// ICLR 2025, arXiv 2410.02236), parl (A-PARL, policy alignment as a bilevel
// problem), mcts and srm (MCTS step annotation and step-level reward
// models) and famo2o (IQL and FamO2O, offline-to-online RL with
// state-adaptive balances, Wang et al., NeurIPS 2023, arXiv 2310.17966).
//
// Every stochastic call takes an explicit *rand.Rand; environments and
// policies never draw from global randomness.
package rl
