// Package robust solves two-stage stochastic-robust programs whose
// uncertainty set depends on the first-stage decision, by parametric
// column-and-constraint generation (PC&CG), as used in
//
//	Sun, Cao, Zeng, Zhai, Başar, Guan, "Stochastic-Robust Planning of
//	Networked Hydrogen-Electrical Microgrids: A Study on Induced Refueling
//	Demand", IEEE Transactions on Smart Grid, 2024, arXiv 2404.00568;
//
// the algorithm is Zeng and Wang's, "Two-Stage Robust Optimization with
// Decision Dependent Uncertainty", arXiv 2203.16484.
//
// The problem is
//
//	min_x cᵀx + Σ_s p_s Q_s(x),
//	Q_s(x) = max_{d ∈ U_s(x)} min_{y ≥ 0} { q_sᵀy : W_s y ≥ r_s − T_s x − M_s d },
//
// with a decision-dependent set U_s(x) = {a_s(x) + D_s(x) ξ : ξ ∈ Ξ_s}
// (structured form: a and D affine in x, Ξ a budget polytope). A worst case
// d* found for one plan is in general not in U_s(x) for another, so plain
// C&CG, which adds d* to the master, can cut off the optimum; PC&CG adds the
// worst ξ instead, with d(x, ξ) moving with x, so every cut stays valid.
// The subproblem is solved exactly by vertex enumeration ([VertexEnum]) or
// as one single-level MILP ([DualMILP]); the master by the branch and bound
// of package milp (any [milp.Solver] can be plugged in).
//
// The paper's full model and case study could not be read; [Microgrid] is
// the spec's reconstructed toy instance (three nodes, two periods, three
// scenarios, 891 plans) whose brute-force optimum and PC&CG trace are the
// package's reference. Symbols: p_s → Scenario.P, q → Q, W, r → R, T, M;
// U_s → Scenario.U ([Uncertainty]: Set, Active, Affine); Γ → Budget.Gamma;
// ε_rel → Settings.Tol.
//
// Usage:
//
//	p, _ := robust.Microgrid(nil)
//	res, err := robust.Solve(ctx, p, nil) // res.X, res.UB, res.LB, res.Status
//	u, n, e := robust.Plan(res.X)
package robust
