package constrained_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/run"
)

// nanAfter returns NaN from HessLag after n calls.
type nanAfter struct {
	*problems.HS
	n, calls int
}

func (p *nanAfter) HessLag(H *mat.SymDense, x, l []float64) {
	p.HS.HessLag(H, x, l)
	p.calls++
	if p.calls > p.n {
		H.SetSym(0, 0, math.NaN())
	}
}

// nanFunc returns NaN from Func everywhere.
type nanFunc struct{ *problems.HS }

func (nanFunc) Func([]float64) float64 { return math.NaN() }

// wideProblem claims more constraints than variables.
type wideProblem struct{ *problems.HS }

func (wideProblem) Dims() (int, int) { return 2, 3 }

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	hs := problems.HS40()
	cases := []struct {
		name string
		p    constrained.EqProblem
		x0   []float64
		l0   []float64
		s    *constrained.Settings
		want error
	}{
		{"short x0", hs, []float64{1, 2}, nil, nil, constrained.ErrDimension},
		{"long l0", hs, hs.X0, []float64{1, 2, 3, 4}, nil, constrained.ErrDimension},
		{"m > d", wideProblem{problems.HS6()}, []float64{1, 2}, nil, nil, constrained.ErrDimension},
		{"NaN x0", hs, []float64{1, math.NaN(), 1, 1}, nil, nil, constrained.ErrNotFinite},
		{"NaN eps", hs, hs.X0, nil, &constrained.Settings{Tol: math.NaN()}, constrained.ErrSettings},
		{"beta >= 0.5", hs, hs.X0, nil, &constrained.Settings{Beta: 0.5}, constrained.ErrSettings},
		{"rho <= 1", hs, hs.X0, nil, &constrained.Settings{Rho: 0.5}, constrained.ErrSettings},
		{"negative maxiter", hs, hs.X0, nil, &constrained.Settings{MaxIter: -1}, constrained.ErrSettings},
		{"NaN objective", nanFunc{hs}, hs.X0, nil, nil, constrained.ErrNotFinite},
		{"rank-deficient start", problems.HS61(), []float64{0, 0, 0}, nil, nil, constrained.ErrSingularJacobian},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := constrained.Solve(ctx, tc.p, tc.x0, tc.l0, tc.s)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNaNMidRun(t *testing.T) {
	p := &nanAfter{HS: problems.HS77(), n: 3}
	r, err := constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{Sketcher: &constrained.ExactLU{}})
	if !errors.Is(err, constrained.ErrNotFinite) || r.Status != run.Failure {
		t.Fatalf("err %v status %v, want NonFinite", err, r.Status)
	}
	if r.Iterations != 3 || len(r.X) != 5 || math.IsNaN(r.F) {
		t.Fatalf("want the last good iterate after 3 steps, got %d steps x=%v f=%v", r.Iterations, r.X, r.F)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := problems.HS49()
	calls := 0
	rec := recFunc(func(it *constrained.Iter) error {
		calls++
		if it.Iteration == 2 {
			cancel()
		}
		return nil
	})
	r, err := constrained.Solve(ctx, p, p.X0, nil, &constrained.Settings{Recorder: rec, Rand: rand.New(rand.NewPCG(1, 0))})
	if !errors.Is(err, context.Canceled) || r.Status != run.Canceled || r.Iterations != 2 {
		t.Fatalf("err %v status %v iterations %d", err, r.Status, r.Iterations)
	}
	if math.IsNaN(r.X[0]) {
		t.Fatalf("X %v", r.X)
	}
	stop := errors.New("stop")
	r, err = constrained.Solve(context.Background(), p, p.X0, nil, &constrained.Settings{
		Recorder: recFunc(func(it *constrained.Iter) error {
			if it.Iteration == 1 {
				return stop
			}
			return nil
		}),
	})
	if !errors.Is(err, stop) || r.Status != run.RecorderStopped {
		t.Fatalf("err %v status %v", err, r.Status)
	}
}

type recFunc = constrained.RecorderFunc

func TestSketchAllocs(t *testing.T) {
	K, b := kktSystem(30, 3)
	for _, s := range []constrained.Sketcher{&constrained.RK{}, &constrained.GaussianSketch{}, &constrained.RK{Weighted: true}} {
		if _, err := s.Factor(K); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 0))
		z, r := make([]float64, 30), make([]float64, 30)
		allocs := testing.AllocsPerRun(10, func() {
			for i := range z {
				z[i], r[i] = 0, -b[i]
			}
			s.Solve(context.Background(), z, r, b, 0, 500, rng)
		})
		if allocs != 0 {
			t.Errorf("%T: %v allocs per inner solve", s, allocs)
		}
	}
}

// TestSketchersConverge checks that every sketcher solves a well-conditioned
// system to the requested tolerance and leaves the exact residual.
func TestSketchersConverge(t *testing.T) {
	n := 20
	K, b := kktSystem(n, 4)
	for _, s := range []constrained.Sketcher{&constrained.RK{}, &constrained.RK{Weighted: true}, &constrained.GaussianSketch{}, &constrained.ExactLU{}} {
		if _, err := s.Factor(K); err != nil {
			t.Fatal(err)
		}
		z, r := make([]float64, n), make([]float64, n)
		for i := range r {
			r[i] = -b[i]
		}
		steps, _, _ := s.Solve(context.Background(), z, r, b, 1e-10, 1e6, rand.New(rand.NewPCG(1, 0)))
		res := make([]float64, n)
		mat.NewVecDense(n, res).MulVec(K, mat.NewVecDense(n, z))
		for i := range res {
			res[i] -= b[i]
		}
		if e := maxAbsDiff(res, r); e > 1e-12 || mat.Norm(mat.NewVecDense(n, r), 2) > 1e-10 {
			t.Errorf("%T: %d steps, residual %v, stale by %g", s, steps, mat.Norm(mat.NewVecDense(n, r), 2), e)
		}
	}
	if _, err := (&constrained.ExactLU{}).Factor(mat.NewDense(3, 3, nil)); !errors.Is(err, constrained.ErrSingularKKT) {
		t.Errorf("ExactLU on zero matrix: %v", err)
	}
	if _, err := (&constrained.RK{}).Factor(mat.NewDense(3, 3, nil)); !errors.Is(err, constrained.ErrSingularKKT) {
		t.Errorf("RK on zero matrix: %v", err)
	}
}

// nanAway returns NaN from Func away from the start point, so every trial
// point of the first line search is non-finite.
type nanAway struct {
	*problems.HS
	x0 []float64
}

func (p nanAway) Func(x []float64) float64 {
	if maxAbsDiff(x, p.x0) > 0 {
		return math.NaN()
	}
	return p.HS.Func(x)
}

func TestNaNTrials(t *testing.T) {
	hs := problems.HS77()
	r, err := constrained.Solve(context.Background(), nanAway{hs, hs.X0}, hs.X0, nil, &constrained.Settings{Sketcher: &constrained.ExactLU{}})
	if !errors.Is(err, constrained.ErrNotFinite) || r.Iterations != 0 || maxAbsDiff(r.X, hs.X0) != 0 {
		t.Fatalf("err %v iterations %d x %v", err, r.Iterations, r.X)
	}
}
