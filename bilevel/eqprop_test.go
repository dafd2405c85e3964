package bilevel_test

import (
	"math"
	"slices"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
)

// relaxed returns the free fixed point of net at x, relaxed to 1e-13.
func relaxed(t testing.TB, net *bilevel.EPNet, x []float64) []float64 {
	t.Helper()
	u, fp, err := net.Relax(nil, x, 100000, 1e-13)
	if err != nil || !fp.Converged {
		t.Fatalf("free phase: %+v %v", fp, err)
	}
	return u
}

// The exact gradient (implicit differentiation) matches central
// differences of the loss at the fixed point, for every parameter group.
func TestEPImplicitGradientFD(t *testing.T) {
	rng := newRand(3)
	net := must(bilevel.NewEPNet([]int{4, 5, 4, 3}, 3, 60, rng))
	x := []float64{0.3, -1.2, 0.8, 0.1}
	label := 2
	u := relaxed(t, net, x)
	delta, err := bilevel.ImplicitBP{}.Delta(nil, net, x, label, u)
	if err != nil {
		t.Fatal(err)
	}
	g := net.NewGrad()
	if _, err := net.AccumulateGrad(g, 1, x, label, u, delta); err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		u := relaxed(t, net, x)
		l, _, err := net.Loss(u, label)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	const h = 1e-5
	worst := 0.0
	for k, p := range net.Params() {
		for _, i := range []int{0, len(p) / 2, len(p) - 1} {
			old := p[i]
			p[i] = old + h
			lp := loss()
			p[i] = old - h
			lm := loss()
			p[i] = old
			fd := (lp - lm) / (2 * h)
			e := math.Abs(fd-g[k][i]) / math.Max(1e-3, math.Abs(fd))
			worst = math.Max(worst, e)
			if e > 1e-5 {
				t.Errorf("param %d[%d]: implicit %.8g, central difference %.8g", k, i, g[k][i], fd)
			}
		}
	}
	t.Logf("worst relative error %.2g", worst)
}

// E2 (reduced): generalized EP equals backpropagation when the weights are
// symmetric, and differs clearly at 90°.
func TestEPSymmetryIdentity(t *testing.T) {
	train, _ := mustTeacher(t, 20, 0)
	for _, angle := range []float64{0, 90} {
		net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, angle, newRand(1)))
		mean := 0.0
		for i := range train.Len() {
			x := train.Input(i)
			u := relaxed(t, net, x)
			bp, err := bilevel.ImplicitBP{}.Delta(nil, net, x, train.Y[i], u)
			if err != nil {
				t.Fatal(err)
			}
			ep, err := bilevel.GenEPExact{}.Delta(nil, net, x, train.Y[i], u)
			if err != nil {
				t.Fatal(err)
			}
			c := bilevel.Alignment(ep, bp)
			mean += c / float64(train.Len())
			if angle == 0 && c < 1-1e-9 {
				t.Errorf("angle 0, sample %d: cos = %.12f", i, c)
			}
		}
		t.Logf("angle %g: mean cos(δ_gEP, δ_BP) = %.4f", angle, mean)
		if angle == 90 && mean > 0.8 {
			t.Errorf("angle 90: mean cos %.3f > 0.8", mean)
		}
	}
}

func mustTeacher(t testing.TB, nTrain, nTest int) (*bilevel.EPData, *bilevel.EPData) {
	train, test, err := problems.NewTeacher(newRand(7), 16, 32, 4, nTrain, nTest)
	if err != nil {
		t.Fatal(err)
	}
	return train, test
}

// E1 (reduced): the Cauchy estimate's error against the exact δ falls
// like |β|^N: medians at |β| = 0.05 and the order check between 0.05 and
// 0.025.
func TestHolomorphicEPOrder(t *testing.T) {
	train, _ := mustTeacher(t, 8, 0)
	net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 90, newRand(1)))
	errs := map[[2]float64][]float64{}
	for i := range train.Len() {
		x, y := train.Input(i), train.Y[i]
		u := relaxed(t, net, x)
		exact, err := bilevel.GenEPExact{}.Delta(nil, net, x, y, u)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 4, 6} {
			for _, r := range []float64{0.05, 0.025} {
				est, err := bilevel.HolomorphicEP{N: n, Beta: r, Steps: 400}.Delta(nil, net, x, y, u)
				if err != nil {
					t.Fatal(err)
				}
				errs[[2]float64{float64(n), r}] = append(errs[[2]float64{float64(n), r}], relDiff(est, exact))
			}
		}
		for _, n := range []int{1, 2} {
			k := len(errs[[2]float64{float64(n), 0.05}]) - 1
			ratio := errs[[2]float64{float64(n), 0.05}][k] / errs[[2]float64{float64(n), 0.025}][k]
			if want := math.Pow(2, float64(n)); ratio < want/2 || ratio > want*2 {
				t.Errorf("sample %d, N = %d: error ratio %.3f, want within a factor 2 of %g", i, n, ratio, want)
			}
		}
	}
	limit := map[int]float64{2: 1e-2, 4: 1e-4, 6: 1e-5}
	for _, n := range []int{1, 2, 4, 6} {
		e := slices.Clone(errs[[2]float64{float64(n), 0.05}])
		slices.Sort(e)
		med := e[len(e)/2]
		t.Logf("N = %d: median relative error %.2g at |β| = 0.05", n, med)
		if l, ok := limit[n]; ok && med > l {
			t.Errorf("N = %d: median error %.2g > %g", n, med, l)
		}
	}
}

// Online hEP tends to the N-point Cauchy estimate as the blocks lengthen,
// and with the code's setting (T1 = 1200, T2 = 60, N = 4) it is well
// aligned with the exact δ.
func TestOnlineHEP(t *testing.T) {
	train, _ := mustTeacher(t, 4, 0)
	net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 0, newRand(1)))
	for i := range train.Len() {
		x, y := train.Input(i), train.Y[i]
		u := relaxed(t, net, x)
		hep, err := bilevel.HolomorphicEP{N: 4, Beta: 0.1, Steps: 2000, Tol: 1e-13}.Delta(nil, net, x, y, u)
		if err != nil {
			t.Fatal(err)
		}
		var prev float64
		for k, block := range []int{25, 100, 400} {
			on, err := bilevel.OnlineHEP{N: 4, Beta: 0.1, Steps: 4 * block * 3, Block: block}.Delta(nil, net, x, y, u)
			if err != nil {
				t.Fatal(err)
			}
			d := relDiff(on, hep)
			t.Logf("sample %d, block %d: relative difference to hEP(4) %.3g", i, block, d)
			if k > 0 && d > prev/2 {
				t.Errorf("sample %d: block %d does not halve the difference (%.3g after %.3g)", i, block, d, prev)
			}
			prev = d
		}
		code, err := bilevel.OnlineHEP{N: 4, Beta: 0.1}.Delta(nil, net, x, y, u)
		if err != nil {
			t.Fatal(err)
		}
		if c := bilevel.Alignment(code, hep); c < 0.99 {
			t.Errorf("sample %d: code setting cos(online, hEP) = %.4f", i, c)
		}
	}
}
