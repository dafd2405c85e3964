package mcts_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/mcts"
)

// coin is a one-step problem: choosing heads wins with probability 0.9,
// tails with 0.2.
type coin struct {
	side string // "" at the root
}

func (c coin) Terminal() bool { return c.side != "" }

func (c coin) Expand(rng *rand.Rand, n int) []mcts.StepNode {
	out := make([]mcts.StepNode, n)
	for i := range out {
		out[i] = coin{side: [2]string{"heads", "tails"}[rng.IntN(2)]}
	}
	return out
}

func (c coin) Rollout(rng *rand.Rand, _ int) float64 {
	p := map[string]float64{"heads": 0.9, "tails": 0.2}[c.side]
	if rng.Float64() < p {
		return 1
	}
	return 0
}

// Example annotates the coin problem: the preference pairs prefer heads.
func Example() {
	tree, err := mcts.Run(context.Background(), coin{}, &mcts.Settings{MaxIter: 300, Rand: rand.New(rand.NewPCG(1, 0))})
	if err != nil {
		fmt.Println(err)
		return
	}
	count := map[string]int{}
	for _, p := range mcts.Pairs(tree, 0.5) {
		count[p.Chosen.State.(coin).side+" over "+p.Rejected.State.(coin).side]++
	}
	fmt.Println(count)
	// Output:
	// map[heads over tails:5]
}
