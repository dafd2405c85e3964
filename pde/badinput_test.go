package pde

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// badCase is one bad input to an exported entry point and the sentinel the
// call must return.
type badCase struct {
	name string
	call func() error
	want error
}

// badInputCases returns the catalogue of bad inputs (issue #16): every
// exported function and method of the package that takes user data, with
// sizes, NaN/Inf, negative variances and settings, nil interfaces and
// malformed structured covariances.
func badInputCases() []badCase {
	nan, inf := math.NaN(), math.Inf(1)
	x3 := []float64{0, 0.5, 1}
	d3 := Diagonal{1, 1, 1}
	rng := rand.New(rand.NewPCG(1, 0))
	bad1 := &DiagPlusRank1{D: []float64{1, 1, 1}, V: []float64{1}, Alpha: -0.1}
	badLow := &DiagPlusLowRank{D: []float64{1, 1, 1}, U: mat.NewDense(2, 1, nil), C: mat.NewSymDense(1, nil)}
	mass := MassConstraint([]float64{1, 1, 1}, 1)
	e1 := func(_ any, err error) error { return err }
	e2 := func(_, _ any, err error) error { return err }
	e4 := func(_, _ []float64, _ float64, err error) error { return err }
	gp, _ := FitGP([]float64{0, 0.5}, []float64{0, 0.5}, []float64{1, 2}, nil)
	cs := []badCase{
		// UpdateDiag
		{"UpdateDiag/negative noise", func() error { return e4(UpdateDiag(nil, nil, x3, d3, x3, 1, -1)) }, ErrSettings},
		{"UpdateDiag/NaN noise", func() error { return e4(UpdateDiag(nil, nil, x3, d3, x3, 1, nan)) }, ErrSettings},
		{"UpdateDiag/NaN b", func() error { return e4(UpdateDiag(nil, nil, x3, d3, x3, nan, 0)) }, ErrNotFinite},
		{"UpdateDiag/Inf b", func() error { return e4(UpdateDiag(nil, nil, x3, d3, x3, inf, 0)) }, ErrNotFinite},
		{"UpdateDiag/NaN mean", func() error { return e4(UpdateDiag(nil, nil, []float64{0, nan, 1}, d3, x3, 1, 0)) }, ErrNotFinite},
		{"UpdateDiag/Inf variance", func() error { return e4(UpdateDiag(nil, nil, x3, []float64{1, inf, 1}, x3, 1, 0)) }, ErrNotFinite},
		{"UpdateDiag/NaN weight", func() error { return e4(UpdateDiag(nil, nil, x3, d3, []float64{nan, 1, 1}, 1, 0)) }, ErrNotFinite},
		{"UpdateDiag/negative variance", func() error { return e4(UpdateDiag(nil, nil, x3, []float64{1, -1, 1}, x3, 1, 0)) }, ErrNotPSD},
		{"UpdateDiag/zero variance", func() error { return e4(UpdateDiag(nil, nil, x3, []float64{0, 0, 0}, x3, 1, 0)) }, ErrZeroVariance},
		{"UpdateDiag/short d", func() error { return e4(UpdateDiag(nil, nil, x3, d3[:2], x3, 1, 0)) }, ErrDimension},
		{"UpdateDiag/short g", func() error { return e4(UpdateDiag(nil, nil, x3, d3, x3[:1], 1, 0)) }, ErrDimension},
		{"UpdateDiag/short dstV", func() error { return e4(UpdateDiag(nil, make([]float64, 5), x3, d3, x3, 1, 0)) }, ErrDimension},
		// ConservationUpdate
		{"ConservationUpdate/empty", func() error { return e2(ConservationUpdate(nil, d3, mass)) }, ErrEmpty},
		{"ConservationUpdate/nil cov", func() error { return e2(ConservationUpdate(x3, nil, mass)) }, ErrDimension},
		{"ConservationUpdate/nil G", func() error { return e2(ConservationUpdate(x3, d3, LinearConstraint{})) }, ErrEmpty},
		{"ConservationUpdate/width", func() error { return e2(ConservationUpdate(x3, d3, MassConstraint([]float64{1, 1}, 1))) }, ErrDimension},
		{"ConservationUpdate/b length", func() error {
			return e2(ConservationUpdate(x3, d3, LinearConstraint{G: mat.NewDense(1, 3, []float64{1, 1, 1}), B: []float64{1, 2}}))
		}, ErrDimension},
		{"ConservationUpdate/noise length", func() error {
			c := mass
			c.NoiseVar = []float64{0, 0}
			return e2(ConservationUpdate(x3, d3, c))
		}, ErrDimension},
		{"ConservationUpdate/negative noise", func() error {
			c := MassConstraint([]float64{1, 1, 1}, 1)
			c.NoiseVar = []float64{-1}
			return e2(ConservationUpdate(x3, d3, c))
		}, ErrSettings},
		{"ConservationUpdate/NaN noise", func() error {
			c := MassConstraint([]float64{1, 1, 1}, 1)
			c.NoiseVar = []float64{nan}
			return e2(ConservationUpdate(x3, d3, c))
		}, ErrSettings},
		{"ConservationUpdate/NaN b", func() error { return e2(ConservationUpdate(x3, d3, MassConstraint([]float64{1, 1, 1}, nan))) }, ErrNotFinite},
		{"ConservationUpdate/Inf G", func() error { return e2(ConservationUpdate(x3, d3, MassConstraint([]float64{1, inf, 1}, 1))) }, ErrNotFinite},
		{"ConservationUpdate/NaN mean", func() error { return e2(ConservationUpdate([]float64{nan, 0, 0}, d3, mass)) }, ErrNotFinite},
		{"ConservationUpdate/NaN variance", func() error { return e2(ConservationUpdate(x3, Diagonal{1, nan, 1}, mass)) }, ErrNotFinite},
		{"ConservationUpdate/negative variance", func() error { return e2(ConservationUpdate(x3, Diagonal{1, -1, 1}, mass)) }, ErrNotPSD},
		{"ConservationUpdate/malformed rank1", func() error { return e2(ConservationUpdate(x3, bad1, mass)) }, ErrDimension},
		{"ConservationUpdate/malformed lowrank", func() error { return e2(ConservationUpdate(x3, badLow, mass)) }, ErrDimension},
		{"ConservationUpdate/indefinite full", func() error {
			return e2(ConservationUpdate(x3, &Full{Sigma: mat.NewSymDense(3, []float64{1, 0, 0, 0, -2, 0, 0, 0, 1})}, mass))
		}, ErrNotPSD},
		{"ConservationUpdate/zero variance", func() error { return e2(ConservationUpdate(x3, Diagonal{0, 0, 0}, mass)) }, ErrZeroVariance},
		// ProjectHardC, ProjectNonNegative
		{"ProjectHardC/width", func() error { return e1(ProjectHardC(x3, MassConstraint([]float64{1}, 1))) }, ErrDimension},
		{"ProjectHardC/NaN mean", func() error { return e1(ProjectHardC([]float64{nan, 1, 1}, mass)) }, ErrNotFinite},
		{"ProjectNonNegative/empty", func() error { return e1(ProjectNonNegative(nil, nil, nil, 1)) }, ErrEmpty},
		{"ProjectNonNegative/lengths", func() error { return e1(ProjectNonNegative(x3, d3[:2], x3, 1)) }, ErrDimension},
		{"ProjectNonNegative/NaN", func() error { return e1(ProjectNonNegative([]float64{nan, 1, 1}, d3, []float64{1, 1, 1}, 1)) }, ErrNotFinite},
		{"ProjectNonNegative/zero weight", func() error { return e1(ProjectNonNegative(x3, d3, []float64{1, 0, 1}, 1)) }, ErrSettings},
		{"ProjectNonNegative/negative mass", func() error { return e1(ProjectNonNegative(x3, d3, []float64{1, 1, 1}, -1)) }, ErrInfeasible},
		// Covariance methods
		{"Diagonal.MulVec/short x", func() error { return e1(d3.MulVec(nil, x3[:2])) }, ErrDimension},
		{"DiagPlusRank1.MulVec/malformed", func() error { return e1(bad1.MulVec(nil, x3)) }, ErrDimension},
		{"DiagPlusLowRank.MulVec/malformed", func() error { return e1(badLow.MulVec(nil, x3)) }, ErrDimension},
		{"Full.MulVec/nil Sigma", func() error { return e1((&Full{}).MulVec(nil, x3)) }, ErrDimension},
		{"Full.MulVec/short dst", func() error { return e1((&Full{Sigma: d3.Dense()}).MulVec(make([]float64, 1), x3)) }, ErrDimension},
		// Samplers
		{"NewSampler/nil", func() error { return e1(NewSampler(nil)) }, ErrEmpty},
		{"NewSampler/NaN", func() error { return e1(NewSampler(Diagonal{1, nan})) }, ErrNotFinite},
		{"NewSampler/negative", func() error { return e1(NewSampler(Diagonal{1, -1})) }, ErrNotPSD},
		{"NewSampler/malformed rank1", func() error { return e1(NewSampler(bad1)) }, ErrDimension},
		{"NewSampler/indefinite full", func() error {
			return e1(NewSampler(&Full{Sigma: mat.NewSymDense(2, []float64{1, 0, 0, -1})}))
		}, ErrNotPSD},
		{"Sampler.Sample/nil rng", func() error {
			s, _ := NewSampler(d3)
			return e1(s.Sample(nil, x3, nil))
		}, ErrSettings},
		{"Sampler.Sample/short mean", func() error {
			s, _ := NewSampler(d3)
			return e1(s.Sample(nil, x3[:2], rng))
		}, ErrDimension},
		// GP and models
		{"FitGP/empty", func() error { return e1(FitGP(nil, nil, nil, nil)) }, ErrEmpty},
		{"FitGP/lengths", func() error { return e1(FitGP(x3, x3[:2], x3, nil)) }, ErrDimension},
		{"FitGP/too many", func() error {
			big := make([]float64, MaxGPPoints+1)
			return e1(FitGP(big, big, big, nil))
		}, ErrDimension},
		{"FitGP/NaN data", func() error { return e1(FitGP(x3, x3, []float64{1, nan, 1}, nil)) }, ErrNotFinite},
		{"FitGP/negative setting", func() error { return e1(FitGP(x3, x3, x3, &GPSettings{Noise: -1})) }, ErrSettings},
		{"FitGP/NaN setting", func() error { return e1(FitGP(x3, x3, x3, &GPSettings{LengthX: nan})) }, ErrSettings},
		{"FitGP/Inf setting", func() error { return e1(FitGP(x3, x3, x3, &GPSettings{Variance: inf})) }, ErrSettings},
		{"FitGP/duplicates without noise", func() error {
			return e1(FitGP([]float64{0, 0}, []float64{0, 0}, []float64{1, 1}, &GPSettings{Noise: 1e-300}))
		}, ErrNotPSD},
		{"GP.Predict/empty query", func() error { return e2(gp.Predict(0, nil)) }, ErrEmpty},
		{"GP.Predict/NaN t", func() error { return e2(gp.Predict(nan, x3)) }, ErrNotFinite},
		{"GP.PredictDiag/Inf x", func() error { return e2(gp.PredictDiag(0, []float64{inf})) }, ErrNotFinite},
		{"GP.Predict/unfitted", func() error { return e2((&GP{}).Predict(0, x3)) }, ErrSettings},
		{"DiagModel.Predict/nil model", func() error { return e2(DiagModel{}.Predict(0, x3)) }, ErrSettings},
		{"DiagModel.Predict/negative floor", func() error { return e2(DiagModel{Model: gp, Floor: -1}.Predict(0, x3)) }, ErrSettings},
		{"Ensemble.PredictLatent/empty", func() error { return e2(Ensemble{}.PredictLatent(0, x3)) }, ErrEmpty},
		{"Ensemble.PredictLatent/nil member", func() error { return e2(Ensemble{nil}.PredictLatent(0, x3)) }, ErrSettings},
		{"AggregateLatent/empty", func() error { return e1(AggregateLatent(nil, nil, nil)) }, ErrEmpty},
		{"AggregateLatent/counts", func() error { return e1(AggregateLatent([][]float64{x3}, nil, nil)) }, ErrDimension},
		{"AggregateLatent/ragged", func() error {
			return e1(AggregateLatent([][]float64{x3, x3[:2]}, []Covariance{d3, d3}, nil))
		}, ErrDimension},
		{"AggregateLatent/NaN mean", func() error {
			return e1(AggregateLatent([][]float64{{nan, 0, 0}}, []Covariance{d3}, nil))
		}, ErrNotFinite},
		{"AggregateLatent/NaN variance", func() error {
			return e1(AggregateLatent([][]float64{x3}, []Covariance{Diagonal{1, nan, 1}}, nil))
		}, ErrNotFinite},
		{"AggregateLatent/bad constraint", func() error {
			c := MassConstraint([]float64{1}, 1)
			return e1(AggregateLatent([][]float64{x3}, []Covariance{d3}, &c))
		}, ErrDimension},
		// Constraint builders
		{"DiffusionRows/short", func() error { return e1(DiffusionRows([]float64{1, 1}, 0.5)) }, ErrEmpty},
		{"DiffusionRows/alpha", func() error { return e1(DiffusionRows(d3, 1)) }, ErrSettings},
		{"DiffusionRows/NaN alpha", func() error { return e1(DiffusionRows(d3, nan)) }, ErrSettings},
		{"DiffusionRows/NaN variance", func() error { return e1(DiffusionRows([]float64{1, nan, 1}, 0.5)) }, ErrNotFinite},
		{"DiffusionRows/negative variance", func() error { return e1(DiffusionRows([]float64{1, -1, 1}, 0.5)) }, ErrNotPSD},
		{"Stack/none", func() error { return e1(Stack()) }, ErrEmpty},
		{"Stack/nil G", func() error { return e1(Stack(mass, LinearConstraint{})) }, ErrEmpty},
		{"Stack/widths", func() error { return e1(Stack(mass, MassConstraint([]float64{1}, 1))) }, ErrDimension},
		// Quadrature and grids
		{"TrapezoidWeights/short", func() error { return e1(TrapezoidWeights([]float64{1})) }, ErrEmpty},
		{"TrapezoidWeights/unsorted", func() error { return e1(TrapezoidWeights([]float64{1, 0})) }, ErrUnsortedGrid},
		{"TrapezoidWeights/NaN", func() error { return e1(TrapezoidWeights([]float64{0, nan})) }, ErrNotFinite},
		{"RightRiemannWeights/unsorted", func() error { return e1(RightRiemannWeights([]float64{0, 0})) }, ErrUnsortedGrid},
		{"UniformGrid/negative n", func() error { return e1(UniformGrid(0, 1, -5)) }, ErrSettings},
		{"UniformGrid/huge n", func() error { return e1(UniformGrid(0, 1, 1<<40)) }, ErrSettings},
		{"UniformGrid/reversed", func() error { return e1(UniformGrid(1, 0, 5)) }, ErrSettings},
		{"UniformGrid/NaN", func() error { return e1(UniformGrid(nan, 1, 5)) }, ErrSettings},
		{"UniformGrid/Inf", func() error { return e1(UniformGrid(0, inf, 5)) }, ErrSettings},
		// Metrics
		{"MSE/lengths", func() error { return e1(MSE(x3, x3[:2])) }, ErrDimension},
		{"MSE/empty", func() error { return e1(MSE(nil, nil)) }, ErrEmpty},
		{"MSE/NaN", func() error { return e1(MSE([]float64{nan}, []float64{1})) }, ErrNotFinite},
		{"ConservationError/lengths", func() error { return e1(ConservationError(x3, x3[:1], 1)) }, ErrDimension},
		{"ConservationError/NaN mass", func() error { return e1(ConservationError(x3, x3, nan)) }, ErrNotFinite},
		{"GaussianLogLik/lengths", func() error { return e1(GaussianLogLik(x3, x3, x3[:2])) }, ErrDimension},
		{"GaussianLogLik/empty", func() error { return e1(GaussianLogLik(nil, nil, nil)) }, ErrEmpty},
		{"GaussianLogLik/Inf", func() error { return e1(GaussianLogLik(x3, []float64{0, inf, 0}, x3)) }, ErrNotFinite},
		{"ShockPosition/lengths", func() error { return e1(ShockPosition(x3, x3[:2])) }, ErrDimension},
		{"ShockPosition/empty", func() error { return e1(ShockPosition(nil, nil)) }, ErrEmpty},
		{"MedianShock/empty", func() error { return e1(MedianShock(x3, nil)) }, ErrEmpty},
		{"MedianShock/ragged", func() error { return e1(MedianShock(x3, [][]float64{x3[:1]})) }, ErrDimension},
		// Exact solutions
		{"NewStefan/0", func() error { return e1(NewStefan(0)) }, ErrSettings},
		{"NewStefan/NaN", func() error { return e1(NewStefan(nan)) }, ErrSettings},
	}
	return cs
}

// TestBadInput runs the catalogue: every case must return an error wrapping
// its sentinel, and none may panic.
func TestBadInput(t *testing.T) {
	cs := append(badInputCases(), hcBadInputCases(t)...)
	for _, c := range cs {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("panic: %v", r)
				}
			}()
			if err := c.call(); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	t.Logf("%d bad-input cases", len(cs))
}
