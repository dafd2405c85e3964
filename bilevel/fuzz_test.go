package bilevel_test

import (
	"errors"
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/linalg"
)

// FuzzPolyhedron builds a polyhedron from fuzzed rows (indices possibly out
// of range, values possibly NaN) and projects a fuzzed point: it must
// return an error or a point within Tol of the set, and never panic.
func FuzzPolyhedron(f *testing.F) {
	f.Add(uint8(3), []byte{0, 1, 2, 3, 4, 5, 6, 7, 8}, 1.0, -2.0, 0.5)
	f.Add(uint8(2), []byte{0, 200, 1, 1}, math.NaN(), 0.0, 1.0)
	f.Fuzz(func(t *testing.T, n uint8, raw []byte, b0, b1, v0 float64) {
		dim := int(n%6) + 1
		var rows []linalg.Sparse
		var b []float64
		for i := 0; i+1 < len(raw) && len(rows) < 6; i += 2 {
			r := linalg.Sparse{N: dim, Index: []int{int(raw[i]) % (dim + 2)}, Value: []float64{float64(int8(raw[i+1])) / 16}}
			rows = append(rows, r)
			if len(b)%2 == 0 {
				b = append(b, b0)
			} else {
				b = append(b, b1)
			}
		}
		p, err := bilevel.NewPolyhedron(dim, rows, b)
		if err != nil {
			return
		}
		p.MaxSweeps = 2000
		v := make([]float64, dim)
		for i := range v {
			v[i] = v0 * float64(i+1)
		}
		err = p.Project(v)
		if err != nil {
			if !errors.Is(err, bilevel.ErrInfeasible) && !errors.Is(err, bilevel.ErrNotConverged) && !errors.Is(err, bilevel.ErrNotFinite) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if viol := p.MaxViolation(v); viol > 1e-6*(1+linalg.Nrm2(v)) {
			t.Fatalf("projected point violates the constraints by %g", viol)
		}
	})
}

// FuzzEPRelax relaxes a small EP network on fuzzed inputs and runs the
// two-point Cauchy estimator: an error (for non-finite input) or finite
// results, never a panic or a silent NaN.
func FuzzEPRelax(f *testing.F) {
	f.Add(0.5, -1.0, 2.0, 0.1, uint8(2))
	f.Add(math.Inf(1), 0.0, 0.0, 1e300, uint8(0))
	f.Fuzz(func(t *testing.T, x0, x1, x2, beta float64, n uint8) {
		net, err := bilevel.NewEPNet([]int{3, 4, 2}, 2, 90, newRand(1))
		if err != nil {
			t.Fatal(err)
		}
		x := []float64{x0, x1, x2}
		u, fp, err := net.Relax(nil, x, 50, 1e-12)
		if err != nil {
			return
		}
		if !isFinite(u) || math.IsNaN(fp.Residual) {
			t.Fatalf("relax returned a non-finite state with a nil error: %+v", fp)
		}
		d, err := bilevel.HolomorphicEP{N: int(n % 7), Beta: beta, Steps: 10}.Delta(nil, net, x, 1, u)
		if err == nil && !isFinite(d) {
			t.Fatalf("non-finite δ with a nil error")
		}
	})
}
