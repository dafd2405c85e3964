// Package morl implements multi-objective reinforcement-learning tools and
// C-MORL, from
//
//	Ruohong Liu, Yuxin Pan, Linjie Xu, Lei Song, Pengcheng You, Yize Chen,
//	Jiang Bian. "C-MORL: Multi-Objective Reinforcement Learning through
//	Efficient Discovery of Pareto Front" (arXiv title: "Efficient Discovery
//	of Pareto Front for Multi-Objective Reinforcement Learning").
//	ICLR 2025, arXiv:2410.02236.
//
// # Tools
//
// [Archive] is the external Pareto archive EP (non-dominated points ≥ ref,
// capacity trimmed by crowding distance) with crowding-distance selection
// and a global selection [History]. [Hypervolume] is exact (2-D sweep, WFG
// beyond), [HypervolumeMC] a Monte Carlo estimate with a 95% interval,
// [ExpectedUtility] averages max ω·p over a weight grid from
// [SimplexGrid], and [Sparsity] is the paper's SP.
//
// # C-MORL
//
// [Run] implements both stages: Stage 1 trains one PPO agent per
// preference ω of the δ-grid on the scalarised advantage ω·A (in parallel,
// one goroutine task per ω), archiving deterministic evaluations every
// EvalInterval updates; Stage 2 ([Extend]) repeatedly selects NumSelect
// never-selected archive entries with the largest crowding distance and,
// for each objective l, runs K PPO-IPO updates from a copy of the entry
// maximising G_l subject to the others staying above β times their value,
// through the log barrier [Barrier] with feasibility recovery. Every
// evaluated iterate is archived. [Archive.Assign] serves a preference with
// the archived policy maximising ω·G. Config.LSOnly gives the
// linear-scalarisation-only baseline with the same budget, and
// Config.RandomSelection the random-selection ablation.
//
// Paper symbols → fields: δ Delta, β Beta, t Barrier, K UpdateIter,
// N_s NumSelect, T_total TotalSteps, T_init InitSteps, ref Ref,
// policy_buffer PolicyBuffer, rl_eval_interval EvalInterval, eval_num
// EvalEpisodes, eval_gamma EvalGamma.
//
// Library decision (not from the paper): the constraint is applied to
// ref-shifted returns, (G_j − ref_j) ≥ β·(G_j^{π_r} − ref_j), so that β
// relaxes rather than tightens the constraint for negative objectives.
// The C-MORL-CPO variant is not implemented.
//
// # Usage
//
//	res, err := morl.Run(ctx, func() rl.MOEnv { return envs.NewDST() }, &morl.Config{
//		Ref: []float64{0, -25}, Delta: 0.2, Beta: 0.6, NumSelect: 3, UpdateIter: 10,
//		TotalSteps: 600_000, InitSteps: 300_000, EvalInterval: 1,
//		PPO: ppo.Settings{NumSteps: 256, NumEnvs: 4, Gamma: 0.99, LR: 0.05, EntCoef: 0.01},
//		NewAgent: func(*rand.Rand) *ppo.Agent {
//			return &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(121, 2),
//				RetNorm: ppo.NewRunningStat(2)}
//		},
//	})
//	hv := res.Archive.Hypervolume()
package morl
