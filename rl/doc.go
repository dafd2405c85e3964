// Package rl defines the reinforcement-learning foundation of optlearn:
// environments with scalar or vector rewards ([MOEnv], [Env]), discrete and
// box spaces ([Space]), stochastic policies ([Policy]) and vector critics
// ([VectorCritic]), plus scalarisation ([Scalarize]) and policy evaluation
// ([Evaluate]).
//
// Sub-packages: envs (Deep Sea Treasure, Fruit Tree, CartPole, Pendulum and
// an energy-cost Pendulum), ppo (clipped PPO with pluggable loss terms,
// tabular softmax policies, parallel rollouts), mlp (MLP policies and
// critics on package nn) and morl (Pareto archives, hypervolume, expected
// utility, sparsity and C-MORL, Liu et al., ICLR 2025, arXiv 2410.02236).
//
// Every stochastic call takes an explicit *rand.Rand; environments and
// policies never draw from global randomness.
package rl
