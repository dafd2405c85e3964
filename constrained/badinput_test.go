package constrained_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
	"time"

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

// badCase is one bad input to an exported entry point and the sentinel the
// error must wrap.
type badCase struct {
	name string
	call func() error
	want error
}

// runBad runs the cases, failing on a panic, a nil error or a wrong sentinel.
func runBad(t *testing.T, cases []badCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			err := tc.call()
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestBadInput covers every exported entry point of the package that takes
// input: Solve, CheckDerivatives, and Factor and Solve of each Sketcher.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	hs := problems.HS40()
	solve := func(p constrained.EqProblem, x0, l0 []float64, s *constrained.Settings) func() error {
		return func() error { _, err := constrained.Solve(ctx, p, x0, l0, s); return err }
	}
	set := func(s constrained.Settings) func() error { return solve(hs, hs.X0, nil, &s) }
	nan := math.NaN()
	inf := math.Inf(1)
	cases := []badCase{
		{"Solve/nil problem", solve(nil, hs.X0, nil, nil), constrained.ErrSettings},
		{"Solve/short x0", solve(hs, []float64{1, 2}, nil, nil), constrained.ErrDimension},
		{"Solve/nil x0", solve(hs, nil, nil, nil), constrained.ErrDimension},
		{"Solve/long l0", solve(hs, hs.X0, []float64{1, 2, 3, 4}, nil), constrained.ErrDimension},
		{"Solve/m > d", solve(wideProblem{problems.HS6()}, []float64{1, 2}, nil, nil), constrained.ErrDimension},
		{"Solve/m = 0", solve(sizedProblem{hs, 4, 0}, hs.X0, nil, nil), constrained.ErrDimension},
		{"Solve/negative d", solve(sizedProblem{hs, -1, 1}, hs.X0, nil, nil), constrained.ErrDimension},
		{"Solve/huge d", solve(sizedProblem{hs, 1 << 30, 1}, hs.X0, nil, nil), constrained.ErrDimension},
		{"Solve/NaN x0", solve(hs, []float64{1, nan, 1, 1}, nil, nil), constrained.ErrNotFinite},
		{"Solve/Inf l0", solve(hs, hs.X0, []float64{inf, 0, 0}, nil), constrained.ErrNotFinite},
		{"Solve/NaN objective", solve(nanFunc{hs}, hs.X0, nil, nil), constrained.ErrNotFinite},
		{"Solve/rank-deficient start", solve(problems.HS61(), []float64{0, 0, 0}, nil, nil), constrained.ErrSingularJacobian},
		{"Settings/NaN Tol", set(constrained.Settings{Tol: nan}), constrained.ErrSettings},
		{"Settings/Inf Tol", set(constrained.Settings{Tol: inf}), constrained.ErrSettings},
		{"Settings/NaN Mu0", set(constrained.Settings{Mu0: nan}), constrained.ErrSettings},
		{"Settings/negative Mu0", set(constrained.Settings{Mu0: -1}), constrained.ErrSettings},
		{"Settings/NaN Nu0", set(constrained.Settings{Nu0: nan}), constrained.ErrSettings},
		{"Settings/Inf Delta0", set(constrained.Settings{Delta0: inf}), constrained.ErrSettings},
		{"Settings/NaN XiB", set(constrained.Settings{XiB: nan}), constrained.ErrSettings},
		{"Settings/NaN Beta", set(constrained.Settings{Beta: nan}), constrained.ErrSettings},
		{"Settings/Beta >= 0.5", set(constrained.Settings{Beta: 0.5}), constrained.ErrSettings},
		{"Settings/NaN Rho", set(constrained.Settings{Rho: nan}), constrained.ErrSettings},
		{"Settings/Rho <= 1", set(constrained.Settings{Rho: 0.5}), constrained.ErrSettings},
		{"Settings/NaN XiGMin", set(constrained.Settings{XiGMin: nan}), constrained.ErrSettings},
		{"Settings/NaN ReducedHessMin", set(constrained.Settings{ReducedHessMin: nan}), constrained.ErrSettings},
		{"Settings/negative MuMax", set(constrained.Settings{MuMax: -1}), constrained.ErrSettings},
		{"Settings/NaN NuMin", set(constrained.Settings{NuMin: nan}), constrained.ErrSettings},
		{"Settings/NaN DeltaMin", set(constrained.Settings{DeltaMin: nan}), constrained.ErrSettings},
		{"Settings/negative MaxIter", set(constrained.Settings{MaxIter: -1}), constrained.ErrSettings},
		{"Settings/negative MaxInner", set(constrained.Settings{MaxInner: -1}), constrained.ErrSettings},
		{"Settings/negative MaxBacktrack", set(constrained.Settings{MaxBacktrack: -1}), constrained.ErrSettings},
		{"Settings/negative TimeLimit", set(constrained.Settings{TimeLimit: -time.Second}), constrained.ErrSettings},
		{"Settings/unknown Norm", set(constrained.Settings{Norm: 7}), constrained.ErrSettings},
		{"CheckDerivatives/nil problem", func() error { _, err := constrained.CheckDerivatives(nil, hs.X0, nil, 0); return err }, constrained.ErrSettings},
		{"CheckDerivatives/short x", func() error { _, err := constrained.CheckDerivatives(hs, hs.X0[:2], make([]float64, 3), 0); return err }, constrained.ErrDimension},
		{"CheckDerivatives/short l", func() error { _, err := constrained.CheckDerivatives(hs, hs.X0, nil, 0); return err }, constrained.ErrDimension},
		{"CheckDerivatives/NaN tol", func() error { _, err := constrained.CheckDerivatives(hs, hs.X0, make([]float64, 3), nan); return err }, constrained.ErrSettings},
		{"CheckDerivatives/NaN x", func() error {
			_, err := constrained.CheckDerivatives(hs, []float64{nan, 1, 1, 1}, make([]float64, 3), 0)
			return err
		}, constrained.ErrNotFinite},
		{"CheckDerivatives/wrong gradient", func() error {
			_, err := constrained.CheckDerivatives(badGrad{hs}, hs.X0, make([]float64, 3), 0)
			return err
		}, constrained.ErrDerivative},
	}
	K, b := kktSystem(6, 2)
	sketchers := map[string]func() constrained.Sketcher{
		"RK": func() constrained.Sketcher { return &constrained.RK{} }, "GaussianSketch": func() constrained.Sketcher { return &constrained.GaussianSketch{} },
		"ExactLU": func() constrained.Sketcher { return &constrained.ExactLU{} }, "SparseRK": func() constrained.Sketcher { return &constrained.SparseRK{} },
	}
	for _, name := range []string{"RK", "GaussianSketch", "ExactLU", "SparseRK"} {
		mk := sketchers[name]
		factor := func(K *mat.Dense) func() error { return func() error { _, err := mk().Factor(K); return err } }
		solveAfter := func(z, r, bb []float64, maxIter int, rng *rand.Rand) func() error {
			return func() error {
				s := mk()
				if _, err := s.Factor(K); err != nil {
					return nil // reported as a failure: Factor must succeed here
				}
				_, _, err := s.Solve(ctx, z, r, bb, 0, maxIter, rng)
				return err
			}
		}
		rng := rand.New(rand.NewPCG(1, 0))
		n := 6
		nanK := mat.DenseCopyOf(K)
		nanK.Set(1, 2, nan)
		cases = append(cases,
			badCase{name + ".Factor/nil K", factor(nil), constrained.ErrDimension},
			badCase{name + ".Factor/non-square K", factor(mat.NewDense(2, 3, []float64{1, 2, 3, 4, 5, 6})), constrained.ErrDimension},
			badCase{name + ".Solve/before Factor", func() error {
				_, _, err := mk().Solve(ctx, make([]float64, n), make([]float64, n), b, 0, 10, rng)
				return err
			}, constrained.ErrDimension},
			badCase{name + ".Solve/short z", solveAfter(make([]float64, n-1), make([]float64, n), b, 10, rng), constrained.ErrDimension},
			badCase{name + ".Solve/short r", solveAfter(make([]float64, n), make([]float64, 2), b, 10, rng), constrained.ErrDimension},
			badCase{name + ".Solve/short b", solveAfter(make([]float64, n), make([]float64, n), b[:3], 10, rng), constrained.ErrDimension},
			badCase{name + ".Solve/negative maxIter", solveAfter(make([]float64, n), make([]float64, n), b, -1, rng), constrained.ErrSettings},
		)
		if name != "ExactLU" {
			cases = append(cases, badCase{name + ".Solve/nil rng", solveAfter(make([]float64, n), append([]float64(nil), b...), b, 10, nil), constrained.ErrSettings})
		}
		if name != "GaussianSketch" {
			cases = append(cases, badCase{name + ".Factor/NaN K", factor(nanK), constrained.ErrNotFinite})
		}
	}
	cases = append(cases, baselineBadCases(hs)...)
	runBad(t, cases)
	t.Logf("%d bad-input cases", len(cases))
}

