package selective

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/mcmc"
)

func tinyModel(t *testing.T, noise Noise, fixA, fixS float64) *Model {
	t.Helper()
	syn, err := Generate(400, 3, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	md, err := New(syn.X, syn.T, syn.Y, &Settings{Noise: noise, Prevalence: 0.2, Lambda: 1000, FixAlpha: fixA, FixSigma: fixS})
	if err != nil {
		t.Fatal(err)
	}
	return md
}

// R0: the uniform closed forms against 20,000-point midpoint quadrature
// (to 1e-8, including a = b and |b − a| = 30), Gauss–Hermite against a
// fine grid (to 1e-6), the cells summing to 1 (to 1e-12).
func TestCellProbabilities(t *testing.T) {
	u := tinyModel(t, Uniform, 0, 0)
	for _, c := range [][3]float64{{-2, 0.5, 2}, {0.3, 0.3, 1.5}, {-1, -1 + 5e-7, 2}, {-10, 20, 3}, {5, -25, 0.7}, {-3, 1, 0.05}} {
		a, b, s := c[0], c[1], c[2]
		py, pt, p11, p0 := u.CellProbs(a, b-a, s, 1)
		const n = 20000
		var qy, qt, q11 float64
		for k := 0; k < n; k++ {
			z := (float64(k) + 0.5) / n * s
			qy += sigmoid(a+z) / n
			qt += sigmoid(b+z) / n
			q11 += sigmoid(a+z) * sigmoid(b+z) / n
		}
		if d := math.Max(math.Max(math.Abs(py-qy), math.Abs(pt-qt)), math.Abs(p11-q11)); d > 1e-8 {
			t.Errorf("a %v b %v s %v: closed form vs quadrature %.3g (py %v/%v pt %v/%v p11 %v/%v)", a, b, s, d, py, qy, pt, qt, p11, q11)
		}
		if d := math.Abs(p11 + (pt - p11) + p0 - 1); d > 1e-12 {
			t.Errorf("cells sum to 1 + %.3g", d)
		}
	}
	nm := tinyModel(t, Normal, 1, 0)
	for _, c := range [][4]float64{{-1, 0.5, 1, 1}, {0.5, -1, 2, 1}, {-2, 2, 1.5, 1}} {
		a, e, s, al := c[0], c[1], c[2], c[3]
		py, pt, p11, p0 := nm.CellProbs(a, e, s, al)
		var qy, qt, q11 float64
		const n = 200000
		for k := 0; k < n; k++ {
			z := -12*s + 24*s*(float64(k)+0.5)/n
			w := math.Exp(-z*z/(2*s*s)) / (s * math.Sqrt(2*math.Pi)) * 24 * s / n
			qy += w * sigmoid(a+z)
			qt += w * sigmoid(al*(a+z)+e)
			q11 += w * sigmoid(a+z) * sigmoid(al*(a+z)+e)
		}
		if d := math.Max(math.Max(math.Abs(py-qy), math.Abs(pt-qt)), math.Abs(p11-q11)); d > 1e-6 {
			t.Errorf("normal %v: Gauss–Hermite vs grid %.3g", c, d)
		}
		if d := math.Abs(pt + p0 - 1); d > 1e-12 {
			t.Errorf("normal cells sum to 1 + %.3g", d)
		}
	}
}

// R0: the analytic gradient of the log posterior (with the prevalence
// penalty) equals central finite differences to relative error < 1e-5.
func TestGradient(t *testing.T) {
	for _, md := range []*Model{tinyModel(t, Uniform, 0, 0), tinyModel(t, Normal, 1.2, 0), tinyModel(t, Normal, 0, 1.5)} {
		d := md.Dim()
		theta := make([]float64, d)
		rng := rand.New(rand.NewPCG(2, 0))
		for i := range theta {
			theta[i] = 0.5 * rng.NormFloat64()
		}
		g := make([]float64, d)
		md.LogProb(g, theta)
		tmp := make([]float64, d)
		for i := range theta {
			const h = 1e-6
			x := append([]float64(nil), theta...)
			x[i] += h
			fp := md.LogProb(tmp, x)
			x[i] -= 2 * h
			fm := md.LogProb(tmp, x)
			fd := (fp - fm) / (2 * h)
			if math.Abs(fd-g[i]) > 1e-5*math.Max(1, math.Abs(fd)) {
				t.Errorf("noise %v: ∂/∂θ[%d] analytic %.8g, finite differences %.8g", md.Noise, i, g[i], fd)
			}
		}
	}
}

// A reduced fit: the MAP with both constraints fits the prevalence, and
// the Laplace covariance is positive definite.
func TestFitReduced(t *testing.T) {
	syn, _ := Generate(1000, 3, rand.New(rand.NewPCG(3, 0)))
	prev := 0.0
	for _, y := range syn.YAll {
		prev += float64(y) / float64(len(syn.YAll))
	}
	md, err := New(syn.X, syn.T, syn.Y, &Settings{Free: []int{0, 1}, Prevalence: prev, Lambda: 1.25e5})
	if err != nil {
		t.Fatal(err)
	}
	th, _, err := md.MAP(nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(md.ImpliedPrevalence(th)-prev) > 0.005 {
		t.Errorf("MAP prevalence %.4f, target %.4f", md.ImpliedPrevalence(th), prev)
	}
	if _, err := md.Laplace(th); err != nil {
		t.Fatal(err)
	}
}

// HMC runs on the model (few draws: the test checks the plumbing; the
// example measures mixing).
func TestSampleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("HMC")
	}
	syn, _ := Generate(300, 2, rand.New(rand.NewPCG(5, 0)))
	md, _ := New(syn.X, syn.T, syn.Y, nil)
	th, _, _ := md.MAP(nil)
	cov, err := md.Laplace(th)
	if err != nil {
		t.Fatal(err)
	}
	post, err := md.Sample(context.Background(), th, cov, nil, &mcmc.Settings{Chains: 2, Warmup: 60, Draws: 40}, rand.New(rand.NewPCG(4, 0)))
	if err != nil || len(post.Draws) != 80 || len(post.Rhat) != md.Dim() {
		t.Fatalf("%v draws, %v", len(post.Draws), err)
	}
}

