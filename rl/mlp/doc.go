// Package mlp is the former home of PPO's network policies and critic,
// which are now [ppo.CategoricalMLP], [ppo.GaussianMLP] and
// [ppo.CriticMLP] (built on the one multilayer perceptron, nn.MLP). The
// names here are aliases kept so that existing code builds.
//
// Deprecated: use package rl/ppo.
package mlp
