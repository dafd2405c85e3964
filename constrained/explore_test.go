package constrained_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
)

func TestExplore(t *testing.T) {
	for _, p := range problems.All() {
		for _, sk := range []string{"exact", "rk", "gv"} {
			for seed := uint64(1); seed <= 2; seed++ {
				var s constrained.Sketcher
				switch sk {
				case "exact":
					s = &constrained.ExactLU{}
				case "rk":
					s = &constrained.RK{}
				case "gv":
					s = &constrained.GaussianSketch{}
				}
				eps := 1e-6
				if p.Degenerate {
					eps = 1e-4
				}
				st := time.Now()
				r, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{Eps: eps, Sketcher: s, Rand: rand.New(rand.NewPCG(seed, 0)), MaxIter: 1000})
				xe := 0.0
				for i := range r.X {
					xe = math.Max(xe, math.Abs(r.X[i]-p.XStar[i]))
				}
				t.Logf("%-5s %-5s it=%4d inner=%9d kkt=%.1e fgap=%.1e xerr=%.1e mu=%.2g nu=%.2g caps=%d retries=%d %v err=%v %v", p.Name, sk, r.Iterations, r.InnerSteps, r.KKT, math.Abs(r.F-p.FStar), xe, r.Mu, r.Nu, r.InnerCapHits, r.Retries, r.Status, err, time.Since(st).Round(time.Millisecond))
			}
		}
	}
}
