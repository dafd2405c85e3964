package constrained

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// ErrBreakdown: GMRES found an invariant Krylov space while the residual
// was still above the tolerance (the system is singular and b is not in
// the range of A, or nearly so), or a restart cycle made no progress at all
// (restarting from the same point would repeat it forever).
var ErrBreakdown = errors.New("constrained: GMRES breakdown or stagnation")

// GMRESSettings configures [GMRES.Solve].
type GMRESSettings struct {
	// Tol is the relative residual target: stop when ‖b − A x‖₂ ≤ Tol ‖b‖₂.
	// Zero means √ε ≈ 1.5e-8 (the default of Julia's gmres, used by the
	// paper's code); negative turns the test off (exactly MaxIter steps).
	Tol float64
	// MaxIter caps the Arnoldi steps (one step = one product with A) over
	// all restart cycles. Zero means the order n of A.
	MaxIter int
	// Restart is the Krylov dimension of one cycle, GMRES(Restart). Zero
	// means min(20, n), Julia's default.
	Restart int
}

// GMRESResult is the outcome of [GMRES.Solve].
type GMRESResult struct {
	// Iterations counts Arnoldi steps (products with A).
	Iterations int
	// RowOps is the work in row operations (multiply-adds / n): n per
	// product with A, plus the orthogonalisation.
	RowOps int64
	// Residual is the true residual ‖b − A x‖₂ at return (recomputed, not
	// the recurrence's estimate).
	Residual float64
	// Status is Converged, IterationLimit, Canceled, or Failure (the
	// error wraps [ErrBreakdown]).
	Status run.Status
}

// GMRES is the restarted generalised minimal residual method of Saad and
// Schultz (1986) for a square, possibly nonsymmetric or indefinite system
// A x = b: each cycle builds an orthonormal Krylov basis by modified
// Gram–Schmidt Arnoldi, reduces the Hessenberg least-squares problem with
// Givens rotations, and updates x by the minimiser. A singular system ends
// with Status Failure and the least-squares iterate, never NaN.
//
// The zero value is ready; it keeps its workspace between calls (no
// allocation once sized) and must not be shared by concurrent solves.
type GMRES struct {
	v      []float64 // (restart+1) × n Krylov basis, row-major
	h      []float64 // (restart+1) × restart Hessenberg, row-major
	cs, sn []float64
	g, y   []float64
	w, r   []float64
}

// roundoff is the relative residual below which no GMRES step can improve
// x in float64.
const roundoff = 1e-14

// gmresDefaultTol is √ε₆₄, the default relative tolerance of Julia's gmres.
const gmresDefaultTol = 1.4901161193847656e-08

// Solve improves x (the start on entry) towards A⁻¹b. It returns an error
// wrapping [ErrDimension] for a nil or non-square A or slices of the wrong
// length, [ErrSettings] for a NaN Tol or negative MaxIter or Restart,
// [ErrNotFinite] for NaN or ±Inf in A, x or b, ctx's error if ctx ended
// (checked every step), or [ErrBreakdown] with Status Failure.
func (g *GMRES) Solve(ctx context.Context, A *mat.Dense, x, b []float64, s *GMRESSettings) (GMRESResult, error) {
	var set GMRESSettings
	if s != nil {
		set = *s
	}
	raw, err := checkK(A)
	if err != nil {
		return GMRESResult{Status: run.Failure}, err
	}
	n := raw.Rows
	switch {
	case len(x) != n || len(b) != n:
		return GMRESResult{Status: run.Failure}, fmt.Errorf("%w: len(x)=%d len(b)=%d, A has order %d", ErrDimension, len(x), len(b), n)
	case math.IsNaN(set.Tol) || math.IsInf(set.Tol, 1):
		return GMRESResult{Status: run.Failure}, fmt.Errorf("%w: GMRES Tol = %v", ErrSettings, set.Tol)
	case set.MaxIter < 0 || set.Restart < 0:
		return GMRESResult{Status: run.Failure}, fmt.Errorf("%w: GMRES MaxIter = %d, Restart = %d must not be negative", ErrSettings, set.MaxIter, set.Restart)
	case !linalg.AllFinite(raw.Data) || !linalg.AllFinite(x) || !linalg.AllFinite(b):
		return GMRESResult{Status: run.Failure}, fmt.Errorf("%w: A, x or b", ErrNotFinite)
	}
	set.Tol = cmp.Or(set.Tol, gmresDefaultTol)
	set.MaxIter = cmp.Or(set.MaxIter, n)
	set.Restart = cmp.Or(set.Restart, min(20, n))
	set.Restart = min(set.Restart, n)
	g.size(n, set.Restart)
	return g.run(ctx, raw, x, b, set)
}

// Residual returns A x − b at the end of the last Solve (recomputed there,
// not the recurrence's estimate). The slice is the solver's workspace: read
// only, and valid until the next call.
func (g *GMRES) Residual() []float64 { return g.r }

