package robust

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/milp"
)

// Sentinel errors; errors returned by the package wrap one of them (or a
// milp error, or the context's error) with detail.
var (
	// ErrDimension: the parts of a problem disagree in size.
	ErrDimension = errors.New("robust: dimension mismatch")
	// ErrSettings: a setting or probability is out of range.
	ErrSettings = errors.New("robust: invalid settings")
	// ErrNotFinite: NaN or Inf in the problem data.
	ErrNotFinite = errors.New("robust: NaN or Inf")
	// ErrEmptySet: an uncertainty set has no vertex.
	ErrEmptySet = errors.New("robust: empty uncertainty set")
	// ErrBoundsCrossed: the master's lower bound rose above the best plan's
	// cost, so some cut was not valid for every plan (the static variant
	// under decision-dependent uncertainty does this).
	ErrBoundsCrossed = errors.New("robust: lower bound above upper bound")
	// ErrRecourse: a recourse LP is infeasible or unbounded (the model
	// lacks relatively complete recourse).
	ErrRecourse = errors.New("robust: recourse LP infeasible or unbounded")
)

// Budget describes Ξ = {ξ ∈ [−1, 1]^K : Σ_k |ξ_k| ≤ Gamma}, integer Gamma:
// its vertices have Gamma entries ±1 (or all of them if K < Gamma).
type Budget struct {
	K, Gamma int
}

// Uncertainty is a decision-dependent uncertainty set in structured form,
//
//	U(x) = { d(x, ξ) = a(x) + D(x) ξ : ξ ∈ Ξ },
//
// with a and D affine in x: for a fixed ξ, d is affine in x, which is what
// lets PC&CG pass a scenario that moves with x. Set returns Ξ. Active
// reports which coordinates of ξ change d at x (nil means all), so that
// the vertices enumerated at x skip coordinates that do nothing (an
// undeployed node's demand). Affine returns a0 and A with
// d(x, ξ) = a0 + A x for the given ξ.
type Uncertainty interface {
	Set() Budget
	Active(x []float64) []bool
	Affine(xi []float64) (a0 []float64, A *mat.Dense)
}

// Scenario is one stochastic scenario s with probability P and recourse
//
//	Q_s(x) = max_{d ∈ U_s(x)} min_y { Qᵀy : W y (≥ | =) R − T x − M d, y ≥ 0 },
//
// rows of Sense GE or EQ (write a ≤ row as a ≥ row negated). PiLower and
// PiUpper bound the dual of each row that M couples to the uncertainty;
// only the single-level MILP subproblem ([DualMILP]) needs them (they are
// its McCormick constants: too tight a bound silently cuts the worst case,
// so they must come from valid dual bounds).
type Scenario struct {
	P       float64
	Q       []float64
	W       *mat.Dense
	Sense   []milp.Sense
	R       []float64
	T       *mat.Dense
	M       *mat.Dense
	U       Uncertainty
	PiLower []float64
	PiUpper []float64
}

// Problem is a two-stage stochastic-robust program with decision-dependent
// uncertainty:
//
//	min_x  cᵀx + Σ_s p_s Q_s(x)   subject to the constraints of First,
//
// where First (a MILP over x: costs, rows, bounds, integrality) is the
// first stage.
type Problem struct {
	First     *milp.Problem
	Scenarios []Scenario
}

// validate checks sizes and values.
func (p *Problem) validate() (nx int, err error) {
	if p == nil || p.First == nil {
		return 0, fmt.Errorf("%w: nil problem or first stage", ErrSettings)
	}
	nx = len(p.First.C)
	if len(p.Scenarios) == 0 {
		return 0, fmt.Errorf("%w: no scenarios", ErrSettings)
	}
	sum := 0.0
	for s, sc := range p.Scenarios {
		if !(sc.P > 0 && sc.P <= 1) {
			return 0, fmt.Errorf("%w: scenario %d has probability %v", ErrSettings, s, sc.P)
		}
		sum += sc.P
		if sc.W == nil || sc.T == nil || sc.M == nil || sc.U == nil {
			return 0, fmt.Errorf("%w: scenario %d lacks W, T, M or U", ErrSettings, s)
		}
		rows, ny := sc.W.Dims()
		tr, tc := sc.T.Dims()
		mr, md := sc.M.Dims()
		if len(sc.Q) != ny || len(sc.R) != rows || len(sc.Sense) != rows || tr != rows || tc != nx || mr != rows {
			return 0, fmt.Errorf("%w: scenario %d: W %d×%d, Q %d, R %d, Sense %d, T %d×%d (first stage %d), M %d×%d",
				ErrDimension, s, rows, ny, len(sc.Q), len(sc.R), len(sc.Sense), tr, tc, nx, mr, md)
		}
		for i, se := range sc.Sense {
			if se != milp.GE && se != milp.EQ {
				return 0, fmt.Errorf("%w: scenario %d row %d: recourse rows are GE or EQ", ErrSettings, s, i)
			}
		}
		b := sc.U.Set()
		if b.K < 1 || b.Gamma < 1 {
			return 0, fmt.Errorf("%w: scenario %d: Ξ has K = %d, Γ = %d", ErrEmptySet, s, b.K, b.Gamma)
		}
		a0, A := sc.U.Affine(make([]float64, b.K))
		if len(a0) != md || A == nil {
			return 0, fmt.Errorf("%w: scenario %d: the uncertainty has %d demands, M has %d columns", ErrDimension, s, len(a0), md)
		}
		if ar, ac := A.Dims(); ar != md || ac != nx {
			return 0, fmt.Errorf("%w: scenario %d: Affine's A is %d×%d, want %d×%d", ErrDimension, s, ar, ac, md, nx)
		}
		for _, v := range [][]float64{sc.Q, sc.R} {
			for _, x := range v {
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return 0, fmt.Errorf("%w: scenario %d", ErrNotFinite, s)
				}
			}
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		return 0, fmt.Errorf("%w: scenario probabilities sum to %v", ErrSettings, sum)
	}
	return nx, nil
}

// demand returns d(x, ξ) = a0 + A x.
func demand(u Uncertainty, xi, x []float64) []float64 {
	a0, A := u.Affine(xi)
	d := append([]float64(nil), a0...)
	r, c := A.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			d[i] += A.At(i, j) * x[j]
		}
	}
	return d
}

// vertices lists the vertices of Ξ restricted to the active coordinates:
// every ξ with min(Γ, #active) entries ±1 on active coordinates.
func vertices(b Budget, active []bool) [][]float64 {
	var idx []int
	for k := 0; k < b.K; k++ {
		if active == nil || active[k] {
			idx = append(idx, k)
		}
	}
	g := min(b.Gamma, len(idx))
	if g == 0 {
		return [][]float64{make([]float64, b.K)}
	}
	var out [][]float64
	var rec func(start, left int, xi []float64)
	rec = func(start, left int, xi []float64) {
		if left == 0 {
			out = append(out, append([]float64(nil), xi...))
			return
		}
		for p := start; p <= len(idx)-left; p++ {
			for _, v := range [2]float64{1, -1} {
				xi[idx[p]] = v
				rec(p+1, left-1, xi)
			}
			xi[idx[p]] = 0
		}
	}
	rec(0, g, make([]float64, b.K))
	return out
}
