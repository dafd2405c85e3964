package main

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/libsvm/sets"
)

// The paper's comparison: AdaSketch-Newton (RK, GV) against the inexact
// SQP of the official code (fixed and adaptive termination tests, GMRES
// inner solves) and the augmented Lagrangian method, all with the paper's
// tolerance 1e-4 and the same outer budget.
const (
	compTol    = 1e-4
	compBudget = 1000 // outer iterations, the same for every method
)

// allMethods are the columns of the comparison, in table order.
var allMethods = []string{"AdaSketch-RK", "AdaSketch-GV", "SQP-GMRES", "AdapSQP-GMRES", "AL-GMRES"}

// compMethods are the methods run: quick mode leaves out the Gaussian
// sketch, whose n row operations per step make it the slowest method here
// (8.6 s on PDE N=3, 9.5 s on the synthetic logistic problem).
func compMethods() []string {
	if *quick {
		return []string{"AdaSketch-RK", "SQP-GMRES", "AdapSQP-GMRES", "AL-GMRES"}
	}
	return allMethods
}

// instance is one problem of the comparison with its start point.
type instance struct {
	name   string
	p      constrained.EqProblem
	x0, l0 []float64
}

// compRun is one method on one instance.
type compRun struct {
	res    constrained.Result
	err    error
	solved bool
}

// evals is the claim's work measure: function (f, c) plus gradient (∇f, G)
// evaluations.
func (r compRun) evals() int { return r.res.FuncEvals + r.res.GradEvals }

// compMaxInner caps the GMRES calls of one baseline KKT or Newton solve:
// 10⁴ in quick mode (a diverging AL subproblem on HS40 otherwise spends
// 10⁵ calls on each of its 100 Newton steps, about 12 s), the official 10⁵
// otherwise. No converging quick-mode run comes near 10⁴ calls.
func compMaxInner() int {
	if *quick {
		return 10000
	}
	return 0
}

func runMethod(method string, in instance) compRun {
	ctx := context.Background()
	rec := progress(in.name + " " + method)
	var r constrained.Result
	var err error
	switch method {
	case "AdaSketch-RK", "AdaSketch-GV":
		var sk constrained.Sketcher = &constrained.RK{}
		if method == "AdaSketch-GV" {
			sk = &constrained.GaussianSketch{}
		}
		r, err = constrained.Solve(ctx, in.p, in.x0, in.l0, &constrained.Settings{
			Tol: compTol, MaxIter: compBudget, Sketcher: sk, Rand: rand.New(rand.NewPCG(1, 0)), Recorder: rec,
		})
	case "SQP-GMRES", "AdapSQP-GMRES":
		r, err = constrained.SolveSQP(ctx, in.p, in.x0, in.l0, &constrained.SQPSettings{
			Adaptive: method == "AdapSQP-GMRES", Tol: compTol, MaxIter: compBudget, MaxInner: compMaxInner(), Recorder: rec,
		})
	default:
		r, err = constrained.SolveAL(ctx, in.p, in.x0, in.l0, &constrained.ALSettings{Tol: compTol, MaxIter: compBudget, MaxInner: compMaxInner(), Recorder: rec})
	}
	return compRun{res: r, err: err, solved: err == nil && r.Status.Success()}
}

// compInstances returns the HS suite, the logistic problems and the PDE
// problem at growing N.
func compInstances() []instance {
	var out []instance
	for _, p := range problems.All() {
		out = append(out, instance{p.Name, p, p.X0, nil})
	}
	syn, err := problems.SyntheticLogistic(rand.New(rand.NewPCG(2023, 0)), 2000, 50, 10)
	if err != nil {
		log.Fatal(err)
	}
	d, m := syn.Dims()
	out = append(out, instance{"logistic-synthetic", syn, problems.Ones(d), problems.Ones(m)})
	names := []string{"australian"}
	if !*quick {
		names = append(names, "mushrooms")
	}
	for _, n := range names {
		ds, err := sets.Load(n)
		if err != nil {
			log.Fatal(err)
		}
		A, b, err := problems.LinearConstraints(rand.New(rand.NewPCG(2023, 1)), 10, ds.X.Cols)
		if err != nil {
			log.Fatal(err)
		}
		p, err := problems.NewLogistic(ds.X, ds.Y, A, b)
		if err != nil {
			log.Fatal(err)
		}
		d, m := p.Dims()
		out = append(out, instance{"logistic-" + n, p, problems.Ones(d), problems.Ones(m)})
	}
	grid := []int{3, 4}
	if !*quick {
		grid = []int{3, 4, 6, 8}
	}
	for _, n := range grid {
		p, err := problems.NewPDE(n)
		if err != nil {
			log.Fatal(err)
		}
		_, m := p.Dims()
		out = append(out, instance{fmt.Sprintf("PDE-N%d", n), p, p.X0(), problems.Ones(m)})
	}
	return out
}

