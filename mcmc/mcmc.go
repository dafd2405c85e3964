package mcmc

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
)

// LogDensity is an unnormalised log-density with its gradient: what the
// samplers of this package need from a model.
type LogDensity interface {
	// Dim returns the dimension of x.
	Dim() int
	// LogProb returns log p(x) (up to a constant) and writes ∇ log p(x)
	// into grad (of length Dim). It returns −Inf outside the support.
	LogProb(grad, x []float64) float64
}

// Errors.
var (
	// ErrSettings: a setting is out of range.
	ErrSettings = errors.New("mcmc: invalid settings")
	// ErrDimension: a start point of the wrong length.
	ErrDimension = errors.New("mcmc: dimension mismatch")
	// ErrNotFinite: the log-density is not finite at a start point.
	ErrNotFinite = errors.New("mcmc: log-density not finite at the start")
	// ErrPanic: the log-density panicked inside a chain goroutine.
	ErrPanic = errors.New("mcmc: the log-density panicked")
)

// Settings configures [HMC] and [RWM]. The zero value runs 4 chains of
// 1,000 warm-up and 2,000 kept draws.
type Settings struct {
	// Chains is the number of chains, run in parallel goroutines. Zero
	// means 4.
	Chains int
	// Warmup is the number of adaptation draws per chain (not kept). Zero
	// means 1000.
	Warmup int
	// Draws is the number of kept draws per chain. Zero means 2000.
	Draws int
	// TargetAccept is the acceptance rate the step size is adapted to.
	// Zero means 0.8 for HMC and 0.234 for RWM.
	TargetAccept float64
	// MaxSteps caps the leapfrog steps of one HMC trajectory; each draw
	// uses a uniform number in [1, MaxSteps] (jittered path length). Zero
	// means 32.
	MaxSteps int
	// MaxDepth caps a NUTS trajectory at 2^MaxDepth − 1 leapfrog steps.
	// Zero means 10, as in Stan.
	MaxDepth int
	// Rand seeds the chains: one stream per chain drawn in chain order, so
	// results do not depend on GOMAXPROCS. Nil means rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
	// Scale is the initial per-coordinate scale (standard deviations) for
	// the mass matrix or the proposal; nil means ones. The diagonal is
	// re-estimated from the warm-up draws.
	Scale []float64
	// DenseMass makes [HMC] estimate a dense inverse mass matrix (the
	// covariance of each warm-up window, shrunk toward 1e-3·I as Stan
	// does) instead of its diagonal. It helps when coordinates are strongly
	// correlated, where a diagonal metric forces a step size fit to the
	// narrowest direction; each leapfrog step then costs O(Dim²) beyond the
	// gradient. RWM ignores it.
	DenseMass bool
}

// Result holds the kept draws.
type Result struct {
	// Chains[c][t] is draw t of chain c (a slice of length Dim).
	Chains [][][]float64
	// AcceptRate is the mean acceptance probability of the kept draws.
	AcceptRate float64
	// StepSize is each chain's adapted step size.
	StepSize []float64
	// Gradients counts gradient evaluations over all chains.
	Gradients int64
	// Divergences counts the kept [NUTS] draws whose trajectory diverged
	// (energy error above 1000): many of them mean the step size is too
	// large for a region of the posterior and its draws are biased.
	Divergences int
}

func (s *Settings) defaults(hmc bool) (Settings, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	c.Chains = cmp.Or(c.Chains, 4)
	c.Warmup = cmp.Or(c.Warmup, 1000)
	c.Draws = cmp.Or(c.Draws, 2000)
	if c.TargetAccept == 0 {
		c.TargetAccept = 0.8
		if !hmc {
			c.TargetAccept = 0.234
		}
	}
	c.MaxSteps = cmp.Or(c.MaxSteps, 32)
	c.MaxDepth = cmp.Or(c.MaxDepth, 10)
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(1, 0))
	}
	if c.Chains < 1 || c.Warmup < 0 || c.Draws < 1 || !(c.TargetAccept > 0 && c.TargetAccept < 1) || c.MaxSteps < 1 || c.MaxDepth < 1 || c.MaxDepth > 30 {
		return c, fmt.Errorf("%w: Chains %d, Warmup %d, Draws %d, TargetAccept %v, MaxSteps %d, MaxDepth %d", ErrSettings, c.Chains, c.Warmup, c.Draws, c.TargetAccept, c.MaxSteps, c.MaxDepth)
	}
	return c, nil
}

