package ild

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// mechTol is how far two domains' coefficients of a mechanism may differ
// and still count as the same (invariant) mechanism.
const mechTol = 1e-12

// Canonicalize is the constructive proof of the paper's Theorem 2 for a
// linear ILD (g linear: Slope 1): with N the nodes whose mechanisms are
// the same in every domain and I = intervened, h₁(z) = (ε_N(z), z_I) and
// h₂ the permutation putting ε_N first give the equivalent model
//
//	g' = g ∘ h₁⁻¹,   f'_d = h₁ ∘ f_d ∘ h₂,
//
// whose first m − k latents are identity mechanisms in every domain (a
// RelaxCan model with K = |I|) and which has the same distribution in
// every domain and the same domain counterfactuals. It returns an error
// wrapping [ErrSettings] if the model is not linear, a node of intervened
// is out of range or repeated, or a node outside intervened has a
// mechanism that differs across domains.
func Canonicalize(md *Model, intervened []int) (*Model, error) {
	if err := md.Validate(); err != nil {
		return nil, err
	}
	m := md.M
	if md.Slope != 1 {
		return nil, fmt.Errorf("%w: Canonicalize needs a linear g (Slope 1), have %v", ErrSettings, md.Slope)
	}
	isInt := make([]bool, m)
	for _, j := range intervened {
		if j < 0 || j >= m || isInt[j] {
			return nil, fmt.Errorf("%w: intervened node %d", ErrSettings, j)
		}
		isInt[j] = true
	}
	// mechanism j of domain d: z_j = ι_dj + Σ_{i<j} L_d,ji z_i + S_d,j ε_j with
	// intercept ι_dj = b_dj − Σ_i L_d,ji b_di (the biases of the parents
	// enter it, so a row of (L, S, b) shared across domains is not enough)
	intercept := func(d, j int) float64 {
		v := md.B[d][j]
		for i := 0; i < j; i++ {
			v -= md.L[d][j*m+i] * md.B[d][i]
		}
		return v
	}
	var order []int // new coordinate k is old node order[k]: N first, then I
	for j := 0; j < m; j++ {
		if !isInt[j] {
			order = append(order, j)
			for d := 1; d < md.D; d++ {
				same := math.Abs(md.S[d][j]-md.S[0][j]) <= mechTol && math.Abs(intercept(d, j)-intercept(0, j)) <= mechTol
				for i := 0; i < j && same; i++ {
					same = math.Abs(md.L[d][j*m+i]-md.L[0][j*m+i]) <= mechTol
				}
				if !same {
					return nil, fmt.Errorf("%w: mechanism %d differs between domains 0 and %d but is not listed as intervened", ErrSettings, j, d)
				}
			}
		}
	}
	for j := 0; j < m; j++ {
		if isInt[j] {
			order = append(order, j)
		}
	}
	// h₁(z) = H z + η in the new coordinates: ε_j = (z_j − ι_j − Σ L_ji z_i)/S_j
	H := mat.NewDense(m, m, nil)
	eta := make([]float64, m)
	for k, j := range order {
		if isInt[j] {
			H.Set(k, j, 1)
			continue
		}
		s := md.S[0][j]
		H.Set(k, j, 1/s)
		for i := 0; i < j; i++ {
			H.Set(k, i, H.At(k, i)-md.L[0][j*m+i]/s)
		}
		eta[k] = -intercept(0, j) / s
	}
	P := mat.NewDense(m, m, nil) // ε = P ε'
	for k, j := range order {
		P.Set(j, k, 1)
	}
	var Hinv mat.Dense
	if err := Hinv.Inverse(H); err != nil {
		return nil, fmt.Errorf("%w: h1: %w", ErrSingular, err)
	}
	out, _ := New(m, md.D, len(intervened), RelaxCan, 1)
	// g': W' = W H⁻¹, c' = c − W' η
	var Wp mat.Dense
	Wp.Mul(mat.NewDense(m, m, md.W), &Hinv)
	copy(out.W, Wp.RawMatrix().Data)
	for i := 0; i < m; i++ {
		v := md.C[i]
		for k := 0; k < m; k++ {
			v -= Wp.At(i, k) * eta[k]
		}
		out.C[i] = v
	}
	for d := 0; d < md.D; d++ {
		// A_d = H (I − L_d)⁻¹ S_d P, β_d = H b_d + η
		IL := mat.NewDense(m, m, nil)
		for j := 0; j < m; j++ {
			IL.Set(j, j, 1)
			for i := 0; i < j; i++ {
				IL.Set(j, i, -md.L[d][j*m+i])
			}
		}
		var Fd mat.Dense
		if err := Fd.Solve(IL, diag(md.S[d])); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSingular, err)
		}
		var A, tmp mat.Dense
		tmp.Mul(H, &Fd)
		A.Mul(&tmp, P)
		// A = (I − L')⁻¹ S' with S' = diag(A): L' = I − (A S'⁻¹)⁻¹
		sp := make([]float64, m)
		for k := 0; k < m; k++ {
			sp[k] = A.At(k, k)
			if sp[k] == 0 {
				return nil, fmt.Errorf("%w: zero diagonal in the canonical map", ErrSingular)
			}
		}
		var U, Uinv mat.Dense
		U.Mul(&A, diag(inverse(sp)))
		if err := Uinv.Inverse(&U); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSingular, err)
		}
		for j := 0; j < m; j++ {
			out.S[d][j] = sp[j]
			for i := 0; i < j; i++ {
				out.L[d][j*m+i] = -Uinv.At(j, i)
			}
			v := eta[j]
			for i := 0; i < m; i++ {
				v += H.At(j, i) * md.B[d][i]
			}
			out.B[d][j] = v
		}
	}
	return out, nil
}

