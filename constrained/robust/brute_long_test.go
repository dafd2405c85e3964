//go:build long

package robust

import (
	"context"
	"math"
	"testing"
)

// TestBruteForce enumerates the 891 plans of the base case (go test -tags
// long): the optimum is PC&CG's, 1180.7325 at n = (2, 2, 3), e = (1, 1, 1).
func TestBruteForce(t *testing.T) {
	p, _ := Microgrid(nil)
	best, arg, count := math.Inf(1), []float64(nil), 0
	for _, x := range allPlans() {
		total, _, err := Evaluate(context.Background(), p, x, nil)
		if err != nil {
			t.Fatal(err)
		}
		count++
		if total < best {
			best, arg = total, x
		}
	}
	_, n, e := Plan(arg)
	if count != 891 || math.Abs(best-brute) > 1e-4 || n != [3]int{2, 2, 3} || e != [3]int{1, 1, 1} {
		t.Errorf("%d plans, best %.4f at n %v e %v", count, best, n, e)
	}
}

func allPlans() [][]float64 {
	type site struct{ u, n, e int }
	var opts []site
	opts = append(opts, site{})
	for n := 1; n <= 3; n++ {
		for e := 0; e <= 2; e++ {
			opts = append(opts, site{1, n, e})
		}
	}
	var out [][]float64
	for _, a := range opts {
		for _, b := range opts {
			if a.u+b.u == 0 {
				continue
			}
			for _, c := range opts[1:] {
				x := make([]float64, mgX)
				for i, s := range []site{a, b, c} {
					x[MicrogridU(i)] = float64(s.u)
					for k := 0; k < s.n; k++ {
						x[MicrogridB(i, k)] = 1
					}
					x[MicrogridE(i)] = float64(s.e)
				}
				out = append(out, x)
			}
		}
	}
	return out
}
