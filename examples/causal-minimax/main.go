// Command causal-minimax reproduces "Which Invariance Should We Transfer? A
// Causal Minimax Learning Approach" (Liu et al., ICML 2023) with package
// causal: P1, a one-mutable-variable model with known answers, and P2, the
// paper's 11-node simulator (Sec. 6.1). Beside the paper's gradient ascent
// (a lower bound of the worst-case risk) it runs the library's Search
// estimator, which reaches the worst case the ascent misses.
//
//	go run ./examples/causal-minimax            # quick (< 60 s)
//	go run ./examples/causal-minimax -only p1   # one problem
//	go run ./examples/causal-minimax -quick=false -json
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/optlearn/optlearn/causal"
	"github.com/optlearn/optlearn/causal/problems"
	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/run"
)

// report collects the claims checked by the run.
var report = claims.Report{Example: "causal-minimax"}

func addClaim(name, paper, measured string, pass bool) {
	report.Add(name, paper, measured, pass)
}

func main() {
	quick := flag.Bool("quick", true, "small budget (< 60 s)")
	asJSON := flag.Bool("json", false, "print the claims as one JSON object on the last line")
	out := flag.String("out", filepath.Join(os.TempDir(), "optlearn-causal-minimax"), "directory for figures")
	seed := flag.Uint64("seed", 1, "random seed")
	only := flag.String("only", "", "run only \"p1\" or \"p2\" (default both)")
	flag.Parse()
	ctx := context.Background()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	if !*asJSON {
		progress = progressPrinter()
	}
	if *only != "p2" {
		t0 := time.Now()
		runP1(ctx, *quick, *seed)
		fmt.Printf("[P1: %.1f s]\n\n", time.Since(t0).Seconds())
	}
	if *only != "p1" {
		t0 := time.Now()
		runP2(ctx, *quick, *seed, *out)
		fmt.Printf("[P2: %.1f s]\n", time.Since(t0).Seconds())
	}
	if err := report.Write(os.Stdout, *asJSON); err != nil {
		log.Fatal(err)
	}
}

// progress receives the states of every worst-case risk run (nil with
// -json).
var progress causal.Recorder

// progressPrinter returns a Recorder that writes one progress line to
// stderr at most every 2 s across all risk runs: a run.Printer fed each
// run's iterations with the time since the program started.
func progressPrinter() causal.Recorder {
	pr := &causal.Printer{W: os.Stderr, Prefix: "causal-minimax: "}
	start := time.Now()
	return run.RecorderFunc[*causal.RiskIter](func(it *causal.RiskIter) error {
		if it.Event != run.Iteration {
			return nil
		}
		c := *it
		c.Elapsed, c.MaxIter = time.Since(start), 0
		return pr.Record(&c)
	})
}

// P1 learners: the official structural-equation MLP (one sigmoid unit for
// X1's two parents) and ridge on 100 random Fourier features
// (median-distance bandwidth) for the stable predictors (the spec allows
// an MLP or RFF ridge for f).
func p1Equation() causal.Learner  { return causal.NewEquationLearner() }
func p1Predictor() causal.Learner { return causal.NewRFFLearner(100, 0, 1e-4, false) }

