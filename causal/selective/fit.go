package selective

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"

	"github.com/optlearn/optlearn/mcmc"
)

// MAP returns the posterior mode of θ by L-BFGS (gonum/optimize) with the
// analytic gradient, from start (nil means zeros with log s = log 2).
func (md *Model) MAP(start []float64) ([]float64, float64, error) {
	d := md.Dim()
	x0 := make([]float64, d)
	if start != nil {
		if len(start) != d {
			return nil, 0, fmt.Errorf("%w: start of length %d, want %d", ErrDimension, len(start), d)
		}
		copy(x0, start)
	} else {
		x0[d-1] = math.Log(2)
	}
	g := make([]float64, d)
	p := optimize.Problem{
		Func: func(x []float64) float64 { return -md.LogProb(g, x) },
		Grad: func(grad, x []float64) {
			md.LogProb(grad, x)
			for i := range grad {
				grad[i] = -grad[i]
			}
		},
	}
	res, err := optimize.Minimize(p, x0, &optimize.Settings{GradientThreshold: 1e-6}, &optimize.LBFGS{})
	if err != nil && res == nil {
		return nil, 0, fmt.Errorf("selective: MAP: %w", err)
	}
	return res.X, -res.F, nil
}

// Laplace returns the covariance of the Laplace approximation at θ̂: the
// inverse of the negative Hessian of the log posterior, by central
// differences of the analytic gradient, symmetrised (with a 1e-8 ridge if
// the Cholesky factorisation fails).
func (md *Model) Laplace(theta []float64) (*mat.SymDense, error) {
	d := md.Dim()
	H := mat.NewDense(d, d, nil)
	gp, gm := make([]float64, d), make([]float64, d)
	x := append([]float64(nil), theta...)
	const h = 1e-5
	for j := 0; j < d; j++ {
		x[j] = theta[j] + h
		md.LogProb(gp, x)
		x[j] = theta[j] - h
		md.LogProb(gm, x)
		x[j] = theta[j]
		for i := 0; i < d; i++ {
			H.Set(i, j, -(gp[i]-gm[i])/(2*h))
		}
	}
	S := mat.NewSymDense(d, nil)
	for i := 0; i < d; i++ {
		for j := i; j < d; j++ {
			S.SetSym(i, j, 0.5*(H.At(i, j)+H.At(j, i)))
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(S) {
		for i := 0; i < d; i++ {
			S.SetSym(i, i, S.At(i, i)+1e-8)
		}
		if !ch.Factorize(S) {
			return nil, fmt.Errorf("%w: the negative Hessian at the mode is not positive definite", ErrData)
		}
	}
	var cov mat.SymDense
	if err := ch.InverseTo(&cov); err != nil {
		return nil, err
	}
	return &cov, nil
}

// sheared is the model in the HMC parameterisation the spec recommends:
// u₀ = β_Y,0 + s/2 (the posterior of s is a long curved ridge along which
// β_Y,0 follows −s/2), the other coordinates unchanged. The shear has unit
// Jacobian.
type sheared struct{ md *Model }

var _ mcmc.LogDensity = sheared{}

func (h sheared) Dim() int { return h.md.Dim() }

func (h sheared) LogProb(grad, u []float64) float64 {
	var buf [2 * maxStack]float64
	var theta []float64
	if len(u) <= len(buf) {
		theta = buf[:len(u)]
	} else {
		theta = make([]float64, len(u))
	}
	copy(theta, u)
	if h.shears() {
		theta[0] = u[0] - 0.5*math.Exp(u[len(u)-1])
	}
	lp := h.md.LogProb(grad, theta)
	// ∂/∂(log s)|_u = ∂/∂(log s)|_θ − (s/2)·∂/∂β_Y,0
	d := len(u) - 1
	if grad != nil && h.shears() {
		grad[d] -= 0.5 * math.Exp(u[d]) * grad[0]
	}
	return lp
}

func (h sheared) shears() bool { return h.md.Noise == Uniform || h.md.FixAlpha > 0 }

func (h sheared) toTheta(u []float64) []float64 {
	theta := append([]float64(nil), u...)
	if h.shears() {
		theta[0] = u[0] - 0.5*math.Exp(u[len(u)-1])
	}
	return theta
}

func (h sheared) toU(theta []float64) []float64 {
	u := append([]float64(nil), theta...)
	if h.shears() {
		u[0] = theta[0] + 0.5*math.Exp(theta[len(theta)-1])
	}
	return u
}

// Posterior holds posterior draws of θ (all chains pooled) and the chains'
// diagnostics.
type Posterior struct {
	// Draws are the pooled draws of θ.
	Draws [][]float64
	// Rhat and ESS are the split-R̂ and bulk ESS per coordinate of θ's
	// sampling parameterisation.
	Rhat, ESS []float64
	// Gradients is the number of gradient evaluations.
	Gradients int64
	// Divergences is the number of divergent kept draws (NUTS only).
	Divergences int
}

// Sample draws from the posterior with sampler (nil means [mcmc.HMC]; or
// [mcmc.NUTS]) in the sheared
// parameterisation, starting chain c at the MAP plus a Laplace-scaled
// jitter drawn from rng, with the Laplace standard deviations as the
// initial mass matrix. s configures the sampler (nil: 4 chains of 1,000
// warm-up and 2,000 kept draws).
func (md *Model) Sample(ctx context.Context, mapTheta []float64, cov *mat.SymDense, sampler mcmc.Sampler, s *mcmc.Settings, rng *rand.Rand) (*Posterior, error) {
	if len(mapTheta) != md.Dim() || cov == nil || rng == nil {
		return nil, fmt.Errorf("%w: MAP point, Laplace covariance and rng are required", ErrDimension)
	}
	h := sheared{md}
	var set mcmc.Settings
	if s != nil {
		set = *s
	}
	set.Chains = cmp.Or(set.Chains, 4)
	d := md.Dim()
	u0 := h.toU(mapTheta)
	scale := make([]float64, d)
	for i := range scale {
		scale[i] = math.Sqrt(cov.At(i, i))
	}
	scale[0] = math.Sqrt(math.Max(cov.At(0, 0)-0.25*cov.At(d-1, d-1), 1e-6)) // u₀ is tighter than β_Y,0
	set.Scale = scale
	starts := make([][]float64, set.Chains)
	for c := range starts {
		starts[c] = make([]float64, d)
		for i := range u0 {
			starts[c][i] = u0[i] + 0.5*scale[i]*rng.NormFloat64()
		}
	}
	if set.Rand == nil {
		set.Rand = rand.New(rand.NewPCG(rng.Uint64(), 0))
	}
	if sampler == nil {
		sampler = mcmc.HMC
	}
	res, err := sampler(ctx, h, starts, &set)
	if err != nil {
		return nil, err
	}
	post := &Posterior{Rhat: mcmc.SplitRhat(res.Chains), ESS: mcmc.BulkESS(res.Chains), Gradients: res.Gradients, Divergences: res.Divergences}
	for _, ch := range res.Chains {
		for _, u := range ch {
			post.Draws = append(post.Draws, h.toTheta(u))
		}
	}
	return post, nil
}
