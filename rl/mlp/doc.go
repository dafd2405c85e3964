// Package mlp provides neural policies and critics for package ppo, built
// on the tanh multilayer perceptrons of package nn: a softmax policy for
// discrete actions ([Categorical]), a diagonal Gaussian policy with a
// state-independent log standard deviation for box actions ([Gaussian])
// and a vector critic with one output per objective ([Critic]). Gradients
// use nn's hand-written backward pass, so training needs no gorgonia graph.
//
// Weights are drawn from the caller's *rand.Rand (Glorot uniform); policy
// output layers are scaled by 0.01, as PPO implementations do. The
// C-MORL official code uses 2×64 tanh networks with layer normalisation;
// layer normalisation is not implemented here.
package mlp