func runP1(ctx context.Context, quick bool, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 0))
	var envs []*mat.Dense
	for _, g := range problems.P1TrainGains {
		envs = append(envs, problems.P1Env(g, 2000, rng))
	}
	g := problems.P1Graph()
	data := causal.Data{Vars: problems.P1Vars, Envs: envs}
	// The ascent uses the spec's settings (J = 3·tanh(MLP), hidden
	// max(2, |PA_M|/2) = 2, Adam 0.02, <= 10,000 steps, early stop after
	// 100 calm records, 3 restarts); quick mode evaluates it on 400 of the
	// 10,000 training rows.
	gridRows, ascRows, gridPoints := 0, 0, 61
	if quick {
		gridRows, ascRows, gridPoints = 2000, 400, 31
	}
	// The grid averages 10 resampled X1 residuals inside the max, like the
	// spec's Bayes reference (A2), and the do(W) sample carries resampled
	// residuals too (DoNoise): f_{X1} is then trained on data with X1's
	// noise, as the reference f is.
	grid := func(B float64) causal.RiskSettings {
		return causal.RiskSettings{Method: causal.Grid, Bound: B, Rows: gridRows, NoiseDraws: 10, GridPoints: gridPoints, Recorder: progress, Rand: rng}
	}
	ascent := causal.RiskSettings{Method: causal.Ascent, Bound: 3, Rows: ascRows, Recorder: progress, Rand: rng}
	// The library's Search estimator on the same rows budget as the
	// ascent, with the grid's noise draws (it estimates the same quantity
	// as the grid) and a short polish. Every call gets a fresh stream with
	// the same seed, so that both candidates are assessed on the same rows
	// and noise draws (common random numbers: their h* differ by 0.02 on
	// all 10,000 rows, less than the Monte-Carlo error of independent row
	// subsets), and the paper's figures above and below are those of the
	// run without it.
	// Full mode evaluates Search on all rows, like the grid it is compared
	// with (on 2,000 rows the Monte-Carlo error, about 0.03, is comparable
	// to the 5% margin of the claim), with 64 units per J and a 200-step
	// polish: with 32 units and 60 steps it reached 0.942 of the grid on
	// all rows; on 2,000 rows 64 units and 200 steps reach 0.971 of the
	// row-wise supremum against 0.956.
	searchIter, searchRestarts, searchHidden := 200, 1, 64
	if quick {
		searchIter, searchRestarts, searchHidden = 100, 1, 0
	}
	search := func(B float64) causal.RiskSettings {
		return causal.RiskSettings{Method: causal.Search, Bound: B, Rows: ascRows, NoiseDraws: 10, GridPoints: gridPoints,
			MaxIter: searchIter, Patience: 20, Restarts: searchRestarts, Hidden: searchHidden, Recorder: progress, Rand: rand.New(rand.NewPCG(seed, 3))}
	}
	set := &causal.Settings{Predictor: p1Predictor(), Equation: p1Equation(), Risk: grid(3), DoNoise: true, Rand: rng}
	sel3, err := causal.SelectSubset(ctx, g, "Y", "E", data, set)
	if err != nil {
		log.Fatal(err)
	}
	m := sel3.Model
	fmt.Println("P1: Y ~ N(0,1), M = g_e·Y + N(0,1) (mutable), X1 = tanh(Y+M) + N(0,0.1²); train g_e ∈ {-2,-1,0,1,2} × 2000")
	fmt.Printf("components: XM=%v XS=%v XM0=%v K=%v W=%v DeW=%v IsFullSet=%v\n",
		g.NameSet(m.C.XM), g.NameSet(m.C.XS), g.NameSet(m.C.XM0), g.NameSet(m.C.K), g.NameSet(m.C.W), g.NameSet(m.C.DeW), m.C.IsFullSet)

	type row struct {
		name               string
		grid3, asc3, grid1 float64
		search3, search1   causal.RiskResult
		tAsc, tSearch      time.Duration
		mse0, mseM1, mse1  float64
		asc3runs           []float64
		asc                causal.RiskResult
		grid3res           causal.RiskResult
	}
	var rows []row
	fresh := map[float64]*mat.Dense{0: problems.P1Env(0, 5000, rng), -1: problems.P1Env(-1, 5000, rng), 1: problems.P1Env(1, 5000, rng)}
	g1 := grid(1)
	for _, c := range sel3.Candidates {
		r := row{name: causal.SubsetString(c.Names), grid3: c.Risk.Risk, grid3res: c.Risk}
		t0 := time.Now()
		a, err := m.WorstCaseRisk(ctx, c.Predictor, &ascent)
		if err != nil {
			log.Fatal(err)
		}
		r.tAsc = time.Since(t0)
		r.asc3, r.asc3runs, r.asc = a.Risk, a.PerRestart, a
		b1, err := m.WorstCaseRisk(ctx, c.Predictor, &g1)
		if err != nil {
			log.Fatal(err)
		}
		r.grid1 = b1.Risk
		for _, B := range []float64{3, 1} {
			ss := search(B)
			t0 := time.Now()
			sr, err := m.WorstCaseRisk(ctx, c.Predictor, &ss)
			if err != nil {
				log.Fatal(err)
			}
			if B == 3 {
				r.search3, r.tSearch = sr, time.Since(t0)
			} else {
				r.search1 = sr
			}
		}
		r.mse0, _ = c.Predictor.MSE(fresh[0])
		r.mseM1, _ = c.Predictor.MSE(fresh[-1])
		r.mse1, _ = c.Predictor.MSE(fresh[1])
		rows = append(rows, r)
	}
	// Bayes-optimal reference (A2) with the true mechanism and noise.
	bayes := problems.NewP1Bayes()
	ids, _ := g.IDs("Y", "M", "X1")
	noise := make([]float64, 2000)
	for i := range noise {
		noise[i] = problems.P1NoiseX1 * rng.NormFloat64()
	}
	mTrue, err := causal.NewModel(ctx, g, "Y", "E", data, &causal.Settings{Equation: causal.NewRidgeLearner(0), Rand: rng})
	if err != nil {
		log.Fatal(err)
	}
	mTrue.SetEquation(ids[2], problems.P1TrueX1{}, []int64{ids[0], ids[1]}, noise)
	pb, _ := mTrue.WrapPredictor([]int64{ids[2]}, bayes)
	bayesRisk := map[float64]float64{}
	for _, B := range []float64{1, 3} {
		r, err := mTrue.WorstCaseRisk(ctx, pb, &causal.RiskSettings{Method: causal.Grid, Bound: B, NoiseDraws: 10, Rand: rng})
		if err != nil {
			log.Fatal(err)
		}
		bayesRisk[B] = r.Risk
	}

	fmt.Println("\nP1 candidates (learned pipeline: official MLP equation, RFF ridge predictors on 10,000 do-samples)")
	fmt.Printf("%-6s %10s %12s %12s %10s %12s | %8s %8s %8s\n", "S'", "grid B=3", "ascent B=3", "search B=3", "grid B=1", "search B=1", "MSE g=0", "g=-1", "g=1")
	for _, r := range rows {
		fmt.Printf("%-6s %10.3f %12.3f %12.3f %10.3f %12.3f | %8.3f %8.3f %8.3f\n", r.name, r.grid3, r.asc3, r.search3.Risk, r.grid1, r.search1.Risk, r.mse0, r.mseM1, r.mse1)
	}
	fmt.Println("wall time per h* at B=3 (ascent on", rowsText(ascRows, m.Rows()), "noise-free; search on", rowsText(search(3).Rows, m.Rows()), "with 10 noise draws):")
	for _, r := range rows {
		fmt.Printf("  %-6s ascent %v, search %v\n", r.name, r.tAsc.Round(10*time.Millisecond), r.tSearch.Round(10*time.Millisecond))
	}
	fmt.Printf("Bayes-optimal f_{X1} (true mechanism, noise inside the max): grid h* = %.3f (B=3), %.3f (B=1); paper-spec reference 1.13, 0.29\n", bayesRisk[3], bayesRisk[1])

	var empty, x1 row
	for _, r := range rows {
		if r.name == "{}" {
			empty = r
		} else {
			x1 = r
		}
	}
	// S* at B = 1: argmin of the B = 1 grid risks over the same candidates
	// (same fitted pipeline; ties to the earlier candidate, as SelectSubset).
	best1 := rows[0]
	for _, r := range rows[1:] {
		if r.grid1 < best1.grid1 {
			best1 = r
		}
	}
	fmt.Printf("S* (grid, B=3) = %s   S* (grid, B=1) = %s\n", causal.SubsetString(sel3.Best.Names), best1.name)
	// S* with Search: argmin of its h* over the same candidates.
	sBest3, sBest1 := rows[0], rows[0]
	for _, r := range rows[1:] {
		if r.search3.Risk < sBest3.search3.Risk {
			sBest3 = r
		}
		if r.search1.Risk < sBest1.search1.Risk {
			sBest1 = r
		}
	}
	fmt.Printf("S* (search, B=3) = %s   S* (search, B=1) = %s\n", sBest3.name, sBest1.name)
	printInterventions(m, x1.grid3res, x1.asc, x1.search3)

	addClaim("P1 A1 components",
		"XM={M}, XS={X1}, XM0={M}, K={X1}, W={M}, DeW={X1}, IsFullSet=false, classes {} and {X1}",
		fmt.Sprintf("XM=%v K=%v W=%v DeW=%v full=%v, %d classes", g.NameSet(m.C.XM), g.NameSet(m.C.K), g.NameSet(m.C.W), g.NameSet(m.C.DeW), m.C.IsFullSet, len(sel3.Candidates)),
		slices.Equal(g.NameSet(m.C.K), []string{"X1"}) && slices.Equal(g.NameSet(m.C.W), []string{"M"}) && !m.C.IsFullSet && len(sel3.Candidates) == 2)
	addClaim("P1 A2 Bayes-optimal grid h*({X1})",
		"1.13 in [1.10,1.16] for B=3; 0.29 in [0.27,0.31] for B=1",
		fmt.Sprintf("%.3f (B=3), %.3f (B=1)", bayesRisk[3], bayesRisk[1]),
		bayesRisk[3] >= 1.10 && bayesRisk[3] <= 1.16 && bayesRisk[1] >= 0.27 && bayesRisk[1] <= 0.31)
	addClaim("P1 A3 h*({}) ~ Var(Y)",
		"h*({}) in [0.95, 1.05]",
		fmt.Sprintf("grid %.3f on %s; ascent %.3f on %s", empty.grid3, rowsText(gridRows, m.Rows()), empty.asc3, rowsText(ascRows, m.Rows())),
		empty.grid3 >= 0.95 && empty.grid3 <= 1.05)
	// Monte-Carlo error of a comparison between two estimates on different
	// random rows: three combined standard errors.
	mc := func(a, b causal.RiskResult) float64 { return 3 * math.Hypot(a.StdErr, b.StdErr) }
	addClaim("P1 A3 paper's ascent is a lower bound, B=3",
		"ascent h*({X1}) <= grid h*({X1}) + MC error (3 combined std. errors)",
		fmt.Sprintf("%.3f <= %.3f + %.3f (restarts %.3f; %s: a local maximum of J, table above)",
			x1.asc3, x1.grid3, mc(x1.asc, x1.grid3res), x1.asc3runs, describeIntervention(m, x1.asc)),
		x1.asc3 <= x1.grid3+mc(x1.asc, x1.grid3res))
	addClaim("P1 A3 search h*({X1}) B=3",
		">= 0.95 x grid h*({X1}) and <= grid + MC error",
		fmt.Sprintf("%.3f = %.3f x grid %.3f (MC error %.3f; row-wise sup %.3f)", x1.search3.Risk, x1.search3.Risk/x1.grid3, x1.grid3, mc(x1.search3, x1.grid3res), x1.search3.RowSup),
		x1.search3.Risk >= 0.95*x1.grid3 && x1.search3.Risk <= x1.grid3+mc(x1.search3, x1.grid3res))
	addClaim("P1 A3 S* with search",
		"S* = {} at B=3 and {X1} at B=1 (as the grid)",
		fmt.Sprintf("B=3: %s (h* %.3f vs %.3f); B=1: %s (h* %.3f vs %.3f)", sBest3.name, empty.search3.Risk, x1.search3.Risk, sBest1.name, empty.search1.Risk, x1.search1.Risk),
		sBest3.name == "{}" && sBest1.name == "{X1}")
	addClaim("P1 A3 grid h*({X1}) B=3",
		"in [1.03, 1.25]",
		fmt.Sprintf("%.3f", x1.grid3),
		x1.grid3 >= 1.03 && x1.grid3 <= 1.25)
	addClaim("P1 A3 S* with grid, B=3",
		"S* = {} (the whole stable set is not minimax)",
		causal.SubsetString(sel3.Best.Names), len(sel3.Best.Subset) == 0)
	addClaim("P1 A3 B=1",
		"grid h*({X1}) <= 0.4 and S* = {X1}",
		fmt.Sprintf("grid h*({X1}) = %.3f, S* = %s", x1.grid1, best1.name),
		x1.grid1 <= 0.4 && best1.name == "{X1}")
	addClaim("P1 A4 trade-off",
		"f_{X1} MSE < 0.3 at g_e=0 and g_e=-1 (Bayes 0.167, 0.216; 0.485 at g_e=1)",
		fmt.Sprintf("%.3f, %.3f (%.3f at g_e=1); f_{} %.3f", x1.mse0, x1.mseM1, x1.mse1, empty.mse0),
		x1.mse0 < 0.3 && x1.mseM1 < 0.3)
}

