package gpme

import (
	"math"
	"testing"
)

// TestLatentEnsembleConserves: constraining each ensemble member before
// aggregating gives an exactly conserving mixture mean, with the variances
// clamped at 1e-8; every optional method runs.
func TestLatentEnsembleConserves(t *testing.T) {
	for _, c := range Cases() {
		in, err := Run(c, InstanceSeed(0), &Settings{Latent: true, Full: true, Diffusion: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Results) != 7 {
			t.Fatalf("%s: %d results", c.Name, len(in.Results))
		}
		for _, m := range []string{PC, HardC, PCFull, PCDiff, PCEns} {
			r, _ := in.Get(m)
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
