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
// tens of microseconds per operation. These per-sample passes run their
// matrix-vector products through gonum's blas64 (linalg.Gemv, linalg.Ger)
// and allocate nothing.
//
// [Attention] is multi-head scaled dot-product attention (queries from one
// set, keys and values from another, an optional mask for masked
// self-attention), with the same two faces: a gorgonia graph
// ([Attention.Bind]) and a graph-free [Attention.Forward] equal to it to
// 1e-12. The ANP of package pde/anp and the dispatching policy of
// package sched/learned use it.
//
// # Minibatches
//
// Training multiplies whole minibatches: [MLP.ForwardBatch] and
// [MLP.BackwardBatch] compute Z = A·W + 1·bᵀ, ∂W += Aᵀ·∂Z and ∂A = ∂Z·Wᵀ
// for all rows at once, in a caller-owned [Workspace] ([MLP.NewWorkspace]),
// with no allocation per step. Their results equal the per-sample passes
// (which stay as the reference) to 1e-12 in the tests, on the shapes the
// library trains (4-64-64-2 tanh, 5-12-1 sigmoid, one-hidden-unit nets,
// 784-256-256-10). [Train], PPO's network policies and critic (package
// rl/ppo) use them. The products go through blas64: when a native BLAS is
// installed with blas64.Use (package nn/openblas does it for OpenBLAS
// with the netlib build tag) it does the work; otherwise a serial pure-Go
// path does, with an AVX2/FMA register-blocked kernel on amd64 CPUs that
// have it ([BLAS] says which). Results do not depend on GOMAXPROCS: no
// path splits a sum across goroutines (with OpenBLAS, set
// OPENBLAS_NUM_THREADS=1 for the same guarantee).
//
// # Limits and errors
//
// [NewMLP] and [NewMLPConst] refuse networks of more than [MaxParams]
// weights before allocating. Data from the user (batches, training sets,
// settings) get errors wrapping [ErrShape], [ErrNotFinite] (naming the
// row) or [ErrSettings] (naming the field); [Train] checks ctx every 128
// rows. The per-sample passes ([MLP.Predict], [MLP.Backward], ...) panic on
// a length mismatch, a programmer error in a kernel call.
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
//
//	ws, err := m.NewWorkspace(256) // batched passes, by hand
//	out, err := m.ForwardBatch(ws, rows, 256)
//	err = m.BackwardBatch(ws, dOut, grads, nil)
package nn
