package multiwinner_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	mw "github.com/optlearn/optlearn/constrained/multiwinner"
)

// Example selects 4 of 8 items from 200 rankings biased against the second
// group (θ = 0.5), with Borda, with and without the proportional quota 2/2.
func Example() {
	rng := rand.New(rand.NewPCG(1, 0))
	group := mw.TwoGroups(8)
	w := []float64{0.6, 0.5, 0.45, 0.2, 0.95, 0.9, 0.85, 0.1} // latent utilities
	seen, _ := mw.Biased(nil, w, group, []float64{1, 0.5})
	rankings, _ := mw.Thurstone{Sigma: 0.1}.Sample(seen, 200, rng)
	p, _ := mw.NewProfile(8, rankings, group)
	q, _ := mw.Proportional(p.GroupSizes(), 4)
	for _, quota := range []*mw.Quota{nil, q} {
		S, err := mw.Select(context.Background(), mw.KBorda{}, p, 4, quota, &mw.Settings{Rand: rng})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("committee %v latent utility ratio %.3f\n", S, mw.UtilityRatio(S, w, nil, nil))
	}
	// Output:
	// committee [0 1 2 4] latent utility ratio 0.758
	// committee [0 1 4 5] latent utility ratio 0.894
}