func TestBadInput(t *testing.T) {
	X := mat.NewDense(30, 2, nil)
	tt, yy := make([]int, 30), make([]int, 30)
	for i := 0; i < 30; i++ {
		X.Set(i, 0, 1)
		X.Set(i, 1, float64(i%5))
		tt[i] = i % 2
		yy[i] = Untested
		if tt[i] == 1 {
			yy[i] = i % 4 / 2
		}
	}
	badY := append([]int(nil), yy...)
	badY[0] = 1 // untested unit with an outcome
	noInt := mat.DenseCopyOf(X)
	noInt.Set(3, 0, 2)
	nanX := mat.DenseCopyOf(X)
	nanX.Set(4, 1, math.NaN())
	few := make([]int, 30)
	fewY := make([]int, 30)
	for i := range fewY {
		fewY[i] = Untested
	}
	few[0], fewY[0] = 1, 1
	for _, c := range []struct {
		name string
		err  error
		call func() error
	}{
		{"outcome for an untested unit", ErrData, func() error { _, err := New(X, tt, badY, nil); return err }},
		{"no intercept", ErrData, func() error { _, err := New(noInt, tt, yy, nil); return err }},
		{"NaN feature", ErrData, func() error { _, err := New(nanX, tt, yy, nil); return err }},
		{"too few tested", ErrData, func() error { _, err := New(X, few, fewY, nil); return err }},
		{"length mismatch", ErrData, func() error { _, err := New(X, tt[:3], yy, nil); return err }},
		{"prevalence 1.2", ErrSettings, func() error { _, err := New(X, tt, yy, &Settings{Prevalence: 1.2, Lambda: 10}); return err }},
		{"negative weight", ErrSettings, func() error { _, err := New(X, tt, yy, &Settings{Prevalence: 0.2, Lambda: -1}); return err }},
		{"expertise without intercept", ErrSettings, func() error { _, err := New(X, tt, yy, &Settings{Free: []int{1}}); return err }},
		{"normal with both fixed", ErrSettings, func() error { _, err := New(X, tt, yy, &Settings{Noise: Normal, FixAlpha: 1, FixSigma: 1}); return err }},
		{"normal with none fixed", ErrSettings, func() error { _, err := New(X, tt, yy, &Settings{Noise: Normal}); return err }},
		{"MAP start length", ErrDimension, func() error {
			md, _ := New(X, tt, yy, nil)
			_, _, err := md.MAP([]float64{1})
			return err
		}},
	} {
		if err := c.call(); !errorsIs(err, c.err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	_ = time.Second
}
