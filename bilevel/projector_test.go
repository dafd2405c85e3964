package bilevel_test

import (
	"errors"
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/linalg"
)

func TestSimpleProjectors(t *testing.T) {
	box, err := bilevel.NewBox([]float64{0, -1}, []float64{1, 1})
	if err != nil {
		t.Fatal(err)
	}
	v := []float64{2, -3}
	if err := box.Project(v); err != nil || v[0] != 1 || v[1] != -1 {
		t.Errorf("box: %v %v", v, err)
	}
	ball, _ := bilevel.NewBall([]float64{0, 0}, 1)
	v = []float64{3, 4}
	if err := ball.Project(v); err != nil || math.Abs(v[0]-0.6) > 1e-15 || math.Abs(v[1]-0.8) > 1e-15 {
		t.Errorf("ball: %v %v", v, err)
	}
	h, _ := bilevel.NewHalfspace([]float64{1, 1}, 1)
	v = []float64{2, 2}
	if err := h.Project(v); err != nil || math.Abs(v[0]-0.5) > 1e-15 || math.Abs(v[1]-0.5) > 1e-15 {
		t.Errorf("halfspace: %v %v", v, err)
	}
	if err := h.Project([]float64{1}); !errors.Is(err, bilevel.ErrDimension) {
		t.Errorf("halfspace dimension error: %v", err)
	}
	if _, err := bilevel.NewBox([]float64{2}, []float64{1}); !errors.Is(err, bilevel.ErrInfeasible) {
		t.Errorf("empty box: %v", err)
	}
	if _, err := bilevel.NewBall([]float64{0}, -1); !errors.Is(err, bilevel.ErrInfeasible) {
		t.Errorf("negative radius: %v", err)
	}
	if _, err := bilevel.NewHalfspace([]float64{0, 0}, -1); !errors.Is(err, bilevel.ErrInfeasible) {
		t.Errorf("empty halfspace: %v", err)
	}
}

func randomPolyhedron(t *testing.T, n, m int, seed uint64) *bilevel.Polyhedron {
	rng := newRand(seed)
	rows := make([]linalg.Sparse, m)
	b := make([]float64, m)
	for i := range rows {
		rows[i].Reset(n)
		for j := range n {
			if rng.Float64() < 0.5 {
				rows[i].Append(j, rng.NormFloat64())
			}
		}
		b[i] = rng.Float64() // the origin is feasible
	}
	p, err := bilevel.NewPolyhedron(n, rows, b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The Hildreth projection is feasible to 1e-8 and satisfies the variational
// inequality ⟨v − P(v), q − P(v)⟩ ≤ 0 for feasible q; warm starts agree with
// cold starts.
func TestPolyhedronProjection(t *testing.T) {
	n, m := 12, 40
	p := randomPolyhedron(t, n, m, 5)
	rng := newRand(6)
	var feas [][]float64
	for range 5 {
		q := make([]float64, n)
		for i := range q {
			q[i] = 3 * rng.NormFloat64()
		}
		if err := p.Project(q); err != nil {
			t.Fatal(err)
		}
		feas = append(feas, q)
	}
	for trial := range 20 {
		v := make([]float64, n)
		for i := range v {
			v[i] = 3 * rng.NormFloat64()
		}
		pv := append([]float64(nil), v...)
		if err := p.Project(pv); err != nil {
			t.Fatal(err)
		}
		if viol := p.MaxViolation(pv); viol > 1e-8 {
			t.Errorf("trial %d: violation %.3g", trial, viol)
		}
		for _, q := range feas {
			s := 0.0
			for i := range v {
				s += (v[i] - pv[i]) * (q[i] - pv[i])
			}
			if s > 1e-6 {
				t.Errorf("trial %d: variational inequality %.3g > 0", trial, s)
			}
		}
		p.Reset()
		cold := append([]float64(nil), v...)
		if err := p.Project(cold); err != nil {
			t.Fatal(err)
		}
		if d := math.Sqrt(linalg.DistSq(cold, pv)); d > 1e-6 {
			t.Errorf("trial %d: warm and cold starts differ by %.3g", trial, d)
		}
	}
}

func TestPolyhedronInfeasible(t *testing.T) {
	// x ≤ 0 and −x ≤ −1 (x ≥ 1), plus harmless rows in a second coordinate.
	rows := make([]linalg.Sparse, 4)
	for i := range rows {
		rows[i].Reset(2)
	}
	rows[0].Append(0, 1)
	rows[1].Append(0, -1)
	rows[2].Append(1, 1)
	rows[3].Append(0, 0.5)
	rows[3].Append(1, -1)
	p, err := bilevel.NewPolyhedron(2, rows, []float64{0, -1, 5, 3})
	if err != nil {
		t.Fatal(err)
	}
	v := []float64{0.5, 0.2}
	err = p.Project(v)
	if !errors.Is(err, bilevel.ErrInfeasible) {
		t.Fatalf("got %v, want ErrInfeasible", err)
	}
	t.Logf("%v after %d sweeps", err, p.Sweeps)
	if !linalg.AllFinite(v) {
		t.Error("non-finite iterate")
	}
	if _, err := bilevel.NewPolyhedron(2, rows[:1], []float64{1, 2}); !errors.Is(err, bilevel.ErrDimension) {
		t.Errorf("length mismatch: %v", err)
	}
	var zero linalg.Sparse
	zero.Reset(2)
	if _, err := bilevel.NewPolyhedron(2, []linalg.Sparse{zero}, []float64{-1}); !errors.Is(err, bilevel.ErrInfeasible) {
		t.Errorf("zero row with b < 0: %v", err)
	}
}
