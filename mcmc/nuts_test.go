package mcmc

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

// logGamma is x = log g with g ~ Gamma(k, 1): log p(x) = k·x − eˣ, a
// skewed density with E[x] = ψ(k) and Var[x] = ψ′(k).
type logGamma struct{ k float64 }

func (logGamma) Dim() int { return 1 }
func (l logGamma) LogProb(g, x []float64) float64 {
	g[0] = l.k - math.Exp(x[0])
	return l.k*x[0] - math.Exp(x[0])
}

// corr is a d-dimensional Gaussian with unit variances and all
// correlations rho, and standard deviations sd: precision via the
// Sherman–Morrison form of (1−ρ)I + ρ11ᵀ.
type corr struct {
	rho float64
	sd  []float64
}

func (c corr) Dim() int { return len(c.sd) }
func (c corr) LogProb(g, x []float64) float64 {
	d := float64(len(x))
	a := 1 - c.rho
	sum := 0.0
	for i := range x {
		sum += x[i] / c.sd[i]
	}
	coef := c.rho / (a * (a + d*c.rho))
	lp := 0.0
	for i := range x {
		z := x[i] / c.sd[i]
		pz := z/a - coef*sum // (Σ⁻¹ z)_i
		lp -= 0.5 * z * pz
		g[i] = -pz / c.sd[i]
	}
	return lp
}

func moments(chains [][][]float64, j int) (mean, variance float64) {
	n := 0.0
	for _, ch := range chains {
		for _, x := range ch {
			n++
			mean += x[j]
		}
	}
	mean /= n
	for _, ch := range chains {
		for _, x := range ch {
			variance += (x[j] - mean) * (x[j] - mean)
		}
	}
	return mean, variance / (n - 1)
}

func TestNUTSRecoversMoments(t *testing.T) {
	ctx := context.Background()
	// a skewed target with closed-form moments: ψ(2) = 1 − γ, ψ′(2) = π²/6 − 1
	res, err := NUTS(ctx, logGamma{2}, [][]float64{{3}}, &Settings{Warmup: 500, Draws: 2000})
	if err != nil {
		t.Fatal(err)
	}
	ess := BulkESS(res.Chains)[0]
	m, v := moments(res.Chains, 0)
	wantM, wantV := 1-0.5772156649015329, math.Pi*math.Pi/6-1
	if se := math.Sqrt(wantV / ess); math.Abs(m-wantM) > 4*se || math.Abs(v-wantV) > 0.08 {
		t.Errorf("log-gamma: mean %.4f (want %.4f ± %.4f), variance %.4f (want %.4f)", m, wantM, 4*se, v, wantV)
	}
	if ess < 1000 || res.Divergences != 0 { // 1-D NUTS trajectories stop after 2–3 steps
		t.Errorf("log-gamma: ESS %.0f of 8000, %d divergences", ess, res.Divergences)
	}
	// the correlated 2-D Gaussian of the HMC test
	res, err = NUTS(ctx, gauss{}, [][]float64{{3, -3}}, &Settings{Warmup: 500, Draws: 1500})
	if err != nil {
		t.Fatal(err)
	}
	m0, v0 := moments(res.Chains, 0)
	m1, v1 := moments(res.Chains, 1)
	if math.Abs(m0) > 0.1 || math.Abs(m1) > 0.2 || math.Abs(v0-1) > 0.1 || math.Abs(v1-4) > 0.4 {
		t.Errorf("gauss: means %.3f %.3f, variances %.3f %.3f", m0, m1, v0, v1)
	}
	for j, r := range SplitRhat(res.Chains) {
		if r > 1.02 {
			t.Errorf("gauss: R-hat[%d] = %.3f", j, r)
		}
	}
	// same seed, same bits; another GOMAXPROCS does not change them
	// (one stream per chain): checked by the HMC test's harness.
	again, _ := NUTS(ctx, gauss{}, [][]float64{{3, -3}}, &Settings{Warmup: 500, Draws: 1500})
	if again.Chains[3][1499][1] != res.Chains[3][1499][1] {
		t.Error("not deterministic")
	}
}

