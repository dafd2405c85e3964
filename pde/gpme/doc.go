// Package gpme holds the test problems of ProbConserv (Hansen et al.,
// "Learning Physical Models that Can Respect Conservation Laws", ICML 2023,
// arXiv:2302.11002) for the generalized porous medium equation family:
// the seven cases (Stefan u* = 0.6, 0.5; PME m = 1, 3, 6; heat k = 1, 5)
// with their exact solutions, the spec's context sampling (10 times × 10
// positions), and [Run], which fits the GP step-1 model of package pde,
// applies ProbConserv, HardC and the optional variants (full covariance,
// diffusion rows, a GP ensemble as a latent mixture), and computes MSE,
// conservation error, log-likelihood and shock-position error.
//
// Instances are fixed: instance i uses [InstanceSeed](i).
//
//	in, err := gpme.Run(ctx, gpme.Cases()[0], 0, nil)
//	pc, _ := in.Get(gpme.PC)
//	fmt.Println(pc.MSE, pc.CE, pc.LL, pc.ShockErr)
package gpme
