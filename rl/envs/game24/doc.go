// Package game24 is the spec's Game24-Steps environment for step-level
// reward models (Ma et al., "What Are Step-Level Reward Models Rewarding?",
// AAAI 2025, arXiv 2412.15904, reproduced on a symbolic stand-in for the
// paper's LLM agent and world model).
//
// A problem is four integers in 1..13 that can reach 24 with +, −, ×, ÷
// over exact rationals ([Problems]: 1362, split 1021 training / 341 test by
// [Split]). A step is a thought ([Thought]: an operation on the numbers of
// two descending ranks, in words without values) chosen by an agent with a
// deliberately imperfect prior ([Logit], [Agent]), then executed by a world
// model ([World]) that hallucinates an earlier operand with probability
// 0.05 and slips the result by ±1 or ±2 with probability 0.10, writing the
// equation ([Equation]). The strict verifier ([State.Reward]) rewards 1
// only when three clean steps end at 24. [Node] adapts a state to package
// rl/mcts (annotation) and to rl/srm's search; [Features] is the documented
// featuriser of the four SRM views ([View]: FC, MO, SSMO, NT);
// [SuccessProb] gives the agent's exact success probability (Pass@1).
//
// Usage:
//
//	train, test := game24.Split(game24.Problems())
//	root := game24.Node{State: game24.NewState(train[0]), Agent: game24.Agent{Temperature: 1.3}, World: game24.DefaultWorld}
//	tree, err := mcts.Run(ctx, root, nil)
package game24
