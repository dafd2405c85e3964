package parl

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/run"
)

// Decoupled is the "fit the reward, then optimise" baseline of the spec
// with the same query budget as [Run]: each iteration draws Batch
// trajectories from π*(ν_t), queries their utilities (fb must have Arity
// 1), fits ν by ridge regression of U on Φ(τ) = Σ_h γ^h φ(s_{h+1}) over all
// the data so far (no intercept: ν = (ΦᵀΦ + Ridge·I)⁻¹ΦᵀU, by Cholesky),
// and re-solves the lower level. It ignores LR, NoBaseline and
// TermOneOnly. Errors are those of [Run].
func Decoupled(ctx context.Context, m *MDP, nu0 []float64, fb Feedback, s *Settings) (Result, error) {
	set, err := s.defaults()
	if err != nil {
		return Result{}, err
	}
	if fb == nil || fb.Arity() != 1 {
		return Result{}, fmt.Errorf("%w: Decoupled needs utility feedback (Arity 1)", ErrSettings)
	}
	ss, err := newSession(m, nu0, set)
	if err != nil {
		return Result{}, err
	}
	if ss.done {
		return ss.end(run.Completed, nil)
	}
	d := m.Dim()
	nu, pol := ss.res.Nu, ss.res.Policy
	gram := mat.NewSymDense(d, nil) // ΦᵀΦ over all data
	rhs := make([]float64, d)       // ΦᵀU
	phi, scratch := make([]float64, d), make([]float64, d)
	ts := make([]Trajectory, 1)
	var chol mat.Cholesky
	for {
		meanU := 0.0
		for i := 0; i < set.Batch; i++ {
			if err := ctx.Err(); err != nil {
				return ss.end(run.Canceled, err)
			}
			pol.Sample(&ts[0], set.Rand)
			u, err := fb.Eval(m, nu, ts, scratch, set.Rand)
			if err != nil {
				return ss.end(run.Failure, err)
			}
			if math.IsNaN(u) || math.IsInf(u, 0) {
				return ss.end(run.Failure, fmt.Errorf("%w: feedback value %v", ErrNotFinite, u))
			}
			meanU += u / float64(set.Batch)
			clear(phi)
			m.FeatureSum(phi, &ts[0])
			for a := 0; a < d; a++ {
				rhs[a] += phi[a] * u
				for b := a; b < d; b++ {
					gram.SetSym(a, b, gram.At(a, b)+phi[a]*phi[b])
				}
			}
		}
		reg := mat.NewSymDense(d, nil)
		reg.CopySym(gram)
		for a := 0; a < d; a++ {
			reg.SetSym(a, a, reg.At(a, a)+set.Ridge)
		}
		if !chol.Factorize(reg) {
			return ss.end(run.Failure, fmt.Errorf("%w: ridge system not positive definite", ErrNotFinite))
		}
		var x mat.VecDense
		if err := chol.SolveVecTo(&x, mat.NewVecDense(d, rhs)); err != nil {
			return ss.end(run.Failure, err)
		}
		for a := range nu {
			nu[a] = x.AtVec(a)
		}
		if pol, err = SoftValueIteration(m, nu, set.Lambda); err != nil {
			return ss.end(run.Failure, err)
		}
		if st, err := ss.next(ctx, pol, meanU); st != run.NotTerminated {
			return ss.end(st, err)
		}
	}
}
