package pde

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// empiricalCov returns the sample covariance of draws from s.
func empiricalCov(s Sampler, mean []float64, draws int, rng *rand.Rand) *mat.SymDense {
	n := len(mean)
	x := mat.NewDense(draws, n, nil)
	buf := make([]float64, n)
	for k := 0; k < draws; k++ {
		v, err := s.Sample(buf, mean, rng)
		if err != nil {
			panic(err)
		}
		x.SetRow(k, v)
	}
	c := mat.NewSymDense(n, nil)
	stat.CovarianceMatrix(c, x, nil)
	return c
}

func TestSamplersMatchCovariance(t *testing.T) {
	rng := rand.New(rand.NewPCG(20, 0))
	n := 6
	d := randDiag(rng, n)
	g := randVec(rng, n)
	mu := randVec(rng, n)
	_, r1, err := ConservationUpdate(mu, d, MassConstraint(g, 0))
	if err != nil {
		t.Fatal(err)
	}
	_, r1n, _ := ConservationUpdate(mu, d, LinearConstraint{G: mat.NewDense(1, n, g), B: []float64{0}, NoiseVar: []float64{0.2}})
	_, lr, _ := ConservationUpdate(mu, d, LinearConstraint{G: mat.NewDense(2, n, randVec(rng, 2*n)), B: []float64{0, 1}})
	pos := &DiagPlusRank1{D: d, V: randVec(rng, n), Alpha: 0.5}
	for _, cov := range []Covariance{d, r1, r1n, lr, pos, &Full{Sigma: randSPD(rng, n, 0.1)}} {
		s, err := NewSampler(cov)
		if err != nil {
			t.Fatalf("%T: %v", cov, err)
		}
		emp := empiricalCov(s, mu, 100000, rng)
		want := cov.Dense()
		scale := 0.0
		for i := 0; i < n; i++ {
			scale = math.Max(scale, want.At(i, i))
		}
		if e := maxAbsDiff(emp, want); e > 0.03*scale {
			t.Errorf("%T: empirical covariance off by %g (scale %g)", cov, e, scale)
		}
	}
}

// TestRank1SamplesConserve: in the σ→0 limit every draw satisfies gᵀx = b.
func TestRank1SamplesConserve(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 0))
	n := 201
	d := randDiag(rng, n)
	g := randVec(rng, n)
	mu := randVec(rng, n)
	m2, c2, err := ConservationUpdate(mu, d, MassConstraint(g, 2))
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSampler(c2)
	if err != nil {
		t.Fatal(err)
	}
	for k := 0; k < 50; k++ {
		x, err := s.Sample(nil, m2, rng)
		if err != nil {
			t.Fatal(err)
		}
		var gx float64
		for i := range x {
			gx += g[i] * x[i]
		}
		if math.Abs(gx-2) > 1e-10 {
			t.Fatalf("draw %d: gᵀx = %.15g, want 2", k, gx)
		}
	}
}

func TestSamplerNotPSD(t *testing.T) {
	for _, cov := range []Covariance{
		Diagonal{1, -1},
		&DiagPlusRank1{D: []float64{1, 1}, V: []float64{1, 1}, Alpha: -2},
		&Full{Sigma: mat.NewSymDense(2, []float64{1, 2, 2, 1})},
	} {
		if _, err := NewSampler(cov); !errors.Is(err, ErrNotPSD) {
			t.Errorf("%T: err = %v, want ErrNotPSD", cov, err)
		}
	}
}

