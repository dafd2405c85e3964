package morl

import (
	"fmt"
	"math"
	"slices"

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
//	Ĝ_j(θ) = Old_j + L̄·mean_t[clip(ρ_t, 1±ε)·A_{j,t}],
//
// with A_{j,t} the raw advantage of objective j and mean_t over the whole
// rollout batch. When an argument is at most 1e-3 the log term is skipped
// for that update and mean_t[ρ_t·A_{j,t}] is added instead (feasibility
// recovery). The ref shift of the constraint is the library's rule for
// negative objectives (see the package doc). Old is the evaluated return
// of the policy before the update; the caller updates it after every
// evaluation.
//
// Barrier implements [ppo.UpdateStarter]: BeginUpdate evaluates every
// argument on the whole batch at θ_old (ρ ≡ 1) and fixes which objectives
// are violated for the update. Within a minibatch the batch argument at θ
// is estimated as arg_j(θ_old) + L̄·mean_mb[(clip(ρ, 1±ε) − 1)·A_{j}],
// which is unbiased for the batch mean and, because |clip(ρ) − 1| ≤ ε, far
// less noisy than a minibatch mean of clip(ρ)·A_j; the gradient is the
// same. Deciding feasibility per minibatch from 32-sample means instead
// flips a comfortably feasible extension into recovery at random (on Deep
// Sea Treasure a third of the minibatch steps of a first update whose
// parent had slack 3.2). If the estimate falls to 1e-3 or below during a
// feasible update (the iterate crossed the boundary) that minibatch uses
// the recovery term. Without BeginUpdate (Grad called directly) the
// argument is the minibatch estimate of Ĝ_j(θ).
type Barrier struct {
	// L is the objective being maximised, Beta the constraint level β and
	// T the barrier parameter t.
	L       int
	Beta, T float64
	// Ref is the reference point, Parent G of π_r and Old the evaluated
	// return of θ_old.
	Ref, Parent, Old []float64
	// CriticFeasibility decides feasibility at the start of an update from
	// Old + L̄·mean(A_j) (the spec's Ĝ_j(θ_old)) instead of Old alone.
	CriticFeasibility bool

	arg0  []float64 // batch barrier arguments at θ_old (BeginUpdate)
	begun bool
	err   error
}

// NewBarrier returns the barrier of extension (π_r, l) with Old = Parent.
// It returns an error for an objective index outside the parent's range,
// mismatched lengths, a non-finite value, β outside (0, 1] or t ≤ 0.
func NewBarrier(l int, beta, t float64, ref, parent []float64) (*Barrier, error) {
	b := &Barrier{L: l, Beta: beta, T: t, Ref: slices.Clone(ref), Parent: slices.Clone(parent), Old: slices.Clone(parent)}
	if err := b.check(len(parent)); err != nil {
		return nil, err
	}
	return b, nil
}

// check validates b for n objectives.
func (b *Barrier) check(n int) error {
	switch {
	case len(b.Ref) != n || len(b.Parent) != n || len(b.Old) != n:
		return fmt.Errorf("%w: barrier for %d objectives has Ref %d, Parent %d, Old %d", ErrDimension, n, len(b.Ref), len(b.Parent), len(b.Old))
	case b.L < 0 || b.L >= n:
		return fmt.Errorf("%w: barrier objective %d outside [0, %d)", ErrSettings, b.L, n)
	case !(b.Beta > 0 && b.Beta <= 1) || !(b.T > 0) || math.IsInf(b.T, 1):
		return fmt.Errorf("%w: barrier β %g, t %g", ErrSettings, b.Beta, b.T)
	}
	for j := range n {
		for _, v := range [...]float64{b.Ref[j], b.Parent[j], b.Old[j]} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: barrier objective %d: Ref %g, Parent %g, Old %g", ErrNotFinite, j, b.Ref[j], b.Parent[j], b.Old[j])
			}
		}
	}
	return nil
}

