package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/pde/anp"
	"github.com/optlearn/optlearn/pde/gpme"
)

// The ANP rows: the paper's own step-1 model (shipped weights, never
// trained here) on the same instances as the GP rows.
const (
	mANP   = "ANP"
	mSoftC = "SoftC-ANP"
	mHardC = "HardC-ANP"
	mPC    = "ProbConserv-ANP"
)

var anpMethods = []string{mANP, mSoftC, mHardC, mPC}

// paperDiffusion is Table 1 of the paper (diffusion equation, t = 0.5):
// CE, LL, MSE per method.
var paperDiffusion = map[string][3]float64{
	mANP:   {4.68e-3, 2.72, 1.71e-4},
	mSoftC: {3.47e-3, 2.40, 2.24e-4},
	mHardC: {0, 3.08, 1.37e-4},
	mPC:    {0, 2.74, 1.55e-4},
}

// anpMetrics are one method's metrics on one instance; Shock is
// |median sampled front - x*| over 200 draws (NaN without a front).
type anpMetrics struct{ MSE, CE, LL, Shock float64 }

// anpCase holds the metrics of every ANP method on the instances of a case.
type anpCase struct {
	c       gpme.Case
	mass    []float64 // U(t) per instance
	results map[string][]anpMetrics
	// first holds instance 0's grid, truth, and mean and variance per method.
	x, truth []float64
	first    map[string]gpme.Result
}

func (a anpCase) mean(method string, f func(anpMetrics) float64) float64 {
	s := 0.0
	for _, r := range a.results[method] {
		s += f(r)
	}
	return s / float64(len(a.results[method]))
}

func aMSE(r anpMetrics) float64   { return r.MSE }
func aCE(r anpMetrics) float64    { return r.CE }
func aAbsCE(r anpMetrics) float64 { return math.Abs(r.CE) }
func aLL(r anpMetrics) float64    { return r.LL }
func aShock(r anpMetrics) float64 { return r.Shock }

// anpEval evaluates the shipped ANP and SoftC-ANP on the instances of
// every case (the same contexts, grid and truth as the GP rows), with
// DefaultDraws latent samples from rand.NewPCG(seed, 2) per instance.
func anpEval(ctx context.Context, all []caseRuns) ([]anpCase, error) {
	models := map[string]*anp.Model{}
	model := func(f anp.Family, softc bool) (*anp.Model, error) {
		key := fmt.Sprint(f, softc)
		if m, ok := models[key]; ok {
			return m, nil
		}
		m, err := anp.Pretrained(f, softc)
		if err != nil {
			return nil, err
		}
		models[key] = m
		return m, nil
	}
	var out []anpCase
	for _, cr := range all {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fam, _, err := anp.FamilyOf(cr.c)
		if err != nil {
			return nil, err
		}
		plainModel, err := model(fam, false)
		if err != nil {
			return nil, err
		}
		softModel, err := model(fam, true)
		if err != nil {
			return nil, err
		}
		ac := anpCase{c: cr.c, results: map[string][]anpMetrics{}, first: map[string]gpme.Result{}}
		for _, in := range cr.ins {
			seed := gpme.InstanceSeed(in.Index)
			cx, err := gpme.SampleContexts(cr.c, rand.New(rand.NewPCG(seed, 0)), false)
			if err != nil {
				return nil, err
			}
			mass := pde.MassConstraint(in.W, in.Mass)
			ac.mass = append(ac.mass, in.Mass)
			predict := func(m *anp.Model) ([][]float64, []pde.Covariance, error) {
				p := &anp.Predictor{Model: m, Case: cr.c, Contexts: cx, Draws: anp.DefaultDraws, Rand: rand.New(rand.NewPCG(seed, 2))}
				return p.PredictLatent(cr.c.TEval, in.X)
			}
			front, hasFront := cr.c.Solution.Front(cr.c.TEval)
			add := func(method string, mean, variance []float64, cov pde.Covariance) error {
				r := anpMetrics{Shock: math.NaN()}
				var err error
				if hasFront {
					smp, err := pde.NewSampler(cov)
					if err != nil {
						return err
					}
					rng := rand.New(rand.NewPCG(seed, 3)) // the same draws for every method
					draws := make([][]float64, 200)
					for k := range draws {
						if draws[k], err = smp.Sample(nil, mean, rng); err != nil {
							return err
						}
					}
					med, err := pde.MedianShock(in.X, draws)
					if err != nil {
						return err
					}
					r.Shock = math.Abs(med - front)
				}
				if r.MSE, err = pde.MSE(mean, in.Truth); err != nil {
					return err
				}
				if r.CE, err = pde.ConservationError(mean, in.W, in.Mass); err != nil {
					return err
				}
				if r.LL, err = pde.GaussianLogLik(in.Truth, mean, variance); err != nil {
					return err
				}
				ac.results[method] = append(ac.results[method], r)
				if in == cr.ins[0] {
					ac.x, ac.truth = in.X, in.Truth
					ac.first[method] = gpme.Result{Method: method, Mean: mean, Var: variance}
				}
				return nil
			}
			mus, covs, err := predict(plainModel)
			if err != nil {
				return nil, err
			}
			plain, err := pde.AggregateLatent(mus, covs, nil)
			if err != nil {
				return nil, err
			}
			pc, err := pde.AggregateLatent(mus, covs, &mass)
			if err != nil {
				return nil, err
			}
			hard, err := pde.ProjectHardC(plain.Mean, mass)
			if err != nil {
				return nil, err
			}
			mus, covs, err = predict(softModel)
			if err != nil {
				return nil, err
			}
			soft, err := pde.AggregateLatent(mus, covs, nil)
			if err != nil {
				return nil, err
			}
			for _, r := range []struct {
				m       string
				mean, v []float64
				cov     pde.Covariance
			}{{mANP, plain.Mean, plain.Var, plain.Cov}, {mSoftC, soft.Mean, soft.Var, soft.Cov}, {mHardC, hard, plain.Var, plain.Cov}, {mPC, pc.Mean, pc.Var, pc.Cov}} {
				if err := add(r.m, r.mean, r.v, r.cov); err != nil {
					return nil, err
				}
			}
		}
		out = append(out, ac)
	}
	return out, nil
}