func TestAggregateLatent(t *testing.T) {
	rng := rand.New(rand.NewPCG(22, 0))
	n, ns := 30, 25
	g := randVec(rng, n)
	c := MassConstraint(g, 1.25)
	mus := make([][]float64, ns)
	covs := make([]Covariance, ns)
	for s := range mus {
		mus[s] = randVec(rng, n)
		covs[s] = randDiag(rng, n)
	}
	res, err := AggregateLatent(mus, covs, &c)
	if err != nil {
		t.Fatal(err)
	}
	var gm float64
	for i := range g {
		gm += g[i] * res.Mean[i]
	}
	if math.Abs(gm-1.25) > 1e-12 {
		t.Errorf("aggregated mean has gᵀμ = %.15g", gm)
	}
	if _, ok := res.Cov.(*DiagPlusLowRank); !ok {
		t.Errorf("aggregated covariance is %T, want *DiagPlusLowRank", res.Cov)
	}
	// Var = avg diag + between-sample variance, checked against direct sums.
	upd := make([][]float64, ns)
	var avgDiag []float64
	for s := range mus {
		m2, c2, _ := ConservationUpdate(mus[s], covs[s], c)
		upd[s] = m2
		dd := c2.Diag()
		if avgDiag == nil {
			avgDiag = make([]float64, n)
		}
		for i := range dd {
			avgDiag[i] += dd[i] / float64(ns)
		}
	}
	for i := 0; i < n; i++ {
		col := make([]float64, ns)
		for s := range upd {
			col[s] = upd[s][i]
		}
		m, v := stat.PopMeanVariance(col, nil)
		if math.Abs(m-res.Mean[i]) > 1e-12 || math.Abs(avgDiag[i]+v-res.Var[i]) > 1e-12 {
			t.Errorf("point %d: mean %g var %g, want %g %g", i, res.Mean[i], res.Var[i], m, avgDiag[i]+v)
		}
	}
	// Cov is avg Σ̃_s.
	want := mat.NewSymDense(n, nil)
	for s := range mus {
		_, c2, _ := ConservationUpdate(mus[s], covs[s], c)
		want.AddSym(want, c2.Dense())
	}
	want.ScaleSym(1/float64(ns), want)
	if e := maxAbsDiff(want, res.Cov.Dense()); e > 1e-12 {
		t.Errorf("Cov differs from avg Σ̃ by %g", e)
	}
	// One sample equals the direct update.
	one, _ := AggregateLatent(mus[:1], covs[:1], &c)
	for i := range upd[0] {
		if math.Abs(one.Mean[i]-upd[0][i]) > 1e-15 {
			t.Fatalf("S=1 aggregate differs at %d", i)
		}
	}
	if _, err := AggregateLatent(nil, nil, &c); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
}

func TestDiffusionRows(t *testing.T) {
	v := []float64{2, 2, 2, 2, 2}
	c, err := DiffusionRows(v, DefaultDiffusionAlpha)
	if err != nil {
		t.Fatal(err)
	}
	if m, n := c.G.Dims(); m != 3 || n != 5 {
		t.Fatalf("G is %d×%d", m, n)
	}
	// Equal variances: v(6 − 8α + 2α²).
	want := 2 * (6 - 8*0.9 + 2*0.81)
	for _, nv := range c.NoiseVar {
		if math.Abs(nv-want) > 1e-12 {
			t.Errorf("noise variance %g, want %g", nv, want)
		}
	}
	if c.G.At(1, 1) != 1 || c.G.At(1, 2) != -2 || c.G.At(1, 3) != 1 {
		t.Errorf("row 1 = %v", c.G.RawRowView(1))
	}
	// Diffusion rows + mass row still conserve exactly and smooth the mean.
	rng := rand.New(rand.NewPCG(23, 0))
	n := 60
	x, _ := UniformGrid(0, 1, n)
	w, _ := TrapezoidWeights(x)
	mu := make([]float64, n)
	for i := range mu {
		mu[i] = math.Sin(3*x[i]) + 0.2*rng.NormFloat64()
	}
	d := randDiag(rng, n)
	diff, _ := DiffusionRows(d, DefaultDiffusionAlpha)
	both, err := Stack(diff, MassConstraint(w, 0.3))
	if err != nil {
		t.Fatal(err)
	}
	m2, _, err := ConservationUpdate(mu, d, both)
	if err != nil {
		t.Fatal(err)
	}
	ce, _ := ConservationError(m2, w, 0.3)
	if math.Abs(ce) > 1e-12 {
		t.Errorf("with diffusion rows CE = %g", ce)
	}
	rough := func(u []float64) float64 {
		var s float64
		for i := 1; i+1 < len(u); i++ {
			r := u[i-1] - 2*u[i] + u[i+1]
			s += r * r
		}
		return s
	}
	if rough(m2) >= rough(mu) {
		t.Errorf("diffusion rows did not smooth: %g -> %g", rough(mu), rough(m2))
	}
	for _, bad := range []struct {
		v     []float64
		alpha float64
	}{{[]float64{1, 1}, 0.9}, {v, 1}, {v, -0.1}, {[]float64{1, -1, 1}, 0.5}} {
		if _, err := DiffusionRows(bad.v, bad.alpha); err == nil {
			t.Errorf("DiffusionRows(%v, %g): want error", bad.v, bad.alpha)
		}
	}
}

