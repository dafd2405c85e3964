package pde_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/pde"
)

// A diagonal (ANP-like) prediction of the PME m = 3 solution that misses
// the mass is corrected by ProbConserv: the mean conserves exactly, and
// the correction is largest where the variance is largest.
func ExampleConservationUpdate() {
	sol := pde.PME{M: 3}
	x, _ := pde.UniformGrid(0, 1, 201)
	w, _ := pde.TrapezoidWeights(x)
	mu := make([]float64, len(x))
	v := make(pde.Diagonal, len(x))
	for i, xi := range x {
		mu[i] = 0.9 * sol.U(0.5, xi) // 10% too little mass
		v[i] = 1e-4
		if xi > 0.4 && xi < 0.6 {
			v[i] = 1e-2 // uncertain near the front x = 0.5
		}
	}
	mu2, cov2, err := pde.ConservationUpdate(mu, v, pde.MassConstraint(w, sol.Mass(0.5)))
	if err != nil {
		fmt.Println(err)
		return
	}
	before, _ := pde.ConservationError(mu, w, sol.Mass(0.5))
	after, _ := pde.ConservationError(mu2, w, sol.Mass(0.5))
	fmt.Printf("CE before %.4f, after below 1e-12: %v\n", before, math.Abs(after) < 1e-12)
	fmt.Printf("shift at x=0.1: %.4f, at x=0.5: %.4f\n", mu2[20]-mu[20], mu2[100]-mu[100])
	fmt.Printf("%T\n", cov2)
	// Output:
	// CE before -0.0432, after below 1e-12: true
	// shift at x=0.1: 0.0021, at x=0.5: 0.2129
	// *pde.DiagPlusRank1
}

// HardC moves every point by the same amount (for uniform weights).
func ExampleProjectHardC() {
	w := []float64{0.25, 0.25, 0.25, 0.25}
	mu, _ := pde.ProjectHardC([]float64{1, 0, 0, 0}, pde.MassConstraint(w, 0.5))
	fmt.Printf("%.4g\n", mu)
	// Output:
	// [1.25 0.25 0.25 0.25]
}

// Samples from the updated structured covariance conserve exactly, with
// no n×n factorisation.
func ExampleNewSampler() {
	w := []float64{0.5, 1, 1, 0.5}
	mu2, cov2, _ := pde.ConservationUpdate([]float64{1, 2, 3, 4}, pde.Diagonal{1, 2, 3, 4}, pde.MassConstraint(w, 6))
	s, _ := pde.NewSampler(cov2)
	rng := rand.New(rand.NewPCG(1, 0))
	x, _ := s.Sample(nil, mu2, rng)
	mass, _ := pde.ConservationError(x, w, 0)
	fmt.Printf("%.6f\n", mass)
	// Output:
	// 6.000000
}

// The Stefan solution's free boundary and mass at t = 0.05.
func ExampleNewStefan() {
	s, _ := pde.NewStefan(0.6)
	front, _ := s.Front(0.05)
	fmt.Printf("z1 %.6f, x*(0.05) %.6f, U(0.05) %.6f\n", s.Z1, front, s.Mass(0.05))
	// Output:
	// z1 0.525670, x*(0.05) 0.235087, U(0.05) 0.185946
}

// A GP step-1 model fitted to a few exact values of the heat solution.
func ExampleFitGP() {
	sol := pde.HeatPeriodic{K: 1}
	var ts, xs, ys []float64
	for _, t := range []float64{0.2, 0.4, 0.6, 0.8} {
		for _, x := range []float64{0.5, 1.5, 2.5, 3.5, 4.5, 5.5} {
			ts, xs, ys = append(ts, t), append(xs, x), append(ys, sol.U(t, x))
		}
	}
	gp, _ := pde.FitGP(ts, xs, ys, &pde.GPSettings{LengthT: 0.3, LengthX: 1})
	mean, cov, _ := pde.DiagModel{Model: gp}.Predict(0.5, []float64{1.5})
	fmt.Printf("mean %.3f (exact %.3f), sd %.3f\n", mean[0], sol.U(0.5, 1.5), math.Sqrt(cov.Diag()[0]))
	// Output:
	// mean 0.597 (exact 0.605), sd 0.014
}

// Each latent sample is constrained before aggregation, so the mixture
// mean conserves too.
func ExampleAggregateLatent() {
	w := []float64{0.5, 1, 1, 0.5}
	c := pde.MassConstraint(w, 3)
	mus := [][]float64{{1, 1, 1, 1}, {2, 1, 0, 0}}
	covs := []pde.Covariance{pde.Diagonal{1, 1, 1, 1}, pde.Diagonal{0.1, 1, 1, 0.1}}
	res, _ := pde.AggregateLatent(mus, covs, &c)
	ce, _ := pde.ConservationError(res.Mean, w, 3)
	fmt.Printf("mean %.3f, |CE| below 1e-12: %v\n", res.Mean, math.Abs(ce) < 1e-12)
	// Output:
	// mean [1.512 1.244 0.744 0.512], |CE| below 1e-12: true
}

// An ensemble of GPs with different length scales is a latent-variable
// step-1 model: each member is constrained, then the mixture is formed.
func ExampleEnsemble() {
	sol := pde.PME{M: 1}
	var ts, xs, ys []float64
	for _, t := range []float64{0.3, 0.5, 0.7} {
		for _, x := range []float64{0.1, 0.3, 0.45, 0.6, 0.9} {
			ts, xs, ys = append(ts, t), append(xs, x), append(ys, sol.U(t, x))
		}
	}
	var ens pde.Ensemble
	for _, l := range []float64{0.1, 0.15, 0.2} {
		gp, _ := pde.FitGP(ts, xs, ys, &pde.GPSettings{LengthT: l, LengthX: l})
		ens = append(ens, pde.DiagModel{Model: gp})
	}
	x, _ := pde.UniformGrid(0, 1, 101)
	w, _ := pde.TrapezoidWeights(x)
	mus, covs, _ := ens.PredictLatent(0.5, x)
	c := pde.MassConstraint(w, sol.Mass(0.5))
	res, _ := pde.AggregateLatent(mus, covs, &c)
	ce, _ := pde.ConservationError(res.Mean, w, sol.Mass(0.5))
	fmt.Printf("%d members, |CE| below 1e-12: %v, %T\n", len(ens), math.Abs(ce) < 1e-12, res.Cov)
	// Output:
	// 3 members, |CE| below 1e-12: true, *pde.DiagPlusLowRank
}

// The post-hoc inequality step clips negative values while keeping the
// mass, moving the most uncertain points the most.
func ExampleProjectNonNegative() {
	w := []float64{0.5, 1, 1, 0.5}
	mu := []float64{1, 0.8, -0.2, -0.1}
	d := []float64{0.01, 0.1, 0.1, 0.1}
	u, _ := pde.ProjectNonNegative(mu, d, w, 1)
	mass, _ := pde.ConservationError(u, w, 0)
	fmt.Printf("u %.4f, mass %.4f\n", u, mass)
	// Output:
	// u [0.9854 0.5073 0.0000 0.0000], mass 1.0000
}
