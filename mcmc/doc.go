// Package mcmc samples from any log-density with a gradient: Hamiltonian
// Monte Carlo with step-size adaptation by dual averaging, a diagonal or
// dense mass matrix estimated in warm-up windows and jittered path lengths
// ([HMC]), the No-U-Turn Sampler of Hoffman and Gelman (2014) in Stan's
// multinomial form with the generalised U-turn criterion (Betancourt,
// 2017), which adapts the path length per draw and reports divergences
// ([NUTS]), random-walk Metropolis with an adapted proposal scale
// ([RWM]), several chains in parallel goroutines with streams drawn from the caller's
// *rand.Rand in chain order (results do not depend on GOMAXPROCS), and the
// rank-normalised split-R̂ and bulk effective sample size of Vehtari,
// Gelman, Simpson, Carpenter and Bürkner (2021) ([SplitRhat], [BulkESS]).
//
// It implements no paper of its own: it is the sampler the selective-labels
// model (package causal/selective; Balachandar, Garg, Pierson, ICLR 2024)
// uses instead of Stan, kept free of any model so that other packages can
// import it. A model implements [LogDensity] (Dim, LogProb with gradient).
//
// Usage:
//
//	res, err := mcmc.HMC(ctx, model, [][]float64{start}, &mcmc.Settings{Rand: rng})
//	rhat, ess := mcmc.SplitRhat(res.Chains), mcmc.BulkESS(res.Chains)
//
// [NUTS] takes the same arguments; where it reports divergences, raise
// Settings.TargetAccept toward 0.95. Where [HMC]'s diagnostics fail on a
// long, curved posterior, its paths may be too short: raise
// Settings.MaxSteps (the selective-labels study doubles it per refit).
package mcmc
