// Package problems holds bilevel test problems with known solutions for the
// methods of package [github.com/optlearn/optlearn/bilevel]: the problems
// P1–P3 of the penalty-method specification (Kwon et al., arXiv 2309.01753)
// and R1–R2 of the LV-HBA specification (Yao et al., arXiv 2401.16164).
//
// Every problem documents its objectives, its solution (XStar) and the
// constants the solvers need; random data are drawn from a caller's
// *rand.Rand.
package problems
