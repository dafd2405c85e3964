package gpme

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/pde"
)

// Case is one test problem of the GPME family: an exact solution on the
// domain [X0, X0+L] × [0, T], evaluated at time TEval.
type Case struct {
	// Name identifies the case, e.g. "Stefan0.6", "PME3", "Heat1".
	Name string
	// Solution is the closed-form solution with its conserved quantity.
	Solution pde.ExactSolution
	// X0 and L give the spatial domain [X0, X0+L].
	X0, L float64
	// T is the time horizon; contexts are drawn on [0, T].
	T float64
	// TEval is the prediction time (T/2 in every case).
	TEval float64
	// NonNegative reports that u ≥ 0 (Stefan, PME), so the post-hoc
	// inequality step applies.
	NonNegative bool
}

// Cases returns the spec's seven test cases, in the order Stefan u* = 0.6,
// 0.5; PME m = 1, 3, 6; heat k = 1, 5. Stefan is evaluated at t = 0.05 on
// t ∈ [0, 0.1], the others at t = 0.5 on t ∈ [0, 1]; heat lives on [0, 2π],
// the others on [0, 1].
func Cases() []Case {
	s6, _ := pde.NewStefan(0.6)
	s5, _ := pde.NewStefan(0.5)
	return []Case{
		{Name: "Stefan0.6", Solution: s6, X0: 0, L: 1, T: 0.1, TEval: 0.05, NonNegative: true},
		{Name: "Stefan0.5", Solution: s5, X0: 0, L: 1, T: 0.1, TEval: 0.05, NonNegative: true},
		{Name: "PME1", Solution: pde.PME{M: 1}, X0: 0, L: 1, T: 1, TEval: 0.5, NonNegative: true},
		{Name: "PME3", Solution: pde.PME{M: 3}, X0: 0, L: 1, T: 1, TEval: 0.5, NonNegative: true},
		{Name: "PME6", Solution: pde.PME{M: 6}, X0: 0, L: 1, T: 1, TEval: 0.5, NonNegative: true},
		{Name: "Heat1", Solution: pde.HeatPeriodic{K: 1}, X0: 0, L: 2 * math.Pi, T: 1, TEval: 0.5},
		{Name: "Heat5", Solution: pde.HeatPeriodic{K: 5}, X0: 0, L: 2 * math.Pi, T: 1, TEval: 0.5},
	}
}

// CaseByName returns the case of [Cases] with the given name, or an error
// wrapping pde.ErrSettings.
func CaseByName(name string) (Case, error) {
	for _, c := range Cases() {
		if c.Name == name {
			return c, nil
		}
	}
	return Case{}, fmt.Errorf("%w: unknown case %q", pde.ErrSettings, name)
}

// InstanceSeed returns the fixed seed of instance i (i+1); instances
// 0..19 are the spec's 20 fixed instances of every case.
func InstanceSeed(i int) uint64 { return uint64(i) + 1 }

// Contexts are the noise-free observations u(T[i], X[i]) = Y[i] given to
// the step-1 model.
type Contexts struct {
	T, X, Y []float64
}

// SampleContexts draws the spec's 100 contexts: for i = 0..9,
// τᵢ = (i + U(0,1))/10 and 10 sorted ξ ~ U(0,1) drawn fresh at each τᵢ, or
// (tensor = true, the official data layout) one sorted set of 10 ξ shared
// by all times; t = τT, x = X0 + ξL, y = u(t, x). It returns an error
// wrapping pde.ErrSettings for a nil rng or a case without a solution, and
// pde.ErrNotFinite if the solution is not finite at a context.
func SampleContexts(c Case, rng *rand.Rand, tensor bool) (Contexts, error) {
	const nt, nx = 10, 10
	if rng == nil || c.Solution == nil {
		return Contexts{}, fmt.Errorf("%w: SampleContexts needs a *rand.Rand and a case with a solution", pde.ErrSettings)
	}
	var shared []float64
	if tensor {
		shared = sortedUniform(rng, nx)
	}
	var ctx Contexts
	for i := 0; i < nt; i++ {
		tau := (float64(i) + rng.Float64()) / nt
		xi := shared
		if !tensor {
			xi = sortedUniform(rng, nx)
		}
		t := tau * c.T
		for _, v := range xi {
			x := c.X0 + v*c.L
			y := c.Solution.U(t, x)
			if math.IsNaN(y) || math.IsInf(y, 0) {
				return Contexts{}, fmt.Errorf("%w: case %s: u(%g, %g) = %g", pde.ErrNotFinite, c.Name, t, x, y)
			}
			ctx.T = append(ctx.T, t)
			ctx.X = append(ctx.X, x)
			ctx.Y = append(ctx.Y, y)
		}
	}
	return ctx, nil
}

func sortedUniform(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.Float64()
	}
	slices.Sort(v)
	return v
}
