// Package milp solves small mixed-integer linear programs by LP-based
// branch and bound: best-bound node selection, pruning by the LP bound,
// branching on the most fractional integer variable, with an integrality
// tolerance, a relative gap, node and time limits and a context.
//
// It serves the master problems of column-and-constraint generation
// (package robust) and anything of similar size: tens of integers,
// hundreds of rows. Node LPs are solved by a dense two-phase tableau
// simplex (Dantzig pricing, Bland's rule after a run of degenerate pivots,
// slack columns as the starting basis); gonum's lp.Simplex can be chosen
// instead (Settings.GonumSimplex): it refactorises the basis at every
// pivot and its one-artificial phase 1 reported a feasible degenerate LP
// of the robust package's master infeasible, which is why it is not the
// default. The [Solver] interface lets a native MILP solver be plugged in.
//
// No paper is implemented here: it is the branch and bound that the
// PC&CG spec (constrained-pccg.md) asks for.
//
// Usage:
//
//	p := &milp.Problem{C: c, A: A, Sense: senses, B: b, Upper: ub, Integer: isInt}
//	res, err := milp.BranchBound{}.Solve(ctx, p, nil) // res.X, res.F, res.Bound, res.Status
package milp
