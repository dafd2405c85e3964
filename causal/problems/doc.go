// Package problems holds the known-answer structural causal models used to
// test and demonstrate package causal (Liu, Zheng, Sun, Fang, Wang, "Which
// Invariance Should We Transfer? A Causal Minimax Learning Approach",
// ICML 2023, arXiv 2107.01876):
//
//   - P1: Y ~ N(0,1), mutable M = g_e·Y + N(0,1), stable X1 = tanh(Y+M) +
//     N(0, 0.1²); [P1Graph], [P1Env], the Bayes-optimal stable predictor
//     [P1BayesF] / [NewP1Bayes] and the true mechanism [P1TrueX1].
//   - P2: the paper's 11-node simulator (Sec. 6.1), [P2Graph], [P2Env].
//   - [RandomDAG] for property tests and benchmarks.
//
// Usage:
//
//	g := problems.P1Graph()
//	env := problems.P1Env(-1, 2000, rand.New(rand.NewPCG(1, 0)))
package problems