// printInterventions tabulates, for f_{X1} at B = 3, the grid's worst-case
// value of M (mean per bin of Y) beside the ascent's intervention
// 3·tanh(J(Y)) and Search's clip(J(Y), ±3) at the bin centre: the ascent
// is a local search over J and can stop at a constant intervention while
// the pointwise worst case switches sign three times.
func printInterventions(m *causal.Model, grid, asc, search causal.RiskResult) {
	yCol := m.Column(m.C.Y)
	mv := m.C.XM[0]
	edges := []float64{math.Inf(-1), -1.75, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75, math.Inf(1)}
	sum := make([]float64, len(edges)-1)
	cnt := make([]int, len(edges)-1)
	for k, i := range grid.Rows {
		for b := range sum {
			if yCol[i] >= edges[b] && yCol[i] < edges[b+1] {
				sum[b] += grid.GridArgMax[k]
				cnt[b]++
			}
		}
	}
	fmt.Println("worst-case M for f_{X1} (B=3) by bin of Y: grid argmax (mean over rows) vs ascent 3·tanh(J(Y)) and search clip(J(Y))")
	fmt.Printf("%-14s %10s %10s %10s\n", "Y bin", "grid", "ascent", "search")
	for b := range sum {
		c := (edges[b] + edges[b+1]) / 2
		switch {
		case b == 0:
			c = edges[1] - 0.5
		case b == len(sum)-1:
			c = edges[b] + 0.5
		}
		fmt.Printf("[%5.2f,%5.2f) %10.2f %10.2f %10.2f\n", edges[b], edges[b+1], sum[b]/float64(max(1, cnt[b])), asc.Intervene(mv, []float64{c}), search.Intervene(mv, []float64{c}))
	}
}