// comparison prints the table, draws the performance profile and adds the
// paper's two claims.
func comparison(w io.Writer, rep *claims.Report) (string, error) {
	insts := compInstances()
	fmt.Fprintf(w, "\n== Comparison with the paper's baselines (tol %g, outer budget %d, GMRES calls per solve %s; f+g = function (f,c) + gradient (grad f, G) evaluations) ==\n",
		compTol, compBudget, map[bool]string{true: "1e4", false: "1e5"}[*quick])
	fmt.Fprintf(w, "%-20s %-14s %6s %7s %9s %12s %10s %9s %s\n", "problem", "method", "outer", "f+g", "inner", "row ops", "KKT", "time", "status")
	runs := map[string][]compRun{}
	methods := compMethods()
	for _, in := range insts {
		for _, meth := range methods {
			if meth == "AdaSketch-GV" && (in.name == "PDE-N6" || in.name == "PDE-N8") {
				// As in the PDE table: the Gaussian sketch hits its inner cap at
				// every step here (PDE N=6: 140 outer steps in 3 min without
				// reaching 1e-4); it counts as unsolved.
				runs[meth] = append(runs[meth], compRun{})
				fmt.Fprintf(w, "%-20s %-14s %s\n", in.name, meth, "not run (inner cap hit every step; counted as unsolved)")
				continue
			}
			r := runMethod(meth, in)
			runs[meth] = append(runs[meth], r)
			status := r.res.Status.String()
			if r.err != nil && !errors.Is(r.err, context.Canceled) {
				status += ": " + shortErr(r.err)
			}
			fmt.Fprintf(w, "%-20s %-14s %6d %7d %9d %12d %10.2e %9v %s\n", in.name, meth, r.res.Iterations, r.evals(),
				r.res.InnerSteps, r.res.RowOps, r.res.KKT, r.res.Elapsed.Round(10*time.Microsecond), status)
		}
	}
	names := make([]string, len(insts))
	for i, in := range insts {
		names[i] = in.name
	}
	compareClaims(w, rep, methods, names, runs)
	return plotProfile(*out, methods, runs, len(insts))
}

