package gpme

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/pde"
)

// Method names, in the order of [Instance.Results].
const (
	// GP is the step-1 Gaussian process alone (latent marginal variances).
	GP = "GP"
	// PC is ProbConserv-GP: the O(n) diagonal update of the GP prediction.
	PC = "GP+ProbConserv"
	// HardC is the Euclidean projection of the GP mean, variance unchanged.
	HardC = "HardC"
	// PCFull is ProbConserv on the full GP posterior covariance.
	PCFull = "GP+ProbConserv(full)"
	// PCDiff is ProbConserv with the second-difference rows stacked before
	// the mass row (diagonal GP input).
	PCDiff = "GP+ProbConserv+diff"
	// Ens is an ensemble of five GPs (length scales 0.7..1.4 × the
	// default) aggregated as a latent mixture, unconstrained.
	Ens = "GPens"
	// PCEns constrains each ensemble member, then aggregates
	// ([pde.AggregateLatent]).
	PCEns = "GPens+ProbConserv"
	// PCNonNeg adds the post-hoc inequality step u ≥ 0
	// ([pde.ProjectNonNegative]) to [PC]; only for NonNegative cases.
	PCNonNeg = "GP+ProbConserv+nonneg"
)

// ensembleScales are the length-scale multipliers of the [Ens] members.
var ensembleScales = []float64{0.7, 0.85, 1, 1.2, 1.4}

// Settings configures [Run]. The zero value is the spec's setting.
type Settings struct {
	// Nodes is the number of uniform prediction nodes. Zero means 201.
	Nodes int
	// Draws is the number of samples for the shock position. Zero means 200.
	Draws int
	// Tensor selects the tensor-grid contexts of the official data.
	Tensor bool
	// Full also runs [PCFull].
	Full bool
	// Diffusion also runs [PCDiff].
	Diffusion bool
	// Latent also runs [Ens] and [PCEns].
	Latent bool
	// NonNeg also runs [PCNonNeg] on the NonNegative cases.
	NonNeg bool
	// GP configures the step-1 model; its length scales are in normalised
	// units (multiplied by T and L). Zero values are the spec's defaults.
	GP pde.GPSettings
}

// Metrics are the spec's per-instance metrics of one method.
type Metrics struct {
	// MSE is the mean squared error over the grid.
	MSE float64
	// CE is the signed conservation error gᵀμ − U(t).
	CE float64
	// LL is the mean Gaussian log-likelihood of the truth.
	LL float64
	// ShockErr is |median sampled front − x*(t)|; NaN if the case has no
	// front or the method was not sampled.
	ShockErr float64
	// Ahead is the trapezoid integral of |mean| over the nodes ahead of
	// the front (x > x*(t)), where the exact solution is 0: the mass a
	// method pushes into the zero region. NaN if the case has no front.
	Ahead float64
}

// Result is one method's prediction on one instance.
type Result struct {
	Method string
	// Mean and Var are the predicted mean and marginal variances.
	Mean, Var []float64
	// Cov is the predicted covariance.
	Cov pde.Covariance
	Metrics
}

// Instance is one run of every method on one context draw.
type Instance struct {
	Case string
	Seed uint64
	// X is the prediction grid and Truth the exact solution on it.
	X, Truth []float64
	// W holds the trapezoid weights of X (the constraint row).
	W []float64
	// Mass is U(TEval).
	Mass float64
	// Results holds GP, PC, then PCNonNeg, HardC, PCFull, PCDiff, Ens and
	// PCEns when enabled; use [Instance.Get].
	Results []Result
}

// Get returns the result of the named method, or false.
func (in *Instance) Get(method string) (Result, bool) {
	for _, r := range in.Results {
		if r.Method == method {
			return r, true
		}
	}
	return Result{}, false
}

