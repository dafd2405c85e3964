package constrained

import (
	"context"
	"math"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// outer is the loop of every method of the package: evaluate the start,
// record it, then call step until a stopping test holds. init runs once
// after the start point is evaluated. step sees ctx with the run's time
// limit as a deadline and returns Canceled when it ended; outer tells the
// caller's cancellation from the time limit.
func (sv *solver) outer(ctx context.Context, step func(ctx context.Context) (run.Status, error), init func()) (Result, error) {
	sv.loop = run.Loop[*Iter]{Recorder: sv.s.Recorder, MaxIter: sv.s.MaxIter, TimeLimit: sv.s.TimeLimit}
	inner := ctx
	if sv.s.TimeLimit > 0 {
		var cancel context.CancelFunc
		inner, cancel = context.WithTimeout(ctx, sv.s.TimeLimit)
		defer cancel()
	}
	cur := &sv.w.cur
	ok := sv.eval(cur)
	if err := sv.loop.Start(sv.fillIter()); err != nil {
		return sv.finish(run.RecorderStopped, err)
	}
	if !ok {
		return sv.finish(failure(ErrNotFinite, "f, ∇f, c or G at the start point"))
	}
	init()
	if kktNorm(cur) <= sv.s.Tol {
		return sv.finish(run.Converged, nil)
	}
	if st, err := sv.loop.Check(ctx); st != run.NotTerminated {
		return sv.finish(st, err)
	}
	for {
		sv.it = Iter{}
		st, err := step(inner)
		if st == run.Canceled {
			st, err = sv.interrupted(ctx, err)
		}
		if st != run.NotTerminated {
			return sv.finish(st, err)
		}
		sv.res.Iterations++
		if st, err := sv.loop.Next(ctx, sv.fillIter(), kktNorm(&sv.w.cur) <= sv.s.Tol); st != run.NotTerminated {
			return sv.finish(st, err)
		}
	}
}

// modifiedHessian evaluates ∇²ₓL, checks λmin(G Gᵀ) ≥ xiGMin and sets
// sv.shift = ξ_B + ‖∇²ₓL‖_F when the reduced Hessian is not positive
// definite, as the official baselines do.
func (sv *solver) modifiedHessian(xiGMin float64) (run.Status, error) {
	if st, err := sv.hessianAndLICQ(xiGMin); st != run.NotTerminated {
		return st, err
	}
	sv.shift = 0
	if sv.m < sv.d && sv.reducedHessSmall() {
		sv.shift = sv.s.XiB + frobShifted(sv.w.H, 0)
	}
	sv.it.Shifted = sv.shift != 0
	return run.NotTerminated, nil
}

// rhs sets w.b = −(∇ₓL, c).
func (sv *solver) rhs() {
	w, d := sv.w, sv.d
	linalg.ScaleTo(w.b[:d], -1, w.cur.gl)
	linalg.ScaleTo(w.b[d:], -1, w.cur.c)
}

// backtrack halves α from 1 until merit(x + α dx, λ + α dλ) ≤ m0 + α η q,
// evaluating f and c at trial points and the gradients at the accepted
// one, and accepts the point. z holds (dx, dλ); a z of length d moves x
// only.
func (sv *solver) backtrack(m0, q, eta float64, z []float64, merit func(*point) float64) (run.Status, error) {
	w, d := sv.w, sv.d
	cur, tr := &w.cur, &w.trial
	zInf := linalg.MaxAbs(z)
	iterScale := math.Max(1, math.Max(linalg.MaxAbs(cur.x), linalg.MaxAbs(cur.l)))
	alpha := 1.0
	sawNonFinite := false
	for k := 0; ; k++ {
		linalg.AxpyTo(tr.x, alpha, z[:d], cur.x)
		if len(z) > d {
			linalg.AxpyTo(tr.l, alpha, z[d:], cur.l)
		} else {
			linalg.Copy(tr.l, cur.l)
		}
		stalled := alpha*zInf <= machEps*iterScale
		if !stalled {
			v := math.Inf(1)
			if sv.evalFC(tr) {
				v = merit(tr)
			} else {
				sawNonFinite = true
			}
			if v <= m0+alpha*eta*q {
				break
			}
		}
		if stalled || k >= sv.s.MaxBacktrack {
			switch {
			case sawNonFinite:
				return failure(ErrNotFinite, "the line search failed with non-finite trial points")
			case sv.it.InnerCapHit:
				return failure(ErrInnerCap, "after %d halvings", k)
			}
			return failure(ErrLineSearch, "after %d halvings, directional derivative %.3g", k, q)
		}
		alpha /= 2
	}
	if !sv.evalGrad(tr) {
		return failure(ErrNotFinite, "∇f or G at the accepted point")
	}
	w.cur, w.trial = w.trial, w.cur
	sv.it.Alpha = alpha
	return run.NotTerminated, nil
}

// evalFC evaluates f and c at pt (one function evaluation) and reports
// whether both are finite.
func (sv *solver) evalFC(pt *point) bool {
	pt.f = sv.p.Func(pt.x)
	sv.p.Cons(pt.c, pt.x)
	sv.res.FuncEvals++
	return !math.IsNaN(pt.f) && !math.IsInf(pt.f, 0) && linalg.AllFinite(pt.c)
}

// evalGrad evaluates ∇f and G at pt and forms ∇ₓL (one gradient
// evaluation); it reports whether all are finite.
func (sv *solver) evalGrad(pt *point) bool {
	sv.p.Grad(pt.g, pt.x)
	sv.p.Jac(pt.G, pt.x)
	sv.res.GradEvals++
	linalg.Copy(pt.gl, pt.g)
	linalg.Gemv(true, 1, pt.G.RawMatrix(), pt.l, 1, pt.gl)
	return linalg.AllFinite(pt.g) && linalg.AllFinite(pt.G.RawMatrix().Data)
}
