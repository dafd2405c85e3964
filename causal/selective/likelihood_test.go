package selective

import (
	"github.com/optlearn/optlearn/run/cputime"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"
)

// testModels returns the model variants the analytic derivatives are
// checked on: uniform noise without constraints, with each constraint and
// with both, and normal noise with α or s fixed (with the prevalence
// penalty), on n units.
func testModels(t testing.TB, n int) map[string]*Model {
	t.Helper()
	syn, err := Generate(n, 5, rand.New(rand.NewPCG(7, 0)))
	if err != nil {
		t.Fatal(err)
	}
	prev := 0.0
	for _, y := range syn.YAll {
		prev += float64(y) / float64(n)
	}
	out := map[string]*Model{}
	for name, s := range map[string]*Settings{
		"uniform":            nil,
		"uniform/prevalence": {Prevalence: prev, Lambda: 1.25e5},
		"uniform/expertise":  {Free: []int{0, 1}},
		"uniform/both":       {Free: []int{0, 1}, Prevalence: prev, Lambda: 1.25e5},
		"normal/alpha":       {Noise: Normal, FixAlpha: 1.1, Prevalence: prev, Lambda: 1e3},
		"normal/sigma":       {Noise: Normal, FixSigma: 1.7, Free: []int{0, 1}, Prevalence: prev, Lambda: 1e3},
	} {
		md, err := New(syn.X, syn.T, syn.Y, s)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = md
	}
	return out
}

// farTheta is the index of testThetas' far point.
const farTheta = 4

// testThetas returns parameter vectors that exercise every branch: the
// truth-like point, β_D = 0 (every unit on the |b − a| < 1e-6 branch of
// P(T=1, Y=1)), a tiny and a large s, and large linear predictors.
func testThetas(md *Model, rng *rand.Rand) [][]float64 {
	d := md.Dim()
	var out [][]float64
	base := make([]float64, d)
	base[0], base[d-1] = -2, math.Log(2)
	for k := 1; k < md.m; k++ {
		base[k] = rng.NormFloat64()
	}
	base[md.m] = 2
	if len(md.Free) > 1 {
		base[md.m+1] = rng.NormFloat64()
	}
	out = append(out, base)
	zeroD := append([]float64(nil), base...)
	for k := range md.Free {
		zeroD[md.m+k] = 0
	}
	out = append(out, zeroD)
	for _, ls := range []float64{-3, 1.5} {
		th := append([]float64(nil), base...)
		th[d-1] = ls
		out = append(out, th)
	}
	// farTheta: large linear predictors
	wild := append([]float64(nil), base...)
	for k := 0; k < d-1; k++ {
		wild[k] = 6 * rng.NormFloat64()
	}
	out = append(out, wild)
	for range 3 {
		th := append([]float64(nil), base...)
		for k := range th {
			th[k] += 0.3 * rng.NormFloat64()
		}
		out = append(out, th)
	}
	return out
}

// The analytic log posterior and gradient equal the forward-mode dual
// number implementation they replace to 1e-9 relative (the gradient
// relative to its largest entry) on every model variant and branch. Single
// entries near zero can differ by more relative to themselves: both
// evaluate the same closed form of P(T=1, Y=1), whose rounding error grows
// like ε/d² as d = |b − a| approaches the 1e-6 switch to its limit, and
// S(c) differs (the dual numbers' softplus(c+s) − softplus(c) cancels for
// small s; log1p(σ(c)(eˢ−1)) does not). The largest differences are logged.
func TestLogProbMatchesDual(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 0))
	worstV, worstG, worstE := 0.0, 0.0, 0.0
	models := testModels(t, 3000)
	for _, name := range slices.Sorted(maps.Keys(models)) {
		md := models[name]
		d := md.Dim()
		gNew, gOld := make([]float64, d), make([]float64, d)
		for ti, th := range testThetas(md, rng) {
			if ti == farTheta {
				// |β| ~ 6: many cells are P(T=1, Y=0) = P(T=1) − P(T=1, Y=1)
				// (uniform) with both terms near 1, whose difference is
				// rounding noise in both implementations, and the dual
				// numbers cancel the same way for normal noise; only
				// finiteness is checked there
				if v := md.LogProb(gNew, th); math.IsNaN(v) || math.IsInf(v, 0) || slices.ContainsFunc(gNew, math.IsNaN) {
					t.Errorf("%s far point: log posterior %v, gradient %v", name, v, gNew)
				}
				continue
			}
			vNew, vOld := md.LogProb(gNew, th), md.logProbDual(gOld, th)
			if rel := math.Abs(vNew-vOld) / math.Max(math.Abs(vOld), 1); rel > 1e-9 || math.IsNaN(vNew) {
				t.Errorf("%s θ%d: log posterior %.15g, dual numbers %.15g (rel %.2g)", name, ti, vNew, vOld, rel)
			} else {
				worstV = math.Max(worstV, rel)
			}
			norm := 1.0
			for _, v := range gOld {
				norm = math.Max(norm, math.Abs(v))
			}
			const tol = 1e-9
			for i := range gNew {
				if rel := math.Abs(gNew[i]-gOld[i]) / norm; rel > tol || math.IsNaN(gNew[i]) {
					t.Errorf("%s θ%d: ∂/∂θ[%d] %.15g, dual numbers %.15g (rel %.2g of the largest entry)", name, ti, i, gNew[i], gOld[i], rel)
				} else {
					worstG = math.Max(worstG, rel)
				}
				worstE = math.Max(worstE, math.Abs(gNew[i]-gOld[i])/math.Max(math.Abs(gOld[i]), 1))
			}
			if v := md.LogProb(nil, th); v != vNew {
				t.Errorf("%s θ%d: value without gradient %v, with %v", name, ti, v, vNew)
			}
		}
	}
	t.Logf("largest relative difference to the dual numbers: value %.2g, gradient %.2g (of its largest entry), single entry %.2g (of max(|entry|, 1))", worstV, worstG, worstE)
}

