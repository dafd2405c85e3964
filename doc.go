// Package optlearn is a library of optimization and learning algorithms
// taken from recent research papers, implemented faithfully in Go and
// composed from small interfaces. This package holds documentation only;
// the code lives in the packages below, each of which says in its doc.go
// which paper it implements and shows a short usage.
//
// # Packages
//
//   - linalg: the shared vector kernels ([]float64 level-1 operations,
//     sparse messages with exact bit counts, TopK/RandK selection, CSR
//     matrices); dense products go through gonum's blas64.
//   - libsvm: a LIBSVM reader; libsvm/sets embeds the data sets the
//     examples use.
//   - nn: small neural-network building blocks on gorgonia (MLPs with
//     weights seeded from the caller's *rand.Rand), shared by the packages
//     that train networks; nn/optim: Adam on plain slices, without gorgonia.
//   - ef21 (+ ef21/problems): EF21 and its weighted, stochastic and
//     partial-participation variants (Richtárik, Gasanov, Burlachenko, ICLR
//     2024); example examples/ef21.
//   - constrained (+ constrained/problems): AdaSketch-Newton for
//     equality-constrained programs (Hong, Na, Mahoney, Kolar, ICML 2023);
//     example examples/adasketch.
//   - bilevel (+ bilevel/problems): penalty methods (Kwon et al., ICLR 2024)
//     and LV-HBA (Yao et al., ICLR 2024); example examples/bilevel.
//   - sched (+ sched/instances): job-shop scheduling, the non-learned half
//     of Tassel, Gebser, Schekotihin (ICAPS 2023): instances, dispatching
//     rules, branch and bound, tabu search; example examples/sched-jssp.
//   - pde (+ pde/gpme): ProbConserv, conservation laws imposed on
//     probabilistic predictions (Hansen et al., ICML 2023); example
//     examples/probconserv.
//   - causal (+ causal/problems): causal minimax subset selection (Liu et
//     al., ICML 2023); example examples/causal-minimax.
//   - rl (+ rl/envs, rl/ppo, rl/mlp, rl/morl): environments, PPO,
//     multi-objective metrics and C-MORL (Liu et al., ICLR 2025); example
//     examples/cmorl.
//
// Every method has a program under examples/ that reproduces its paper's
// headline claim; go run ./examples/reproduce runs them all in quick mode
// and prints a table of claims against measurements. See README.md.
package optlearn
