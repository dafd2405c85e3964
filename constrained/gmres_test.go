package constrained_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/run"
)

// gmresSystems returns an SPD matrix, an indefinite KKT matrix
// [[H, Gᵀ], [G, 0]] and a nonsymmetric matrix, each with a right-hand side.
func gmresSystems() map[string]struct {
	A *mat.Dense
	b []float64
} {
	rng := rand.New(rand.NewPCG(7, 0))
	randn := func(r, c int) *mat.Dense {
		m := mat.NewDense(r, c, nil)
		for i := range r {
			for j := range c {
				m.Set(i, j, rng.NormFloat64())
			}
		}
		return m
	}
	vec := func(n int) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	out := map[string]struct {
		A *mat.Dense
		b []float64
	}{}
	// SPD: MᵀM + I, n = 30.
	M := randn(30, 30)
	var spd mat.Dense
	spd.Mul(M.T(), M)
	for i := range 30 {
		spd.Set(i, i, spd.At(i, i)+1)
	}
	out["spd"] = struct {
		A *mat.Dense
		b []float64
	}{&spd, vec(30)}
	// KKT: H = MᵀM/d + I (20×20), G 8×20 full rank.
	d, m := 20, 8
	Hm := randn(d, d)
	K := mat.NewDense(d+m, d+m, nil)
	var H mat.Dense
	H.Mul(Hm.T(), Hm)
	G := randn(m, d)
	for i := range d {
		for j := range d {
			K.Set(i, j, H.At(i, j)/float64(d))
		}
		K.Set(i, i, K.At(i, i)+1)
		for j := range m {
			K.Set(i, d+j, G.At(j, i))
			K.Set(d+j, i, G.At(j, i))
		}
	}
	out["kkt"] = struct {
		A *mat.Dense
		b []float64
	}{K, vec(d + m)}
	// Nonsymmetric: 4 I + N/√n, n = 25.
	N := randn(25, 25)
	N.Scale(1/5.0, N)
	for i := range 25 {
		N.Set(i, i, N.At(i, i)+4)
	}
	out["nonsymmetric"] = struct {
		A *mat.Dense
		b []float64
	}{N, vec(25)}
	return out
}

// TestGMRESMatchesLU solves each system with GMRES (full and restarted)
// and with LU, and checks the solutions agree to the requested tolerance.
func TestGMRESMatchesLU(t *testing.T) {
	for name, sys := range gmresSystems() {
		n, _ := sys.A.Dims()
		var lu mat.LU
		lu.Factorize(sys.A)
		want := mat.NewVecDense(n, nil)
		if err := lu.SolveVecTo(want, false, mat.NewVecDense(n, sys.b)); err != nil {
			t.Fatal(err)
		}
		cond := lu.Cond()
		for _, restart := range []int{0, 5, n} {
			var g constrained.GMRES
			x := make([]float64, n)
			const tol = 1e-10
			res, err := g.Solve(context.Background(), sys.A, x, sys.b, &constrained.GMRESSettings{Tol: tol, Restart: restart, MaxIter: 50 * n})
			if err != nil || res.Status != run.Converged {
				t.Fatalf("%s restart %d: %v %v after %d steps, residual %g", name, restart, res.Status, err, res.Iterations, res.Residual)
			}
			if res.Residual > tol*mat.Norm(mat.NewVecDense(n, sys.b), 2) {
				t.Errorf("%s restart %d: residual %g", name, restart, res.Residual)
			}
			diff := 0.0
			for i := range x {
				diff = math.Max(diff, math.Abs(x[i]-want.AtVec(i)))
			}
			// ‖x − x*‖ ≤ cond · tol · ‖x*‖ (relative residual bound).
			if bound := cond * tol * math.Max(1, mat.Norm(want, math.Inf(1))) * 10; diff > bound {
				t.Errorf("%s restart %d: max |x - x_LU| = %g > %g", name, restart, diff, bound)
			}
			t.Logf("%s (n=%d) restart %d: %d steps, |x - x_LU|inf = %.1e", name, n, restart, res.Iterations, diff)
		}
	}
}

// TestGMRESSingular checks a singular, inconsistent system: Status Failure
// with ErrBreakdown, a finite iterate and its true residual.
func TestGMRESSingular(t *testing.T) {
	A := mat.NewDense(3, 3, []float64{1, 0, 0, 0, 2, 0, 0, 0, 0})
	b := []float64{1, 1, 1} // the third equation 0 = 1 cannot hold
	var g constrained.GMRES
	x := make([]float64, 3)
	res, err := g.Solve(context.Background(), A, x, b, &constrained.GMRESSettings{MaxIter: 50})
	if !errors.Is(err, constrained.ErrBreakdown) || res.Status != run.Failure {
		t.Fatalf("err %v status %v", err, res.Status)
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("x = %v", x)
		}
	}
	if math.Abs(res.Residual-1) > 1e-12 || math.Abs(x[0]-1) > 1e-12 || math.Abs(x[1]-0.5) > 1e-12 {
		t.Errorf("residual %g (want 1, the least-squares minimum), x %v", res.Residual, x)
	}
	// A zero matrix: the first product is zero.
	x = make([]float64, 3)
	res, err = g.Solve(context.Background(), mat.NewDense(3, 3, nil), x, b, nil)
	if !errors.Is(err, constrained.ErrBreakdown) || math.IsNaN(res.Residual) || x[0] != 0 {
		t.Fatalf("zero matrix: err %v residual %v x %v", err, res.Residual, x)
	}
	// Singular but consistent: converges.
	x = make([]float64, 3)
	res, err = g.Solve(context.Background(), A, x, []float64{1, 1, 0}, nil)
	if err != nil || res.Status != run.Converged {
		t.Fatalf("consistent singular system: %v %v", res.Status, err)
	}
}

// TestGMRESIterationLimit checks that MaxIter caps the steps and a
// negative Tol runs exactly MaxIter of them.
func TestGMRESIterationLimit(t *testing.T) {
	sys := gmresSystems()["kkt"]
	n, _ := sys.A.Dims()
	var g constrained.GMRES
	res, err := g.Solve(context.Background(), sys.A, make([]float64, n), sys.b, &constrained.GMRESSettings{Tol: -1, MaxIter: 7, Restart: 3})
	if err != nil || res.Status != run.IterationLimit || res.Iterations != 7 {
		t.Fatalf("%v %v after %d", res.Status, err, res.Iterations)
	}
}

func TestGMRESAllocs(t *testing.T) {
	sys := gmresSystems()["nonsymmetric"]
	n, _ := sys.A.Dims()
	var g constrained.GMRES
	x := make([]float64, n)
	s := &constrained.GMRESSettings{Restart: 10}
	g.Solve(context.Background(), sys.A, x, sys.b, s)
	allocs := testing.AllocsPerRun(10, func() {
		clear(x)
		g.Solve(context.Background(), sys.A, x, sys.b, s)
	})
	if allocs != 0 {
		t.Errorf("%v allocs per solve", allocs)
	}
}
