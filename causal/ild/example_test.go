package ild_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/causal/ild"
)

// Example computes a domain counterfactual with the generator's true
// model: the same exogenous noise pushed through another domain.
func Example() {
	rng := rand.New(rand.NewPCG(1, 0))
	ds, err := ild.Simulation{M: 4, D: 2, Intervened: []int{3}}.Generate(1000, 10, 10, rng)
	if err != nil {
		fmt.Println(err)
		return
	}
	x := ds.Test.X[0][0]
	cf, _ := ds.Truth.Counterfactual(nil, x, 0, 1)
	want, _ := ds.Truth.Decode(nil, ds.TestEps[0][0], 1)
	diff := 0.0
	for i := range cf {
		diff = max(diff, cf[i]-want[i], want[i]-cf[i])
	}
	fmt.Println("counterfactual matches the truth:", diff < 1e-12)
	// Output:
	// counterfactual matches the truth: true
}
