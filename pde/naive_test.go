package pde

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// naiveUpdate is the textbook Kalman form with an explicit inverse:
// K = ΣGᵀ(GΣGᵀ)⁻¹, μ̃ = μ − K(Gμ − b), Σ̃ = (I − KG)Σ. It is the baseline
// of the dense benchmark and of the accuracy test.
func naiveUpdate(mu []float64, sigma *mat.SymDense, g *mat.Dense, b []float64) ([]float64, *mat.Dense) {
	n := len(mu)
	m, _ := g.Dims()
	var p, s, sinv, k mat.Dense
	p.Mul(sigma, g.T())
	s.Mul(g, &p)
	if err := sinv.Inverse(&s); err != nil && !isCondition(err) {
		panic(err)
	}
	k.Mul(&p, &sinv)
	r := mat.NewVecDense(m, nil)
	r.MulVec(g, mat.NewVecDense(n, mu))
	r.SubVec(r, mat.NewVecDense(m, b))
	corr := mat.NewVecDense(n, nil)
	corr.MulVec(&k, r)
	out := make([]float64, n)
	for i := range out {
		out[i] = mu[i] - corr.AtVec(i)
	}
	var ikg, cov mat.Dense
	ikg.Mul(&k, g)
	ikg.Scale(-1, &ikg)
	for i := 0; i < n; i++ {
		ikg.Set(i, i, ikg.At(i, i)+1)
	}
	cov.Mul(&ikg, sigma)
	return out, &cov
}

// illConditioned returns Q diag(λ) Qᵀ with λ log-spaced from 1 to 10^-decades.
func illConditioned(rng *rand.Rand, n int, decades float64) *mat.SymDense {
	var qr mat.QR
	qr.Factorize(mat.NewDense(n, n, randVec(rng, n*n)))
	var q mat.Dense
	qr.QTo(&q)
	lam := make([]float64, n)
	for i := range lam {
		lam[i] = math.Pow(10, -decades*float64(i)/float64(n-1))
	}
	var ql, s mat.Dense
	ql.Apply(func(_, j int, v float64) float64 { return v * lam[j] }, &q)
	s.Mul(&ql, q.T())
	out := mat.NewSymDense(n, nil)
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			out.SetSym(i, j, 0.5*(s.At(i, j)+s.At(j, i)))
		}
	}
	return out
}

type accuracy struct{ resid, sgt, asym float64 }

func measure(mu []float64, cov mat.Matrix, g *mat.Dense, b []float64) accuracy {
	m, n := g.Dims()
	var a accuracy
	gm := mat.NewVecDense(m, nil)
	gm.MulVec(g, mat.NewVecDense(n, mu))
	for i := 0; i < m; i++ {
		a.resid = math.Max(a.resid, math.Abs(gm.AtVec(i)-b[i])/math.Max(1, math.Abs(b[i])))
	}
	var sg mat.Dense
	sg.Mul(cov, g.T())
	a.sgt = mat.Norm(&sg, math.Inf(1))
	for i := 0; i < n; i++ {
		for j := 0; j < i; j++ {
			a.asym = math.Max(a.asym, math.Abs(cov.At(i, j)-cov.At(j, i)))
		}
	}
	return a
}

// TestDenseAccuracyIllConditioned compares the Cholesky path with the naive
// explicit-inverse Kalman form on Σ with condition number 1e14 and m = 5
// constraints whose rows are nearly dependent. It logs both and requires the
// Cholesky path to be exactly symmetric and at least as accurate in
// conservation (Gμ̃ = b) and in Σ̃Gᵀ = 0.
func TestDenseAccuracyIllConditioned(t *testing.T) {
	rng := rand.New(rand.NewPCG(30, 0))
	n, m := 200, 5
	sigma := illConditioned(rng, n, 14)
	base := randVec(rng, n)
	gd := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			gd[i*n+j] = base[j] + 1e-6*rng.NormFloat64()
		}
	}
	g := mat.NewDense(m, n, gd)
	mu := randVec(rng, n)
	b := randVec(rng, m)
	for i := range b {
		b[i] = b[0] + 1e-6*b[i]
	}
	m1, c1, err := ConservationUpdate(mu, &Full{Sigma: sigma}, LinearConstraint{G: g, B: b})
	if err != nil {
		t.Fatal(err)
	}
	ours := measure(m1, c1.(*Full).Sigma, g, b)
	m2, c2 := naiveUpdate(mu, sigma, g, b)
	naive := measure(m2, c2, g, b)
	t.Logf("Cholesky: max|Gμ̃−b| %.3g ‖Σ̃Gᵀ‖∞ %.3g asym %.3g", ours.resid, ours.sgt, ours.asym)
	t.Logf("naive:    max|Gμ̃−b| %.3g ‖Σ̃Gᵀ‖∞ %.3g asym %.3g", naive.resid, naive.sgt, naive.asym)
	if ours.asym != 0 {
		t.Errorf("Cholesky path is not symmetric: %g", ours.asym)
	}
	if ours.resid > naive.resid || ours.sgt > naive.sgt {
		t.Errorf("Cholesky path less accurate than naive: %+v vs %+v", ours, naive)
	}
}
