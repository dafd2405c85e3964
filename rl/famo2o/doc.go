// Package famo2o implements FamO2O (Wang et al., "Train Once, Get a
// Family: State-Adaptive Balances for Offline-to-Online Reinforcement
// Learning", NeurIPS 2023, arXiv 2310.17966) on top of implicit Q-learning
// (IQL, Kostrikov et al., arXiv 2110.06169) for continuous actions, with
// offline data sets generated in Go.
//
// # Method
//
// IQL learns twin critics Q₁, Q₂ with Polyak targets Q̂ᵢ, a value V by
// expectile regression on Q̄ = min(Q̂₁, Q̂₂), and a Gaussian policy by
// advantage-weighted regression with weights min(exp(β·(Q̄ − V)), 100). The
// balance coefficient β is the inverse temperature: small β is close to
// behaviour cloning, large β is greedier. FamO2O trains one universal
// policy π_u(a|s, enc β) for every β in [β_min, β_max] (enc is the
// six-component sin/cos encoding [Encode]) and a balance model π_b(β|s)
// (a tanh-squashed Gaussian with a learned entropy temperature α) that
// picks β per state by maximising Q̄(s, a') with a' ~ π_u(·|s, enc β),
// differentiated through the reparameterised action and the encoding.
// [Learner.Update] makes one update in the official order: V; balance
// model (universal policy and critics frozen); α; universal policy with β
// uniform offline and drawn from π_b online (with the pre-update balance
// parameters: the same draw the balance step used, detached); Q with the
// new V; targets. Acting uses the deterministic β(s) = affine(tanh(mean));
// evaluation the mean action.
//
// Symbols → fields: β range [Settings.BetaMin, Settings.BetaMax]; IQL's
// fixed β Settings.Beta; τ_e Settings.Expectile; γ Settings.Gamma; Polyak
// τ Settings.Tau; H* Settings.TargetEntropy; weight cap Settings.WeightCap;
// reward rescaling r·1000/(R_max − R_min) Settings.RewardScale. Three
// methods: [FamO2O], [IQL] (the base algorithm, an unconditioned policy
// with fixed β) and [RandomBeta] (the ablation: β ~ U in training and at
// acting time, no balance model).
//
// The networks are package nn's MLPs (ReLU, Glorot initialisation from
// Settings.Rand) trained on whole minibatches with nn's batched passes and
// hand-written gradients (checked against finite differences in the
// tests), with nn/optim's Adam. Actions are scaled to [−1, 1] inside the
// learner (the policy mean is tanh of the network output); log-standard
// deviations are state-independent parameters kept in [−5, 2].
//
// # Data
//
// [Dataset] holds transitions with terminal and time-limit flags and the
// episode returns; [Generate] collects one from any single-objective
// box-action environment and a [Behaviour]; [PendulumDataset] makes the
// spec's D1-D4 on Pendulum-v1 from the expert controller
// envs.PendulumExpert; [PendulumReference] and [Score] give the normalised
// score. [New] fills the replay buffer with the data set; online
// transitions are appended (ring buffer of Settings.Capacity) and
// minibatches drawn uniformly from all of it. Time-limit truncation is not
// a terminal.
//
// # Run control
//
// [Learner.Run] makes Settings.OfflineSteps offline updates then
// Settings.OnlineSteps online steps (one environment step and one update
// each), evaluating Settings.EvalEpisodes deterministic episodes from fixed
// reset seeds at the end of the offline phase and every Settings.EvalEvery
// online steps; Result.Final is the mean of the last three evaluations.
// One iteration is one update. ctx is checked before every update and
// every evaluation episode (an update at batch 256 with 2×64 networks
// takes a few milliseconds). Everything draws from Settings.Rand in a
// fixed order on one goroutine, so a seed gives the same bits whatever
// GOMAXPROCS is. Bad data and settings are errors wrapping [ErrEmpty],
// [ErrDimension], [ErrNotFinite] or [ErrSettings] (naming the field); a
// panic in a user's environment or behaviour becomes [ErrPanic].
//
// # Usage
//
//	rng := rand.New(rand.NewPCG(1, 2))
//	d, err := famo2o.PendulumDataset(ctx, famo2o.D3Mixed, 100, rng)
//	l, err := famo2o.New(famo2o.NewPendulum, d, &famo2o.Settings{
//		Hidden: []int{64, 64}, OfflineSteps: 15000, OnlineSteps: 15000})
//	res, err := l.Run(ctx)
//	beta := l.Beta(obs, nil)              // the state's balance coefficient
//	a := l.Act(obs, true, nil)            // the deterministic action
//	mu := l.ActBeta(nil, obs, 4.0)        // another member of the family
package famo2o
