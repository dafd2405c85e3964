// Package optlearn is a library of optimization and learning algorithms
// taken from recent research papers, implemented faithfully in Go and
// composed from small interfaces. This package holds documentation only;
// the code lives in the packages below, each of which says in its doc.go
// which paper it implements and shows a short usage.
//
// # Packages
//
//   - run: what every long run shares (Status, the Recorder contract,
//     History, Printer and Loop), with run/cputime for CPU clocks; claims:
//     the report format of the examples and the statistics they share.
//   - linalg: the shared vector kernels ([]float64 level-1 operations and a
//     vector exp, sparse messages with exact bit counts, TopK/RandK
//     selection, CSR matrices); dense products go through gonum's blas64.
//   - libsvm: a LIBSVM reader; libsvm/sets embeds the data sets the
//     examples use.
//   - nn: the multilayer perceptron and multi-head attention shared by the
//     packages that train networks (per-sample and batched passes on plain
//     slices, weights seeded from the caller's *rand.Rand, a gorgonia binding
//     for other losses);
//     nn/optim: Adam on plain slices; nn/openblas: an optional native BLAS.
//   - mcmc: Hamiltonian Monte Carlo, random-walk Metropolis and their
//     diagnostics for any log-density with a gradient.
//   - ef21 (+ ef21/problems): EF21 and its weighted, stochastic and
//     partial-participation variants (Richtárik, Gasanov, Burlachenko, ICLR
//     2024); example examples/ef21. ef21/ef21grpc: the same clients as
//     separate processes over gRPC, bit for bit the in-process iterates;
//     example examples/ef21-grpc.
//   - constrained (+ constrained/problems): AdaSketch-Newton for
//     equality-constrained programs and the paper's inexact-SQP and
//     augmented-Lagrangian baselines (Hong, Na, Mahoney, Kolar, ICML 2023);
//     example examples/adasketch. constrained/multiwinner: committee
//     selection from biased rankings under group quotas (Boehmer et al.,
//     ICML 2023); example examples/fairvote. constrained/milp: branch and
//     bound for small MILPs; constrained/robust: PC&CG for two-stage robust
//     programs with decision-dependent uncertainty (Sun et al., IEEE TSG
//     2024); example examples/pccg.
//   - bilevel (+ bilevel/problems): penalty methods (Kwon et al., ICLR 2024),
//     LV-HBA (Yao et al., ICLR 2024) and equilibrium propagation without
//     weight symmetry (Laborieux, Zenke, ICLR 2024); examples
//     examples/bilevel and examples/eqprop.
//   - sched (+ sched/instances, sched/gantt): job-shop scheduling after
//     Tassel, Gebser, Schekotihin (ICAPS 2023): instances, dispatching rules,
//     branch and bound, tabu search, Gantt charts; example
//     examples/sched-jssp. sched/learned: the paper's learned dispatching
//     rule trained from solver-completed schedules, with shipped weights;
//     example examples/sched-learned.
//   - pde (+ pde/gpme, pde/anp): ProbConserv, conservation laws imposed on
//     probabilistic predictions (Hansen et al., ICML 2023), with a GP or the
//     paper's attentive neural process (shipped weights) as step 1, and physics-
//     informed hard constraints with a mixture of experts (Chalapathi, Du,
//     Krishnapriyan, ICLR 2024); examples examples/probconserv and
//     examples/hcmoe.
//   - causal (+ causal/problems): causal minimax subset selection (Liu et
//     al., ICML 2023); example examples/causal-minimax. causal/ild: domain
//     counterfactuals with invertible latent causal models (Zhou et al.,
//     ICLR 2024); example examples/domain-counterfactuals. causal/selective:
//     risk prediction from selective labels with domain constraints
//     (Balachandar, Garg, Pierson, ICLR 2024); example
//     examples/selective-labels.
//   - rl (+ rl/envs, rl/ppo, rl/morl): environments, PPO, multi-objective
//     metrics and C-MORL (Liu et al., ICLR 2025); example examples/cmorl.
//     rl/parl: A-PARL, policy alignment as a bilevel problem (Chakraborty et
//     al., ICLR 2024); example examples/parl. rl/mcts, rl/srm and
//     rl/envs/game24: MCTS step annotation and step-level reward models (Ma
//     et al., AAAI 2025); example examples/mcts-srm. rl/famo2o: IQL and
//     FamO2O, offline-to-online RL with state-adaptive balances (Wang et al.,
//     NeurIPS 2023); example examples/famo2o. rl/mlp is a deprecated alias of
//     PPO's network policies.
//
// Every method has a program under examples/ that reproduces its paper's
// headline claim; go run ./examples/reproduce runs them all in quick mode
// and prints a table of claims against measurements. See README.md.
package optlearn
