package bilevel_test

import (
	"math"
	"testing"

	"github.com/optlearn/optlearn/bilevel"
)

// The homeostatic loss: its closed form is ‖J − Jᵀ‖_F²/(2·dim), the
// two-JVP estimate and its gradient average to the closed form and its
// gradient, and the closed-form gradient matches central differences.
func TestHomeostaticLoss(t *testing.T) {
	net := must(bilevel.NewEPNet([]int{3, 4, 5, 2}, 2, 70, newRand(4)))
	d := net.Dim()
	w := net.Blocks()
	ref := 0.0
	for i := range d {
		for j := range d {
			a := w.At(i, j) - w.At(j, i)
			ref += a * a
		}
	}
	ref /= 2 * float64(d)
	closed, err := bilevel.HomeostaticLoss{Draws: -1}.Value(net, nil)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(closed-ref) > 1e-12*ref {
		t.Errorf("closed form %.15g, ‖J − Jᵀ‖²/(2 dim) = %.15g", closed, ref)
	}
	const draws = 200000
	est, err := bilevel.HomeostaticLoss{Draws: draws}.Value(net, newRand(5))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("closed form %.5f, %d-draw estimate %.5f", closed, draws, est)
	if math.Abs(est-closed) > 0.02*closed {
		t.Errorf("estimate %.5f differs from the closed form %.5f by more than 2%%", est, closed)
	}
	gc, gs := net.NewGrad(), net.NewGrad()
	if err := (bilevel.HomeostaticLoss{Coef: 1, Draws: -1}).AddGrad(gc, net, nil); err != nil {
		t.Fatal(err)
	}
	if err := (bilevel.HomeostaticLoss{Coef: 1, Draws: draws}).AddGrad(gs, net, newRand(6)); err != nil {
		t.Fatal(err)
	}
	var num, den float64
	for k := range gc {
		for i := range gc[k] {
			num += (gc[k][i] - gs[k][i]) * (gc[k][i] - gs[k][i])
			den += gc[k][i] * gc[k][i]
		}
	}
	if e := math.Sqrt(num / den); e > 0.05 {
		t.Errorf("stochastic gradient differs from the closed form by %.3g relative", e)
	}
	const h = 1e-6
	for k, p := range net.Params() {
		for _, i := range []int{0, len(p) - 1} {
			old := p[i]
			p[i] = old + h
			vp, _ := bilevel.HomeostaticLoss{Draws: -1}.Value(net, nil)
			p[i] = old - h
			vm, _ := bilevel.HomeostaticLoss{Draws: -1}.Value(net, nil)
			p[i] = old
			if fd := (vp - vm) / (2 * h); math.Abs(fd-gc[k][i]) > 1e-7 {
				t.Errorf("param %d[%d]: closed-form gradient %.9g, central difference %.9g", k, i, gc[k][i], fd)
			}
		}
	}
}

// The asymmetry metrics: angle 0 and index 1 for symmetric feedback, about
// 90° for independent feedback, and the angle grows with the rotation
// (it is not equal to it: B_rand and Wᵀ have different fan-in scales).
func TestEPAsymmetryMetrics(t *testing.T) {
	net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 0, newRand(1)))
	if a, s := net.WeightAngle(), net.JacSymIndex(); a > 1e-6 || math.Abs(s-1) > 1e-12 {
		t.Errorf("symmetric net: angle %g, symmetry index %g", a, s)
	}
	prev := 0.0
	for _, angle := range []float64{30, 60, 90} {
		if err := net.RotateFeedback(angle, newRand(2)); err != nil {
			t.Fatal(err)
		}
		a := net.WeightAngle()
		t.Logf("RotateFeedback(%g): angle %.1f°, symmetry index %.3f", angle, a, net.JacSymIndex())
		if a <= prev || (angle == 90 && math.Abs(a-90) > 8) {
			t.Errorf("RotateFeedback(%g): angle %.1f (previous %.1f)", angle, a, prev)
		}
		prev = a
	}
	if c := bilevel.Alignment([]float64{1, 0}, []float64{1, 1}); math.Abs(c-math.Sqrt(0.5)) > 1e-15 {
		t.Errorf("Alignment = %g", c)
	}
}