// compareClaims prints the solved counts and the median evaluations and
// adds the paper's two claims over the n problems.
func compareClaims(w io.Writer, rep *claims.Report, methods, names []string, runs map[string][]compRun) {
	n := len(names)
	solved := map[string]int{}
	median := map[string]float64{}
	for _, meth := range methods {
		var ev []float64
		for _, r := range runs[meth] {
			if r.solved {
				solved[meth]++
				ev = append(ev, float64(r.evals()))
			} else {
				ev = append(ev, math.Inf(1)) // an unsolved problem costs more than any solved one
			}
		}
		slices.Sort(ev)
		median[meth] = ev[len(ev)/2]
		if len(ev)%2 == 0 {
			median[meth] = (ev[len(ev)/2-1] + ev[len(ev)/2]) / 2
		}
	}
	var counts, meds []string
	for _, meth := range methods {
		counts = append(counts, fmt.Sprintf("%s %d", meth, solved[meth]))
		meds = append(meds, fmt.Sprintf("%s %g", meth, median[meth]))
	}
	fmt.Fprintf(w, "solved of %d: %s\nmedian f+g evaluations (unsolved = Inf): %s\n", n, strings.Join(counts, ", "), strings.Join(meds, ", "))
	baselines := methods[len(methods)-3:]
	beatsCount := func(m string) bool {
		if !slices.Contains(methods, m) {
			return false
		}
		for _, b := range baselines {
			if solved[m] < solved[b] {
				return false
			}
		}
		return true
	}
	beatsMedian := func(m string) bool {
		if !slices.Contains(methods, m) {
			return false
		}
		for _, b := range baselines {
			if !(median[m] < median[b]) {
				return false
			}
		}
		return true
	}
	countOK := beatsCount("AdaSketch-RK") || beatsCount("AdaSketch-GV")
	countMeasured := strings.Join(counts, ", ")
	if !countOK {
		// Say which problems AdaSketch leaves unsolved and why.
		var miss []string
		for i, r := range runs["AdaSketch-RK"] {
			if !r.solved {
				why := r.res.Status.String()
				if r.err != nil {
					why = shortErr(r.err)
				}
				miss = append(miss, fmt.Sprintf("%s after %d outer steps (%s; inner cap hit in %d of them)", names[i], r.res.Iterations, why, r.res.InnerCapHits))
			}
		}
		countMeasured += "; AdaSketch-RK unsolved: " + strings.Join(miss, ", ")
	}
	rep.Add("comparison: problems solved within the same outer budget",
		fmt.Sprintf("AdaSketch-Newton (RK or GV; GV only with -quick=false) solves at least as many problems as each baseline (inexact SQP with GMRES, fixed and adaptive; AL); %d problems: HS suite, constrained logistic, PDE", n),
		countMeasured, countOK)
	medOK := beatsMedian("AdaSketch-RK") || beatsMedian("AdaSketch-GV")
	measured := strings.Join(meds, ", ")
	if !medOK {
		// Where AdaSketch loses, say per problem and why.
		var wins []string
		for _, b := range baselines {
			k := 0
			for i := range n {
				if r := runs["AdaSketch-RK"][i]; r.solved && (!runs[b][i].solved || r.evals() < runs[b][i].evals()) {
					k++
				}
			}
			wins = append(wins, fmt.Sprintf("%s on %d", b, k))
		}
		measured += fmt.Sprintf("; AdaSketch-RK needs fewer evaluations than %s of %d problems. Cause: the exact augmented "+
			"Lagrangian merit needs grad f and G at every trial point (a trial costs one f and one g), the l1 merit of "+
			"the SQP baselines only f and c", strings.Join(wins, ", "), n)
	}
	rep.Add("comparison: median function+gradient evaluations",
		"AdaSketch-Newton (RK or GV) needs fewer function+gradient evaluations than each baseline in the median over the suite (an unsolved problem counts as infinite)",
		measured, medOK)
}

// shortErr returns the first clause of err's message.
func shortErr(err error) string {
	s := err.Error()
	s = strings.TrimPrefix(s, "constrained: ")
	if i := strings.Index(s, ":"); i > 0 {
		s = s[:i]
	}
	return s
}

