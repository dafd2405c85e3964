// Package problems holds distributed test problems for package ef21, each
// split over n clients and knowing its smoothness constants:
//
//   - [LeastSquares]: fᵢ(x) = ‖Aᵢx − bᵢ‖²/(2mᵢ), with [NewR1] the
//     heterogeneous problem R1 of the EF21-W reproduction spec (Lᵢ spread
//     over three orders of magnitude) and its exact minimum.
//   - [Logistic]: nonconvex regularised logistic regression over a sparse
//     (LIBSVM) design, as in the experiments of Richtárik, Gasanov and
//     Burlachenko, "Error Feedback Reloaded" (ICLR 2024), split evenly or
//     sorted so that the Lᵢ differ.
//
// All implement ef21.Oracle, ef21.StochOracle and ef21.Smooth.
package problems
