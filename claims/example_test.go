package claims_test

import (
	"fmt"

	"github.com/optlearn/optlearn/claims"
)

func ExampleSpearman() {
	fmt.Println(claims.Spearman([]float64{1, 2, 3, 4, 5}, []float64{0.1, 0.2, 0.4, 0.3, 0.9}))
	// Output: 0.9
}
