package selective_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/causal/selective"
)

// Example fits the model with the prevalence constraint to a synthetic
// data set and compares the inferred prevalence with the truth, which the
// tested units alone overstate.
func Example() {
	syn, _ := selective.Generate(3000, 3, rand.New(rand.NewPCG(1, 0)))
	prev, tested, pos := 0.0, 0, 0
	for i, y := range syn.YAll {
		prev += float64(y) / 3000
		if syn.T[i] == 1 {
			tested++
			pos += syn.Y[i]
		}
	}
	md, err := selective.New(syn.X, syn.T, syn.Y, &selective.Settings{Prevalence: prev, Lambda: 1.25e5})
	if err != nil {
		fmt.Println(err)
		return
	}
	theta, _, err := md.MAP(nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("positive rate among the tested %.3f, true prevalence %.3f, inferred %.3f\n", float64(pos)/float64(tested), prev, md.ImpliedPrevalence(theta))
	// Output:
	// positive rate among the tested 0.374, true prevalence 0.326, inferred 0.326
}