func diag(v []float64) *mat.Dense {
	n := len(v)
	d := mat.NewDense(n, n, nil)
	for i, x := range v {
		d.Set(i, i, x)
	}
	return d
}

func inverse(v []float64) []float64 {
	out := slices.Clone(v)
	for i := range out {
		out[i] = 1 / out[i]
	}
	return out
}

// Moments returns the mean and covariance (row-major) of x in domain d for
// a linear model (Slope 1): W b_d + c and W A_d A_dᵀ Wᵀ with
// A_d = (I − L_d)⁻¹ S_d.
func (md *Model) Moments(d int) ([]float64, []float64, error) {
	if err := md.check(make([]float64, md.M), d); err != nil {
		return nil, nil, err
	}
	if md.Slope != 1 {
		return nil, nil, fmt.Errorf("%w: Moments needs a linear g (Slope 1)", ErrSettings)
	}
	m := md.M
	IL := mat.NewDense(m, m, nil)
	for j := 0; j < m; j++ {
		IL.Set(j, j, 1)
		for i := 0; i < j; i++ {
			IL.Set(j, i, -md.L[d][j*m+i])
		}
	}
	var A, WA, cov mat.Dense
	if err := A.Solve(IL, diag(md.S[d])); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrSingular, err)
	}
	WA.Mul(mat.NewDense(m, m, md.W), &A)
	cov.Mul(&WA, WA.T())
	mean := make([]float64, m)
	for i := 0; i < m; i++ {
		v := md.C[i]
		for j := 0; j < m; j++ {
			v += md.W[i*m+j] * md.B[d][j]
		}
		mean[i] = v
	}
	return mean, cov.RawMatrix().Data, nil
}

// RandomLinear returns a random linear ILD (Slope 1) with m latents and
// D domains whose mechanisms differ across domains exactly on the nodes in
// intervened: W and every L entry standard normal, S in [0.5, 1.5), biases
// standard normal, and the other nodes' mechanisms (L row, S and the
// intercept b_j − Σ L_ji b_i) shared. It is the spec's test model for
// Theorem 2 ([Canonicalize]).
func RandomLinear(m, D int, intervened []int, rng *rand.Rand) (*Model, error) {
	md, err := New(m, D, 0, Dense, 1)
	if err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, fmt.Errorf("%w: nil rng", ErrSettings)
	}
	isInt := make([]bool, m)
	for _, j := range intervened {
		if j < 0 || j >= m {
			return nil, fmt.Errorf("%w: intervened node %d", ErrSettings, j)
		}
		isInt[j] = true
	}
	for i := range md.W {
		md.W[i] = rng.NormFloat64()
	}
	for j := 0; j < m; j++ {
		for d := 0; d < D; d++ {
			if !isInt[j] && d > 0 {
				copy(md.L[d][j*m:(j+1)*m], md.L[0][j*m:(j+1)*m])
				md.S[d][j] = md.S[0][j]
				md.B[d][j] = md.B[0][j]
				for i := 0; i < j; i++ { // same intercept despite the parents' biases
					md.B[d][j] += md.L[0][j*m+i] * (md.B[d][i] - md.B[0][i])
				}
				continue
			}
			for i := 0; i < j; i++ {
				md.L[d][j*m+i] = rng.NormFloat64()
			}
			md.S[d][j] = 0.5 + rng.Float64()
			md.B[d][j] = rng.NormFloat64()
		}
	}
	return md, md.Validate()
}