// plotProfile draws the performance profile of the f+g evaluations: for
// each method, the fraction of problems it solves within a factor tau of
// the best method on that problem.
func plotProfile(dir string, methods []string, runs map[string][]compRun, n int) (string, error) {
	best := make([]float64, n)
	for i := range best {
		best[i] = math.Inf(1)
		for _, meth := range methods {
			if r := runs[meth][i]; r.solved {
				best[i] = math.Min(best[i], float64(r.evals()))
			}
		}
	}
	maxRatio := 2.0
	ratios := map[string][]float64{}
	for _, meth := range methods {
		for i, r := range runs[meth] {
			if r.solved {
				q := float64(r.evals()) / best[i]
				ratios[meth] = append(ratios[meth], q)
				maxRatio = math.Max(maxRatio, q)
			}
		}
		slices.Sort(ratios[meth])
	}
	pl := plot.New()
	pl.Title.Text = "Performance profile: function + gradient evaluations"
	pl.X.Label.Text = "factor tau of the best method (log2 scale)"
	pl.Y.Label.Text = "fraction of problems solved within tau"
	pl.X.Scale = plot.LogScale{}
	pl.X.Tick.Marker = powersOfTwo{}
	pl.Y.Min, pl.Y.Max = 0, 1.05
	pl.X.Min, pl.X.Max = 1, maxRatio*1.1
	pl.Add(plotter.NewGrid())
	colors := []color.RGBA{{200, 30, 30, 255}, {30, 90, 220, 255}, {0, 0, 0, 255}, {20, 150, 60, 255}, {150, 60, 170, 255}}
	for _, meth := range methods {
		k := slices.Index(allMethods, meth)
		var pts plotter.XYs
		frac := 0.0
		pts = append(pts, plotter.XY{X: 1, Y: 0})
		for _, q := range ratios[meth] {
			pts = append(pts, plotter.XY{X: q, Y: frac})
			frac += 1 / float64(n)
			pts = append(pts, plotter.XY{X: q, Y: frac})
		}
		pts = append(pts, plotter.XY{X: maxRatio * 1.1, Y: frac})
		l, err := plotter.NewLine(pts)
		if err != nil {
			return "", err
		}
		l.Color = colors[k]
		l.Width = vg.Points(1.5)
		if k%2 == 1 {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		pl.Add(l)
		pl.Legend.Add(meth, l)
	}
	// Bottom right: every profile has risen there (a method that solves few
	// problems stays low, so the legend sits above the x axis with a gap).
	pl.Legend.Top = false
	pl.Legend.Left = false
	pl.Legend.YOffs = vg.Points(40)
	pl.Legend.Padding = vg.Points(2)
	path := filepath.Join(dir, "adasketch-profile.png")
	return path, pl.Save(7*vg.Inch, 4.5*vg.Inch, path)
}

// powersOfTwo labels a log axis at 1, 2, 4, ...
type powersOfTwo struct{}

// Ticks returns the ticks for [lo, hi].
func (powersOfTwo) Ticks(lo, hi float64) []plot.Tick {
	var t []plot.Tick
	for v := 1.0; v <= hi; v *= 2 {
		if v >= lo {
			t = append(t, plot.Tick{Value: v, Label: fmt.Sprint(v)})
		}
	}
	return t
}

// plotWork draws the PDE work per outer step against the order d+m of the
// KKT system on log-log axes: one dense LU factorisation per step against
// one RK inner solve.
func plotWork(dir string, grid []int, perOuter map[int]map[string]float64) (string, error) {
	pl := plot.New()
	pl.Title.Text = "PDE control: row operations per outer step"
	pl.X.Label.Text = "order of the KKT system d+m = 3N^2"
	pl.Y.Label.Text = "row operations per outer step"
	pl.X.Scale, pl.Y.Scale = plot.LogScale{}, plot.LogScale{}
	pl.X.Tick.Marker, pl.Y.Tick.Marker = plot.LogTicks{}, plot.LogTicks{}
	pl.Add(plotter.NewGrid())
	for k, meth := range []string{"exact", "rk", "sparse-rk"} {
		var pts plotter.XYs
		for _, n := range grid {
			if v, ok := perOuter[n][meth]; ok && v > 0 {
				pts = append(pts, plotter.XY{X: float64(3 * n * n), Y: v})
			}
		}
		l, s, err := plotter.NewLinePoints(pts)
		if err != nil {
			return "", err
		}
		l.Color = []color.RGBA{{0, 0, 0, 255}, {200, 30, 30, 255}, {30, 90, 220, 255}}[k]
		s.Color = l.Color
		pl.Add(l, s)
		pl.Legend.Add(map[string]string{"exact": "exact LU (one dense factorisation)", "rk": "RK sketch, dense K (one inner solve)",
			"sparse-rk": "RK sketch, compressed rows of K"}[meth], l, s)
	}
	pl.Legend.Top = true
	pl.Legend.Left = true
	path := filepath.Join(dir, "adasketch-pde-work.png")
	return path, pl.Save(6*vg.Inch, 4*vg.Inch, path)
}