// Sampler is the signature of [HMC], [NUTS] and [RWM], for code that lets
// its caller choose the sampler.
type Sampler func(ctx context.Context, p LogDensity, starts [][]float64, s *Settings) (Result, error)

var (
	_ Sampler = HMC
	_ Sampler = NUTS
	_ Sampler = RWM
)

// chainFunc runs one chain from x0 with its own stream.
type chainFunc func(ctx context.Context, p LogDensity, x0 []float64, set Settings, rng *rand.Rand) (draws [][]float64, accept, step float64, grads int64, divergent int, err error)

// run starts the chains in parallel goroutines (recovering panics), from
// starts[c] (or starts[0] for every chain when there is one start).
func run(ctx context.Context, p LogDensity, starts [][]float64, s *Settings, hmc bool, f chainFunc) (Result, error) {
	set, err := s.defaults(hmc)
	if err != nil {
		return Result{}, err
	}
	if p == nil || len(starts) == 0 {
		return Result{}, fmt.Errorf("%w: nil density or no start", ErrSettings)
	}
	d := p.Dim()
	if set.Scale != nil && len(set.Scale) != d {
		return Result{}, fmt.Errorf("%w: Scale has %d entries, dimension %d", ErrDimension, len(set.Scale), d)
	}
	g := make([]float64, d)
	for _, x := range starts {
		if len(x) != d {
			return Result{}, fmt.Errorf("%w: start of length %d, dimension %d", ErrDimension, len(x), d)
		}
		if lp := p.LogProb(g, x); math.IsNaN(lp) || math.IsInf(lp, 0) {
			return Result{}, fmt.Errorf("%w: log p = %v", ErrNotFinite, lp)
		}
	}
	seeds := make([]uint64, set.Chains)
	for c := range seeds {
		seeds[c] = set.Rand.Uint64()
	}
	res := Result{Chains: make([][][]float64, set.Chains), StepSize: make([]float64, set.Chains)}
	acc := make([]float64, set.Chains)
	grads := make([]int64, set.Chains)
	div := make([]int, set.Chains)
	errs := make([]error, set.Chains)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for c := 0; c < set.Chains; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
				defer func() { <-sem }()
			case <-ctx.Done():
				errs[c] = ctx.Err()
				return
			}
			defer func() {
				if r := recover(); r != nil {
					errs[c] = fmt.Errorf("%w: chain %d: %v", ErrPanic, c, r)
				}
			}()
			x0 := starts[0]
			if len(starts) > c {
				x0 = starts[c]
			}
			res.Chains[c], acc[c], res.StepSize[c], grads[c], div[c], errs[c] = f(ctx, p, append([]float64(nil), x0...), set, rand.New(rand.NewPCG(seeds[c], uint64(c))))
		}()
	}
	wg.Wait()
	for c := range errs {
		if errs[c] != nil {
			return Result{}, errs[c]
		}
		res.AcceptRate += acc[c] / float64(set.Chains)
		res.Gradients += grads[c]
		res.Divergences += div[c]
	}
	return res, nil
}

// HMC samples p by Hamiltonian Monte Carlo with a diagonal mass matrix
// and jittered path lengths: each draw integrates a uniform number of
// leapfrog steps in [1, MaxSteps] and accepts by Metropolis. During
// warm-up the step size is adapted by dual averaging (Hoffman and Gelman,
// 2014) to TargetAccept, and the inverse mass matrix is set to the
// variances of the second quarter and half of the warm-up draws (two
// windows; the step size is re-tuned after each). Chains start at
// starts[c] (or all at starts[0]). ctx is checked every draw. It returns
// an error wrapping [ErrSettings], [ErrDimension] or [ErrNotFinite] for
// bad input, [ErrPanic] if p panicked, and the context's error.
func HMC(ctx context.Context, p LogDensity, starts [][]float64, s *Settings) (Result, error) {
	return run(ctx, p, starts, s, true, hmcChain)
}

