// Package learned implements the learned dispatching rule of
//
//	P. Tassel, M. Gebser, K. Schekotihin, "An End-to-End Reinforcement
//	Learning Approach for Job-Shop Scheduling Problems Based on Constraint
//	Programming", ICAPS 2023, pp. 614–622, arXiv:2306.05747
//	(official code: ingambe/End2End-Job-Shop-Scheduling-CP)
//
// on top of package sched (instances, the CP dispatching environment
// [sched.CPEnv] and its observation tokens, the expert path, the solvers):
// a tiny Transformer policy trained by imitating solver-completed
// schedules, which generalises from small training instances to large
// ones.
//
//   - [Net]: the spec's network (~2.4k weights): per-token embeddings,
//     Linear(4→8) plus a sinusoidal encoding of the shifted operation
//     index, a pre-LayerNorm encoder layer over each job's window of
//     [sched.Window] tokens (END padding masked) mean-pooled to h_j, a
//     second one across jobs masked by the job–resource mask with
//     z = Enc2(h) + h, a job-logit MLP and a No-Op logit (mean over jobs of a
//     second MLP). [NewNet] initialises it as the official code (PyTorch
//     defaults, orthogonal heads).
//   - [Policy] ([Net.Policy]): the fast inference pass, a [sched.Policy]
//     that builds no graph and allocates nothing per decision.
//     [Net.GraphLogits] builds the same network as a gorgonia graph
//     (attention from [nn.Attention], the MLP blocks from [nn.MLP]); the
//     tests check both give the same logits to 1e-12.
//   - [Train]: the spec's CP-guided clipped updates (below), with a
//     [Recorder] ([Iter] carries the network for checkpoints), ctx first,
//     TimeLimit, deterministic for a seed whatever GOMAXPROCS.
//   - [BestOf] / [Net.BestOf]: best of 32 sampled rollouts at temperatures
//     T_e = 0.5 + 1.5e/32 ([Temperature]), rollouts in parallel, or one
//     greedy rollout; the baselines [MWKRSoftmax] and [UniformPolicy] of
//     the spec's A6 run through the same function. InferSettings.NonDelay
//     masks No-Op (a reported deviation: the learned job ranking alone).
//   - [Net.Save] / [Load]: a versioned gzip format whose errors name the
//     expected and the found version and shape; [Shipped] returns the
//     trained weights embedded in the package.
//
// # Training (spec: CP-guided training)
//
// Each update plays Episodes episodes with the current network (the
// Gumbel-top-k ordering of the legal actions at T = 1 as one multi-action
// step), draws one prefix length k ~ U{1..L_min−1}, completes each
// episode's first k steps with the [sched.Tabu] search (warm start: the
// agent's schedule; the prefix pinned and the environment's lower bounds
// as release dates, via [sched.CPEnv.Prefix] and [sched.Settings]) —
// the tabu search stands in for the CP solver, with a move budget instead
// of 160 s so that runs are deterministic — compresses the result to a
// semi-active schedule ([sched.Compress]) and replays its expert path
// ([sched.ExpertActions]). With imp = (C_agent − C_cp)/C_agent when the
// solver is better (else 0), A = (imp − min)/(max − min + 1e-8) and
// z = (C_cp − mean)/(std + 1e-8) per instance over the batch, loss 1 is
// the mean of max(−wρ, −w·clip(ρ, 1±ε)) over the expert samples (w = +A)
// and the agent's own samples after the prefix (w = −A), loss 2 the mean
// of max(zρ, z·clip(ρ, 1±ε)) over the prefix samples, with
// ρ = exp(log π − log π_old) per action. Each loss takes Epochs ×
// Minibatches Adam steps (lr 2e-4 decayed linearly to 0, ε_Adam 1e-5,
// clip 0.3) and stops when a minibatch's mean approx-KL exceeds 0.01.
//
// Symbols → fields: k = [Iter].Prefix, C_agent / C_cp = Iter.Agent /
// Iter.Solver (batch means), ε = [Settings].Clip, the KL bound =
// Settings.TargetKL, the solver budget = Settings.SolverIter, T_e =
// [Temperature](e, 32).
//
// # Deviations and scale
//
//   - Samples are per applied action: a multi-action step is applied one
//     action at a time, and each action's observation and log π_old are
//     those of the state it was applied in (the spec: old log-probs are
//     per-action log-softmax, not ordering probabilities).
//   - Training gradients come from a hand-written backward pass of the
//     fast forward pass (checked against finite differences in the tests),
//     not from gorgonia: a tape machine per sample costs milliseconds,
//     which the 2-core budget cannot pay. The gorgonia graph is the
//     reference for the logits.
//   - The minibatch KL test is made before the step, and a minibatch
//     above the bound is not applied.
//   - The official code trains on ta31–ta34 with one worker per CPU; the
//     spec's A6 (ours) trains on fresh generator instances of 10×10 and
//     15×15: [TrainingInstances] draws 16 of them, and each update plays 8
//     episodes, 4 on each of two instances (A and z need several episodes
//     per instance).
//
// The shipped weights (weights/jssp-v1.gz) were trained by
//
//	go run ./examples/sched-learned -train jssp-v1.gz -updates 200 -seed 0
//
// (all other settings default; the same command gives the same bytes,
// whatever the number of cores). The example's figures and A6's verdict
// are in the repository's README.
//
// # Errors and limits
//
// Errors wrap ErrDimension (an observation that does not fit, an instance
// with more than [MaxPos] operations per job, the range of the positional
// encoding), ErrWeights, ErrSettings (naming the field) and ErrNotFinite.
// No exported function panics on bad input; goroutines recover and
// report.
//
// # Usage
//
//	net, _ := learned.Shipped()
//	inst, _ := instances.Taillard(1)
//	res, err := net.BestOf(ctx, inst, nil) // best of 32, T_e = 0.5+1.5e/32
//	fmt.Println(res.Makespan, err)
package learned
