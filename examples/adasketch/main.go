// Command adasketch reproduces the checks of the AdaSketch-Newton spec
// (Hong, Na, Mahoney, Kolar, ICML 2023, arXiv:2305.18379): the
// Hock–Schittkowski table for the randomized Kaczmarz (RK), Gaussian (GV) and
// exact-LU inner solvers, constrained logistic regression (synthetic and
// LIBSVM), the PDE-constrained control problem at growing grid sizes, and a
// convergence plot (KKT residual against outer iterations).
//
//	go run ./examples/adasketch            # quick (< 60 s)
//	go run ./examples/adasketch -quick=false -seeds 5
//	go run ./examples/adasketch -json      # last line: JSON claims
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/constrained"
	"github.com/optlearn/optlearn/constrained/problems"
	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/run"
)

var (
	quick  = flag.Bool("quick", true, "quick run (< 60 s): 1 seed, small PDE grids, one LIBSVM set")
	asJSON = flag.Bool("json", false, "end the output with one JSON line of claims")
	out    = flag.String("out", filepath.Join(os.TempDir(), "optlearn-adasketch"), "directory for figures")
	nseeds = flag.Int("seeds", 0, "seeds per randomized run; 0 means 1 (quick) or 5")
)

// methods are the three inner solvers, in table order.
var methods = []string{"exact", "rk", "gv"}

func newSketcher(name string) constrained.Sketcher {
	switch name {
	case "rk":
		return &constrained.RK{}
	case "gv":
		return &constrained.GaussianSketch{}
	case "sparse-rk":
		return &constrained.SparseRK{}
	}
	return &constrained.ExactLU{}
}

// outcome is one solve and its trace.
type outcome struct {
	res  constrained.Result
	hist *constrained.History
	err  error
	dur  time.Duration
}

// progress names the run whose progress lines go to stderr (empty: none).
// The lines are printed only without -json.
func progress(name string) constrained.Recorder {
	if *asJSON || name == "" {
		return nil
	}
	return &constrained.Printer{W: os.Stderr, Prefix: name + ": "}
}

func solve(p constrained.EqProblem, x0, l0 []float64, method string, seed uint64, s constrained.Settings, name string) outcome {
	h := &constrained.History{}
	s.Sketcher = newSketcher(method)
	s.Rand = rand.New(rand.NewPCG(seed, 0))
	s.Recorder = run.Tee(h, progress(name))
	start := time.Now()
	r, err := constrained.Solve(context.Background(), p, x0, l0, &s)
	return outcome{res: r, hist: h, err: err, dur: time.Since(start)}
}

// kktTrace returns the KKT residual after each outer iteration.
func kktTrace(h *constrained.History) []float64 {
	return h.Series(func(it *constrained.Iter) float64 { return it.KKT })
}

func maxAbsDiff(a, b []float64) float64 {
	m := 0.0
	for i := range a {
		m = math.Max(m, math.Abs(a[i]-b[i]))
	}
	return m
}

func monotone(h *constrained.History) bool {
	for i := 1; i < h.Len(); i++ {
		a, b := &h.Iters[i-1], &h.Iters[i]
		if b.Mu < a.Mu || b.Nu > a.Nu || b.Delta > a.Delta {
			return false
		}
	}
	return true
}

// unitSteps is spec check 3: the last 3 steps have α = 1 and halve ‖R‖.
func unitSteps(h *constrained.History) bool {
	n := h.Len() - 1
	if n < 3 {
		return false
	}
	for k := n - 2; k <= n; k++ {
		if h.Iters[k].Alpha != 1 || h.Iters[k].KKT > 0.5*h.Iters[k-1].KKT {
			return false
		}
	}
	return true
}

type span struct{ lo, hi int }

func (s *span) add(v int) {
	if s.hi == 0 && s.lo == 0 {
		s.lo, s.hi = v, v
		return
	}
	s.lo, s.hi = min(s.lo, v), max(s.hi, v)
}

func (s span) String() string {
	if s.lo == s.hi {
		return fmt.Sprint(s.lo)
	}
	return fmt.Sprintf("%d-%d", s.lo, s.hi)
}

// curve is one line of the convergence figure.
type curve struct {
	label string
	kkt   []float64
}