// The analytic gradient equals central finite differences on every model
// variant and branch (relative error < 1e-5 of max(|∂_i|, 1)), except at
// the far point, where cells hit the 1e-300 floor and the log posterior is
// not smooth. At β_D = 0 (every unit on the |b − a| < 1e-6 branch) the step is
// 1e-3: a step of 1e-6 to 1e-5 moves the units to |b − a| ~ 1e-5, where the
// general closed form loses ~ε/d of its digits and the difference quotient
// ~ε/(d·h), in both implementations.
func TestLogProbFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 0))
	models := testModels(t, 500)
	for _, name := range slices.Sorted(maps.Keys(models)) {
		md := models[name]
		d := md.Dim()
		g, tmp := make([]float64, d), make([]float64, d)
		for ti, th := range testThetas(md, rng) {
			if ti == farTheta {
				continue
			}
			md.LogProb(g, th)
			x := append([]float64(nil), th...)
			for i := range x {
				h := 1e-6 * math.Max(1, math.Abs(th[i]))
				if ti == 1 && i >= md.m && i < d-1 {
					h = 1e-3 // truncation ~1e-7; smaller steps land where the general form cancels
				}
				x[i] = th[i] + h
				fp := md.LogProb(tmp, x)
				x[i] = th[i] - h
				fm := md.LogProb(tmp, x)
				x[i] = th[i]
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-g[i]) > 1e-5*math.Max(1, math.Abs(fd)) {
					t.Errorf("%s θ%d: ∂/∂θ[%d] analytic %.10g, finite differences %.10g", name, ti, i, g[i], fd)
				}
			}
		}
	}
}

// The cell probabilities of the closed forms equal the dual-number ones
// (which R0 checks against quadrature) across both branches of
// P(T=1, Y=1) and extreme predictors, and the cells sum to 1.
func TestCellsMatchDual(t *testing.T) {
	md := testModels(t, 200)["uniform"]
	for _, a := range []float64{-40, -8, -2, -0.3, 0, 0.7, 3, 12, 40} {
		for _, e := range []float64{-30, -3, -0.4, -1e-7, 0, 3e-7, 2e-6, 0.2, 0.6, 5, 30} {
			for _, s := range []float64{1e-3, 0.05, 2, 9, 40} {
				py, pt, p11, p0 := md.cells(a, e, s, 1)
				oy, ot, o11, o0 := md.cellProbsDual(a, e, s, 1)
				for k, c := range [][2]float64{{py, oy.v}, {pt, ot.v}, {p11, o11.v}, {p0, o0.v}} {
					if math.Abs(c[0]-c[1]) <= 1e-12+1e-9*math.Abs(c[1]) {
						continue
					}
					// they differ: the closed form must be the closer to a
					// 200,000-point midpoint rule and within 1e-6 of it
					// (the dual numbers' softplus(c+s) − softplus(c)
					// cancels for small s)
					q := quadCell(k, a, e, s)
					if math.Abs(c[0]-q) > math.Min(math.Abs(c[1]-q), 1e-6*math.Max(q, 1e-12)) {
						t.Errorf("a %v e %v s %v: cell %d %.15g, dual numbers %.15g, quadrature %.15g", a, e, s, k, c[0], c[1], q)
					}
				}
				if d := math.Abs(p11 + (pt - p11) + p0 - 1); d > 1e-12 {
					t.Errorf("a %v e %v s %v: cells sum to 1 + %.3g", a, e, s, d)
				}
			}
		}
	}
}

