// Package famo2o implements FamO2O (Wang et al., "Train Once, Get a
// Family: State-Adaptive Balances for Offline-to-Online Reinforcement
// Learning", NeurIPS 2023, arXiv 2310.17966) on top of implicit Q-learning
// (IQL, Kostrikov et al. 2021) for continuous actions.
package famo2o
