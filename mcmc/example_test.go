package mcmc_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/mcmc"
)

// normal2 is a standard 2-D normal.
type normal2 struct{}

func (normal2) Dim() int { return 2 }
func (normal2) LogProb(g, x []float64) float64 {
	g[0], g[1] = -x[0], -x[1]
	return -0.5 * (x[0]*x[0] + x[1]*x[1])
}

// Example samples a standard normal with HMC and checks the chains.
func Example() {
	res, err := mcmc.HMC(context.Background(), normal2{}, [][]float64{{2, -2}},
		&mcmc.Settings{Warmup: 500, Draws: 1000, Rand: rand.New(rand.NewPCG(1, 0))})
	if err != nil {
		fmt.Println(err)
		return
	}
	rhat, ess := mcmc.SplitRhat(res.Chains), mcmc.BulkESS(res.Chains)
	fmt.Printf("R-hat below 1.01: %v, ESS above 1000: %v\n", rhat[0] < 1.01 && rhat[1] < 1.01, ess[0] > 1000 && ess[1] > 1000)
	// Output:
	// R-hat below 1.01: true, ESS above 1000: true
}

// ExampleNUTS samples the same normal with the No-U-Turn Sampler, whose
// path length adapts per draw, and counts divergent draws.
func ExampleNUTS() {
	res, err := mcmc.NUTS(context.Background(), normal2{}, [][]float64{{2, -2}},
		&mcmc.Settings{Warmup: 500, Draws: 1000, Rand: rand.New(rand.NewPCG(1, 0))})
	if err != nil {
		fmt.Println(err)
		return
	}
	rhat, ess := mcmc.SplitRhat(res.Chains), mcmc.BulkESS(res.Chains)
	fmt.Printf("R-hat below 1.01: %v, ESS above 1000: %v, divergences: %d\n", rhat[0] < 1.01 && rhat[1] < 1.01, ess[0] > 1000 && ess[1] > 1000, res.Divergences)
	// Output:
	// R-hat below 1.01: true, ESS above 1000: true, divergences: 0
}
