package pde

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate"
)

func TestStefanConstants(t *testing.T) {
	for _, tc := range []struct {
		ustar, z1, alpha, c1, front, mass float64
	}{
		{0.6, 0.525670, 1.051340, 0.736966, 0.235087, 0.185946},
		{0.5, 0.620063, 1.240125, 0.807155, 0.277300, 0.203656},
	} {
		s, err := NewStefan(tc.ustar)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := s.Front(0.05)
		for _, p := range []struct {
			name      string
			got, want float64
		}{{"z1", s.Z1, tc.z1}, {"alpha", s.Alpha, tc.alpha}, {"c1", s.C1, tc.c1}, {"x*(0.05)", f, tc.front}, {"U(0.05)", s.Mass(0.05), tc.mass}} {
			if math.Abs(p.got-p.want) > 1e-6 {
				t.Errorf("u*=%g %s = %.7f, want %.6f", tc.ustar, p.name, p.got, p.want)
			}
		}
		// Root residual at full precision.
		z := s.Z1
		if r := tc.ustar*math.Erf(z)*z*math.Exp(z*z) - (1-tc.ustar)/math.Sqrt(math.Pi); math.Abs(r) > 1e-14 {
			t.Errorf("u*=%g: root residual %g", tc.ustar, r)
		}
		// Jump from u* to 0 at the front.
		if got := s.U(0.05, f*(1-1e-12)); math.Abs(got-tc.ustar) > 1e-9 {
			t.Errorf("u*=%g: u just behind the front = %g", tc.ustar, got)
		}
		if s.U(0.05, f*(1+1e-12)) != 0 || s.U(0.05, 0) != 1 {
			t.Errorf("u*=%g: boundary/front values wrong", tc.ustar)
		}
	}
	for _, bad := range []float64{0, 1, -0.1, math.NaN()} {
		if _, err := NewStefan(bad); err == nil {
			t.Errorf("NewStefan(%g): want error", bad)
		}
	}
	// The bracket must hold down to small and up to large u*.
	for _, u := range []float64{1e-6, 0.01, 0.99, 1 - 1e-9} {
		s, err := NewStefan(u)
		if err != nil || !(s.Z1 > 0 && s.Z1 < 10) {
			t.Errorf("NewStefan(%g) = %+v, %v", u, s, err)
		}
	}
}

func TestPMEMass(t *testing.T) {
	for _, tc := range []struct{ m, want float64 }{{1, 0.125}, {3, 0.429268}, {6, 0.514687}} {
		if got := (PME{M: tc.m}).Mass(0.5); math.Abs(got-tc.want) > 1e-6 {
			t.Errorf("PME m=%g U(0.5) = %.7f, want %.6f", tc.m, got, tc.want)
		}
	}
}

// fineMass integrates u(t, ·) over [a, b] with a fine trapezoid rule.
func fineMass(s ExactSolution, t, a, b float64, n int) float64 {
	x := make([]float64, n)
	y := make([]float64, n)
	for i := range x {
		x[i] = a + (b-a)*float64(i)/float64(n-1)
		y[i] = s.U(t, x[i])
	}
	return integrate.Trapezoidal(x, y)
}

// TestMassIsIntegral checks every closed-form U(t) against quadrature of u.
func TestMassIsIntegral(t *testing.T) {
	s6, _ := NewStefan(0.6)
	s5, _ := NewStefan(0.5)
	for _, tc := range []struct {
		name string
		s    ExactSolution
		a, b float64
		ts   []float64
	}{
		{"heat1", HeatPeriodic{K: 1}, 0, 2 * math.Pi, []float64{0, 0.5, 1}},
		{"pme1", PME{M: 1}, 0, 1, []float64{0.1, 0.5, 1}},
		{"pme3", PME{M: 3}, 0, 1, []float64{0.1, 0.5, 1}},
		{"pme6", PME{M: 6}, 0, 1, []float64{0.1, 0.5, 0.9}},
		{"stefan0.6", s6, 0, 1, []float64{0.01, 0.05, 0.1}},
		{"stefan0.5", s5, 0, 1, []float64{0.01, 0.05, 0.1}},
		{"advection", Advection{Speed: 0.5, X0: 0.2}, 0, 1, []float64{0, 0.5, 1}},
		{"burgers-shock", Burgers{UL: 1, UR: 0.2, X0: 0.2}, 0, 1, []float64{0, 0.3, 0.6}},
		{"burgers-fan", Burgers{UL: 0.2, UR: 0.8, X0: 0.2}, 0, 1, []float64{0.1, 0.5, 0.9}},
	} {
		for _, tt := range tc.ts {
			got := fineMass(tc.s, tt, tc.a, tc.b, 400001)
			if want := tc.s.Mass(tt); math.Abs(got-want) > 2e-5 {
				t.Errorf("%s t=%g: ∫u = %.8f, Mass = %.8f", tc.name, tt, got, want)
			}
		}
	}
}

// TestGridMassMiss reproduces the spec's pitfall: on the 201-node grid the
// exact solution's trapezoid mass misses U(t) by known amounts.
func TestGridMassMiss(t *testing.T) {
	s6, _ := NewStefan(0.6)
	s5, _ := NewStefan(0.5)
	x, _ := UniformGrid(0, 1, 201)
	w, _ := TrapezoidWeights(x)
	for _, tc := range []struct {
		name string
		s    ExactSolution
		t    float64
		want float64
	}{
		{"stefan0.6", s6, 0.05, 1.45e-3}, {"stefan0.5", s5, 0.05, 1.05e-4},
		{"pme3", PME{M: 3}, 0.5, -3.4e-4}, {"pme6", PME{M: 6}, 0.5, -1.03e-3},
	} {
		u := make([]float64, len(x))
		for i, xi := range x {
			u[i] = tc.s.U(tc.t, xi)
		}
		ce, _ := ConservationError(u, w, tc.s.Mass(tc.t))
		if math.Abs(ce-tc.want) > 0.02*math.Abs(tc.want) {
			t.Errorf("%s: grid CE of exact solution = %.4g, spec %.3g", tc.name, ce, tc.want)
		}
	}
}

func TestQuadratureWeights(t *testing.T) {
	x := []float64{0, 0.1, 0.35, 0.4, 1}
	y := []float64{1, 2, -1, 0.5, 3}
	w, err := TrapezoidWeights(x)
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	for i := range w {
		got += w[i] * y[i]
	}
	if want := integrate.Trapezoidal(x, y); math.Abs(got-want) > 1e-15 {
		t.Errorf("trapezoid weights give %g, gonum %g", got, want)
	}
	r, _ := RightRiemannWeights(x)
	got = 0
	want := 0.0
	for i := 1; i < len(x); i++ {
		got += r[i] * y[i]
		want += (x[i] - x[i-1]) * y[i]
	}
	if r[0] != 0 || math.Abs(got-want) > 1e-15 {
		t.Errorf("right Riemann weights %v", r)
	}
	for _, bad := range [][]float64{{0, 1, 1}, {1, 0}, {0}, {0, math.NaN()}} {
		if _, err := TrapezoidWeights(bad); err == nil {
			t.Errorf("TrapezoidWeights(%v): want error", bad)
		}
	}
}
