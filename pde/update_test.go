package pde

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randVec(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

func randDiag(rng *rand.Rand, n int) Diagonal {
	d := make(Diagonal, n)
	for i := range d {
		d[i] = 0.01 + rng.Float64()
	}
	return d
}

// randSPD returns A Aᵀ + δI for a random n×n A.
func randSPD(rng *rand.Rand, n int, delta float64) *mat.SymDense {
	a := mat.NewDense(n, n, randVec(rng, n*n))
	s := mat.NewSymDense(n, nil)
	s.SymOuterK(1, a)
	for i := 0; i < n; i++ {
		s.SetSym(i, i, s.At(i, i)+delta)
	}
	return s
}

func maxAbsDiff(a, b mat.Matrix) float64 {
	r, c := a.Dims()
	m := 0.0
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m = math.Max(m, math.Abs(a.At(i, j)-b.At(i, j)))
		}
	}
	return m
}

func maxAbs(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = math.Max(m, math.Abs(x))
	}
	return m
}

// TestA7ClosedFormEqualsCholesky: the O(n) diagonal closed form equals the
// general Cholesky path on the same (densified) covariance.
func TestA7ClosedFormEqualsCholesky(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	for _, noise := range [][]float64{nil, {0.3}} {
		n := 50
		mu, d, g := randVec(rng, n), randDiag(rng, n), randVec(rng, n)
		c := LinearConstraint{G: mat.NewDense(1, n, g), B: []float64{1.5}, NoiseVar: noise}
		m1, c1, err := ConservationUpdate(mu, d, c)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c1.(*DiagPlusRank1); !ok {
			t.Fatalf("diagonal update returned %T, want *DiagPlusRank1", c1)
		}
		m2, c2, err := ConservationUpdate(mu, &Full{Sigma: d.Dense()}, c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range m1 {
			if math.Abs(m1[i]-m2[i]) > 1e-12 {
				t.Errorf("noise %v: mean[%d] closed form %g, Cholesky %g", noise, i, m1[i], m2[i])
			}
		}
		if e := maxAbsDiff(c1.Dense(), c2.Dense()); e > 1e-12 {
			t.Errorf("noise %v: covariances differ by %g", noise, e)
		}
	}
}

// TestA7InfiniteNoise: σ_G² → ∞ returns (μ, Σ) unchanged.
func TestA7InfiniteNoise(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 0))
	n := 20
	mu, d, g := randVec(rng, n), randDiag(rng, n), randVec(rng, n)
	for _, cov := range []Covariance{d, &Full{Sigma: randSPD(rng, n, 0.1)}} {
		for _, nv := range []float64{math.Inf(1), 1e30} {
			c := LinearConstraint{G: mat.NewDense(1, n, g), B: []float64{3}, NoiseVar: []float64{nv}}
			m2, c2, err := ConservationUpdate(mu, cov, c)
			if err != nil {
				t.Fatal(err)
			}
			for i := range mu {
				if math.Abs(m2[i]-mu[i]) > 1e-12 {
					t.Errorf("%T σ²=%g: mean moved at %d: %g -> %g", cov, nv, i, mu[i], m2[i])
				}
			}
			if e := maxAbsDiff(c2.Dense(), cov.Dense()); e > 1e-12 {
				t.Errorf("%T σ²=%g: covariance moved by %g", cov, nv, e)
			}
		}
	}
}

// TestA7HardCIsIdentityUpdate: HardC equals the update with Σ = I (dense).
func TestA7HardCIsIdentityUpdate(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 0))
	n := 30
	for m := 1; m <= 3; m++ {
		mu := randVec(rng, n)
		c := LinearConstraint{G: mat.NewDense(m, n, randVec(rng, m*n)), B: randVec(rng, m)}
		h, err := ProjectHardC(mu, c)
		if err != nil {
			t.Fatal(err)
		}
		id := mat.NewSymDense(n, nil)
		for i := 0; i < n; i++ {
			id.SetSym(i, i, 1)
		}
		u, _, err := ConservationUpdate(mu, &Full{Sigma: id}, c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range h {
			if math.Abs(h[i]-u[i]) > 1e-12 {
				t.Errorf("m=%d: HardC[%d] = %g, Σ=I update %g", m, i, h[i], u[i])
			}
		}
	}
	// One row: a uniform shift when g is constant.
	mu := []float64{1, 2, 3, 4}
	h, _ := ProjectHardC(mu, MassConstraint([]float64{1, 1, 1, 1}, 14))
	for i := range h {
		if math.Abs(h[i]-mu[i]-1) > 1e-15 {
			t.Errorf("HardC shift %v", h)
		}
	}
}