// quadCell is cell k (P(Y=1), P(T=1), P(T=1,Y=1), P(T=0)) of uniform
// noise by the 200,000-point midpoint rule.
func quadCell(k int, a, e, s float64) float64 {
	const n = 200000
	sum := 0.0
	for i := 0; i < n; i++ {
		z := (float64(i) + 0.5) / n * s
		sum += [4]float64{sigmoid(a + z), sigmoid(a + e + z), sigmoid(a+z) * sigmoid(a+e+z), sigmoid(-a - e - z)}[k] / n
	}
	return sum
}

// LogProb does not allocate (the HMC inner loop calls it ~200,000 times
// per fit).
func TestLogProbAllocs(t *testing.T) {
	for name, md := range testModels(t, 300) {
		th := testThetas(md, rand.New(rand.NewPCG(1, 0)))[0]
		g := make([]float64, md.Dim())
		if n := testing.AllocsPerRun(20, func() { md.LogProb(g, th) }); n != 0 {
			t.Errorf("%s: %v allocations per call", name, n)
		}
		h := sheared{md}
		if n := testing.AllocsPerRun(20, func() { h.LogProb(g, th) }); n != 0 {
			t.Errorf("%s, sheared: %v allocations per call", name, n)
		}
	}
}

// BenchmarkLogProb times one log posterior with its gradient over N = 5000
// units (uniform Z, both constraints), the unit of HMC's cost: the
// analytic derivatives ("analytic") against the forward-mode dual numbers
// they replace ("dual"), and both in one loop ("ratio": the calls
// alternate, so load on the machine hits both alike; it reports ms per
// call of each and dual/analytic).
func BenchmarkLogProb(b *testing.B) {
	syn, _ := Generate(5000, 5, rand.New(rand.NewPCG(1, 0)))
	md, _ := New(syn.X, syn.T, syn.Y, &Settings{Free: []int{0, 1}, Prevalence: 0.1, Lambda: 1.25e5})
	th := syn.Theta(md.Free)
	g := make([]float64, md.Dim())
	b.Run("analytic", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			md.LogProb(g, th)
		}
	})
	b.Run("dual", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			md.logProbDual(g, th)
		}
	})
	b.Run("ratio", func(b *testing.B) { ratioBench(b, md, g, th) })
}

// BenchmarkLogProbNormal is the same for normal noise (64 Gauss–Hermite
// nodes per unit), N = 5000, α fixed, both constraints.
func BenchmarkLogProbNormal(b *testing.B) {
	syn, _ := Generate(5000, 5, rand.New(rand.NewPCG(1, 0)))
	md, _ := New(syn.X, syn.T, syn.Y, &Settings{Noise: Normal, FixAlpha: 1, Free: []int{0, 1}, Prevalence: 0.1, Lambda: 1.25e5})
	th := syn.Theta(md.Free)
	g := make([]float64, md.Dim())
	b.Run("ratio", func(b *testing.B) { ratioBench(b, md, g, th) })
}

// ratioBench alternates the analytic and the dual-number log posterior in
// one loop on one locked OS thread and reports the milliseconds per call
// of each, by wall clock and by the thread's CPU clock (which does not
// count time descheduled on a loaded machine), and their ratios.
func ratioBench(b *testing.B, md *Model, g, th []float64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wNew, wOld, cNew, cOld time.Duration
	calls := 0
	for b.Loop() {
		c0, _ := cputime.Thread()
		t0 := time.Now()
		md.LogProb(g, th)
		c1, _ := cputime.Thread()
		t1 := time.Now()
		md.logProbDual(g, th)
		c2, _ := cputime.Thread()
		t2 := time.Now()
		wNew, wOld, cNew, cOld = wNew+t1.Sub(t0), wOld+t2.Sub(t1), cNew+c1-c0, cOld+c2-c1
		calls++
	}
	ms := func(d time.Duration) float64 { return d.Seconds() * 1e3 / float64(calls) }
	b.ReportMetric(ms(wNew), "ms/analytic")
	b.ReportMetric(ms(wOld), "ms/dual")
	b.ReportMetric(ms(cNew), "cpu-ms/analytic")
	b.ReportMetric(ms(cOld), "cpu-ms/dual")
	b.ReportMetric(wOld.Seconds()/wNew.Seconds(), "dual/analytic")
	b.ReportMetric(cOld.Seconds()/cNew.Seconds(), "cpu-dual/analytic")
}