// rowsText describes a Rows setting (0: all n rows).
func rowsText(rows, n int) string {
	if rows == 0 || rows >= n {
		return fmt.Sprintf("all %d rows", n)
	}
	return fmt.Sprintf("%d of %d rows", rows, n)
}

// describeIntervention says whether the ascent's intervention on the one
// mutable variable is constant over the training range of Y.
func describeIntervention(m *causal.Model, asc causal.RiskResult) string {
	mv := m.C.XM[0]
	lo, hi := math.Inf(1), math.Inf(-1)
	for y := -3.0; y <= 3; y += 0.05 {
		v := asc.Intervene(mv, []float64{y})
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	if hi-lo < 0.05 {
		return fmt.Sprintf("found M := %.2f for all Y", (lo+hi)/2)
	}
	return fmt.Sprintf("found M in [%.2f, %.2f] over Y in [-3, 3]", lo, hi)
}

func maxMSE(p *causal.Predictor, envs []*mat.Dense) float64 {
	worst := math.Inf(-1)
	for _, e := range envs {
		v, err := p.MSE(e)
		if err != nil {
			log.Fatal(err)
		}
		worst = math.Max(worst, v)
	}
	return worst
}

func runP2(ctx context.Context, quick bool, seed uint64, out string) {
	rng := rand.New(rand.NewPCG(seed, 1))
	g := problems.P2Graph()
	splits, perEnv := 5, 100
	var tAsc, tSearch riskTimer
	risk := causal.RiskSettings{Method: causal.Ascent, Bound: 3, Rows: 450, MaxIter: 800, Patience: 20, Restarts: 2, Recorder: run.Tee(progress, causal.Recorder(&tAsc))}
	if quick {
		// The spec's A6 is an average over splits: quick mode keeps two
		// splits and halves the rows of each ascent instead.
		splits = 2
		risk.Restarts, risk.MaxIter, risk.Rows = 1, 400, 225
	}
	// The library's Search beside the paper's ascent: same rows budget,
	// noise-free regeneration like the ascent, a 31-point row search over
	// each of the two mutable variables (two coordinate sweeps) and a
	// shorter polish; every candidate of a split is assessed on the same
	// rows (a fresh stream with one seed per split).
	search := causal.RiskSettings{Method: causal.Search, Bound: 3, Rows: risk.Rows, GridPoints: 31, MaxIter: 200, Patience: 20, Restarts: risk.Restarts, Recorder: run.Tee(progress, causal.Recorder(&tSearch))}
	if quick {
		search.MaxIter = 60
	}
	var rhosS, selWorstS, selWorstS2 []float64
	var chosenS []string
	all := make([]*mat.Dense, 20)
	for e := 1; e <= 20; e++ {
		all[e-1] = problems.P2Env(e, perEnv, rng)
	}
	// Small MLPs trained with gorgonia (package nn), as the official code:
	// f_{S'} with 12 sigmoid units, the official equation learner.
	learn := causal.NewMLPLearner([]int{12}, &nn.TrainSettings{Epochs: 30, BatchSize: 128, LR: 0.02})
	eq := causal.NewEquationLearner()
	set := &causal.Settings{Predictor: learn, Equation: eq, Risk: risk, Rand: rng}
	type agg struct {
		name             string
		h, worst, worst2 []float64
	}
	byRep := map[string]*agg{}
	var order []string
	var rhos []float64
	var selWorst, fullWorst, poolWorst, selWorst2, fullWorst2, poolWorst2 []float64
	var scatterH, scatterW []float64
	var chosen []string
	for sp := 0; sp < splits; sp++ {
		perm := rng.Perm(20)
		var train, test, testTS []*mat.Dense
		for _, k := range perm[:10] {
			train = append(train, all[k])
		}
		mean, std := must2(causal.Moments(train))
		var trainS []*mat.Dense
		for _, X := range train {
			trainS = append(trainS, must(causal.Standardize(X, mean, std)))
		}
		for _, k := range perm[10:] {
			mu, sd := must2(causal.Moments([]*mat.Dense{all[k]}))
			test = append(test, must(causal.Standardize(all[k], mu, sd))) // official: own statistics
			testTS = append(testTS, must(causal.Standardize(all[k], mean, std)))
		}
		data := causal.Data{Vars: problems.P2Vars, Envs: trainS}
		sel, err := causal.SelectSubset(ctx, g, "Y", "E", data, set)
		if err != nil {
			log.Fatal(err)
		}
		var hs, ws, hsS []float64
		bestS := -1
		for k, c := range sel.Candidates {
			ss := search
			ss.Rand = rand.New(rand.NewPCG(seed, 100+uint64(sp)))
			sr, err := sel.Model.WorstCaseRisk(ctx, c.Predictor, &ss)
			if err != nil {
				log.Fatal(err)
			}
			hsS = append(hsS, sr.Risk)
			if bestS < 0 || sr.Risk < hsS[bestS] {
				bestS = k
			}
			name := causal.SubsetString(c.Names)
			a := byRep[name]
			if a == nil {
				a = &agg{name: name}
				byRep[name] = a
				order = append(order, name)
			}
			w := maxMSE(c.Predictor, test)
			a.h = append(a.h, c.Risk.Risk)
			a.worst = append(a.worst, w)
			a.worst2 = append(a.worst2, maxMSE(c.Predictor, testTS))
			hs = append(hs, c.Risk.Risk)
			ws = append(ws, w)
		}
		scatterH = append(scatterH, hs...)
		scatterW = append(scatterW, ws...)
		rho := claims.Spearman(hs, ws)
		rhos = append(rhos, rho)
		rhosS = append(rhosS, claims.Spearman(hsS, ws))
		bs := sel.Candidates[bestS]
		chosenS = append(chosenS, causal.SubsetString(bs.Names))
		selWorstS = append(selWorstS, maxMSE(bs.Predictor, test))
		selWorstS2 = append(selWorstS2, maxMSE(bs.Predictor, testTS))
		chosen = append(chosen, causal.SubsetString(sel.Best.Names))
		selWorst = append(selWorst, maxMSE(sel.Best.Predictor, test))
		selWorst2 = append(selWorst2, maxMSE(sel.Best.Predictor, testTS))
		full, err := sel.Model.FitPredictor(ctx, sel.Model.C.XS, &causal.PredictorSettings{Learner: learn, Rand: rng})
		if err != nil {
			log.Fatal(err)
		}
		fullWorst = append(fullWorst, maxMSE(full, test))
		fullWorst2 = append(fullWorst2, maxMSE(full, testTS))
		// Pooled least squares on all ten covariates.
		pw, pw2 := pooledLS(trainS, test), pooledLS(trainS, testTS)
		poolWorst = append(poolWorst, pw)
		poolWorst2 = append(poolWorst2, pw2)
		fmt.Printf("P2 split %d: %d candidates, Spearman(h*, max test MSE) = %.3f, S* = %s; with search %.3f, S* = %s\n", sp+1, len(sel.Candidates), rho, chosen[sp], rhosS[sp], chosenS[sp])
	}
	fmt.Printf("\nP2 representatives ranked by mean estimated h* (ascent, B=%v, %d restart(s), %d rows; MLP predictors and equations)\n", risk.Bound, risk.Restarts, risk.Rows)
	fmt.Println("max test MSE: test envs standardised with their own statistics, as the official code; [train-stat]: with the training statistics")
	fmt.Printf("%-22s %8s %12s %12s\n", "S'", "h*", "max testMSE", "[train-stat]")
	sort.SliceStable(order, func(a, b int) bool { return stat.Mean(byRep[order[a]].h, nil) < stat.Mean(byRep[order[b]].h, nil) })
	for i, name := range order {
		a := byRep[name]
		if quick && i >= 15 && i < len(order)-3 {
			if i == 15 {
				fmt.Println("  ...")
			}
			continue
		}
		fmt.Printf("%-22s %8.3f %12.3f %12.3f\n", a.name, stat.Mean(a.h, nil), stat.Mean(a.worst, nil), stat.Mean(a.worst2, nil))
	}
	ms, mf, mp := stat.Mean(selWorst, nil), stat.Mean(fullWorst, nil), stat.Mean(poolWorst, nil)
	fmt.Printf("\nmax test MSE averaged over %d split(s): selected %.3f, whole stable set X1..X8 %.3f, pooled least squares (all X) %.3f\n", splits, ms, mf, mp)
	fmt.Printf("with train-stat standardisation:             selected %.3f, whole stable set %.3f, pooled LS %.3f\n",
		stat.Mean(selWorst2, nil), stat.Mean(fullWorst2, nil), stat.Mean(poolWorst2, nil))
	if err := scatter(filepath.Join(out, "p2_hstar_vs_maxmse.png"), scatterH, scatterW); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("figure: %s\n", filepath.Join(out, "p2_hstar_vs_maxmse.png"))
	msS := stat.Mean(selWorstS, nil)
	fmt.Printf("with the search estimator:                   selected %.3f (train-stat %.3f)\n", msS, stat.Mean(selWorstS2, nil))
	fmt.Printf("wall time per h*: ascent %v, search %v (mean over %d and %d runs, %d rows)\n", tAsc.mean(), tSearch.mean(), tAsc.n, tSearch.n, risk.Rows)
	rho := stat.Mean(rhos, nil)
	rhoS := stat.Mean(rhosS, nil)
	addClaim("P2 A5 classes", "N_G = 45 representatives cover 256 subsets",
		fmt.Sprintf("%d distinct representatives over %d split(s)", len(order), splits), len(order) == 45)
	addClaim("P2 A6 Spearman(h*, max test MSE)", ">= 0.3 averaged over splits",
		fmt.Sprintf("%.3f over %d split(s) (%s)", rho, splits, fmtSlice(rhos)), rho >= 0.3)
	addClaim("P2 A6 selected vs whole stable set", "max test MSE of S* <= that of X1..X8 (avg over splits)",
		fmt.Sprintf("%.3f vs %.3f (S* = %s)", ms, mf, strings.Join(chosen, " ")), ms <= mf)
	addClaim("P2 A6 selected vs pooled least squares", "max test MSE of S* <= pooled LS on all ten X (avg over splits)",
		fmt.Sprintf("%.3f vs %.3f", ms, mp), ms <= mp)
	addClaim("P2 A6 with search: Spearman(h*, max test MSE)", ">= 0.3 averaged over splits",
		fmt.Sprintf("%.3f over %d split(s) (%s); paper's ascent %.3f", rhoS, splits, fmtSlice(rhosS), rho), rhoS >= 0.3)
	addClaim("P2 A6 with search: selected vs whole stable set and pooled LS", "max test MSE of S* <= that of X1..X8 and <= pooled LS (avg over splits)",
		fmt.Sprintf("%.3f vs %.3f and %.3f (S* = %s); paper's ascent %.3f", msS, mf, mp, strings.Join(chosenS, " "), ms), msS <= mf && msS <= mp)
}

// must returns v, or exits on err.
func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// must2 returns a and b, or exits on err.
func must2[A, B any](a A, b B, err error) (A, B) {
	if err != nil {
		log.Fatal(err)
	}
	return a, b
}

// riskTimer is a Recorder that sums the wall time of the risk runs it
// sees end.
type riskTimer struct {
	total time.Duration
	n     int
}

// Record adds the run's time at its end.
func (r *riskTimer) Record(it *causal.RiskIter) error {
	if it.Event == run.End {
		r.total += it.Elapsed
		r.n++
	}
	return nil
}

func (r *riskTimer) mean() time.Duration {
	if r.n == 0 {
		return 0
	}
	return (r.total / time.Duration(r.n)).Round(time.Millisecond)
}

func fmtSlice(v []float64) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprintf("%.2f", x)
	}
	return strings.Join(s, " ")
}

