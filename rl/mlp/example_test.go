package mlp_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/mlp"
)

func ExampleNewCategorical() {
	p, _ := mlp.NewCategorical(4, 2, nil, rand.New(rand.NewPCG(1, 0)))
	// The 0.01-scaled output layer makes the initial policy nearly uniform.
	fmt.Printf("%.2f\n", p.LogProb([]float64{0.1, 0, -0.2, 0}, rl.Action{Discrete: 1}))
	// Output: -0.69
}