// TestUpdateSPDProperty: for random SPD Σ and random G (m = 1..5), the σ→0
// update gives G μ̃ = b to 1e-10 relative and Σ̃ Gᵀ = 0, diag(Σ̃) ≤ diag(Σ),
// and the structured paths agree with the dense one.
func TestUpdateSPDProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(10, 0))
	for trial := 0; trial < 40; trial++ {
		n := 8 + rng.IntN(40)
		m := 1 + trial%5
		sigma := randSPD(rng, n, 1e-3)
		mu := randVec(rng, n)
		g := mat.NewDense(m, n, randVec(rng, m*n))
		b := randVec(rng, m)
		c := LinearConstraint{G: g, B: b}
		m2, c2, err := ConservationUpdate(mu, &Full{Sigma: sigma}, c)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		gm := mat.NewVecDense(m, nil)
		gm.MulVec(g, mat.NewVecDense(n, m2))
		scale := math.Max(maxAbs(b), mat.Norm(g, math.Inf(1))*maxAbs(m2))
		for i := 0; i < m; i++ {
			if e := math.Abs(gm.AtVec(i) - b[i]); e > 1e-10*scale {
				t.Errorf("trial %d (n=%d m=%d): |(Gμ̃−b)[%d]| = %g (scale %g)", trial, n, m, i, e, scale)
			}
		}
		var sg mat.Dense
		sg.Mul(c2.Dense(), g.T())
		if e := mat.Norm(&sg, math.Inf(1)); e > 1e-10*mat.Norm(sigma, math.Inf(1))*mat.Norm(g, math.Inf(1)) {
			t.Errorf("trial %d (n=%d m=%d): ‖Σ̃Gᵀ‖∞ = %g", trial, n, m, e)
		}
		post := c2.Diag()
		for i := range post {
			if post[i] > sigma.At(i, i)+1e-12*sigma.At(i, i) {
				t.Errorf("trial %d: variance %d grew", trial, i)
			}
		}
		// Structured (diagonal prior) path agrees with dense.
		d := randDiag(rng, n)
		ms, cs, err := ConservationUpdate(mu, d, c)
		if err != nil {
			t.Fatal(err)
		}
		md, cd, err := ConservationUpdate(mu, &Full{Sigma: d.Dense()}, c)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ms {
			if math.Abs(ms[i]-md[i]) > 1e-10*(1+math.Abs(md[i])) {
				t.Errorf("trial %d: structured mean %g vs dense %g", trial, ms[i], md[i])
			}
		}
		if e := maxAbsDiff(cs.Dense(), cd.Dense()); e > 1e-10 {
			t.Errorf("trial %d: structured covariance differs by %g", trial, e)
		}
		// Chaining a second update on the structured result stays structured.
		c3 := LinearConstraint{G: mat.NewDense(1, n, randVec(rng, n)), B: []float64{0.5}, NoiseVar: []float64{0.1}}
		ms2, cs2, err := ConservationUpdate(ms, cs, c3)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := cs2.(*DiagPlusLowRank); !ok {
			t.Errorf("chained update returned %T", cs2)
		}
		md2, cd2, err := ConservationUpdate(md, cd, c3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ms2 {
			if math.Abs(ms2[i]-md2[i]) > 1e-9*(1+math.Abs(md2[i])) {
				t.Errorf("trial %d: chained mean %g vs dense %g", trial, ms2[i], md2[i])
			}
		}
		if e := maxAbsDiff(cs2.Dense(), cd2.Dense()); e > 1e-9 {
			t.Errorf("trial %d: chained covariance differs by %g", trial, e)
		}
	}
}

// TestUpdateNoiseIsRegularisedLeastSquares checks the equivalent view:
// μ̃ minimises (u−μ)ᵀΣ⁻¹(u−μ) + (Gu−b)ᵀN⁻¹(Gu−b), i.e. solves
// (Σ⁻¹ + GᵀN⁻¹G) μ̃ = Σ⁻¹μ + GᵀN⁻¹b, and Σ̃ = (Σ⁻¹ + GᵀN⁻¹G)⁻¹.
func TestUpdateNoiseIsRegularisedLeastSquares(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	n, m := 12, 3
	sigma := randSPD(rng, n, 1)
	mu := randVec(rng, n)
	g := mat.NewDense(m, n, randVec(rng, m*n))
	b := randVec(rng, m)
	nv := []float64{0.5, 0.1, 2}
	m2, c2, err := ConservationUpdate(mu, &Full{Sigma: sigma}, LinearConstraint{G: g, B: b, NoiseVar: nv})
	if err != nil {
		t.Fatal(err)
	}
	var si mat.Dense
	if err := si.Inverse(sigma); err != nil {
		t.Fatal(err)
	}
	ninv := mat.NewDiagDense(m, []float64{1 / nv[0], 1 / nv[1], 1 / nv[2]})
	var gtn, prec mat.Dense
	gtn.Mul(g.T(), ninv)
	prec.Mul(&gtn, g)
	prec.Add(&prec, &si)
	rhs := mat.NewVecDense(n, nil)
	rhs.MulVec(&si, mat.NewVecDense(n, mu))
	t2 := mat.NewVecDense(n, nil)
	t2.MulVec(&gtn, mat.NewVecDense(m, b))
	rhs.AddVec(rhs, t2)
	var want mat.VecDense
	if err := want.SolveVec(&prec, rhs); err != nil {
		t.Fatal(err)
	}
	for i := range m2 {
		if math.Abs(m2[i]-want.AtVec(i)) > 1e-9 {
			t.Errorf("mean[%d] = %g, normal equations %g", i, m2[i], want.AtVec(i))
		}
	}
	var cov mat.Dense
	if err := cov.Inverse(&prec); err != nil {
		t.Fatal(err)
	}
	if e := maxAbsDiff(c2.Dense(), &cov); e > 1e-9 {
		t.Errorf("covariance differs from the information form by %g", e)
	}
}