func anpTable(w io.Writer, all []anpCase) {
	fmt.Fprintf(w, "\nANP step-1 model (shipped weights, %d latent draws), same instances; shock = |median front - x*| over 200 draws\n", anp.DefaultDraws)
	fmt.Fprintln(w, "from each method's covariance (ProbConserv-ANP: the average of the constrained draws' covariances); paper = Table 1 (diffusion)")
	fmt.Fprintf(w, "%-10s %-16s %11s %11s %11s %9s %9s   %-26s\n", "case", "method", "MSE", "CE", "|CE|", "LL", "shock", "paper (MSE, CE, LL)")
	for _, ac := range all {
		for _, m := range anpMethods {
			paper := "-"
			if strings.HasPrefix(ac.c.Name, "Heat") {
				p := paperDiffusion[m]
				paper = fmt.Sprintf("%.3g, %.3g, %.2f", p[2], p[0], p[1])
			}
			shock := "-"
			if v := ac.mean(m, aShock); !math.IsNaN(v) {
				shock = fmt.Sprintf("%.4f", v)
			}
			fmt.Fprintf(w, "%-10s %-16s %11.3e %11.2e %11.2e %9.3f %9s   %-26s\n", ac.c.Name, m,
				ac.mean(m, aMSE), ac.mean(m, aCE), ac.mean(m, aAbsCE), ac.mean(m, aLL), shock, paper)
		}
		fmt.Fprintf(w, "%-10s MSE ratio ProbConserv/ANP %.3f (paper diffusion 0.906), LL ANP %.3f -> ProbConserv %.3f\n", "",
			ac.mean(mPC, aMSE)/ac.mean(mANP, aMSE), ac.mean(mANP, aLL), ac.mean(mPC, aLL))
	}
}

func anpByName(all []anpCase, name string) anpCase {
	for _, a := range all {
		if a.c.Name == name {
			return a
		}
	}
	return anpCase{}
}