func hmcChain(ctx context.Context, p LogDensity, x []float64, set Settings, rng *rand.Rand) ([][]float64, float64, float64, int64, int, error) {
	d := p.Dim()
	met := newMetric(set, d)
	g := make([]float64, d)
	lp := p.LogProb(g, x)
	var grads int64 = 1
	xn, gn, mom, vel := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	eps := findStep(p, x, g, lp, met, rng)
	da := newDual(eps, set.TargetAccept)
	var draws [][]float64
	accSum := 0.0
	w := newWindows(set.Warmup)
	for it := 0; it < set.Warmup+set.Draws; it++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, 0, 0, err
		}
		met.momentum(mom, rng)
		h0 := -lp + met.kinetic(mom)
		copy(xn, x)
		copy(gn, g)
		lpn := lp
		steps := 1 + rng.IntN(set.MaxSteps)
		for k := 0; k < steps && !math.IsInf(lpn, -1); k++ {
			for i := range mom {
				mom[i] += 0.5 * eps * gn[i]
			}
			met.drift(xn, vel, mom, eps)
			lpn = p.LogProb(gn, xn)
			grads++
			for i := range mom {
				mom[i] += 0.5 * eps * gn[i]
			}
		}
		acc := 0.0
		if h1 := -lpn + met.kinetic(mom); !math.IsNaN(h1) && !math.IsInf(lpn, 0) {
			acc = math.Min(1, math.Exp(h0-h1))
		}
		if rng.Float64() < acc {
			copy(x, xn)
			copy(g, gn)
			lp = lpn
		}
		if it < set.Warmup {
			eps = da.update(acc)
			if w.add(it, x, met) {
				eps = findStep(p, x, g, lp, met, rng)
				da = newDual(eps, set.TargetAccept)
			}
			if it == set.Warmup-1 {
				eps = da.final()
			}
			continue
		}
		accSum += acc
		draws = append(draws, append([]float64(nil), x...))
	}
	return draws, accSum / float64(set.Draws), eps, grads, 0, nil
}

// windows collects the warm-up draws of the two metric windows,
// [W/4, W/2) and [W/2, 7W/8), as Stan's slow adaptation does in spirit
// (two windows instead of doubling ones).
type windows struct {
	w1, w2, w3 int
	win        [][]float64
}

func newWindows(warmup int) *windows {
	return &windows{w1: warmup / 4, w2: warmup / 2, w3: 7 * warmup / 8}
}

// add records draw x of warm-up iteration it and, at the end of a window,
// re-estimates met from it and reports true (the step size is to be
// re-tuned).
func (w *windows) add(it int, x []float64, met metric) bool {
	if it >= w.w1 && it < w.w3 {
		w.win = append(w.win, append([]float64(nil), x...))
	}
	if it != w.w2-1 && it != w.w3-1 {
		return false
	}
	if len(w.win) > 10 {
		met.estimate(w.win)
	}
	w.win = w.win[:0]
	return true
}

func kinetic(mom, minv []float64) float64 {
	k := 0.0
	for i, m := range mom {
		k += 0.5 * m * m * minv[i]
	}
	return k
}

// setVariances sets minv to the regularised sample variances of the
// window (shrunk toward 1e-3 as Stan does for small windows).
func setVariances(minv []float64, win [][]float64) {
	n := float64(len(win))
	for i := range minv {
		mean, sq := 0.0, 0.0
		for _, w := range win {
			mean += w[i]
		}
		mean /= n
		for _, w := range win {
			sq += (w[i] - mean) * (w[i] - mean)
		}
		v := sq / (n - 1)
		minv[i] = (n/(n+5))*v + 1e-3*(5/(n+5))
	}
}

