// Package optim holds first-order optimizer steps on plain parameter
// slices ([][]float64), shared by every package that trains a model: nn's
// gorgonia networks, rl's PPO learners and causal's worst-case risk ascent.
// It imports nothing beyond the standard library, so a package can train
// with it without pulling in gorgonia.
//
// Adam is the method of Kingma and Ba, "Adam: A Method for Stochastic
// Optimization", ICLR 2015, with the bias corrections folded into the step.
//
// Usage:
//
//	opt := optim.Adam{LR: 1e-3}
//	for range steps {
//		computeGrads(grads, params)
//		opt.Step(params, grads) // params -= lr * mhat / (sqrt(vhat) + eps)
//	}
package optim