// Err returns why the barrier contributed nothing to the last update (its
// lengths do not match the batch, or a value is invalid), or nil. A
// Barrier built with [NewBarrier] and used on its environment never fails.
func (b *Barrier) Err() error { return b.err }

var (
	_ ppo.LossTerm      = (*Barrier)(nil)
	_ ppo.UpdateStarter = (*Barrier)(nil)
)

// BeginUpdate implements [ppo.UpdateStarter].
func (b *Barrier) BeginUpdate(bt *ppo.Batch) {
	b.arg0 = b.arg0[:0]
	b.begun = false
	if b.err = b.check(bt.Objectives); b.err != nil {
		return
	}
	if len(bt.AdvMean) != bt.Objectives {
		b.err = fmt.Errorf("%w: batch has %d mean advantages for %d objectives", ErrDimension, len(bt.AdvMean), bt.Objectives)
		return
	}
	for j := range bt.Objectives {
		g := b.Old[j]
		if b.CriticFeasibility {
			g += bt.MeanEpLen * bt.AdvMean[j]
		}
		b.arg0 = append(b.arg0, (g-b.Ref[j])-b.Beta*(b.Parent[j]-b.Ref[j]))
	}
	b.begun = true
}

// Recovering reports whether the current update started infeasible in
// some objective (after BeginUpdate).
func (b *Barrier) Recovering() bool {
	for j := range b.arg0 {
		if j == b.L {
			continue
		}
		if b.Violated(j) {
			return true
		}
	}
	return false
}

// Feasible reports whether g satisfies the constraint
// (g_j − Ref_j) ≥ β·(Parent_j − Ref_j) for every j ≠ L.
func (b *Barrier) Feasible(g []float64) bool {
	if len(g) != len(b.Ref) || len(g) != len(b.Parent) {
		return false
	}
	for j := range g {
		if j != b.L && (g[j]-b.Ref[j])-b.Beta*(b.Parent[j]-b.Ref[j]) < 0 {
			return false
		}
	}
	return true
}

// Violated reports whether objective j was infeasible at the start of the
// current update (after BeginUpdate).
func (b *Barrier) Violated(j int) bool {
	return b.begun && j != b.L && j >= 0 && j < len(b.arg0) && b.arg0[j] <= feasTol
}

// Grad implements [ppo.LossTerm]. On a Barrier or minibatch with
// mismatched lengths it adds nothing and records the error for [Barrier.Err].
func (b *Barrier) Grad(dst []float64, mb *ppo.Minibatch) float64 {
	n := mb.Objectives
	if err := b.check(n); err != nil {
		b.err = err
		return 0
	}
	if len(dst) < len(mb.Ratio) || len(mb.AdvVec) < len(mb.Ratio)*n || (b.begun && len(b.arg0) != n) {
		b.err = fmt.Errorf("%w: minibatch of %d ratios, %d gradients, %d advantages for %d objectives", ErrDimension, len(mb.Ratio), len(dst), len(mb.AdvVec), n)
		return 0
	}
	B := float64(len(mb.Ratio))
	val := 0.0
	for j := range n {
		if j == b.L {
			continue
		}
		var arg float64
		if b.begun {
			arg = b.arg0[j]
			if arg > feasTol {
				d := 0.0
				for i, r := range mb.Ratio {
					rc := math.Max(1-mb.Clip, math.Min(1+mb.Clip, r))
					d += (rc - 1) * mb.AdvVec[i*n+j]
				}
				arg += mb.MeanEpLen * d / B
			}
		} else {
			mean := 0.0
			for i, r := range mb.Ratio {
				rc := math.Max(1-mb.Clip, math.Min(1+mb.Clip, r))
				mean += rc * mb.AdvVec[i*n+j]
			}
			arg = (b.Old[j] + mb.MeanEpLen*mean/B - b.Ref[j]) - b.Beta*(b.Parent[j]-b.Ref[j])
		}
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