// pooledLS fits least squares of Y on all covariates over the pooled
// training environments and returns its max MSE over the test ones.
func pooledLS(train, test []*mat.Dense) float64 {
	var n int
	for _, X := range train {
		r, _ := X.Dims()
		n += r
	}
	_, c := train[0].Dims()
	A := mat.NewDense(n, c-1, nil)
	y := make([]float64, n)
	i := 0
	for _, X := range train {
		r, _ := X.Dims()
		for k := 0; k < r; k++ {
			y[i] = X.At(k, 0)
			for j := 1; j < c; j++ {
				A.Set(i, j-1, X.At(k, j))
			}
			i++
		}
	}
	var lr causal.Ridge
	if err := lr.Fit(A, y); err != nil {
		log.Fatal(err)
	}
	worst := 0.0
	for _, X := range test {
		r, _ := X.Dims()
		s := 0.0
		for k := 0; k < r; k++ {
			row := mat.Row(nil, k, X)
			d := row[0] - lr.Predict(row[1:])
			s += d * d
		}
		worst = math.Max(worst, s/float64(r))
	}
	return worst
}

func scatter(path string, h, w []float64) error {
	p := plot.New()
	p.Title.Text = "P2: estimated worst-case risk vs max test MSE"
	p.X.Label.Text = "h*(S') (ascent)"
	p.Y.Label.Text = "max test MSE over test environments"
	pts := make(plotter.XYs, len(h))
	for i := range h {
		pts[i].X, pts[i].Y = h[i], w[i]
	}
	s, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	s.GlyphStyle.Color = color.RGBA{B: 200, A: 255}
	p.Add(s)
	// Least-squares trend line.
	if len(h) > 1 {
		alpha, beta := stat.LinearRegression(h, w, nil, false)
		lo, hi := slices.Min(h), slices.Max(h)
		l, err := plotter.NewLine(plotter.XYs{{X: lo, Y: alpha + beta*lo}, {X: hi, Y: alpha + beta*hi}})
		if err != nil {
			return err
		}
		l.Color = color.RGBA{R: 200, A: 255}
		p.Add(l)
	}
	return p.Save(5*vg.Inch, 4*vg.Inch, path)
}
