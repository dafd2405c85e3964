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
// [Differentiable] and critics [Critic]: tables ([Tabular],
// [TabularCritic]) and PPO's network models on nn.MLP, a softmax policy
// for discrete actions ([CategoricalMLP]), a diagonal Gaussian policy
// with a state-independent log standard deviation for box actions
// ([GaussianMLP]) and a vector critic ([CriticMLP]); their weights are
// drawn from the caller's *rand.Rand (Glorot uniform) and policy output
// layers are scaled by 0.01, as PPO implementations do. Models that also
// implement [BatchDifferentiable] / [BatchCritic] (the network models do)
// are trained on whole minibatches as matrix products (nn's batched
// passes), not one sample at a time. (Package rl/mlp keeps the former
// names as aliases.)
//
// [Learner.Update] makes one update; [Learner.Run] makes Settings.MaxIter
// of them under the library's run control (TimeLimit, Recorder, ctx,
// Result with run.Status). Settings.Rand, if set, replaces New's seed
// argument. ctx is checked every 64 environment steps of each rollout
// worker and before every minibatch step. New validates the settings
// (ErrSettings names the field) and, for this package's models, that
// their sizes fit the environment; a panic in a user's environment or
// policy inside a rollout goroutine becomes an error wrapping [ErrPanic].
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
//
//	pol, err := ppo.NewCategoricalMLP(4, 2, nil, rng) // 4-64-64-2 tanh
//	cr, err := ppo.NewCriticMLP(4, 1, nil, rng)
//	l, err := ppo.New(func() rl.MOEnv { return envs.NewCartPole() }, &ppo.Agent{Policy: pol, Critic: cr},
//		&ppo.Settings{NumEnvs: 8, NumSteps: 32, Minibatches: 1, Epochs: 20, GAE: true, LR: 1e-3, MaxIter: 100}, seed)
//	res, err := l.Run(ctx, []float64{1})
package ppo
