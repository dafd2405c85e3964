// Package ppo implements proximal policy optimisation (Schulman et al.
// 2017, arXiv:1707.06347) for single- and multi-objective environments:
// the clipped surrogate on a scalarised advantage ω·A, GAE (optional) or
// bootstrapped discounted returns, a clipped vector value loss, an entropy
// bonus, joint gradient-norm clipping, minibatch epochs, advantage
// standardisation and running normalisation of observations and rewards
// (as baselines' VecNormalize). Its defaults are those of the C-MORL
// official code (arXiv:2410.02236, built on pytorch-a2c-ppo-acktr).
//
// Extra objective terms plug in through [LossTerm]: a term sees the
// probability ratios and advantages of a minibatch and returns its
// derivative with respect to each log-probability, which is how C-MORL's
// IPO log barrier (package morl) is added; a term that also implements
// [UpdateStarter] is shown whole-batch statistics once per update. Policies implement
// [Differentiable] ([Tabular] here; MLP policies in package rl/mlp) and
// critics [Critic] ([TabularCritic]; rl/mlp.Critic).
//
// Rollouts run NumEnvs environment copies on Workers goroutines; copy e
// draws from its own stream rand.NewPCG(seed, e), so results do not depend
// on Workers or scheduling.
//
// # Usage
//
//	ag := &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2)}
//	l, err := ppo.New(func() rl.MOEnv { return envs.NewDST() }, ag, &ppo.Settings{NumSteps: 256, Gamma: 0.99, LR: 0.05}, seed)
//	for range 100 {
//		stats, err := l.Update(ctx, []float64{0.5, 0.5})
//	}
//	greedy := ag.Actor()
package ppo
