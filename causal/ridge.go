package causal

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Ridge is linear least squares with an intercept and an L2 penalty
// Lambda·n·‖w‖² on the slopes (solved by Cholesky with gonum/mat).
type Ridge struct {
	// Lambda is the penalty per sample. Zero means 1e-8 (a numerical
	// guard: plain least squares).
	Lambda float64

	W []float64 // slopes, set by Fit
	B float64   // intercept, set by Fit
}

var _ Differentiable = (*Ridge)(nil)

// ridgeGuard keeps the normal equations positive definite when Lambda is 0.
const ridgeGuard = 1e-8

func checkXY(X *mat.Dense, y []float64) (int, int, error) {
	if X == nil {
		return 0, 0, fmt.Errorf("%w: nil design matrix", ErrData)
	}
	n, d := X.Dims()
	if n == 0 || n != len(y) {
		return 0, 0, fmt.Errorf("%w: %d rows vs %d targets", ErrData, n, len(y))
	}
	for i := 0; i < n; i++ {
		if math.IsNaN(y[i]) || math.IsInf(y[i], 0) {
			return 0, 0, fmt.Errorf("%w: target %d is %v", ErrNotFinite, i, y[i])
		}
		for j := 0; j < d; j++ {
			if v := X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, fmt.Errorf("%w: X[%d,%d] = %v", ErrNotFinite, i, j, v)
			}
		}
	}
	return n, d, nil
}

// solveCentred fits y ≈ b + Φw with the columns of Φ centred and penalty
// lam·n·‖w‖².
func solveCentred(Phi *mat.Dense, y []float64, lam float64) ([]float64, float64, error) {
	n, d := Phi.Dims()
	mean := make([]float64, d)
	for j := 0; j < d; j++ {
		s := 0.0
		for i := 0; i < n; i++ {
			s += Phi.At(i, j)
		}
		mean[j] = s / float64(n)
	}
	ym := 0.0
	for _, v := range y {
		ym += v
	}
	ym /= float64(n)
	C := mat.NewDense(n, d, nil)
	yc := mat.NewVecDense(n, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < d; j++ {
			C.Set(i, j, Phi.At(i, j)-mean[j])
		}
		yc.SetVec(i, y[i]-ym)
	}
	var A mat.SymDense
	A.SymOuterK(1, C.T())
	for j := 0; j < d; j++ {
		A.SetSym(j, j, A.At(j, j)+lam*float64(n))
	}
	var rhs mat.VecDense
	rhs.MulVec(C.T(), yc)
	var ch mat.Cholesky
	if !ch.Factorize(&A) {
		return nil, 0, fmt.Errorf("%w: normal equations not positive definite", ErrData)
	}
	var w mat.VecDense
	if err := ch.SolveVecTo(&w, &rhs); err != nil {
		return nil, 0, fmt.Errorf("causal: ridge solve: %w", err)
	}
	ws := make([]float64, d)
	b := ym
	for j := range ws {
		ws[j] = w.AtVec(j)
		b -= ws[j] * mean[j]
	}
	return ws, b, nil
}

// Fit solves the ridge normal equations. Errors wrap [ErrData] or
// [ErrNotFinite].
func (r *Ridge) Fit(X *mat.Dense, y []float64) error {
	if _, _, err := checkXY(X, y); err != nil {
		return err
	}
	lam := r.Lambda
	lam = cmp.Or(lam, ridgeGuard)
	if math.IsNaN(lam) || math.IsInf(lam, 0) {
		return fmt.Errorf("%w: %w: ridge Lambda %v", ErrSettings, ErrNotFinite, lam)
	}
	if n, d := X.Dims(); d > maxFeatures || n > maxDesign/max(1, d) {
		return fmt.Errorf("%w: ridge design %d×%d is too large", ErrSettings, n, d)
	}
	if lam < 0 {
		return fmt.Errorf("%w: ridge Lambda %v < 0", ErrSettings, lam)
	}
	w, b, err := solveCentred(X, y, lam)
	if err != nil {
		return err
	}
	r.W, r.B = w, b
	return nil
}

// Predict returns B + W·x.
func (r *Ridge) Predict(x []float64) float64 {
	if len(x) != len(r.W) {
		panic("causal: Ridge input length mismatch")
	}
	s := r.B
	for j, v := range x {
		s += r.W[j] * v
	}
	return s
}

// PredictGrad writes W to grad and returns Predict(x).
func (r *Ridge) PredictGrad(grad, x []float64) float64 {
	copy(grad, r.W)
	return r.Predict(x)
}

// NewRidgeLearner returns a [Learner] of [Ridge] models with penalty lambda.
func NewRidgeLearner(lambda float64) Learner {
	return func(*rand.Rand) Regressor { return &Ridge{Lambda: lambda} }
}
