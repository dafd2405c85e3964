// Package nn holds the small network-building code shared by the optlearn
// packages that train neural networks (causal, rl).
//
// It provides a fully connected multilayer perceptron [MLP] whose weights
// live in plain []float64 slices initialised from the caller's *rand.Rand
// (never from gorgonia's clock-seeded initialisers), a binding of those
// weights into a gorgonia expression graph ([MLP.Bind], [Bound.Forward],
// [Bound.Learnables], [Bound.Grads]) so that any loss can be differentiated
// with gorgonia, a deterministic [Adam] optimizer working on the same slices,
// and a regression training helper [Train] (mean squared error, full batch or
// minibatch).
//
// The MLP can also be evaluated without a graph ([MLP.Predict]) and
// differentiated by hand with respect to its input and parameters
// ([MLP.InputGrad], [MLP.Backward], [MLP.Backprop]); this is what hot loops
// (rollouts, adversarial ascent) use, because a gorgonia tape machine costs
// tens of microseconds per operation. These passes run their matrix-vector
// products through gonum's blas64 (linalg.Gemv, linalg.Ger), so a native
// BLAS installed with blas64.Use serves them, and allocate nothing.
//
// # Layout
//
// For layer l with n_in = Sizes[l] inputs and n_out = Sizes[l+1] outputs, the
// weight matrix W[l] is stored row-major with shape n_in×n_out (so a batch
// X·W[l] is a plain matrix product) and the bias B[l] has length n_out. The
// activation is applied after every layer except the last, which is linear.
//
// # Usage
//
//	rng := rand.New(rand.NewPCG(1, 0))
//	m, err := nn.NewMLP([]int{1, 16, 1}, nn.Tanh, rng)
//	res, err := nn.Train(ctx, m, X, Y, &nn.TrainSettings{Epochs: 500}, rng)
//	yhat := m.Predict(nil, []float64{0.5})
package nn
