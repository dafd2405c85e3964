package bilevel_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/run"
)

// epCatalogue lists bad inputs for the equilibrium-propagation entry
// points (issue #18 "Bad input" and #16).
func epCatalogue() []badCase {
	ctx := context.Background()
	nan := math.NaN()
	newNet := func() *bilevel.EPNet { return must(bilevel.NewEPNet([]int{3, 4, 2}, 2, 90, newRand(1))) }
	net := newNet()
	x, u := []float64{0.1, -0.2, 0.3}, make([]float64, 6)
	train := &bilevel.EPData{In: 3, X: make([]float64, 6), Y: []int{0, 1}}
	ep := func(sizes []int, classes int, angle float64, rngNil bool) func() error {
		return func() error {
			rng := newRand(1)
			if rngNil {
				rng = nil
			}
			_, err := bilevel.NewEPNet(sizes, classes, angle, rng)
			return err
		}
	}
	delta := func(e bilevel.Estimator, n *bilevel.EPNet, dst, x []float64, label int, u []float64) func() error {
		return func() error { _, err := e.Delta(dst, n, x, label, u); return err }
	}
	trainEP := func(n *bilevel.EPNet, tr, te *bilevel.EPData, s *bilevel.EPSettings) func() error {
		return func() error { _, err := bilevel.TrainEP(ctx, n, tr, te, s); return err }
	}
	ts := func(s bilevel.EPSettings) func() error { return trainEP(newNet(), train, train, &s) }
	nanNet := newNet()
	nanNet.W[0].Data[0] = nan
	E := struct{ dim, set, fin, nc error }{bilevel.ErrDimension, bilevel.ErrSettings, bilevel.ErrNotFinite, bilevel.ErrNotConverged}
	var cs []badCase
	for _, est := range []struct {
		name string
		e    bilevel.Estimator
	}{{"ImplicitBP", bilevel.ImplicitBP{}}, {"GenEPExact", bilevel.GenEPExact{}}, {"RBP", bilevel.RBP{}}, {"HolomorphicEP", bilevel.HolomorphicEP{N: 2, Beta: 0.1}},
		{"OnlineHEP", bilevel.OnlineHEP{N: 2, Beta: 0.1, Steps: 40, Block: 10}}} {
		entry := est.name + ".Delta"
		cs = append(cs,
			badCase{entry, "nil net", E.set, delta(est.e, nil, nil, x, 0, u)},
			badCase{entry, "net literal", E.set, delta(est.e, &bilevel.EPNet{}, nil, x, 0, u)},
			badCase{entry, "short x", E.dim, delta(est.e, net, nil, x[:2], 0, u)},
			badCase{entry, "label out of range", E.dim, delta(est.e, net, nil, x, 2, u)},
			badCase{entry, "short u*", E.dim, delta(est.e, net, nil, x, 0, u[:5])},
			badCase{entry, "NaN u*", E.fin, delta(est.e, net, nil, x, 0, []float64{nan, 0, 0, 0, 0, 0})},
			badCase{entry, "wrong dst", E.dim, delta(est.e, net, make([]float64, 3), x, 0, u)},
		)
	}
	return append(cs, []badCase{
		{"NewEPNet", "one size", E.dim, ep([]int{3}, 2, 0, false)},
		{"NewEPNet", "zero layer", E.dim, ep([]int{3, 0, 2}, 2, 0, false)},
		{"NewEPNet", "huge layer", E.dim, ep([]int{3, 1 << 30, 2}, 2, 0, false)},
		{"NewEPNet", "one class", E.dim, ep([]int{3, 4, 2}, 1, 0, false)},
		{"NewEPNet", "nil rng", E.set, ep([]int{3, 4, 2}, 2, 0, true)},
		{"NewEPNet", "angle NaN", E.set, ep([]int{3, 4, 2}, 2, nan, false)},
		{"NewEPNet", "angle > 90", E.set, ep([]int{3, 4, 2}, 2, 120, false)},
		{"EPNet.Relax", "net literal", E.set, func() error { _, _, err := (&bilevel.EPNet{}).Relax(nil, x, 10, 0); return err }},
		{"EPNet.Relax", "short x", E.dim, func() error { _, _, err := net.Relax(nil, x[:1], 10, 0); return err }},
		{"EPNet.Relax", "wrong u", E.dim, func() error { _, _, err := net.Relax(make([]float64, 2), x, 10, 0); return err }},
		{"EPNet.Relax", "no steps", E.set, func() error { _, _, err := net.Relax(nil, x, 0, 0); return err }},
		{"EPNet.Relax", "tol NaN", E.set, func() error { _, _, err := net.Relax(nil, x, 10, nan); return err }},
		{"EPNet.Relax", "NaN weights", E.fin, func() error { _, _, err := nanNet.Relax(nil, x, 10, 0); return err }},
		{"EPNet.Relax", "mismatched weights", E.dim, func() error {
			n := newNet()
			n.W[1].Rows = 7
			_, _, err := n.Relax(nil, x, 10, 0)
			return err
		}},
		{"EPNet.Loss", "label out of range", E.dim, func() error { _, _, err := net.Loss(u, -1); return err }},
		{"EPNet.Loss", "short u", E.dim, func() error { _, _, err := net.Loss(u[:2], 0); return err }},
		{"EPNet.SpectralRadius", "short u", E.dim, func() error { _, err := net.SpectralRadius(u[:2]); return err }},
		{"EPNet.AccumulateGrad", "ragged gradient", E.dim, func() error {
			_, err := net.AccumulateGrad(net.NewGrad()[:2], 1, x, 0, u, u)
			return err
		}},
		{"EPNet.AccumulateGrad", "NaN weight", E.set, func() error { _, err := net.AccumulateGrad(net.NewGrad(), nan, x, 0, u, u); return err }},
		{"EPNet.AccumulateGrad", "NaN δ", E.fin, func() error {
			_, err := net.AccumulateGrad(net.NewGrad(), 1, x, 0, u, []float64{nan, 0, 0, 0, 0, 0})
			return err
		}},
		{"EPNet.RotateFeedback", "angle < 0", E.set, func() error { return newNet().RotateFeedback(-1, newRand(1)) }},
		{"EPNet.RotateFeedback", "nil rng", E.set, func() error { return newNet().RotateFeedback(30, nil) }},
		{"HolomorphicEP.Delta", "N = 0", E.set, delta(bilevel.HolomorphicEP{Beta: 0.1}, net, nil, x, 0, u)},
		{"HolomorphicEP.Delta", "radius 0", E.set, delta(bilevel.HolomorphicEP{N: 2}, net, nil, x, 0, u)},
		{"HolomorphicEP.Delta", "radius < 0", E.set, delta(bilevel.HolomorphicEP{N: 2, Beta: -0.1}, net, nil, x, 0, u)},
		{"HolomorphicEP.Delta", "radius NaN", E.set, delta(bilevel.HolomorphicEP{N: 2, Beta: nan}, net, nil, x, 0, u)},
		{"HolomorphicEP.Delta", "Steps < 0", E.set, delta(bilevel.HolomorphicEP{N: 2, Beta: 0.1, Steps: -1}, net, nil, x, 0, u)},
		{"OnlineHEP.Delta", "N = 1", E.set, delta(bilevel.OnlineHEP{N: 1, Beta: 0.1}, net, nil, x, 0, u)},
		{"OnlineHEP.Delta", "radius 0", E.set, delta(bilevel.OnlineHEP{N: 4}, net, nil, x, 0, u)},
		{"OnlineHEP.Delta", "Block < 0", E.set, delta(bilevel.OnlineHEP{N: 4, Beta: 0.1, Block: -1}, net, nil, x, 0, u)},
		{"OnlineHEP.Delta", "partial rotation", E.set, delta(bilevel.OnlineHEP{N: 4, Beta: 0.1, Steps: 100, Block: 20}, net, nil, x, 0, u)},
		{"RBP.Delta", "Steps < 0", E.set, delta(bilevel.RBP{Steps: -1}, net, nil, x, 0, u)},
		{"HomeostaticLoss.Value", "Coef NaN", E.set, func() error { _, err := bilevel.HomeostaticLoss{Coef: nan}.Value(net, newRand(1)); return err }},
		{"HomeostaticLoss.Value", "nil rng with draws", E.set, func() error { _, err := bilevel.HomeostaticLoss{}.Value(net, nil); return err }},
		{"HomeostaticLoss.Value", "nil net", E.set, func() error { _, err := bilevel.HomeostaticLoss{}.Value(nil, newRand(1)); return err }},
		{"HomeostaticLoss.AddGrad", "ragged gradient", E.dim, func() error {
			return bilevel.HomeostaticLoss{Coef: 1}.AddGrad(net.NewGrad()[1:], net, newRand(1))
		}},
		{"HomeostaticLoss.AddGrad", "Coef < 0", E.set, func() error { return bilevel.HomeostaticLoss{Coef: -1}.AddGrad(net.NewGrad(), net, newRand(1)) }},
		{"TrainEP", "nil net", E.set, trainEP(nil, train, train, nil)},
		{"TrainEP", "nil data", E.dim, trainEP(newNet(), nil, train, nil)},
		{"TrainEP", "empty test set", E.dim, trainEP(newNet(), train, &bilevel.EPData{In: 3}, nil)},
		{"TrainEP", "input size", E.dim, trainEP(newNet(), &bilevel.EPData{In: 2, X: make([]float64, 4), Y: []int{0, 1}}, train, nil)},
		{"TrainEP", "ragged inputs", E.dim, trainEP(newNet(), &bilevel.EPData{In: 3, X: make([]float64, 5), Y: []int{0, 1}}, train, nil)},
		{"TrainEP", "label out of range", E.dim, trainEP(newNet(), &bilevel.EPData{In: 3, X: make([]float64, 6), Y: []int{0, 2}}, train, nil)},
		{"TrainEP", "NaN input", E.fin, trainEP(newNet(), &bilevel.EPData{In: 3, X: []float64{nan, 0, 0, 0, 0, 0}, Y: []int{0, 1}}, train, nil)},
		{"TrainEP", "NaN weights", E.fin, trainEP(nanNet, train, train, nil)},
		{"TrainEP", "MaxIter < 0", E.set, ts(bilevel.EPSettings{MaxIter: -1})},
		{"TrainEP", "BatchSize < 0", E.set, ts(bilevel.EPSettings{BatchSize: -1})},
		{"TrainEP", "LearningRate NaN", E.set, ts(bilevel.EPSettings{LearningRate: nan})},
		{"TrainEP", "FreeSteps < 0", E.set, ts(bilevel.EPSettings{FreeSteps: -1})},
		{"TrainEP", "EvalSteps < 0", E.set, ts(bilevel.EPSettings{EvalSteps: -1})},
		{"TrainEP", "FreeTol NaN", E.set, ts(bilevel.EPSettings{FreeTol: nan})},
		{"TrainEP", "Homeostasis.Coef NaN", E.set, ts(bilevel.EPSettings{Homeostasis: bilevel.HomeostaticLoss{Coef: nan}})},
		{"TrainEP", "hEP with N = 0", E.set, ts(bilevel.EPSettings{Estimator: bilevel.HolomorphicEP{Beta: 0.1}})},
		{"TrainEP", "TimeLimit < 0", nil, func() error {
			if ts(bilevel.EPSettings{TimeLimit: -time.Second})() == nil {
				return fmt.Errorf("negative TimeLimit accepted")
			}
			return nil
		}},
		{"EPData.Input", "out of range gives nil", nil, func() error {
			if train.Input(5) != nil || train.Input(-1) != nil {
				return fmt.Errorf("Input out of range not nil")
			}
			return nil
		}},
	}...)
}