func (g *GMRES) size(n, m int) {
	g.v = resize(g.v, (m+1)*n)
	g.h = resize(g.h, (m+1)*m)
	g.cs, g.sn = resize(g.cs, m), resize(g.sn, m)
	g.g, g.y = resize(g.g, m+1), resize(g.y, m)
	g.w, g.r = resize(g.w, n), resize(g.r, n)
}

// run does restart cycles until convergence, the step cap, a breakdown or
// a stagnating cycle.
func (g *GMRES) run(ctx context.Context, A blas64.General, x, b []float64, set GMRESSettings) (GMRESResult, error) {
	n := A.Rows
	var res GMRESResult
	tolAbs := set.Tol * linalg.Nrm2(b)
	residual(g.r, A, x, b) // r = A x − b
	res.RowOps += int64(n)
	beta := linalg.Nrm2(g.r)
	for {
		res.Residual = beta
		switch {
		case beta <= tolAbs:
			res.Status = run.Converged
			return res, nil
		case res.Iterations >= set.MaxIter:
			res.Status = run.IterationLimit
			return res, nil
		}
		k, breakdown, err := g.cycle(ctx, A, beta, min(set.Restart, set.MaxIter-res.Iterations), tolAbs, &res)
		g.update(x, n, k)
		residual(g.r, A, x, b)
		res.RowOps += int64(n) + int64(k)
		prev := beta
		beta = linalg.Nrm2(g.r)
		res.Residual = beta
		if err != nil {
			res.Status = run.Canceled
			return res, err
		}
		if beta <= roundoff*linalg.Nrm2(b) && tolAbs < 0 {
			// Tol off and the residual at rounding level: no step can
			// improve x, so the run has converged.
			res.Status = run.Converged
			return res, nil
		}
		if beta > tolAbs && (breakdown || !(beta < prev*(1-1e-12))) {
			res.Status = run.Failure
			return res, fmt.Errorf("%w: residual %.3g after %d steps (tolerance %.3g)", ErrBreakdown, beta, res.Iterations, tolAbs)
		}
	}
}

// cycle builds up to m Arnoldi vectors from the residual in g.r (norm
// beta) and reduces the Hessenberg matrix with Givens rotations. It returns
// the number of steps k taken and whether the Krylov space became
// invariant.
func (g *GMRES) cycle(ctx context.Context, A blas64.General, beta float64, m int, tolAbs float64, res *GMRESResult) (k int, breakdown bool, err error) {
	n, ms := A.Rows, len(g.cs)
	v := func(i int) []float64 { return g.v[i*n : (i+1)*n] }
	linalg.ScaleTo(v(0), -1/beta, g.r) // r holds A x − b; the residual is its negative
	linalg.Zero(g.g)
	g.g[0] = beta
	for j := 0; j < m; j++ {
		if err := ctx.Err(); err != nil {
			return j, false, err
		}
		w := g.w
		linalg.Gemv(false, 1, A, v(j), 0, w)
		for i := 0; i <= j; i++ {
			hij := linalg.Dot(w, v(i))
			g.h[i*ms+j] = hij
			linalg.Axpy(-hij, v(i), w)
		}
		hn := linalg.Nrm2(w)
		res.Iterations++
		res.RowOps += int64(n) + int64(2*(j+1))
		// Apply the previous rotations to column j, then a new one.
		for i := 0; i < j; i++ {
			a, c := g.h[i*ms+j], g.h[(i+1)*ms+j]
			g.h[i*ms+j] = g.cs[i]*a + g.sn[i]*c
			g.h[(i+1)*ms+j] = -g.sn[i]*a + g.cs[i]*c
		}
		hjj := g.h[j*ms+j]
		den := math.Hypot(hjj, hn)
		if den == 0 {
			return j, true, nil // A v(j) = 0: the space is invariant and this column adds nothing
		}
		g.cs[j], g.sn[j] = hjj/den, hn/den
		g.h[j*ms+j] = den
		g.g[j+1] = -g.sn[j] * g.g[j]
		g.g[j] *= g.cs[j]
		k = j + 1
		if math.Abs(g.g[j+1]) <= tolAbs {
			return k, false, nil
		}
		if hn <= 1e-14*den {
			return k, true, nil
		}
		linalg.ScaleTo(v(j+1), 1/hn, w)
	}
	return k, false, nil
}

// update solves the k×k triangular system R y = g and adds V y to x. A
// (near) zero pivot of R, from a singular A, gets y = 0 for its direction,
// so x stays finite.
func (g *GMRES) update(x []float64, n, k int) {
	ms := len(g.cs)
	rmax := 0.0
	for i := range k {
		rmax = math.Max(rmax, math.Abs(g.h[i*ms+i]))
	}
	for i := k - 1; i >= 0; i-- {
		s := g.g[i]
		for j := i + 1; j < k; j++ {
			s -= g.h[i*ms+j] * g.y[j]
		}
		if d := g.h[i*ms+i]; math.Abs(d) > 1e-14*rmax {
			g.y[i] = s / d
		} else {
			g.y[i] = 0
		}
	}
	for i := range k {
		linalg.Axpy(g.y[i], g.v[i*n:(i+1)*n], x)
	}
}