// TestProjectionDoesNotIncreaseError: if the truth satisfies Gu = b, the
// σ→0 update cannot increase ‖μ − u‖ in the Σ⁻¹ norm.
func TestProjectionDoesNotIncreaseError(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	for trial := 0; trial < 20; trial++ {
		n := 15
		d := randDiag(rng, n)
		u := randVec(rng, n)
		g := randVec(rng, n)
		var b float64
		for i := range u {
			b += g[i] * u[i]
		}
		mu := randVec(rng, n)
		m2, _, err := ConservationUpdate(mu, d, MassConstraint(g, b))
		if err != nil {
			t.Fatal(err)
		}
		var e0, e1 float64
		for i := range u {
			e0 += (mu[i] - u[i]) * (mu[i] - u[i]) / d[i]
			e1 += (m2[i] - u[i]) * (m2[i] - u[i]) / d[i]
		}
		if e1 > e0+1e-12 {
			t.Errorf("trial %d: Σ⁻¹ error grew %g -> %g", trial, e0, e1)
		}
	}
}

func TestUpdateBadInput(t *testing.T) {
	n := 4
	mu := []float64{1, 2, 3, 4}
	d := Diagonal{1, 1, 1, 1}
	g := MassConstraint([]float64{1, 1, 1, 1}, 1)
	indef := mat.NewSymDense(2, []float64{1, 2, 2, 1})
	for _, tc := range []struct {
		name string
		mu   []float64
		cov  Covariance
		c    LinearConstraint
		want error
	}{
		{"indefinite, S<0", []float64{1, 2}, &Full{Sigma: indef}, MassConstraint([]float64{1, -1}, 0), ErrNotPSD},
		{"indefinite, var<0", []float64{1, 2}, &Full{Sigma: indef}, MassConstraint([]float64{1, 1}, 0), ErrNotPSD},
		{"negative variance", mu, Diagonal{1, -1, 1, 1}, g, ErrNotPSD},
		{"wrong width", mu, d, MassConstraint([]float64{1, 1, 1}, 1), ErrDimension},
		{"wrong b", mu, d, LinearConstraint{G: mat.NewDense(1, n, []float64{1, 1, 1, 1}), B: []float64{1, 2}}, ErrDimension},
		{"cov size", mu, Diagonal{1, 1}, g, ErrDimension},
		{"zero variance", mu, Diagonal{0, 0, 0, 0}, g, ErrZeroVariance},
		{"zero variance dense", mu, &Full{Sigma: mat.NewSymDense(n, nil)}, g, ErrZeroVariance},
		{"NaN mean", []float64{1, math.NaN(), 3, 4}, d, g, ErrNotFinite},
		{"NaN variance", mu, Diagonal{1, math.NaN(), 1, 1}, g, ErrNotFinite},
		{"Inf weight", mu, d, MassConstraint([]float64{1, math.Inf(1), 1, 1}, 1), ErrNotFinite},
		{"negative noise", mu, d, LinearConstraint{G: g.G, B: g.B, NoiseVar: []float64{-1}}, ErrSettings},
		{"empty", nil, Diagonal{}, g, ErrEmpty},
		{"ragged rank-1", mu, &DiagPlusRank1{D: []float64{1, 1, 1, 1}, V: []float64{1}, Alpha: -0.1}, g, ErrDimension},
		{"ragged low-rank", mu, &DiagPlusLowRank{D: []float64{1, 1, 1, 1}, U: mat.NewDense(3, 1, nil), C: mat.NewSymDense(1, nil)}, g, ErrDimension},
		{"nil Full", mu, &Full{}, g, ErrDimension},
		{"NaN off-diagonal", []float64{1, 2}, &Full{Sigma: mat.NewSymDense(2, []float64{1, math.NaN(), math.NaN(), 1})}, MassConstraint([]float64{1, 1}, 0), ErrNotFinite},
	} {
		_, _, err := ConservationUpdate(tc.mu, tc.cov, tc.c)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	// Zero variance with positive noise is well defined (μ unchanged).
	m2, _, err := ConservationUpdate(mu, Diagonal{0, 0, 0, 0}, LinearConstraint{G: g.G, B: g.B, NoiseVar: []float64{1}})
	if err != nil || m2[1] != 2 {
		t.Errorf("zero variance with noise: %v, %v", m2, err)
	}
}

func TestUpdateDiagAllocs(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 0))
	n := 1000
	mu, d, g := randVec(rng, n), randDiag(rng, n), randVec(rng, n)
	dst, v := make([]float64, n), make([]float64, n)
	if a := testing.AllocsPerRun(10, func() {
		if _, _, _, err := UpdateDiag(dst, v, mu, d, g, 1, 0); err != nil {
			t.Fatal(err)
		}
	}); a != 0 {
		t.Errorf("UpdateDiag allocates %v times", a)
	}
}
