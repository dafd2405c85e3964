package parl_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/parl"
)

// Example aligns the goal-only reward of LavaGrid-5 with noisy utility
// feedback: A-PARL raises the true return of the induced behaviour from
// −0.78 to above 0.8 within 100 iterations of 32 queries.
func Example() {
	m := parl.LavaGrid5()
	nu0 := []float64{1, 0, 0}
	p0, _ := parl.SoftValueIteration(m, nu0, 0.1)
	F0, _, _ := p0.Value(nil)
	res, err := parl.Run(context.Background(), m, nu0, parl.TrueReturn{Noise: 0.1},
		&parl.Settings{Rand: rand.New(rand.NewPCG(1, 0))})
	if err != nil {
		fmt.Println(err)
		return
	}
	F, _, _ := res.Policy.Value(nil)
	fmt.Printf("F(ν₀) = %.4g, F(ν₁₀₀) = %.3g after %d queries (%v)\n", F0, F, res.Queries, res.Status)
	// Output:
	// F(ν₀) = -0.7816, F(ν₁₀₀) = 0.82 after 3200 queries (Completed)
}
