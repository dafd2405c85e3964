package problems_test

import (
	"fmt"

	"github.com/optlearn/optlearn/constrained/problems"
)

func ExampleAll() {
	for _, p := range problems.All()[:3] {
		d, m := p.Dims()
		fmt.Printf("%s d=%d m=%d f*=%.4g degenerate=%v\n", p.Name, d, m, p.FStar, p.Degenerate)
	}
	// Output:
	// HS6 d=2 m=1 f*=0 degenerate=false
	// HS7 d=2 m=1 f*=-1.732 degenerate=false
	// HS26 d=3 m=1 f*=0 degenerate=true
}

func ExamplePDE_Solution() {
	p, _ := problems.NewPDE(3)
	_, _, f, _ := p.Solution()
	fmt.Printf("N=3: f* = %.6f\n", f)
	// Output:
	// N=3: f* = 9.644442
}
