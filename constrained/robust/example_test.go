package robust_test

import (
	"context"
	"fmt"

	"github.com/optlearn/optlearn/constrained/robust"
)

// Example plans the spec's hydrogen-electrical microgrid toy with PC&CG:
// it finds the brute-force optimum in three iterations.
func Example() {
	p, _ := robust.Microgrid(nil)
	res, err := robust.Solve(context.Background(), p, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, n, e := robust.Plan(res.X)
	fmt.Printf("%.4f after %d iterations: dispensers %v, electrolyser modules %v\n", res.UB, res.Iterations, n, e)
	// Output:
	// 1180.7325 after 3 iterations: dispensers [2 2 3], electrolyser modules [1 1 1]
}
