package selective

import (
	"math"
	"math/rand/v2"
	"testing"
)

// R2 reduced (n = 5000 instead of 20,000): the expertise constraint never
// raises the variance of β_Y (an exact matrix inequality at the same
// point), lowers that of the tied feature, and both MLEs are within 4
// standard errors of the truth.
func TestHeckmanVariance(t *testing.T) {
	const s, rho = 1.5, 1.2
	alpha := rho / (s * s)
	betaY := []float64{1, 0.5, -0.8}
	betaT := []float64{0.3, 0.4, alpha * -0.8}
	h, err := HeckmanData(5000, betaY, betaT, s, rho, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	truth := append(append(append([]float64(nil), betaY...), betaT...), math.Log(s), math.Atanh(rho/s))
	start := make([]float64, len(truth))
	start[2*3] = math.Log(1.0)
	un, err := h.Fit(-1, start)
	if err != nil {
		t.Fatal(err)
	}
	con, err := h.Fit(2, start)
	if err != nil {
		t.Fatal(err)
	}
	for j := 0; j < 3; j++ {
		vc, vu := con.Cov.At(j, j), con.Uncon.At(j, j)
		if vc > vu*(1+1e-10) {
			t.Errorf("β_Y,%d: constrained variance %.4g above unconstrained %.4g", j, vc, vu)
		}
		if j == 2 && vc > 0.95*vu {
			t.Errorf("β_Y,2: constrained variance %.4g not 5%% below %.4g", vc, vu)
		}
		for _, f := range []*HeckmanFit{un, con} {
			if se := math.Sqrt(f.Cov.At(j, j)); math.Abs(f.Theta[j]-truth[j]) > 4*se {
				t.Errorf("β_Y,%d = %.4f, truth %.4f, se %.4f", j, f.Theta[j], truth[j], se)
			}
		}
	}
}
