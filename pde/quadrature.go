package pde

import (
	"fmt"
	"math"
)

func checkGrid(x []float64) error {
	if len(x) < 2 {
		return fmt.Errorf("%w: grid needs at least 2 points, has %d", ErrEmpty, len(x))
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: grid point %d", ErrNotFinite, i)
		}
		if i > 0 && !(v > x[i-1]) {
			return fmt.Errorf("%w: x[%d] = %g ≤ x[%d] = %g", ErrUnsortedGrid, i, v, i-1, x[i-1])
		}
	}
	return nil
}

// TrapezoidWeights returns the trapezoid quadrature weights g of a strictly
// increasing (possibly non-uniform) grid, so that gᵀu ≈ ∫ u dx over
// [x₁, xₙ]: g₁ = (x₂−x₁)/2, gᵢ = (xᵢ₊₁−xᵢ₋₁)/2, gₙ = (xₙ−xₙ₋₁)/2. This is the
// paper's default constraint row. It returns ErrUnsortedGrid, ErrNotFinite or
// ErrEmpty (fewer than 2 points).
func TrapezoidWeights(x []float64) ([]float64, error) {
	if err := checkGrid(x); err != nil {
		return nil, err
	}
	n := len(x)
	g := make([]float64, n)
	g[0] = (x[1] - x[0]) / 2
	g[n-1] = (x[n-1] - x[n-2]) / 2
	for i := 1; i < n-1; i++ {
		g[i] = (x[i+1] - x[i-1]) / 2
	}
	return g, nil
}

// RightRiemannWeights returns the right Riemann-sum weights g₁ = 0,
// gᵢ = xᵢ − xᵢ₋₁, the alternative offered by the official code. Errors as
// for [TrapezoidWeights].
func RightRiemannWeights(x []float64) ([]float64, error) {
	if err := checkGrid(x); err != nil {
		return nil, err
	}
	g := make([]float64, len(x))
	for i := 1; i < len(x); i++ {
		g[i] = x[i] - x[i-1]
	}
	return g, nil
}

// UniformGrid returns n equally spaced points from a to b, endpoints
// included. It returns ErrSettings if n < 2, n > 1<<27 or !(b > a).
func UniformGrid(a, b float64, n int) ([]float64, error) {
	if n < 2 || n > 1<<27 || !(b > a) || math.IsInf(b-a, 0) {
		return nil, fmt.Errorf("%w: grid of %d points on [%g, %g]", ErrSettings, n, a, b)
	}
	x := make([]float64, n)
	h := (b - a) / float64(n-1)
	for i := range x {
		x[i] = a + float64(i)*h
	}
	x[n-1] = b
	return x, nil
}
