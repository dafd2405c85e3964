package game24_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/envs/game24"
)

// Example plays one episode of the agent with a world model that makes no
// mistakes, and prints the written steps.
func Example() {
	rng := rand.New(rand.NewPCG(4, 0))
	s := game24.NewState([4]int{1, 2, 3, 4})
	agent := game24.Agent{Temperature: 0.3}
	for !s.Terminal() {
		t := agent.Sample(s, rng)
		s = game24.World{}.Execute(s, t, rng)
		fmt.Printf("%-58s %s\n", t.Text(), s.Steps[len(s.Steps)-1].Eq.Text())
	}
	fmt.Println("reward", s.Reward())
	// Output:
	// Multiply the largest number by the second largest number.  4 * 3 = 12
	// Divide the second largest number by the third largest number. 2 / 1 = 2
	// Multiply the largest number by the second largest number.  12 * 2 = 24
	// reward 1
}
