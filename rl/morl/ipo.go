package morl

import (
	"math"

	"github.com/optlearn/optlearn/rl/ppo"
)

// feasTol is the barrier-argument threshold below which the constraint is
// treated as violated and feasibility recovery replaces the log term
// (the spec's 1e-3).
const feasTol = 1e-3

// Barrier is the IPO log-barrier term of C-MORL's Stage 2 (step 7) as a
// [ppo.LossTerm]: for every objective j ≠ L it adds
//
//	(1/T)·log( (Ĝ_j(θ) − Ref_j) − Beta·(Parent_j − Ref_j) ),
//	Ĝ_j(θ) = Old_j + L̄·mean_i[clip(ρ_i, 1±ε)·A_{j,i}],
//
// with A_{j,i} the raw advantage of objective j. When an argument is at most
// 1e-3 the log term is skipped for that objective and mean_i[ρ_i·A_{j,i}] is
// added instead (feasibility recovery). The ref shift of the constraint is
// the library's rule for negative objectives (see the package doc). Old is
// the evaluated return of the policy before the update; the caller updates
// it after every evaluation.
type Barrier struct {
	L                int
	Beta, T          float64
	Ref, Parent, Old []float64
}

var _ ppo.LossTerm = (*Barrier)(nil)

// Grad implements [ppo.LossTerm].
func (b *Barrier) Grad(dst []float64, mb *ppo.Minibatch) float64 {
	n := mb.Objectives
	B := float64(len(mb.Ratio))
	val := 0.0
	for j := range n {
		if j == b.L {
			continue
		}
		mean := 0.0
		for i, r := range mb.Ratio {
			rc := math.Max(1-mb.Clip, math.Min(1+mb.Clip, r))
			mean += rc * mb.AdvVec[i*n+j]
		}
		mean /= B
		arg := (b.Old[j] + mb.MeanEpLen*mean - b.Ref[j]) - b.Beta*(b.Parent[j]-b.Ref[j])
		if arg > feasTol {
			val += math.Log(arg) / b.T
			c := mb.MeanEpLen / (b.T * arg * B)
			for i, r := range mb.Ratio {
				if r > 1-mb.Clip && r < 1+mb.Clip {
					dst[i] += c * r * mb.AdvVec[i*n+j]
				}
			}
			continue
		}
		s := 0.0
		for i, r := range mb.Ratio {
			s += r * mb.AdvVec[i*n+j]
			dst[i] += r * mb.AdvVec[i*n+j] / B
		}
		val += s / B
	}
	return val
}
