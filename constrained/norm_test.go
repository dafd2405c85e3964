package constrained_test

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
)

// TestDefaultNormIsSpectral checks that the default matrix norm is the
// spectral norm of the paper and of the spec's reference runs, and shows
// what Frobenius norms (the official code's) change: a larger ‖K‖ Ψ makes
// the inner accuracy test tighter, so the same run needs more sketch steps
// (HS77, RK, seed 1: 76643 with spectral norms, 80003 with Frobenius).
func TestDefaultNormIsSpectral(t *testing.T) {
	p := problems.HS77()
	solve := func(s *constrained.Settings) constrained.Result {
		t.Helper()
		s.Tol, s.Sketcher, s.Rand = 1e-6, &constrained.RK{}, rand.New(rand.NewPCG(1, 0))
		r, err := constrained.Solve(context.Background(), p, p.X0, nil, s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	def := solve(&constrained.Settings{})
	spec := solve(&constrained.Settings{Norm: constrained.Spectral})
	frob := solve(&constrained.Settings{Norm: constrained.Frobenius})
	if def.InnerSteps != spec.InnerSteps || def.Iterations != spec.Iterations || maxAbsDiff(def.X, spec.X) != 0 {
		t.Errorf("default run differs from the spectral-norm run: %d/%d vs %d/%d outer/inner steps",
			def.Iterations, def.InnerSteps, spec.Iterations, spec.InnerSteps)
	}
	if !(frob.InnerSteps > spec.InnerSteps) {
		t.Errorf("Frobenius norms: %d inner steps, spectral %d; want more with the looser bound", frob.InnerSteps, spec.InnerSteps)
	}
	t.Logf("HS77 RK seed 1: spectral %d outer / %d inner steps, Frobenius %d / %d", spec.Iterations, spec.InnerSteps, frob.Iterations, frob.InnerSteps)
}