// Run fits the GP to contexts drawn with rand.NewPCG(seed, 0), predicts at
// TEval on the grid, applies every method and computes the metrics; shock
// draws use rand.NewPCG(seed, 1), the same stream for every method.
func Run(c Case, seed uint64, s *Settings) (*Instance, error) {
	var o Settings
	if s != nil {
		o = *s
	}
	if o.Nodes == 0 {
		o.Nodes = 201
	}
	if o.Draws == 0 {
		o.Draws = 200
	}
	gs := o.GP
	if gs.LengthT == 0 {
		gs.LengthT = 0.1
	}
	if gs.LengthX == 0 {
		gs.LengthX = 0.1
	}
	gs.LengthT *= c.T
	gs.LengthX *= c.L

	ctx := SampleContexts(c, rand.New(rand.NewPCG(seed, 0)), o.Tensor)
	gp, err := pde.FitGP(ctx.T, ctx.X, ctx.Y, &gs)
	if err != nil {
		return nil, fmt.Errorf("gpme: %s: %w", c.Name, err)
	}
	x, err := pde.UniformGrid(c.X0, c.X0+c.L, o.Nodes)
	if err != nil {
		return nil, err
	}
	w, err := pde.TrapezoidWeights(x)
	if err != nil {
		return nil, err
	}
	t := c.TEval
	in := &Instance{Case: c.Name, Seed: seed, X: x, W: w, Truth: make([]float64, len(x)), Mass: c.Solution.Mass(t)}
	for i, xi := range x {
		in.Truth[i] = c.Solution.U(t, xi)
	}
	mass := pde.MassConstraint(w, in.Mass)
	front, hasFront := c.Solution.Front(t)

	mu, dcov, err := pde.DiagModel{Model: gp}.Predict(t, x)
	if err != nil {
		return nil, err
	}
	d := dcov.(pde.Diagonal)
	add := func(method string, mean, variance []float64, cov pde.Covariance, sample bool) error {
		if variance == nil {
			variance = cov.Diag()
		}
		r := Result{Method: method, Mean: mean, Var: variance, Cov: cov}
		if r.MSE, err = pde.MSE(mean, in.Truth); err != nil {
			return err
		}
		if r.CE, err = pde.ConservationError(mean, w, in.Mass); err != nil {
			return err
		}
		if r.LL, err = pde.GaussianLogLik(in.Truth, mean, r.Var); err != nil {
			return err
		}
		r.ShockErr = math.NaN()
		r.Ahead = math.NaN()
		if hasFront {
			r.Ahead = 0
			for i, xi := range x {
				if xi > front {
					r.Ahead += w[i] * math.Abs(mean[i])
				}
			}
		}
		if sample && hasFront {
			smp, err := pde.NewSampler(cov)
			if err != nil {
				return fmt.Errorf("gpme: %s %s: %w", c.Name, method, err)
			}
			rng := rand.New(rand.NewPCG(seed, 1))
			draws := make([][]float64, o.Draws)
			for k := range draws {
				draws[k] = smp.Sample(nil, mean, rng)
			}
			med, err := pde.MedianShock(x, draws)
			if err != nil {
				return err
			}
			r.ShockErr = math.Abs(med - front)
		}
		in.Results = append(in.Results, r)
		return nil
	}
	if err := add(GP, mu, nil, d, true); err != nil {
		return nil, err
	}
	muPC, covPC, err := pde.ConservationUpdate(mu, d, mass)
	if err != nil {
		return nil, fmt.Errorf("gpme: %s PC: %w", c.Name, err)
	}
	if err := add(PC, muPC, nil, covPC, true); err != nil {
		return nil, err
	}
	if o.NonNeg && c.NonNegative {
		muN, err := pde.ProjectNonNegative(muPC, d, w, in.Mass)
		if err != nil {
			return nil, fmt.Errorf("gpme: %s nonneg: %w", c.Name, err)
		}
		if err := add(PCNonNeg, muN, nil, covPC, false); err != nil {
			return nil, err
		}
	}
	muH, err := pde.ProjectHardC(mu, mass)
	if err != nil {
		return nil, err
	}
	if err := add(HardC, muH, nil, d, true); err != nil {
		return nil, err
	}
	if o.Full {
		_, full, err := gp.Predict(t, x)
		if err != nil {
			return nil, err
		}
		muF, covF, err := pde.ConservationUpdate(mu, full, mass)
		if err != nil {
			return nil, fmt.Errorf("gpme: %s PC full: %w", c.Name, err)
		}
		if err := add(PCFull, muF, nil, covF, false); err != nil {
			return nil, err
		}
	}
	if o.Diffusion {
		diff, err := pde.DiffusionRows(d, pde.DefaultDiffusionAlpha)
		if err != nil {
			return nil, err
		}
		both, err := pde.Stack(diff, mass)
		if err != nil {
			return nil, err
		}
		muD, covD, err := pde.ConservationUpdate(mu, d, both)
		if err != nil {
			return nil, fmt.Errorf("gpme: %s PC diffusion: %w", c.Name, err)
		}
		if err := add(PCDiff, muD, nil, covD, false); err != nil {
			return nil, err
		}
	}
	if o.Latent {
		var ens pde.Ensemble
		for _, f := range ensembleScales {
			es := gs
			es.LengthT *= f
			es.LengthX *= f
			m, err := pde.FitGP(ctx.T, ctx.X, ctx.Y, &es)
			if err != nil {
				return nil, fmt.Errorf("gpme: %s ensemble: %w", c.Name, err)
			}
			ens = append(ens, pde.DiagModel{Model: m})
		}
		mus, covs, err := ens.PredictLatent(t, x)
		if err != nil {
			return nil, err
		}
		plain, err := pde.AggregateLatent(mus, covs, nil)
		if err != nil {
			return nil, err
		}
		if err := add(Ens, plain.Mean, plain.Var, plain.Cov, true); err != nil {
			return nil, err
		}
		agg, err := pde.AggregateLatent(mus, covs, &mass)
		if err != nil {
			return nil, fmt.Errorf("gpme: %s ensemble PC: %w", c.Name, err)
		}
		if err := add(PCEns, agg.Mean, agg.Var, agg.Cov, true); err != nil {
			return nil, err
		}
	}
	return in, nil
}
