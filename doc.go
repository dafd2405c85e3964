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
//   - libsvm: a LIBSVM reader, with the data sets the examples use
//     embedded in libsvm/sets.
//   - nn: small neural-network building blocks on gorgonia, shared by the
//     packages that train networks.
//   - ef21: EF21 and its weighted, stochastic and partial-participation
//     variants for communication-compressed distributed optimization.
//   - constrained: AdaSketch-Newton for equality-constrained programs.
//   - bilevel: penalty methods and LV-HBA for (constrained) bilevel problems.
//   - sched: job-shop scheduling: instances, dispatching rules, exact and
//     tabu solvers.
//   - pde: ProbConserv, conservation laws imposed on probabilistic predictions.
//   - causal: causal minimax subset selection (which invariance to transfer).
//   - rl: environments, PPO, multi-objective metrics and C-MORL.
//
// Every method has a program under examples/ that reproduces its paper's
// headline claim; go run ./examples/reproduce runs them all in quick mode
// and prints a table of claims against measurements. See README.md.
package optlearn
