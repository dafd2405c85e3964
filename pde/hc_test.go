package pde

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// hcSetup builds a grid with normalised time and its three stencils.
func hcSetup(t testing.TB, nt, nx int) (*Grid, *Stencil, *Stencil, *Stencil) {
	t.Helper()
	g, err := NewGrid(nt, nx, 1/float64(nt-1), 1/float64(nx-1))
	if err != nil {
		t.Fatal(err)
	}
	dt, _ := NewStencil(g, AxisT, 1)
	dx, _ := NewStencil(g, AxisX, 1)
	dxx, _ := NewStencil(g, AxisX, 2)
	return g, dt, dx, dxx
}

// TestStencilTranspose: ⟨Du, v⟩ = ⟨u, Dᵀv⟩, ApplyCols agrees with Apply,
// the first derivative is exact on linear functions and the second on
// quadratics away from the ends.
func TestStencilTranspose(t *testing.T) {
	g, dt, dx, dxx := hcSetup(t, 6, 9)
	rng := rand.New(rand.NewPCG(1, 2))
	u, v := randVec(rng, g.Size()), randVec(rng, g.Size())
	for _, s := range []*Stencil{dt, dx, dxx} {
		du, _ := s.Apply(nil, u)
		dtv, _ := s.ApplyT(nil, v)
		var a, b float64
		for i := range u {
			a += du[i] * v[i]
			b += u[i] * dtv[i]
		}
		if math.Abs(a-b) > 1e-12*(1+math.Abs(a)) {
			t.Errorf("axis %d order %d: <Du,v> = %g, <u,D^T v> = %g", s.axis, s.order, a, b)
		}
		bm := mat.NewDense(g.Size(), 2, nil)
		bm.SetCol(0, u)
		bm.SetCol(1, v)
		img, _ := s.ApplyCols(nil, bm)
		dv, _ := s.Apply(nil, v)
		for p := range u {
			if math.Abs(img.At(p, 0)-du[p]) > 1e-12 || math.Abs(img.At(p, 1)-dv[p]) > 1e-12 {
				t.Fatalf("ApplyCols differs from Apply at %d", p)
			}
		}
	}
	q := make([]float64, g.Size())
	for j := 0; j < g.NT; j++ {
		for i := 0; i < g.NX; i++ {
			x := float64(i) * g.DX
			q[g.Index(j, i)] = 3*x*x + 2*x
		}
	}
	d1, _ := dx.Apply(nil, q)
	d2, _ := dxx.Apply(nil, q)
	for i := 2; i < g.NX-2; i++ {
		x := float64(i) * g.DX
		if p := g.Index(1, i); math.Abs(d1[p]-(6*x+2)) > 1e-10 || math.Abs(d2[p]-6) > 1e-9 {
			t.Errorf("x = %g: u_x %g (want %g), u_xx %g (want 6)", x, d1[p], 6*x+2, d2[p])
		}
	}
	if _, err := dx.Apply(nil, u[:5]); !errors.Is(err, ErrDimension) {
		t.Errorf("grid/stencil mismatch: err = %v", err)
	}
}

// rosen is the Rosenbrock function as a least-squares problem.
type rosen struct{}

func (rosen) Dims() (int, int) { return 2, 2 }
func (rosen) Residual(r []float64, j *mat.Dense, w []float64) error {
	r[0], r[1] = 10*(w[1]-w[0]*w[0]), 1-w[0]
	if j != nil {
		j.Set(0, 0, -20*w[0])
		j.Set(0, 1, 10)
		j.Set(1, 0, -1)
		j.Set(1, 1, 0)
	}
	return nil
}