// sizedProblem reports the given dimensions.
type sizedProblem struct {
	*problems.HS
	d, m int
}

func (p sizedProblem) Dims() (int, int) { return p.d, p.m }

// badGrad has a wrong gradient.
type badGrad struct{ *problems.HS }

func (p badGrad) Grad(g, x []float64) {
	p.HS.Grad(g, x)
	g[0] += 1
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
	for _, s := range []constrained.Sketcher{&constrained.RK{}, &constrained.GaussianSketch{}, &constrained.RK{Weighted: true}, &constrained.SparseRK{}} {
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
	for _, s := range []constrained.Sketcher{&constrained.RK{}, &constrained.RK{Weighted: true}, &constrained.GaussianSketch{}, &constrained.ExactLU{}, &constrained.SparseRK{}} {
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

// baselineBadCases covers SolveSQP, SolveAL and GMRES.Solve.
func baselineBadCases(hs *problems.HS) []badCase {
	ctx := context.Background()
	nan, inf := math.NaN(), math.Inf(1)
	sqp := func(p constrained.EqProblem, x0 []float64, s *constrained.SQPSettings) func() error {
		return func() error { _, err := constrained.SolveSQP(ctx, p, x0, nil, s); return err }
	}
	al := func(p constrained.EqProblem, x0 []float64, s *constrained.ALSettings) func() error {
		return func() error { _, err := constrained.SolveAL(ctx, p, x0, nil, s); return err }
	}
	K, b := kktSystem(5, 1)
	gm := func(A *mat.Dense, x, b []float64, s *constrained.GMRESSettings) func() error {
		return func() error { var g constrained.GMRES; _, err := g.Solve(ctx, A, x, b, s); return err }
	}
	nanK := mat.DenseCopyOf(K)
	nanK.Set(0, 0, nan)
	cases := []badCase{
		{"SolveSQP/nil problem", sqp(nil, hs.X0, nil), constrained.ErrSettings},
		{"SolveSQP/short x0", sqp(hs, hs.X0[:1], nil), constrained.ErrDimension},
		{"SolveSQP/NaN x0", sqp(hs, []float64{nan, 1, 1, 1}, nil), constrained.ErrNotFinite},
		{"SolveSQP/m > d", sqp(wideProblem{problems.HS6()}, []float64{1, 2}, nil), constrained.ErrDimension},
		{"SolveSQP/NaN objective", sqp(nanFunc{hs}, hs.X0, nil), constrained.ErrNotFinite},
		{"SQPSettings/NaN Mu0", sqp(hs, hs.X0, &constrained.SQPSettings{Mu0: nan}), constrained.ErrSettings},
		{"SQPSettings/NaN Kappa", sqp(hs, hs.X0, &constrained.SQPSettings{Kappa: nan}), constrained.ErrSettings},
		{"SQPSettings/Inf Kappa1", sqp(hs, hs.X0, &constrained.SQPSettings{Kappa1: inf}), constrained.ErrSettings},
		{"SQPSettings/Epsilon >= 1", sqp(hs, hs.X0, &constrained.SQPSettings{Epsilon: 1}), constrained.ErrSettings},
		{"SQPSettings/NaN Tau", sqp(hs, hs.X0, &constrained.SQPSettings{Tau: nan}), constrained.ErrSettings},
		{"SQPSettings/Tau >= 1", sqp(hs, hs.X0, &constrained.SQPSettings{Tau: 1}), constrained.ErrSettings},
		{"SQPSettings/negative Eta", sqp(hs, hs.X0, &constrained.SQPSettings{Eta: -1}), constrained.ErrSettings},
		{"SQPSettings/NaN XiB", sqp(hs, hs.X0, &constrained.SQPSettings{XiB: nan}), constrained.ErrSettings},
		{"SQPSettings/Rho <= 1", sqp(hs, hs.X0, &constrained.SQPSettings{Rho: 0.9}), constrained.ErrSettings},
		{"SQPSettings/NaN MuMax", sqp(hs, hs.X0, &constrained.SQPSettings{MuMax: nan}), constrained.ErrSettings},
		{"SQPSettings/NaN Tol", sqp(hs, hs.X0, &constrained.SQPSettings{Tol: nan}), constrained.ErrSettings},
		{"SQPSettings/negative MaxIter", sqp(hs, hs.X0, &constrained.SQPSettings{MaxIter: -1}), constrained.ErrSettings},
		{"SQPSettings/negative MaxInner", sqp(hs, hs.X0, &constrained.SQPSettings{MaxInner: -1}), constrained.ErrSettings},
		{"SQPSettings/negative Restart", sqp(hs, hs.X0, &constrained.SQPSettings{Restart: -2}), constrained.ErrSettings},
		{"SQPSettings/NaN XiGMin", sqp(hs, hs.X0, &constrained.SQPSettings{XiGMin: nan}), constrained.ErrSettings},
		{"SQPSettings/NaN ReducedHessMin", sqp(hs, hs.X0, &constrained.SQPSettings{ReducedHessMin: nan}), constrained.ErrSettings},
		{"SQPSettings/negative MaxBacktrack", sqp(hs, hs.X0, &constrained.SQPSettings{MaxBacktrack: -1}), constrained.ErrSettings},
		{"SQPSettings/negative TimeLimit", sqp(hs, hs.X0, &constrained.SQPSettings{TimeLimit: -1}), constrained.ErrSettings},
		{"SolveSQP/rank-deficient start", sqp(problems.HS61(), []float64{0, 0, 0}, nil), constrained.ErrSingularJacobian},
		{"SolveAL/nil problem", al(nil, hs.X0, nil), constrained.ErrSettings},
		{"SolveAL/long x0", al(hs, append(hs.X0, 1), nil), constrained.ErrDimension},
		{"SolveAL/Inf x0", al(hs, []float64{inf, 1, 1, 1}, nil), constrained.ErrNotFinite},
		{"SolveAL/NaN objective", al(nanFunc{hs}, hs.X0, nil), constrained.ErrNotFinite},
		{"ALSettings/NaN Mu0", al(hs, hs.X0, &constrained.ALSettings{Mu0: nan}), constrained.ErrSettings},
		{"ALSettings/Beta >= 0.5", al(hs, hs.X0, &constrained.ALSettings{Beta: 0.7}), constrained.ErrSettings},
		{"ALSettings/NaN Tau0", al(hs, hs.X0, &constrained.ALSettings{Tau0: nan}), constrained.ErrSettings},
		{"ALSettings/MuFactor < 1", al(hs, hs.X0, &constrained.ALSettings{MuFactor: 0.5}), constrained.ErrSettings},
		{"ALSettings/TauFactor > 1", al(hs, hs.X0, &constrained.ALSettings{TauFactor: 2}), constrained.ErrSettings},
		{"ALSettings/Inf InnerTol", al(hs, hs.X0, &constrained.ALSettings{InnerTol: inf}), constrained.ErrSettings},
		{"ALSettings/negative MaxSub", al(hs, hs.X0, &constrained.ALSettings{MaxSub: -1}), constrained.ErrSettings},
		{"ALSettings/NaN Tol", al(hs, hs.X0, &constrained.ALSettings{Tol: nan}), constrained.ErrSettings},
		{"ALSettings/negative MaxIter", al(hs, hs.X0, &constrained.ALSettings{MaxIter: -3}), constrained.ErrSettings},
		{"ALSettings/negative MaxInner", al(hs, hs.X0, &constrained.ALSettings{MaxInner: -3}), constrained.ErrSettings},
		{"ALSettings/negative Restart", al(hs, hs.X0, &constrained.ALSettings{Restart: -3}), constrained.ErrSettings},
		{"ALSettings/negative MaxBacktrack", al(hs, hs.X0, &constrained.ALSettings{MaxBacktrack: -3}), constrained.ErrSettings},
		{"ALSettings/negative TimeLimit", al(hs, hs.X0, &constrained.ALSettings{TimeLimit: -3}), constrained.ErrSettings},
		{"GMRES.Solve/nil A", gm(nil, make([]float64, 5), b, nil), constrained.ErrDimension},
		{"GMRES.Solve/non-square A", gm(mat.NewDense(2, 3, nil), make([]float64, 2), b[:2], nil), constrained.ErrDimension},
		{"GMRES.Solve/short x", gm(K, make([]float64, 4), b, nil), constrained.ErrDimension},
		{"GMRES.Solve/short b", gm(K, make([]float64, 5), b[:4], nil), constrained.ErrDimension},
		{"GMRES.Solve/NaN A", gm(nanK, make([]float64, 5), b, nil), constrained.ErrNotFinite},
		{"GMRES.Solve/NaN b", gm(K, make([]float64, 5), []float64{nan, 0, 0, 0, 0}, nil), constrained.ErrNotFinite},
		{"GMRES.Solve/Inf x", gm(K, []float64{inf, 0, 0, 0, 0}, b, nil), constrained.ErrNotFinite},
		{"GMRESSettings/NaN Tol", gm(K, make([]float64, 5), b, &constrained.GMRESSettings{Tol: nan}), constrained.ErrSettings},
		{"GMRESSettings/negative MaxIter", gm(K, make([]float64, 5), b, &constrained.GMRESSettings{MaxIter: -1}), constrained.ErrSettings},
		{"GMRESSettings/negative Restart", gm(K, make([]float64, 5), b, &constrained.GMRESSettings{Restart: -1}), constrained.ErrSettings},
		{"GMRES.Solve/singular inconsistent", gm(mat.NewDense(5, 5, nil), make([]float64, 5), b, nil), constrained.ErrBreakdown},
	}
	return cases
}
