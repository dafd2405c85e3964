package srm_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/srm"
)

// Example trains a reward model on pairs where the chosen step has the
// larger first feature, and checks it on fresh pairs.
func Example() {
	rng := rand.New(rand.NewPCG(1, 0))
	pair := func() ([]float64, []float64) {
		a, b := []float64{rng.Float64(), rng.Float64()}, []float64{rng.Float64(), rng.Float64()}
		if a[0] < b[0] {
			a, b = b, a
		}
		return a, b
	}
	var chosen, rejected [][]float64
	for k := 0; k < 1200; k++ {
		c, r := pair()
		chosen, rejected = append(chosen, c), append(rejected, r)
	}
	m, err := srm.Fit(context.Background(), chosen[:1000], rejected[:1000], &srm.Settings{Epochs: 10, Rand: rng})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("held-out preference accuracy %.2f\n", m.Accuracy(chosen[1000:], rejected[1000:]))
	// Output:
	// held-out preference accuracy 0.95
}
