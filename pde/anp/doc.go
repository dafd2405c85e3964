// Package anp is the paper's own step-1 model for ProbConserv (Hansen et
// al., "Learning Physical Models that Can Respect Conservation Laws", ICML
// 2023, arXiv:2302.11002): an attentive neural process (Kim et al.,
// "Attentive Neural Processes", ICLR 2019) trained by the ELBO on the GPME
// families, with SoftC-ANP (the same model trained with a PDE-residual
// penalty, λ = 1) as the soft-constraint baseline.
package anp
