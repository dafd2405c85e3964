package robust

import (
	"context"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/milp"
)

// DualMILP solves the subproblem as one mixed-integer program instead of
// enumerating vertices: by LP duality
//
//	Q_s(x) = max { πᵀ(h − G ξ) : Wᵀπ ≤ Q, π ≥ 0 on GE rows, ξ ∈ Ξ },
//	h = R − T x − M a(x),  G = M D(x),
//
// with ξ = ξ⁺ − ξ⁻ binary (Ξ's vertices are integer), ξ⁺_k + ξ⁻_k ≤ 1,
// Σ(ξ⁺ + ξ⁻) ≤ Γ, and each product π_i ξ±_k linearised exactly by
// McCormick's inequalities with the dual bounds Scenario.PiLower/PiUpper
// of the rows that G couples to ξ. It is exact when those bounds hold for
// some optimal dual solution.
type DualMILP struct {
	// Solver solves the MILP. Nil means milp.BranchBound{}.
	Solver milp.Solver
}

var (
	_ SubSolver = VertexEnum{}
	_ SubSolver = DualMILP{}
)

// Worst returns Q_s(x) and a maximising ξ. It returns an error wrapping
// [ErrSettings] when a row coupled to ξ has no finite dual bounds.
func (d DualMILP) Worst(ctx context.Context, sc *Scenario, x []float64) (float64, []float64, error) {
	solver := d.Solver
	if solver == nil {
		solver = milp.BranchBound{}
	}
	rows, ny := sc.W.Dims()
	b := sc.U.Set()
	K := b.K
	active := sc.U.Active(x)
	zero := make([]float64, K)
	a := demand(sc.U, zero, x)
	// G = M D(x): column k is M (d(x, e_k) − a)
	G := mat.NewDense(rows, K, nil)
	for k := 0; k < K; k++ {
		zero[k] = 1
		dk := demand(sc.U, zero, x)
		zero[k] = 0
		for i := 0; i < rows; i++ {
			v := 0.0
			for j := range dk {
				v += sc.M.At(i, j) * (dk[j] - a[j])
			}
			G.Set(i, k, v)
		}
	}
	h := make([]float64, rows)
	for i := range h {
		h[i] = sc.R[i]
		for j, xj := range x {
			h[i] -= sc.T.At(i, j) * xj
		}
		for j, aj := range a {
			h[i] -= sc.M.At(i, j) * aj
		}
	}
	// variables: π (rows) | ξ⁺ (K) | ξ⁻ (K) | w⁺, w⁻ per coupled (i, k)
	type pair struct{ i, k int }
	var pairs []pair
	coupled := make([]bool, rows)
	for i := 0; i < rows; i++ {
		for k := 0; k < K; k++ {
			if G.At(i, k) != 0 && (active == nil || active[k]) {
				pairs = append(pairs, pair{i, k})
				coupled[i] = true
			}
		}
	}
	for i := 0; i < rows; i++ {
		if coupled[i] && (sc.PiLower == nil || sc.PiUpper == nil || math.IsInf(sc.PiLower[i], 0) || math.IsInf(sc.PiUpper[i], 0)) {
			return 0, nil, fmt.Errorf("%w: row %d is coupled to ξ and needs finite dual bounds (PiLower, PiUpper)", ErrSettings, i)
		}
	}
	nv := rows + 2*K + 2*len(pairs)
	xp, xm, wp := rows, rows+K, rows+2*K
	p := &milp.Problem{C: make([]float64, nv), Lower: make([]float64, nv), Upper: make([]float64, nv), Integer: make([]bool, nv)}
	var A [][]float64
	add := func(sense milp.Sense, rhs float64, coef map[int]float64) {
		r := make([]float64, nv)
		for j, v := range coef {
			r[j] += v
		}
		A = append(A, r)
		p.Sense = append(p.Sense, sense)
		p.B = append(p.B, rhs)
	}
	for i := 0; i < rows; i++ {
		p.C[i] = -h[i] // maximise πᵀh
		lo, hi := math.Inf(-1), math.Inf(1)
		if sc.Sense[i] == milp.GE {
			lo = 0
		}
		if coupled[i] {
			lo, hi = math.Max(lo, sc.PiLower[i]), sc.PiUpper[i]
		}
		p.Lower[i], p.Upper[i] = lo, hi
	}
	for k := 0; k < K; k++ {
		up := 1.0
		if active != nil && !active[k] {
			up = 0
		}
		p.Upper[xp+k], p.Upper[xm+k] = up, up
		p.Integer[xp+k], p.Integer[xm+k] = true, true
		add(milp.LE, 1, map[int]float64{xp + k: 1, xm + k: 1})
	}
	budget := map[int]float64{}
	for k := 0; k < K; k++ {
		budget[xp+k], budget[xm+k] = 1, 1
	}
	add(milp.LE, float64(b.Gamma), budget)
	for q, pr := range pairs {
		g := G.At(pr.i, pr.k)
		lo, hi := p.Lower[pr.i], p.Upper[pr.i]
		for s, xiv := range [2]int{xp + pr.k, xm + pr.k} {
			wv := wp + 2*q + s
			p.Lower[wv], p.Upper[wv] = math.Inf(-1), math.Inf(1)
			// objective −Σ G_ik π_i ξ_k = −Σ G_ik (w⁺ − w⁻); we minimise its negative
			sgn := 1.0
			if s == 1 {
				sgn = -1
			}
			p.C[wv] = sgn * g
			// McCormick for w = π ξ, π ∈ [lo, hi], ξ ∈ {0, 1}
			add(milp.LE, 0, map[int]float64{wv: 1, xiv: -hi})
			add(milp.GE, 0, map[int]float64{wv: 1, xiv: -lo})
			add(milp.LE, -lo, map[int]float64{wv: 1, pr.i: -1, xiv: -lo})
			add(milp.GE, -hi, map[int]float64{wv: 1, pr.i: -1, xiv: -hi})
		}
	}
	// dual feasibility Wᵀπ ≤ Q
	for j := 0; j < ny; j++ {
		coef := map[int]float64{}
		for i := 0; i < rows; i++ {
			if v := sc.W.At(i, j); v != 0 {
				coef[i] = v
			}
		}
		add(milp.LE, sc.Q[j], coef)
	}
	p.A = mat.NewDense(len(A), nv, nil)
	for i, r := range A {
		p.A.SetRow(i, r)
	}
	res, err := solver.Solve(ctx, p, &milp.Settings{GapTol: -1})
	if err != nil {
		return 0, nil, fmt.Errorf("robust: dual subproblem: %w", err)
	}
	xi := make([]float64, K)
	for k := 0; k < K; k++ {
		xi[k] = math.Round(res.X[xp+k]) - math.Round(res.X[xm+k])
	}
	return -res.F, xi, nil
}