// findStep doubles or halves a step size until one leapfrog step's
// acceptance crosses 1/2 (Hoffman and Gelman's heuristic).
func findStep(p LogDensity, x, g []float64, lp float64, met metric, rng *rand.Rand) float64 {
	d := len(x)
	eps := 0.1
	xn, gn, mom, vel := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	accept := func() float64 {
		met.momentum(mom, rng)
		h0 := -lp + met.kinetic(mom)
		for i := range mom {
			mom[i] += 0.5 * eps * g[i]
		}
		copy(xn, x)
		met.drift(xn, vel, mom, eps)
		lpn := p.LogProb(gn, xn)
		for i := range mom {
			mom[i] += 0.5 * eps * gn[i]
		}
		h1 := -lpn + met.kinetic(mom)
		if math.IsNaN(h1) || math.IsInf(h1, 0) {
			return 0
		}
		return math.Min(1, math.Exp(h0-h1))
	}
	up := accept() > 0.5
	for k := 0; k < 50; k++ {
		a := accept()
		if up && a <= 0.5 || !up && a > 0.5 {
			break
		}
		if up {
			eps *= 2
		} else {
			eps /= 2
		}
	}
	return eps
}

// dual is Nesterov dual averaging of log ε (Hoffman and Gelman 2014, §3.2).
type dual struct {
	mu, hbar, logEps, logEpsBar, target float64
	t                                   int
}

func newDual(eps, target float64) *dual {
	return &dual{mu: math.Log(10 * eps), logEps: math.Log(eps), target: target}
}

func (d *dual) update(acc float64) float64 {
	const gamma, t0, kappa = 0.05, 10, 0.75
	d.t++
	t := float64(d.t)
	d.hbar = (1-1/(t+t0))*d.hbar + (d.target-acc)/(t+t0)
	d.logEps = d.mu - math.Sqrt(t)/gamma*d.hbar
	eta := math.Pow(t, -kappa)
	d.logEpsBar = eta*d.logEps + (1-eta)*d.logEpsBar
	return math.Exp(d.logEps)
}

func (d *dual) final() float64 { return math.Exp(d.logEpsBar) }

// RWM samples p by random-walk Metropolis with a Gaussian proposal of
// per-coordinate scales Scale, times a factor adapted during warm-up to
// TargetAccept. It does not use the gradient. It mixes poorly on curved or
// strongly correlated posteriors (a long ridge takes a random walk the
// length of the ridge); it is here as the simple generic sampler, and for
// comparison. Errors are those of [HMC].
func RWM(ctx context.Context, p LogDensity, starts [][]float64, s *Settings) (Result, error) {
	return run(ctx, p, starts, s, false, rwmChain)
}

func rwmChain(ctx context.Context, p LogDensity, x []float64, set Settings, rng *rand.Rand) ([][]float64, float64, float64, int64, int, error) {
	d := p.Dim()
	scale := make([]float64, d)
	for i := range scale {
		scale[i] = 1
		if set.Scale != nil {
			scale[i] = set.Scale[i]
		}
	}
	g := make([]float64, d)
	lp := p.LogProb(g, x)
	logF := math.Log(2.38 / math.Sqrt(float64(d)))
	xn := make([]float64, d)
	var draws [][]float64
	accSum := 0.0
	for it := 0; it < set.Warmup+set.Draws; it++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, 0, 0, err
		}
		f := math.Exp(logF)
		for i := range xn {
			xn[i] = x[i] + f*scale[i]*rng.NormFloat64()
		}
		lpn := p.LogProb(g, xn)
		acc := 0.0
		if !math.IsNaN(lpn) && !math.IsInf(lpn, -1) {
			acc = math.Min(1, math.Exp(lpn-lp))
		}
		if rng.Float64() < acc {
			copy(x, xn)
			lp = lpn
		}
		if it < set.Warmup {
			logF += (acc - set.TargetAccept) / math.Sqrt(float64(it+1))
		} else {
			accSum += acc
			draws = append(draws, append([]float64(nil), x...))
		}
	}
	return draws, accSum / float64(set.Draws), math.Exp(logF), 0, 0, nil
}