// Scales from 0.01 to 100: the diagonal metric adapted in warm-up makes
// the problem isotropic, and NUTS recovers every variance.
func TestNUTSAdaptsScales(t *testing.T) {
	sd := []float64{0.01, 0.1, 1, 10, 100}
	res, err := NUTS(context.Background(), corr{0, sd}, [][]float64{{0, 0, 0, 0, 0}}, &Settings{Warmup: 600, Draws: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for j, s := range sd {
		if _, v := moments(res.Chains, j); math.Abs(math.Sqrt(v)/s-1) > 0.08 {
			t.Errorf("sd[%d] = %.4g, want %.4g", j, math.Sqrt(v), s)
		}
	}
}

// On a strongly correlated Gaussian a dense metric turns the problem
// isotropic: more effective draws per gradient than the diagonal one,
// for both HMC and NUTS, with the covariance recovered.
func TestDenseMass(t *testing.T) {
	c := corr{0.98, []float64{1, 2, 0.5, 1}}
	start := [][]float64{{0.5, -0.5, 0.2, 0}}
	for _, s := range []struct {
		name string
		f    Sampler
	}{{"HMC", HMC}, {"NUTS", NUTS}} {
		var rate [2]float64
		for k, dense := range []bool{false, true} {
			res, err := s.f(context.Background(), c, start, &Settings{Warmup: 600, Draws: 1000, DenseMass: dense})
			if err != nil {
				t.Fatal(err)
			}
			ess := math.Inf(1)
			for _, e := range BulkESS(res.Chains) {
				ess = math.Min(ess, e)
			}
			rate[k] = ess / float64(res.Gradients)
			if !dense {
				continue
			}
			_, v0 := moments(res.Chains, 0)
			_, v1 := moments(res.Chains, 1)
			cov := 0.0
			m0, _ := moments(res.Chains, 0)
			m1, _ := moments(res.Chains, 1)
			n := 0.0
			for _, ch := range res.Chains {
				for _, x := range ch {
					cov += (x[0] - m0) * (x[1] - m1)
					n++
				}
			}
			if r := cov / n / math.Sqrt(v0*v1); math.Abs(r-0.98) > 0.01 || math.Abs(v1-4) > 0.4 {
				t.Errorf("%s dense: correlation %.4f, var %.3f; want 0.98, 4", s.name, r, v1)
			}
		}
		if rate[1] < 2*rate[0] {
			t.Errorf("%s: dense %.4f ESS per gradient, diagonal %.4f: want at least 2x", s.name, rate[1], rate[0])
		}
	}
}

// Neal's funnel in (v, x): its neck is narrower than any step size fit to
// the mouth, so NUTS reports divergences instead of hiding them.
type funnel struct{}

func (funnel) Dim() int { return 2 }
func (funnel) LogProb(g, x []float64) float64 {
	v, y := x[0], x[1]
	lp := -v*v/18 - 0.5*y*y*math.Exp(-v) - 0.5*v
	g[0] = -v/9 + 0.5*y*y*math.Exp(-v) - 0.5
	g[1] = -y * math.Exp(-v)
	return lp
}

func TestNUTSReportsDivergences(t *testing.T) {
	res, err := NUTS(context.Background(), funnel{}, [][]float64{{0, 0}}, &Settings{Warmup: 300, Draws: 1000, Rand: rand.New(rand.NewPCG(5, 0))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Divergences == 0 {
		t.Error("no divergence reported on the funnel")
	}
	if _, err := NUTS(context.Background(), funnel{}, [][]float64{{0, 0}}, &Settings{MaxDepth: 31}); !errors.Is(err, ErrSettings) {
		t.Errorf("MaxDepth 31: %v", err)
	}
}

// A NUTS transition allocates nothing.
func TestNUTSAllocs(t *testing.T) {
	for _, dense := range []bool{false, true} {
		set, _ := (&Settings{DenseMass: dense}).defaults(true)
		p := corr{0.5, []float64{1, 1, 1}}
		n := newNUTS(p, newMetric(set, 3), rand.New(rand.NewPCG(1, 0)), 10)
		n.eps = 0.3
		cur := newPoint(3)
		cur.lp = p.LogProb(cur.g, cur.x)
		if a := testing.AllocsPerRun(100, func() { n.draw(&cur) }); a != 0 {
			t.Errorf("dense %v: %v allocations per draw", dense, a)
		}
	}
}

// banana is x₁ ~ N(0, 1), x₂ | x₁ ~ N(b·x₁², 1): a curved target with
// E[x₂] = b and Var[x₂] = 1 + 2b².
type banana struct{ b float64 }

func (banana) Dim() int { return 2 }
func (q banana) LogProb(g, x []float64) float64 {
	r := x[1] - q.b*x[0]*x[0]
	g[0] = -x[0] + 2*q.b*x[0]*r
	g[1] = -r
	return -0.5*x[0]*x[0] - 0.5*r*r
}

// On the banana the default target acceptance 0.8 gives a step size
// that is unstable in the curved tails: NUTS reports the divergences (as
// Stan does); at 0.95, Stan's advice for divergences, they vanish and the
// moments are right with either metric.
func TestNUTSCurved(t *testing.T) {
	q := banana{1}
	res, err := NUTS(context.Background(), q, [][]float64{{0, 0}}, &Settings{Warmup: 1000, Draws: 4000})
	if err != nil {
		t.Fatal(err)
	}
	if res.Divergences == 0 {
		t.Error("target 0.8: no divergence reported")
	}
	for _, dense := range []bool{false, true} {
		res, err := NUTS(context.Background(), q, [][]float64{{0, 0}}, &Settings{Warmup: 1000, Draws: 4000, DenseMass: dense, TargetAccept: 0.95})
		if err != nil {
			t.Fatal(err)
		}
		m0, v0 := moments(res.Chains, 0)
		m1, v1 := moments(res.Chains, 1)
		ess := BulkESS(res.Chains)
		se1 := math.Sqrt(3 / ess[1])
		if math.Abs(m0) > 4*math.Sqrt(1/ess[0]) || math.Abs(v0-1) > 0.1 || math.Abs(m1-1) > 4*se1 || math.Abs(v1-3) > 0.4 || res.Divergences > 5 {
			t.Errorf("dense %v: x₁ mean %.3f var %.3f (0, 1); x₂ mean %.3f ± %.3f var %.3f (1, 3); ESS %.0f; %d divergences", dense, m0, v0, m1, 4*se1, v1, ess, res.Divergences)
		}
	}
}