// TestLevenbergMarquardt: the Rosenbrock minimum (1, 1) from (−1.2, 1);
// an iteration cap gives IterationLimit with the residual reported; a
// negative Tol runs exactly MaxIter iterations.
func TestLevenbergMarquardt(t *testing.T) {
	ctx := context.Background()
	w := []float64{-1.2, 1}
	res, err := LevenbergMarquardt{Tol: 1e-12, MaxIter: 200}.Solve(ctx, rosen{}, w)
	if err != nil || res.Status.String() != "Converged" {
		t.Fatalf("status %v, err %v", res.Status, err)
	}
	if math.Abs(w[0]-1) > 1e-8 || math.Abs(w[1]-1) > 1e-8 {
		t.Errorf("minimum at %v after %d iterations", w, res.Iterations)
	}
	w = []float64{-1.2, 1}
	res, err = LevenbergMarquardt{MaxIter: 3}.Solve(ctx, rosen{}, w)
	if err != nil || res.Status.String() != "IterationLimit" || res.Iterations != 3 || !(res.Norm > 0) || !(res.Norm0 > res.Norm) {
		t.Errorf("capped: %+v, %v", res, err)
	}
	w = []float64{1, 1}
	res, _ = LevenbergMarquardt{Tol: -1, MaxIter: 7}.Solve(ctx, rosen{}, w)
	if res.Iterations != 7 {
		t.Errorf("Tol < 0: %d iterations, want 7", res.Iterations)
	}
}

