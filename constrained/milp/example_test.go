package milp_test

import (
	"context"
	"fmt"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained/milp"
)

// Example solves a small knapsack: maximise 5a + 4b + 3c subject to
// 2a + 3b + c ≤ 5 and 4a + b + 2c ≤ 11 with integer a, b, c ≥ 0.
func Example() {
	p := &milp.Problem{
		C:       []float64{-5, -4, -3}, // minimise the negative value
		A:       mat.NewDense(2, 3, []float64{2, 3, 1, 4, 1, 2}),
		Sense:   []milp.Sense{milp.LE, milp.LE},
		B:       []float64{5, 11},
		Upper:   []float64{10, 10, 10},
		Integer: []bool{true, true, true},
	}
	res, err := milp.BranchBound{}.Solve(context.Background(), p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("value %.4g at %v (%v)\n", -res.F, res.X, res.Status)
	// Output:
	// value 15 at [0 0 5] (Optimal)
}
