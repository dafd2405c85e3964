package parl

import (
	"math"
	"testing"
)

// The spec's exact values for LavaGrid-5 (λ = 0.1), to 1e-4.
func TestLavaGridExactValues(t *testing.T) {
	m := LavaGrid5()
	for _, c := range []struct {
		nu   []float64
		F    float64
		grad []float64
	}{
		{nu: []float64{0, 0, 0}, F: -1.76123},
		{nu: []float64{1, 0, 0}, F: -0.78158, grad: []float64{0.14184, -19.16163, 18.50026}},
		{nu: []float64{1, -0.3, 0.2}, F: -0.00664, grad: []float64{1.56762, 3.91634, 0.49245}},
		{nu: []float64{2, -0.2, 0.2}, F: 0.82013},
	} {
		p, err := SoftValueIteration(m, c.nu, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		F, g, err := p.Value(nil)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(F-c.F) > 1e-4 {
			t.Errorf("F(%v) = %.6f, want %.5f", c.nu, F, c.F)
		}
		for k := range c.grad {
			if math.Abs(g[k]-c.grad[k]) > 1e-4 {
				t.Errorf("∇F(%v) = %.6f, want %v", c.nu, g, c.grad)
				break
			}
		}
	}
}

// The spec's two-step preference tree at ν = (0.2, −0.1, 0.3, 0), λ = 0.5,
// to 1e-6.
func TestPreferenceTreeExact(t *testing.T) {
	m := PreferenceTree()
	p, err := SoftValueIteration(m, []float64{0.2, -0.1, 0.3, 0}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	ts, ps, err := p.Enumerate(0)
	if err != nil {
		t.Fatal(err)
	}
	leaf := make([]float64, 4)
	for i, tr := range ts {
		leaf[tr.States[len(tr.States)-1]-3] += ps[i]
	}
	near := func(name string, got, want []float64) {
		t.Helper()
		for k := range want {
			if math.Abs(got[k]-want[k]) > 1e-6 {
				t.Errorf("%s = %.7f, want %v", name, got, want)
				return
			}
		}
	}
	near("leaf probabilities", leaf, []float64{0.290653, 0.159513, 0.355004, 0.19483})
	F, grad, term1, err := ExactPreference(p, m.TrueReward)
	if err != nil {
		t.Fatal(err)
	}
	near("F", []float64{F}, []float64{-0.673419})
	near("∇F", grad, []float64{0.070798, -0.004944, -0.016982, -0.048872})
	near("term 1", term1, []float64{0.075272, -0.008050, -0.006069, -0.061152})
}
