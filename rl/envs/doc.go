// Package envs holds reinforcement-learning test environments with known
// answers, written in Go: Deep Sea Treasure with the concave map of
// Vamplew et al. (2011) and its true Pareto front ([DSTFront]), Fruit Tree
// (Yang et al. 2019; reward vectors as published with MO-Gymnasium) with
// its front found by enumeration ([FruitTree.Front]), and Gymnasium's
// CartPole-v1 and Pendulum-v1 dynamics, the latter also as a two-objective
// task with an energy cost.
//
// Every environment implements [rl.MOEnv]; the single-objective ones report
// one objective.
package envs