// fdGrad returns the central finite-difference gradient of
// L(B) = Σ wts_p u_p(B) with the constraint re-solved to 1e-12.
func fdGrad(t *testing.T, h HardConstraint, b *mat.Dense, wts []float64, step float64) *mat.Dense {
	t.Helper()
	// Re-solve with Gauss–Newton on a QR factorisation, all iterations
	// (Tol < 0): the LM stopping tests and its normal equations leave
	// noise of about cond(J)²·1e-16 in L, which the differences divide by
	// the step.
	h.Solver = GaussNewton{Tol: -1, MaxIter: 8}
	n, nb := b.Dims()
	loss := func(bb *mat.Dense) float64 {
		bs, err := h.Images(bb)
		if err != nil {
			t.Fatal(err)
		}
		st, err := h.Forward(context.Background(), bs, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		var l float64
		for p, u := range st.U {
			l += wts[p] * u
		}
		return l
	}
	g := mat.NewDense(n, nb, nil)
	for p := 0; p < n; p++ {
		for k := 0; k < nb; k++ {
			bp := mat.DenseCopyOf(b)
			bp.Set(p, k, b.At(p, k)+step)
			lp := loss(bp)
			bp.Set(p, k, b.At(p, k)-step)
			lm := loss(bp)
			g.Set(p, k, (lp-lm)/(2*step))
		}
	}
	return g
}

func relDiff(a, b *mat.Dense) float64 {
	var d mat.Dense
	d.Sub(a, b)
	return mat.Norm(&d, 2) / mat.Norm(b, 2)
}

// TestC4aAffineGradient (claim C4a): on the tiny affine case (9×5 grid,
// N = 3, all interior nodes, r = u_τ − 0.25 u_xx, IC rows), the exact-affine
// IFT gradient of L = Σ w_p u_p matches central differences (step 1e-6) to
// a relative error ≤ 1e-5.
func TestC4aAffineGradient(t *testing.T) {
	g, dt, dx, dxx := hcSetup(t, 5, 9)
	rng := rand.New(rand.NewPCG(4, 1))
	// Smooth random columns: with white-noise columns the least-squares
	// problem is so ill-conditioned (ω ~ 1e-4, JᵀJ eigenvalues ~ ridge²)
	// that the finite differences, not the IFT, are inaccurate.
	b := mat.NewDense(g.Size(), 3, nil)
	for k := 0; k < 3; k++ {
		a, c, f := rng.Float64(), rng.Float64(), 1+3*rng.Float64()
		for j := 0; j < g.NT; j++ {
			for i := 0; i < g.NX; i++ {
				tau, x := float64(j)*g.DT, float64(i)*g.DX
				b.Set(g.Index(j, i), k, 0.5+math.Cos(f*x+a)*math.Exp(-c*tau))
			}
		}
	}
	u0 := make([]float64, g.NX)
	for i := range u0 {
		u0[i] = 1 + 0.5*rng.Float64()
	}
	cond, err := DiffusionSorptionConditions(g, dx, u0, 5e-4)
	if err != nil {
		t.Fatal(err)
	}
	h := HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Residual: Heat{Kappa: 0.25}, Conditions: cond, AffineExact: true,
		Solver: LevenbergMarquardt{Tol: 1e-13, MaxIter: 500}}
	wts := randVec(rng, g.Size())
	bs, _ := h.Images(b)
	st, err := h.Forward(context.Background(), bs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	gB, err := h.Backward(st, wts, nil)
	if err != nil {
		t.Fatal(err)
	}
	fd := fdGrad(t, h, b, wts, 1e-6)
	if e := relDiff(gB, fd); e > 1e-5 {
		t.Errorf("C4a: relative error %.3g > 1e-5", e)
	} else {
		t.Logf("C4a: relative error %.3g", e)
	}
}

// TestC4bDiffusionSorptionGradient (claim C4b): manufactured DS case, B =
// [u*, 3 smooth columns], PDE rows F(Bω) − F(u*), boundary rows Bω − u*:
// ω* ≈ e1 with ‖r‖ ≈ 0, and the Gauss–Newton IFT gradient matches central
// differences to a relative error ≤ 1e-4.
func TestC4bDiffusionSorptionGradient(t *testing.T) {
	g, dt, dx, dxx := hcSetup(t, 6, 9)
	n := g.Size()
	b := mat.NewDense(n, 4, nil)
	for j := 0; j < g.NT; j++ {
		for i := 0; i < g.NX; i++ {
			tau, x := float64(j)*g.DT, float64(i)*g.DX
			p := g.Index(j, i)
			b.Set(p, 0, 0.5+0.3*math.Exp(-tau)*math.Cos(math.Pi*x/2))
			b.Set(p, 1, math.Sin(math.Pi*x)*(1+tau))
			b.Set(p, 2, math.Cos(2*x+tau))
			b.Set(p, 3, x*x-0.3*tau)
		}
	}
	ds := DiffusionSorption{Kappa: 0.25}
	h := HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Ridge: -1}
	bs, _ := (&HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Residual: ds}).Images(b)
	src := make([]float64, n)
	cond := &LinearRows{}
	for p := 0; p < n; p++ {
		src[p], _ = ds.Eval(p, bs.B.At(p, 0), bs.Bt.At(p, 0), bs.Bx.At(p, 0), bs.Bxx.At(p, 0))
		j, i := p/g.NX, p%g.NX
		if j == 0 || i == 0 || i == g.NX-1 {
			cond.Idx = append(cond.Idx, []int{p})
			cond.W = append(cond.W, []float64{1})
			cond.Y = append(cond.Y, b.At(p, 0))
		}
	}
	h.Residual = Forced{F: ds, Source: src}
	h.Conditions = cond
	h.Solver = LevenbergMarquardt{Tol: 1e-13, MaxIter: 500}
	st, err := h.Forward(context.Background(), bs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(st.Omega[0]-1) > 1e-8 || st.Solve.Norm > 1e-9 {
		t.Fatalf("ω* = %v, ‖r‖ = %g", st.Omega, st.Solve.Norm)
	}
	rng := rand.New(rand.NewPCG(5, 1))
	wts := randVec(rng, n)
	gB, err := h.Backward(st, wts, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the source fixed while B moves (it defines the problem).
	fd := fdGrad(t, h, b, wts, 1e-6)
	if e := relDiff(gB, fd); e > 1e-4 {
		t.Errorf("C4b: relative error %.3g > 1e-4", e)
	} else {
		t.Logf("C4b: relative error %.3g", e)
	}
}

// dsProblem is a small diffusion–sorption constraint with a random smooth
// basis, for the MoE tests.
func dsProblem(t testing.TB, nt, nx, nb int, seed uint64) (HardConstraint, *Basis) {
	g, dt, dx, dxx := hcSetup(t, nt, nx)
	rng := rand.New(rand.NewPCG(seed, 9))
	b := mat.NewDense(g.Size(), nb, nil)
	for k := 0; k < nb; k++ {
		a, c, f := rng.Float64(), rng.Float64(), 1+3*rng.Float64()
		for j := 0; j < g.NT; j++ {
			for i := 0; i < g.NX; i++ {
				tau, x := float64(j)*g.DT, float64(i)*g.DX
				b.Set(g.Index(j, i), k, 0.2+0.3*math.Cos(f*x+a)*math.Exp(-c*tau))
			}
		}
	}
	u0 := make([]float64, nx)
	for i := range u0 {
		x := float64(i) * g.DX
		u0[i] = 0.1 + 0.05*math.Sin(math.Pi*x) + 0.02*math.Sin(3*math.Pi*x)
	}
	cond, err := DiffusionSorptionConditions(g, dx, u0, 5e-4)
	if err != nil {
		t.Fatal(err)
	}
	h := HardConstraint{Dt: dt, Dx: dx, Dxx: dxx, Residual: DiffusionSorption{Kappa: 0.25}, Conditions: cond, M: 100}
	bs, err := h.Images(b)
	if err != nil {
		t.Fatal(err)
	}
	return h, bs
}

// TestC5SingleExpertMoE (claim C5): the MoE with one box equals the single
// hard constraint to 1e-12 with identical sampling, forward and backward.
func TestC5SingleExpertMoE(t *testing.T) {
	h, bs := dsProblem(t, 11, 17, 6, 1)
	ctx := context.Background()
	moe := MoEConstraint{Expert: h}
	st, err := moe.Forward(ctx, bs, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	seed := rand.New(rand.NewPCG(3, 3)).Uint64()
	one, err := h.Forward(ctx, bs, nil, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	for p := range one.U {
		if math.Abs(one.U[p]-st.U[p]) > 1e-12 {
			t.Fatalf("u[%d]: HC %g, MoE %g", p, one.U[p], st.U[p])
		}
	}
	gu := randVec(rand.New(rand.NewPCG(8, 8)), len(one.U))
	g1, err := h.Backward(one, gu, nil)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := moe.Backward(ctx, st, gu)
	if err != nil {
		t.Fatal(err)
	}
	var d mat.Dense
	d.Sub(g1, g2)
	if e := mat.Norm(&d, math.Inf(1)); e > 1e-12 {
		t.Errorf("gradients differ by %g", e)
	}
}

// TestMoEDeterministic: the MoE result does not depend on Workers or
// GOMAXPROCS; every expert sees the global condition rows and outputs its
// own box.
func TestMoEDeterministic(t *testing.T) {
	h, bs := dsProblem(t, 11, 17, 6, 2)
	ctx := context.Background()
	var ref []float64
	var refG *mat.Dense
	gu := randVec(rand.New(rand.NewPCG(8, 9)), bs.B.RawMatrix().Rows)
	for _, procs := range []int{1, 2, 8} {
		for _, workers := range []int{0, 1, 3} {
			old := runtime.GOMAXPROCS(procs)
			moe := MoEConstraint{Router: Router{Splits: [2]int{1, 4}}, Expert: h, Workers: workers}
			st, err := moe.Forward(ctx, bs, rand.New(rand.NewPCG(5, 5)))
			if err != nil {
				t.Fatal(err)
			}
			gB, err := moe.Backward(ctx, st, gu)
			runtime.GOMAXPROCS(old)
			if err != nil {
				t.Fatal(err)
			}
			if ref == nil {
				ref, refG = st.U, gB
				if len(st.Experts) != 4 || len(st.Experts[0].Region) != 11*5 || len(st.Experts[1].Region) != 11*4 {
					t.Fatalf("boxes: %d experts, sizes %d, %d", len(st.Experts), len(st.Experts[0].Region), len(st.Experts[1].Region))
				}
				continue
			}
			for p := range ref {
				if ref[p] != st.U[p] {
					t.Fatalf("GOMAXPROCS %d workers %d: u[%d] differs", procs, workers, p)
				}
			}
			if !mat.Equal(refG, gB) {
				t.Fatalf("GOMAXPROCS %d workers %d: gradient differs", procs, workers)
			}
		}
	}
}

// panicky is a Residual that panics, to test recovery in expert goroutines.
type panicky struct{}

func (panicky) Eval(int, float64, float64, float64, float64) (float64, [4]float64) { panic("boom") }

// TestMoECancelAndPanic: a canceled context stops the experts within 100
// ms; a panicking residual becomes an error, in the MoE goroutines and in
// a single constraint.
func TestMoECancelAndPanic(t *testing.T) {
	h, bs := dsProblem(t, 41, 65, 16, 3)
	h.M = 0
	h.Solver = LevenbergMarquardt{Tol: -1, MaxIter: 1 << 20}
	moe := MoEConstraint{Router: Router{Splits: [2]int{1, 4}}, Expert: h}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := moe.Forward(ctx, bs, rand.New(rand.NewPCG(1, 1)))
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	at := time.Now()
	cancel()
	select {
	case err := <-done:
		if d := time.Since(at); d > 100*time.Millisecond {
			t.Errorf("returned %v after cancel", d)
		}
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("MoE did not stop")
	}
	bad := moe
	bad.Expert.Residual = panicky{}
	if _, err := bad.Forward(context.Background(), bs, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, ErrSettings) {
		t.Errorf("MoE panic: err = %v", err)
	}
	if _, err := bad.Expert.Forward(context.Background(), bs, nil, rand.New(rand.NewPCG(1, 1))); !errors.Is(err, ErrSettings) {
		t.Errorf("single panic: err = %v", err)
	}
}

// TestDSReferenceProfile: the spec's profile check of the reference solver
// (α = 0.1, β = 0.05, γ = 0.02): u(0.5, 500) = 0.27 ± 0.02 and
// u(0.1, 500) = 0.82 ± 0.02 (linear interpolation between x-nodes).
func TestDSReferenceProfile(t *testing.T) {
	if testing.Short() {
		t.Skip("about 2 s")
	}
	u0 := func(x float64) float64 { return 0.1 + 0.05*math.Sin(math.Pi*x) + 0.02*math.Sin(3*math.Pi*x) }
	u, err := DSReference{}.Solve(context.Background(), u0, 500, 51, 65)
	if err != nil {
		t.Fatal(err)
	}
	last := u[50*65:]
	at := func(x float64) float64 {
		f := x * 64
		i := int(f)
		return last[i] + (f-float64(i))*(last[i+1]-last[i])
	}
	if v := at(0.5); math.Abs(v-0.27) > 0.02 {
		t.Errorf("u(0.5, 500) = %.4f, want 0.27 ± 0.02", v)
	}
	if v := at(0.1); math.Abs(v-0.82) > 0.02 {
		t.Errorf("u(0.1, 500) = %.4f, want 0.82 ± 0.02", v)
	}
}

// TestSingularNormalEquations: with two identical basis columns the ridge
// rows (default 1e-4) keep the solve and the IFT well posed; with no ridge
// and a basis that sees nothing, the backward pass reports ErrSingular
// instead of returning NaN.
func TestSingularNormalEquations(t *testing.T) {
	h, bs := dsProblem(t, 6, 9, 3, 4)
	b := mat.DenseCopyOf(bs.B)
	col := mat.Col(nil, 0, b)
	b.SetCol(1, col)
	bs2, _ := h.Images(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 1))
	st, err := h.Forward(ctx, bs2, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	gu := randVec(rng, b.RawMatrix().Rows)
	gB, err := h.Backward(st, gu, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range gB.RawMatrix().Data {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatal("non-finite gradient with collinear columns")
		}
	}
	zero := HardConstraint{Dt: h.Dt, Dx: h.Dx, Dxx: h.Dxx, Residual: h.Residual, Ridge: -1}
	bz, _ := zero.Images(mat.NewDense(b.RawMatrix().Rows, 2, nil))
	st, err = zero.Forward(ctx, bz, nil, rng)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zero.Backward(st, gu, nil); !errors.Is(err, ErrSingular) {
		t.Errorf("zero basis without ridge: err = %v, want ErrSingular", err)
	}
}
