package gpme

import (
	"context"
	"math"
	"testing"
)

// TestLatentEnsembleConserves: constraining each ensemble member before
// aggregating gives an exactly conserving mixture mean, with the variances
// clamped at 1e-8; every optional method runs and conserves, and the
// inequality step gives a non-negative mean.
func TestLatentEnsembleConserves(t *testing.T) {
	for _, c := range Cases() {
		in, err := Run(context.Background(), c, 0, &Settings{Latent: true, Full: true, Diffusion: true, NonNeg: true})
		if err != nil {
			t.Fatal(err)
		}
		want := 7
		if c.NonNegative {
			want = 8
			r, _ := in.Get(PCNonNeg)
			for i, v := range r.Mean {
				if v < 0 {
					t.Fatalf("%s: nonneg mean[%d] = %g", c.Name, i, v)
				}
			}
		}
		if len(in.Results) != want {
			t.Fatalf("%s: %d results, want %d", c.Name, len(in.Results), want)
		}
		for _, m := range []string{PC, HardC, PCFull, PCDiff, PCEns, PCNonNeg} {
			r, ok := in.Get(m)
			if !ok {
				continue
			}
			if math.Abs(r.CE) > 1e-10*math.Max(1, math.Abs(in.Mass)) {
				t.Errorf("%s %s: CE = %g", c.Name, m, r.CE)
			}
		}
		r, _ := in.Get(PCEns)
		for i, v := range r.Var {
			if v < 1e-8 {
				t.Fatalf("%s: mixture variance %d = %g", c.Name, i, v)
			}
		}
	}
}