func TestMetrics(t *testing.T) {
	m, _ := MSE([]float64{1, 2}, []float64{0, 4})
	if m != 2.5 {
		t.Errorf("MSE = %g", m)
	}
	ce, _ := ConservationError([]float64{1, 2}, []float64{0.5, 0.5}, 1)
	if ce != 0.5 {
		t.Errorf("CE = %g", ce)
	}
	ll, _ := GaussianLogLik([]float64{1}, []float64{0}, []float64{1})
	if want := -0.5*math.Log(2*math.Pi) - 0.5; math.Abs(ll-want) > 1e-15 {
		t.Errorf("LL = %g, want %g", ll, want)
	}
	// Variances are clamped at 1e-8.
	ll0, _ := GaussianLogLik([]float64{0}, []float64{0}, []float64{0})
	if want := -0.5 * math.Log(2*math.Pi*1e-8); math.Abs(ll0-want) > 1e-12 {
		t.Errorf("clamped LL = %g, want %g", ll0, want)
	}
	x := []float64{0, 0.1, 0.2, 0.3}
	if p, _ := ShockPosition(x, []float64{1, 0.5, -0.1, 1}); p != 0.2 {
		t.Errorf("ShockPosition = %g", p)
	}
	if p, _ := ShockPosition(x, []float64{1, 1, 1, 1}); p != 0.3 {
		t.Errorf("ShockPosition without crossing = %g", p)
	}
	med, _ := MedianShock(x, [][]float64{{0, 1, 1, 1}, {1, 0, 1, 1}, {1, 1, 0, 1}})
	if med != 0.1 {
		t.Errorf("MedianShock = %g", med)
	}
	if _, err := MSE([]float64{1}, nil); !errors.Is(err, ErrDimension) {
		t.Errorf("MSE mismatch: %v", err)
	}
	if _, err := GaussianLogLik(nil, nil, nil); !errors.Is(err, ErrEmpty) {
		t.Errorf("LL empty: %v", err)
	}
}

func TestGP(t *testing.T) {
	rng := rand.New(rand.NewPCG(24, 0))
	var ts, xs, ys []float64
	f := func(t, x float64) float64 { return math.Sin(3*x) * math.Exp(-t) }
	for i := 0; i < 60; i++ {
		tt, xx := rng.Float64(), rng.Float64()
		ts, xs, ys = append(ts, tt), append(xs, xx), append(ys, f(tt, xx))
	}
	gp, err := FitGP(ts, xs, ys, &GPSettings{LengthT: 0.3, LengthX: 0.3, Noise: 1e-6})
	if err != nil {
		t.Fatal(err)
	}
	xq := []float64{0.2, 0.5, 0.8}
	mean, cov, err := gp.Predict(0.5, xq)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xq {
		if math.Abs(mean[i]-f(0.5, x)) > 1e-2 {
			t.Errorf("GP mean at %g = %g, want %g", x, mean[i], f(0.5, x))
		}
	}
	// At a training point the latent variance is ~ the noise.
	m0, d0, _ := gp.PredictDiag(ts[0], []float64{xs[0]})
	if math.Abs(m0[0]-ys[0]) > 1e-4 || d0[0] > 1e-5 {
		t.Errorf("at a training point: mean %g (want %g), var %g", m0[0], ys[0], d0[0])
	}
	_, dm, _ := DiagModel{Model: gp}.Predict(0.5, xq)
	full := cov.Diag()
	for i, v := range dm.Diag() {
		if math.Abs(v-full[i]) > 1e-12 {
			t.Errorf("PredictDiag %g vs Predict %g", v, full[i])
		}
	}
	if _, err := FitGP([]float64{0}, []float64{0, 1}, []float64{0}, nil); !errors.Is(err, ErrDimension) {
		t.Errorf("FitGP mismatch: %v", err)
	}
	if _, err := FitGP([]float64{0}, []float64{math.NaN()}, []float64{0}, nil); !errors.Is(err, ErrNotFinite) {
		t.Errorf("FitGP NaN: %v", err)
	}
	if _, err := FitGP([]float64{0}, []float64{0}, []float64{0}, &GPSettings{Noise: -1}); !errors.Is(err, ErrSettings) {
		t.Errorf("FitGP bad noise: %v", err)
	}
}
