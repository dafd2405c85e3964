package pde

import (
	"errors"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestNilDstRule: every function of the package with a dst parameter
// allocates for a nil dst and returns it, and reports a non-nil dst of the
// wrong length as ErrDimension (issue #13: Full.MulVec(nil, x) used to
// panic).
func TestNilDstRule(t *testing.T) {
	x := []float64{1, 2, 3}
	d := Diagonal{1, 2, 3}
	covs := map[string]interface {
		Covariance
		MulVec(dst, x []float64) ([]float64, error)
	}{
		"Diagonal":        d,
		"DiagPlusRank1":   &DiagPlusRank1{D: []float64{1, 2, 3}, V: []float64{1, 0, 1}, Alpha: -0.1},
		"DiagPlusLowRank": &DiagPlusLowRank{D: []float64{1, 2, 3}, U: mat.NewDense(3, 1, []float64{1, 1, 1}), C: mat.NewSymDense(1, []float64{0.5})},
		"Full":            &Full{Sigma: d.Dense()},
	}
	for name, c := range covs {
		want := make([]float64, 3)
		mat.NewVecDense(3, want).MulVec(c.Dense(), mat.NewVecDense(3, x))
		got, err := c.MulVec(nil, x)
		if err != nil || len(got) != 3 {
			t.Fatalf("%s.MulVec(nil, x) = %v, %v", name, got, err)
		}
		for i := range want {
			if d := got[i] - want[i]; d > 1e-12 || d < -1e-12 {
				t.Errorf("%s.MulVec(nil, x)[%d] = %g, want %g", name, i, got[i], want[i])
			}
		}
		buf := make([]float64, 3)
		if got, err := c.MulVec(buf, x); err != nil || &got[0] != &buf[0] {
			t.Errorf("%s.MulVec(dst, x) does not return dst: %v", name, err)
		}
		if _, err := c.MulVec(make([]float64, 2), x); !errors.Is(err, ErrDimension) {
			t.Errorf("%s.MulVec with a short dst: err = %v", name, err)
		}
		if _, err := c.MulVec(nil, x[:2]); !errors.Is(err, ErrDimension) {
			t.Errorf("%s.MulVec with a short x: err = %v", name, err)
		}
	}
	// Samplers and UpdateDiag follow the same rule.
	rng := rand.New(rand.NewPCG(1, 0))
	for name, c := range covs {
		s, err := NewSampler(c)
		if err != nil {
			t.Fatal(name, err)
		}
		if v, err := s.Sample(nil, x, rng); err != nil || len(v) != 3 {
			t.Errorf("%s sampler: Sample(nil) = %v, %v", name, v, err)
		}
		if _, err := s.Sample(make([]float64, 4), x, rng); !errors.Is(err, ErrDimension) {
			t.Errorf("%s sampler: long dst: err = %v", name, err)
		}
	}
	mu, v, _, err := UpdateDiag(nil, nil, x, d, x, 1, 0)
	if err != nil || len(mu) != 3 || len(v) != 3 {
		t.Fatalf("UpdateDiag(nil, nil, ...) = %v, %v, %v", mu, v, err)
	}
	if _, _, _, err := UpdateDiag(make([]float64, 2), nil, x, d, x, 1, 0); !errors.Is(err, ErrDimension) {
		t.Errorf("UpdateDiag with a short dstMu: err = %v", err)
	}
}