// anpClaims adds the acceptance claims of the ANP rows.
func anpClaims(rep *claims.Report, all []anpCase) {
	// Table 1 ordering on the diffusion cases (k = 1 and 5).
	var parts []string
	ok := true
	for _, name := range []string{"Heat1", "Heat5"} {
		a := anpByName(all, name)
		worst := func(m string) float64 {
			w := 0.0
			for i, r := range a.results[m] {
				w = math.Max(w, math.Abs(r.CE)/math.Max(1, math.Abs(a.mass[i])))
			}
			return w
		}
		pcCE, hcCE := worst(mPC), worst(mHardC)
		anpCE, softCE := a.mean(mANP, aAbsCE), a.mean(mSoftC, aAbsCE)
		mseA, mseP := a.mean(mANP, aMSE), a.mean(mPC, aMSE)
		llA, llP := a.mean(mANP, aLL), a.mean(mPC, aLL)
		parts = append(parts, fmt.Sprintf("%s: |CE| PC %.1e HardC %.1e ANP %.2e SoftC %.2e; MSE ANP %.3g -> PC %.3g; LL ANP %.3f -> PC %.3f",
			name, pcCE, hcCE, anpCE, softCE, mseA, mseP, llA, llP))
		ok = ok && pcCE <= 1e-10 && hcCE <= 1e-10 && anpCE > 1e-8 && softCE > 1e-8 && mseP < mseA && llP >= llA
	}
	rep.Add("ANP Table 1 ordering (diffusion)",
		"CE of ProbConserv-ANP and HardC-ANP 0, of ANP 4.68e-3 and SoftC 3.47e-3; MSE ANP 1.71e-4 -> ProbConserv 1.55e-4; LL 2.72 -> 2.74",
		strings.Join(parts, "; "), ok)

	parts, ok = nil, true
	for _, name := range []string{"Stefan0.6", "Stefan0.5", "PME3"} {
		a := anpByName(all, name)
		h, p := a.mean(mHardC, aLL), a.mean(mPC, aLL)
		parts = append(parts, fmt.Sprintf("%s HardC-ANP %.3f vs ProbConserv-ANP %.3f", name, h, p))
		ok = ok && h < p
	}
	rep.Add("HardC-ANP has lower LL than ProbConserv-ANP", "HardC (uniform shift, variance unchanged) hurts the log-likelihood on the harder cases",
		strings.Join(parts, ", "), ok)

	parts, ok = nil, true
	for _, name := range []string{"PME3", "Stefan0.5", "Stefan0.6"} {
		a := anpByName(all, name)
		g, p := a.mean(mANP, aShock), a.mean(mPC, aShock)
		parts = append(parts, fmt.Sprintf("%s ProbConserv-ANP %.4f vs ANP %.4f", name, p, g))
		ok = ok && p < g
	}
	rep.Add("ProbConserv-ANP centres the sampled front", "ProbConserv's sampled shock positions centre on the true front while the ANP's are biased",
		"mean |median front - x*|: "+strings.Join(parts, ", "), ok)

	avg2 := func(a, b string, f func(anpCase) float64) float64 {
		return 0.5 * (f(anpByName(all, a)) + f(anpByName(all, b)))
	}
	ratio := func(a anpCase) float64 { return a.mean(mPC, aMSE) / a.mean(mANP, aMSE) }
	gain := func(a anpCase) float64 { return a.mean(mPC, aLL) - a.mean(mANP, aLL) }
	rHeat, rStefan := avg2("Heat1", "Heat5", ratio), avg2("Stefan0.6", "Stefan0.5", ratio)
	gHeat, gStefan := avg2("Heat1", "Heat5", gain), avg2("Stefan0.6", "Stefan0.5", gain)
	rep.Add("Gain grows with difficulty, ANP step 1 (MSE)", "comparable on diffusion (MSE ratio 0.91), larger gains on Stefan",
		fmt.Sprintf("mean MSE ratio ProbConserv/ANP heat %.3f vs Stefan %.3f", rHeat, rStefan), rStefan < rHeat)
	rep.Add("Gain grows with difficulty, ANP step 1 (LL)", "comparable on easy problems, growing advantage as problems get harder",
		fmt.Sprintf("mean LL gain ProbConserv-ANP heat %+.4f vs Stefan %+.4f", gHeat, gStefan), gStefan > gHeat)
}

// anpFigure plots instance 0 of a case: exact solution, the ANP and
// ProbConserv-ANP means with 95% bands, and the HardC-ANP mean.
func anpFigure(ac anpCase, path string) error {
	return meanFigure(path, fmt.Sprintf("%s, t = %g (instance 0), ANP step 1, 100 latent draws", ac.c.Name, ac.c.TEval), ac.x, ac.truth, []curve{
		{name: "ANP mean (95% band)", r: ac.first[mANP], band: true, col: colStep1},
		{name: "ProbConserv-ANP mean (95% band)", r: ac.first[mPC], band: true, col: colPC},
		{name: "HardC-ANP mean", r: ac.first[mHardC], col: colHardC, dash: true},
	})
}