func main() {
	flag.Parse()
	log.SetFlags(0)
	seeds := *nseeds
	if seeds <= 0 {
		seeds = 1
		if !*quick {
			seeds = 5
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	rep := &claims.Report{Example: "adasketch"}
	w := os.Stdout
	var figs [][]curve
	var titles []string

	c, t := hsTable(w, rep, seeds)
	figs, titles = append(figs, c), append(titles, t)
	c, t = logistic(w, rep, seeds)
	figs, titles = append(figs, c), append(titles, t)
	c, t, grid, perOuter := pde(w, rep, seeds)
	figs, titles = append(figs, c), append(titles, t)
	profile, err := comparison(w, rep)
	if err != nil {
		log.Fatal(err)
	}

	files, err := plotKKT(*out, titles, figs)
	if err != nil {
		log.Fatal(err)
	}
	work, err := plotWork(*out, grid, perOuter)
	if err != nil {
		log.Fatal(err)
	}
	files = append(files, profile, work)
	fmt.Fprintf(w, "\nfigures (KKT residual vs outer iteration; performance profile; PDE work per step, log-log): %s\n\n", strings.Join(files, " "))
	if err := rep.Write(w, *asJSON); err != nil {
		log.Fatal(err)
	}
}

// hsTable runs the Hock–Schittkowski suite (spec checks 1-4, 7 and HS61).
func hsTable(w io.Writer, rep *claims.Report, seeds int) ([]curve, string) {
	fmt.Fprintf(w, "== Hock–Schittkowski suite (spectral norms, eps 1e-6; degenerate rows eps 1e-4; %d seed(s)) ==\n", seeds)
	fmt.Fprintf(w, "%-5s %-5s %8s %11s %10s %10s %s\n", "prob", "solver", "outer", "inner/run", "|f-f*|", "KKT", "status")
	set := constrained.Settings{Norm: constrained.Spectral}
	ok1, ok2, ok3, ok4 := true, true, true, true
	var it1, it2, fail1 []string
	totalOps := map[string]int64{}
	totalSteps := map[string]int64{}
	totalTime := map[string]time.Duration{}
	var fig []curve
	for _, p := range problems.All() {
		eps, maxIter := 1e-6, 100
		if p.Degenerate {
			eps = 1e-4
			maxIter = map[string]int{"HS26": 50, "HS49": 400}[p.Name]
		}
		set.Tol, set.MaxIter = eps, maxIter
		for _, m := range methods {
			ns := seeds
			if m == "exact" {
				ns = 1
			}
			var outer span
			var inner int64
			var gap, kkt float64
			status := map[string]bool{}
			for s := 1; s <= ns; s++ {
				r := solve(p, p.X0, nil, m, uint64(s), set, "")
				outer.add(r.res.Iterations)
				inner += r.res.InnerSteps
				totalOps[m] += r.res.RowOps
				totalSteps[m] += r.res.InnerSteps
				totalTime[m] += r.dur
				g := math.Abs(r.res.F - p.FStar)
				gap, kkt = math.Max(gap, g), math.Max(kkt, r.res.KKT)
				status[r.res.Status.String()] = true
				conv := r.err == nil && r.res.Status == run.Converged
				if !monotone(r.hist) {
					ok4 = false
				}
				if p.Name == "HS77" && s == 1 {
					fig = append(fig, curve{"HS77 " + m, kktTrace(r.hist)})
				}
				if m == "exact" {
					continue
				}
				if !p.Degenerate {
					if !conv || r.res.KKT > 1e-6 || g > 1e-6*math.Max(1, math.Abs(p.FStar)) || maxAbsDiff(r.res.X, p.XStar) > 1e-4 {
						ok1 = false
						fail1 = append(fail1, fmt.Sprintf("%s/%s/seed%d", p.Name, m, s))
					}
					switch p.Name {
					case "HS40", "HS42", "HS77", "HS79":
						if !unitSteps(r.hist) {
							ok3 = false
						}
					}
				} else if !conv || g > 1e-5 {
					ok2 = false
				}
			}
			var st []string
			for k := range status {
				st = append(st, k)
			}
			fmt.Fprintf(w, "%-5s %-5s %8v %11d %10.2e %10.2e %s\n", p.Name, m, outer, inner/int64(ns), gap, kkt, strings.Join(st, ","))
			if m == "rk" {
				if p.Degenerate {
					it2 = append(it2, fmt.Sprintf("%s %v", p.Name, outer))
				} else {
					it1 = append(it1, fmt.Sprintf("%s %v", p.Name, outer))
				}
			}
		}
	}
	sing, singOK, local, lf := hs61(w, set)

	measured := "RK outer iterations: " + strings.Join(it1, ", ")
	if !ok1 {
		measured += "; failed: " + strings.Join(fail1, " ")
	}
	rep.Add("check1 HS non-degenerate (RK, GV)", "||R||<=1e-6 within 100 outer, |f-f*|<=1e-6 max(1,|f*|), ||x-x*||inf<=1e-4; observed HS6 9, HS7 10, HS27 11-21, HS28 1, HS39 11-14, HS40 4, HS42 5, HS48 1, HS51 1, HS61 4, HS77 9, HS79 4", measured, ok1)
	rep.Add("check2 HS degenerate (eps 1e-4)", "HS26 <= 50 outer, HS49 <= 400 outer, |f-f*| <= 1e-5 (observed 11 and 113-120)", "RK outer: "+strings.Join(it2, ", "), ok2)
	rep.Add("check3 local unit step", "HS40/42/77/79: last 3 steps alpha=1 and ||R_{t+1}|| <= 0.5||R_t||", fmt.Sprintf("all RK/GV runs: %v", ok3), ok3)
	rep.Add("check4 penalty monotonicity + singular Jacobian", "mu non-decreasing, nu and delta non-increasing; failure flag for HS61 from (0,0,0)",
		fmt.Sprintf("monotone in every run: %v; HS61 (0,0,0): %v (singular Jacobian: %v)", ok4, sing.res.Status, singOK), ok4 && singOK)
	rep.Add("HS61 local KKT point from (1,1,1)", "converges to the non-global KKT point f=-81.9191, x=(4.2912,1.7137,2.4829)",
		fmt.Sprintf("f = %.5f for exact, RK, GV: %v", lf, local), local)
	rep.Add("check7 work on the HS suite", "report inner sketch steps and row operations vs one dense LU per outer step; no wall-clock win is claimed on these small dense problems",
		fmt.Sprintf("row ops: exact %d, RK %d, GV %d; inner steps RK %d, GV %d; time exact %v, RK %v, GV %v",
			totalOps["exact"], totalOps["rk"], totalOps["gv"], totalSteps["rk"], totalSteps["gv"],
			totalTime["exact"].Round(time.Millisecond), totalTime["rk"].Round(time.Millisecond), totalTime["gv"].Round(time.Millisecond)),
		totalOps["exact"] < totalOps["rk"] && totalOps["exact"] < totalOps["gv"])
	return fig, "HS77 (d=5, m=2)"
}

// hs61 runs HS61 from the rank-deficient start (0, 0, 0), where the run
// must fail with a singular Jacobian, and from (1, 1, 1), where every solver
// must reach the non-global KKT point.
func hs61(w io.Writer, set constrained.Settings) (sing outcome, singOK, local bool, lf float64) {
	p := problems.HS61()
	set.Tol, set.MaxIter = 1e-6, 100
	sing = solve(p, []float64{0, 0, 0}, nil, "rk", 1, set, "")
	singOK = errors.Is(sing.err, constrained.ErrSingularJacobian)
	local = true
	for _, m := range methods {
		r := solve(p, []float64{1, 1, 1}, nil, m, 1, set, "")
		lf = r.res.F
		if r.err != nil || math.Abs(r.res.F-problems.HS61LocalF) > 1e-4 || maxAbsDiff(r.res.X, problems.HS61LocalX) > 1e-4 {
			local = false
		}
	}
	fmt.Fprintf(w, "HS61 from (0,0,0): %v\nHS61 from (1,1,1): f = %.6f (local KKT point)\n", sing.err, lf)
	return sing, singOK, local, lf
}

// logistic runs the synthetic instance (spec check 6) and LIBSVM sets.
func logistic(w io.Writer, rep *claims.Report, seeds int) ([]curve, string) {
	fmt.Fprintf(w, "\n== Constrained logistic regression (Ax=b with 10 rows, ||x||^2=1; x0=l0=ones; eps 1e-4) ==\n")
	fmt.Fprintf(w, "%-12s %-5s %5s %6s %10s %12s %10s %9s %s\n", "data", "solver", "d", "outer", "inner", "f", "|f-fexact|", "time", "status")
	// Frobenius norms here (the official code's): an eigendecomposition of
	// K per outer step would dominate on the larger LIBSVM sets.
	set := constrained.Settings{MaxIter: 200, Norm: constrained.Frobenius}
	type inst struct {
		name string
		p    *problems.Logistic
	}
	syn, err := problems.SyntheticLogistic(rand.New(rand.NewPCG(2023, 0)), 2000, 50, 10)
	if err != nil {
		log.Fatal(err)
	}
	insts := []inst{{"synthetic", syn}}
	names := []string{"australian"}
	if !*quick {
		names = append(names, "mushrooms", "a9a")
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
		insts = append(insts, inst{n, p})
	}
	var fig []curve
	for k, in := range insts {
		d, m := in.p.Dims()
		ok := true
		var its []string
		var maxGap float64
		var fexact float64
		for _, meth := range methods {
			ns := seeds
			if meth == "exact" {
				ns = 1
			}
			if meth == "gv" && k > 0 {
				if *quick {
					continue
				}
				ns = 1 // one Gaussian-sketch run per LIBSVM set (cost)
			}
			for s := 1; s <= ns; s++ {
				r := solve(in.p, problems.Ones(d), problems.Ones(m), meth, uint64(s), set, fmt.Sprintf("%s %s seed %d", in.name, meth, s))
				if meth == "exact" {
					fexact = r.res.F
				}
				gap := math.Abs(r.res.F - fexact)
				c := make([]float64, m)
				in.p.Cons(c, r.res.X)
				viol := 0.0
				for _, v := range c {
					viol = math.Max(viol, math.Abs(v))
				}
				tolGap := 1e-6 // spec check 6
				if k > 0 {
					tolGap = 1e-4 * math.Max(1, math.Abs(fexact)) // LIBSVM: our criterion, see the claim
				}
				if r.err != nil || viol > 1e-4 || gap > tolGap {
					ok = false
				}
				if meth != "exact" {
					maxGap = math.Max(maxGap, gap)
				}
				its = append(its, fmt.Sprintf("%s %d", meth, r.res.Iterations))
				fmt.Fprintf(w, "%-12s %-5s %5d %6d %10d %12.8f %10.2e %9v %v\n", in.name, meth, d, r.res.Iterations, r.res.InnerSteps, r.res.F, gap, r.dur.Round(time.Millisecond), r.res.Status)
				if k == 0 && s == 1 {
					fig = append(fig, curve{"logistic " + meth, kktTrace(r.hist)})
				}
			}
		}
		if k == 0 {
			rep.Add("check6 synthetic logistic (N=2000, d=50)", "eps 1e-4 within 200 outer, ||Ax-b||inf and |‖x‖²-1| <= 1e-4, objective matches the exact-LU run within 1e-6 (observed exact 7, RK 25, GV 29 outer; gaps 7e-8)",
				fmt.Sprintf("outer: %s; max gap %.1e", strings.Join(its, ", "), maxGap), ok)
		} else {
			rep.Add("LIBSVM "+in.name+" logistic", "the paper solves this problem on LIBSVM sets (no numbers retrieved); criterion here: eps 1e-4 within 200 outer, feasibility <= 1e-4, objective within 1e-4 (relative) of the exact-LU run",
				fmt.Sprintf("outer: %s; max gap %.1e", strings.Join(its, ", "), maxGap), ok)
		}
	}
	return fig, "synthetic logistic (d=50, m=11)"
}

// cost is the work of one PDE run (the first seed).
type cost struct {
	perOuter   float64
	total      int64
	dur        time.Duration
	conv       bool
	iters      int
	caps       int
	kkt        float64
	innerSolve int
}

// pde runs the PDE-constrained control problem: spec check 5 at N=3, 4 and
// the work comparison at growing N.
func pde(w io.Writer, rep *claims.Report, seeds int) ([]curve, string, []int, map[int]map[string]float64) {
	fmt.Fprintf(w, "\n== PDE-constrained control, eps 1e-6, x0 = l0 = ones (row op = one length-(d+m) dot/axpy) ==\n")
	fmt.Fprintf(w, "%3s %5s %5s %-5s %6s %10s %12s %13s %10s %9s %s\n", "N", "d", "m", "solver", "outer", "inner", "row ops", "row ops/outer", "xerr", "time", "status")
	limits := map[string]int{"exact": 3, "rk": 40, "gv": 400}
	ok5 := true
	var c5 []string
	var fig []curve
	costs := map[int]map[string]cost{}
	grid := []int{3, 4, 6, 8, 12, 16, 20}
	if !*quick {
		grid = []int{3, 4, 6, 8, 12, 16, 20, 24, 28}
	}
	for _, n := range grid {
		p, err := problems.NewPDE(n)
		if err != nil {
			log.Fatal(err)
		}
		xref, _, _, err := p.Solution()
		if err != nil {
			log.Fatal(err)
		}
		d, m := p.Dims()
		costs[n] = map[string]cost{}
		for _, meth := range methods {
			ns, maxIter := 1, 200
			if n <= 4 {
				maxIter = limits[meth] // spec check 5 limits
			}
			switch {
			case meth == "gv" && (n > 4 || (n == 4 && *quick)):
				continue // GV hits its inner cap every step: 264 outer steps already at N=4
			case meth == "rk" && n == 8 && !*quick:
				maxIter = 200 // show that RK stalls at the inner cap
			case meth == "rk" && n >= 8:
				// RK does not reach 1e-6 here (see the report); 3 outer steps measure
				// the cost of one capped inner solve.
				maxIter = 3
			case n == 4 && meth == "gv":
				ns = 1 // 264 capped inner solves of 1e5 steps: minutes per seed
			case n <= 4 && meth != "exact":
				ns = seeds
			}
			for s := 1; s <= ns; s++ {
				// Frobenius norms (the official code's): at N=28 an
				// eigendecomposition of K (d+m=2352) per step would dominate.
				r := solve(p, p.X0(), problems.Ones(m), meth, uint64(s), constrained.Settings{Tol: 1e-6, MaxIter: maxIter, Norm: constrained.Frobenius},
					fmt.Sprintf("PDE N=%d %s seed %d", n, meth, s))
				xerr := maxAbsDiff(r.res.X, xref)
				conv := r.res.Status == run.Converged
				if s == 1 {
					costs[n][meth] = cost{float64(r.res.RowOps) / math.Max(1, float64(r.res.Iterations)), r.res.RowOps, r.dur, conv,
						r.res.Iterations, r.res.InnerCapHits, r.res.KKT, r.res.Iterations + r.res.Retries}
				}
				fmt.Fprintf(w, "%3d %5d %5d %-5s %6d %10d %12d %13.0f %10.1e %9v %v\n", n, d, m, meth, r.res.Iterations, r.res.InnerSteps, r.res.RowOps,
					float64(r.res.RowOps)/math.Max(1, float64(r.res.Iterations)), xerr, r.dur.Round(time.Millisecond), r.res.Status)
				if n <= 4 {
					if !conv || r.res.KKT > 1e-6 || xerr > 1e-5 || r.res.Iterations > limits[meth] {
						ok5 = false
					}
					if s == 1 {
						c5 = append(c5, fmt.Sprintf("N=%d %s %d", n, meth, r.res.Iterations))
					}
				}
				if n == 4 && s == 1 && meth != "gv" {
					fig = append(fig, curve{"PDE N=4 " + meth, kktTrace(r.hist)})
				}
			}
		}
		costs[n]["sparse-rk"] = sparseRow(w, p, xref, n)
	}
	rep.Add("check5 PDE N=3,4", "||R||<=1e-6, ||x-x_ref||inf<=1e-5 (optimal objective 9.644442 and 17.651377); outer exact <= 3, RK <= 40, GV <= 400 (observed 2/4/53 and 2/15/267)",
		strings.Join(c5, ", ")+map[bool]string{true: "", false: " (GV at N=4 only with -quick=false)"}[!*quick], ok5)

	sparseReport(w, grid, costs)
	pdeWork(rep, grid, costs)
	perOuter := map[int]map[string]float64{}
	for n, c := range costs {
		perOuter[n] = map[string]float64{}
		for meth, v := range c {
			perOuter[n][meth] = v.perOuter
		}
	}
	return fig, "PDE N=4 (d=32, m=16)", grid, perOuter
}

// sparseRow runs RK on a compressed-row K (SparseRK) under the RK rules of
// the table (3 outer steps for N >= 8) and prints its row. It is reported,
// not asserted: the issue asks where sketching pays in rows touched.
func sparseRow(w io.Writer, p *problems.PDE, xref []float64, n int) cost {
	d, m := p.Dims()
	maxIter := 40 // spec check 5's RK limit
	switch {
	case n >= 8:
		maxIter = 3
	case n > 4:
		maxIter = 200
	}
	r := solve(p, p.X0(), problems.Ones(m), "sparse-rk", 1, constrained.Settings{Tol: 1e-6, MaxIter: maxIter, Norm: constrained.Frobenius},
		fmt.Sprintf("PDE N=%d sparse-rk", n))
	per := float64(r.res.RowOps) / math.Max(1, float64(r.res.Iterations))
	fmt.Fprintf(w, "%3d %5d %5d %-5s %6d %10d %12d %13.0f %10.1e %9v %v\n", n, d, m, "srk", r.res.Iterations, r.res.InnerSteps, r.res.RowOps,
		per, maxAbsDiff(r.res.X, xref), r.dur.Round(time.Millisecond), r.res.Status)
	return cost{per, r.res.RowOps, r.dur, r.res.Status == run.Converged, r.res.Iterations, r.res.InnerCapHits, r.res.KKT, r.res.Iterations + r.res.Retries}
}

// sparseReport prints, for each grid, the sparse RK work against one dense
// LU solve: per outer step, and in total where it converged.
func sparseReport(w io.Writer, grid []int, costs map[int]map[string]cost) {
	fmt.Fprintf(w, "sparse RK (srk: K in compressed rows, a step touches nnz(K_i) <= 7 entries) against dense LU, row operations:\n")
	for _, n := range grid {
		c, lu := costs[n]["sparse-rk"], costs[n]["exact"]
		line := fmt.Sprintf("  N=%d (d+m=%d): per outer step %.3g vs LU %.3g", n, 3*n*n, c.perOuter, lu.perOuter)
		if c.conv {
			line += fmt.Sprintf("; to ||R||<=1e-6: %d vs %d (%d vs %d outer steps)", c.total, lu.total, c.iters, lu.iters)
		} else {
			line += fmt.Sprintf(" (not converged in %d steps; inner cap hit %d times)", c.iters, c.caps)
		}
		fmt.Fprintln(w, line)
	}
}

// pdeWork adds the two work claims of the PDE problem: row operations per
// outer step and total work to convergence, RK against exact LU.
func pdeWork(rep *claims.Report, grid []int, costs map[int]map[string]cost) {
	// Per-iteration cost: one capped RK inner solve against one dense LU.
	big := grid[len(grid)-1]
	cb := costs[big]
	var cross string
	for _, n := range grid {
		if costs[n]["rk"].perOuter < costs[n]["exact"].perOuter {
			cross = fmt.Sprintf("RK's row ops per outer step drop below LU's from N=%d (d+m=%d)", n, 3*n*n)
			break
		}
	}
	if cross == "" {
		cross = "RK's row ops per outer step stay above LU's on every grid"
	}
	rep.Add("PDE per-iteration cost at growing N", "sketching makes each outer iteration cheaper than a dense LU solve when the KKT system is large",
		fmt.Sprintf("%s; at N=%d: RK %.3g vs LU %.3g row ops per outer step (time %v vs %v per step)", cross, big,
			cb["rk"].perOuter, cb["exact"].perOuter, (cb["rk"].dur/3).Round(time.Millisecond), cb["exact"].dur.Round(time.Millisecond)),
		cb["rk"].perOuter < cb["exact"].perOuter)
	var conv, stall []string
	for _, n := range grid {
		if c, ok := costs[n]["rk"]; ok && c.conv {
			conv = append(conv, fmt.Sprintf("N=%d: RK %d vs LU %d row ops, %v vs %v", n, c.total, costs[n]["exact"].total, c.dur.Round(time.Millisecond), costs[n]["exact"].dur.Round(time.Millisecond)))
		} else if ok {
			stall = append(stall, fmt.Sprint(n))
		}
	}
	stallNote := "N=" + strings.Join(stall, ",") + " ran 3 outer steps only (cost measurement)"
	if c8 := costs[8]["rk"]; !*quick {
		stallNote = fmt.Sprintf("RK did not converge at N=%s (N=8: %d outer steps end at KKT %.2g, the inner cap hit in %d of %d inner solves; larger N: 3 steps for cost)",
			strings.Join(stall, ","), c8.iters, c8.kkt, c8.caps, c8.innerSolve)
	}
	win := false
	for _, n := range grid {
		if c := costs[n]["rk"]; c.conv && c.total < costs[n]["exact"].total {
			win = true
		}
	}
	rep.Add("PDE total work to ||R||<=1e-6", "spec: find where sketching starts to win against exact-LU Newton, or show honestly that it does not",
		fmt.Sprintf("exact-LU Newton needs %d outer step(s) (the problem is linear-quadratic); RK converged: %s; %s; %s",
			costs[big]["exact"].total/max(1, int64(costs[big]["exact"].perOuter)), strings.Join(conv, "; "), stallNote,
			map[bool]string{true: "RK's total work is lower on some grid", false: "sketching does not win on any grid"}[win]),
		len(conv) > 0)
}

// plotKKT draws one figure per problem: KKT residual (log scale) against
// outer iterations, one line per inner solver. It returns the file names.
func plotKKT(dir string, titles []string, figs [][]curve) ([]string, error) {
	colors := map[string]color.RGBA{"exact": {0, 0, 0, 255}, "rk": {200, 30, 30, 255}, "gv": {30, 90, 220, 255}}
	var files []string
	for i, f := range figs {
		pl := plot.New()
		pl.Title.Text = "AdaSketch-Newton: " + titles[i]
		pl.X.Label.Text = "outer iteration"
		pl.Y.Label.Text = "KKT residual ||R||"
		pl.Y.Scale = plot.LogScale{}
		pl.Y.Tick.Marker = decades{}
		pl.Add(plotter.NewGrid())
		for _, c := range f {
			pts := make(plotter.XYs, len(c.kkt))
			for k, v := range c.kkt {
				pts[k] = plotter.XY{X: float64(k), Y: math.Max(v, 1e-16)}
			}
			l, err := plotter.NewLine(pts)
			if err != nil {
				return nil, err
			}
			meth := c.label[strings.LastIndex(c.label, " ")+1:]
			l.Color = colors[meth]
			l.Width = vg.Points(1.5)
			switch meth { // the curves often coincide: dash them apart
			case "gv":
				l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
			case "exact":
				l.Width = vg.Points(3)
			}
			pl.Add(l)
			pl.Legend.Add(meth, l)
		}
		pl.Legend.Top = true
		path := filepath.Join(dir, fmt.Sprintf("adasketch-kkt-%d.png", i+1))
		if err := pl.Save(6*vg.Inch, 4*vg.Inch, path); err != nil {
			return nil, err
		}
		files = append(files, path)
	}
	return files, nil
}

// decades labels a log axis at powers of ten (every other one when the
// range spans more than eight decades).
type decades struct{}

// Ticks returns the ticks for [lo, hi].
func (decades) Ticks(lo, hi float64) []plot.Tick {
	a, b := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	step := 1.0
	if b-a > 8 {
		step = 2
	}
	var t []plot.Tick
	for e := a; e <= b; e++ {
		v := math.Pow(10, e)
		if v < lo || v > hi {
			continue
		}
		label := ""
		if math.Mod(e-a, step) == 0 {
			label = fmt.Sprintf("1e%d", int(e))
		}
		t = append(t, plot.Tick{Value: v, Label: label})
	}
	return t
}