// Dynamics that do not converge are reported with their residual, never
// as a silent NaN; a nudge beyond the radius of analyticity is an error.
func TestEPNonConvergence(t *testing.T) {
	// Two neurons in a negative loop around σ's centre: the Jacobian of the
	// update has eigenvalues ±8i, so the synchronous free phase cycles.
	net := must(bilevel.NewEPNet([]int{1, 1, 1}, 2, 90, newRand(1)))
	net.W[0].Data[0], net.W[1].Data[0], net.B[0].Data[0] = 0, 8, -8
	net.Bias[0][0], net.Bias[1][0] = 4.5, -3.5
	x := []float64{0}
	u, fp, err := net.Relax(nil, x, 200, 1e-10)
	t.Logf("free phase: %+v, error %v", fp, err)
	if err != nil || fp.Converged || !(fp.Residual > 1e-10) || math.IsNaN(fp.Residual) || fp.Steps != 200 {
		t.Errorf("non-convergent free phase: %+v, %v; want Converged false with a finite residual", fp, err)
	}
	if rho, err := net.SpectralRadius([]float64{0.5, 0.5}); err != nil || math.Abs(rho-8) > 1e-9 {
		t.Errorf("spectral radius at the unstable fixed point %g, %v; want 8", rho, err)
	}
	if _, _, err := net.Loss(u, 0); err != nil {
		t.Error(err)
	}
	small := must(bilevel.NewEPNet([]int{3, 4, 2}, 2, 90, newRand(1)))
	us, _, err := small.Relax(nil, []float64{1, -1, 0.5}, 1000, 1e-12)
	if err != nil {
		t.Fatal(err)
	}
	d, err := bilevel.HolomorphicEP{N: 4, Beta: 1e6, Steps: 50}.Delta(nil, small, []float64{1, -1, 0.5}, 1, us)
	t.Logf("|β| = 1e6: %v", err)
	if err == nil {
		if !isFinite(d) {
			t.Errorf("non-finite δ with a nil error")
		}
	} else if !errors.Is(err, bilevel.ErrNotFinite) {
		t.Errorf("|β| = 1e6: %v, want ErrNotFinite or a finite δ", err)
	}
}

func isFinite(v []float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

// TrainEP stops within 100 ms of its deadline.
func TestEPTrainCancel(t *testing.T) {
	train, test := mustTeacher(t, 2000, 1000)
	net := must(bilevel.NewEPNet([]int{16, 32, 32, 10}, 4, 90, newRand(1)))
	const deadline = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	res, err := bilevel.TrainEP(ctx, net, train, test, &bilevel.EPSettings{Estimator: bilevel.HolomorphicEP{N: 2, Beta: 0.1}})
	late := time.Since(start) - deadline
	t.Logf("returned %v after the deadline, status %v", late, res.Status)
	if !errors.Is(err, context.DeadlineExceeded) || res.Status != run.Canceled {
		t.Errorf("status %v, error %v", res.Status, err)
	}
	if late > 100*time.Millisecond {
		t.Errorf("returned %v after the deadline", late)
	}
}
