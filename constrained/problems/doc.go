// Package problems holds equality-constrained test problems with known
// solutions for package constrained, as used by Hong, Na, Mahoney and Kolar,
// "Constrained Optimization via Exact Augmented Lagrangian and Randomized
// Iterative Sketching" (ICML 2023, arXiv:2305.18379):
//
//   - 14 Hock–Schittkowski problems ([All], [HS6] … [HS79]) with analytic
//     derivatives, the spec's start points and known optima; HS26 and HS49
//     are degenerate (singular Hessian at x*), HS61 has a rank-deficient
//     Jacobian at (0, 0, 0) and a non-global KKT point reached from (1, 1, 1);
//   - the linear-quadratic PDE control problem [PDE] at any grid size N,
//     with its exact solution from a direct KKT solve;
//   - constrained logistic regression [Logistic] (A x = b, ‖x‖² = 1) on any
//     sparse design matrix, with the spec's synthetic instance
//     [SyntheticLogistic].
//
// Every problem implements constrained.EqProblem (Dims, Func, Grad, Cons,
// Jac, HessLag) structurally; this package does not import constrained.
// # Bad input
//
// Constructors return an error for bad input (nil rng, sizes out of range,
// NaN data). The problem callbacks (Func, Grad, Cons, Jac, HessLag,
// HessLagVec) are kernels: like linalg's, they expect slices and matrices of
// the sizes Dims gives, and a caller who passes others gets a panic
// (constrained.Solve and CheckDerivatives always pass the right sizes).
package problems
