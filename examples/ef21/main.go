// Command ef21 reproduces the key claim of Richtárik, Gasanov and
// Burlachenko, "Error Feedback Reloaded: From Quadratic to Arithmetic Mean of
// Smoothness Constants" (ICLR 2024): EF21 needs a number of rounds that
// scales with L_QM = √(mean Lᵢ²) under its original step γ_QM, while EF21-W
// (and EF21 itself, by the improved analysis) may use γ_AM, built on
// L_AM = mean Lᵢ, and needs about γ_QM/γ_AM as many rounds; there is no
// gain when all Lᵢ are equal.
//
// Part 1 runs the spec's heterogeneous least squares R1 over a sweep of the
// spread of the Lᵢ. Part 2 runs nonconvex logistic regression
// (λ Σ x²/(1+x²) regulariser) on the five LIBSVM sets shipped in
// libsvm/sets, n = 20 clients, rows sorted so that the Lᵢ differ, TopK
// K = 1, and reports rounds and bits to ‖∇f‖² < tol for EF21 (γ_QM),
// EF21 (γ_AM) and EF21-W (γ_AM), with a convergence plot per set.
//
//	go run ./examples/ef21            # quick mode
//	go run ./examples/ef21 -quick=false -out /tmp/ef21
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	report "github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/run"
)

// claim is one check of the paper's claims, in the format that
// examples/reproduce reads.
type claim = report.Claim

// curve is the convergence history of one run, for plotting.
type curve struct {
	bits []float64
	gsq  []float64
}

func (c *curve) Record(it *ef21.Iter) error {
	if it.Event != run.End && it.GradNormSq > 0 {
		c.bits = append(c.bits, float64(it.Bits))
		c.gsq = append(c.gsq, it.GradNormSq)
	}
	return nil
}

// showProgress says whether long runs print progress lines to stderr (not
// in -json mode).
var showProgress bool

// progress returns a Printer to stderr labelled name, or nil when progress
// is off.
func progress(name string) ef21.Recorder {
	if !showProgress {
		return nil
	}
	return &ef21.Printer{W: os.Stderr, Prefix: name + ": "}
}

type method struct {
	name string
	s    ef21.Settings
}

func methods() []method {
	return []method{
		{"EF21 (γ_QM)", ef21.Settings{Rule: ef21.RuleQM}},
		{"EF21 (γ_AM)", ef21.Settings{Rule: ef21.RuleAM}},
		{"EF21-W (γ_AM)", ef21.Settings{Weighted: true}},
	}
}

func main() {
	quick := flag.Bool("quick", true, "small budgets (< 60 s on 2 cores)")
	asJSON := flag.Bool("json", false, "print the claims as one JSON object on the last line")
	out := flag.String("out", filepath.Join(os.TempDir(), "optlearn-ef21"), "directory for the figures")
	lambda := flag.Float64("lambda", 0.1, "regularisation λ of the logistic regression")
	clients := flag.Int("n", 20, "number of clients")
	k := flag.Int("k", 1, "TopK K")
	only := flag.String("sets", strings.Join(sets.Names(), ","), "comma-separated LIBSVM sets to run")
	flag.Parse()
	showProgress = !*asJSON
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	var claims []claim
	claims = append(claims, partR1(*quick)...)
	claims = append(claims, partVariants()...)
	c, err := partLibsvm(*quick, *out, *lambda, *clients, *k, strings.Split(*only, ","))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	claims = append(claims, c...)
	fmt.Printf("\nfigures in %s; total %.1f s\n", *out, time.Since(start).Seconds())
	rep := report.Report{Example: "ef21", Claims: claims}
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !rep.Passed() {
		os.Exit(1)
	}
}

// partR1 runs the spread sweep on R1 and checks acceptance A1.
func partR1(quick bool) []claim {
	spreads := []float64{1, 10, 100, 1000, 1e4}
	if quick {
		spreads = []float64{1, 10, 1000}
	}
	fmt.Println("R1: heterogeneous least squares, n = 20, d = 30, m = 40, TopK K = 1, rounds to ‖∇f‖² < 1e-8")
	fmt.Printf("%8s %10s %12s %12s %14s %7s %12s\n", "spread", "L_QM/L_AM", "EF21 (γ_QM)", "EF21 (γ_AM)", "EF21-W (γ_AM)", "ratio", "γ_QM/γ_AM")
	var claims []claim
	for _, sp := range spreads {
		p, err := problems.NewR1(sp, rand.New(rand.NewPCG(1, 0)))
		if err != nil {
			return []claim{{Name: "R1", Measured: err.Error()}}
		}
		var res [3]ef21.Result
		for j, m := range methods() {
			s := m.s
			s.Tol, s.MaxIter = 1e-8, 100000
			res[j], err = ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s)
			if err != nil {
				return []claim{{Name: "R1", Measured: err.Error()}}
			}
		}
		ratio := float64(res[2].Iterations) / float64(res[0].Iterations)
		gr := res[0].Gamma / res[2].Gamma
		fmt.Printf("%8g %10.3f %12d %12d %14d %7.3f %12.3f\n", sp, res[2].LQM/res[2].LAM, res[0].Iterations, res[1].Iterations, res[2].Iterations, ratio, gr)
		ok := math.Abs(ratio-gr) <= 0.1*gr && res[0].Status == run.Converged && res[2].Status == run.Converged
		paper := "rounds(EF21-W, γ_AM)/rounds(EF21, γ_QM) within ±10% of γ_QM/γ_AM"
		switch sp {
		case 1:
			ok = ok && ratio >= 0.95
			paper += "; ≥ 0.95 (no gain when the Lᵢ are equal)"
		case 1000:
			ok = ok && ratio <= 0.60
			paper += "; ≤ 0.60"
		}
		claims = append(claims, claim{
			Name:     fmt.Sprintf("R1 spread %g", sp),
			Paper:    paper,
			Measured: fmt.Sprintf("ratio %.3f, γ_QM/γ_AM %.3f, L_QM/L_AM %.3f (rounds %d vs %d)", ratio, gr, res[2].LQM/res[2].LAM, res[2].Iterations, res[0].Iterations),
			Pass:     ok,
		})
	}
	return claims
}

// partVariants runs EF21-W-PP and EF21-W-SGD on R1 (spread 1000), the
// spec's checks A4 and A5.
func partVariants() []claim {
	p, err := problems.NewR1(1000, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		return []claim{{Name: "variants", Measured: err.Error()}}
	}
	runR1 := func(s ef21.Settings) (ef21.Result, []float64) {
		var gsq []float64
		s.Recorder = run.Tee(progress("R1 variants"), ef21.Recorder(run.RecorderFunc[*ef21.Iter](func(it *ef21.Iter) error {
			if it.Event != run.End {
				gsq = append(gsq, it.GradNormSq)
			}
			return nil
		})))
		r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		return r, gsq
	}
	fmt.Println("\nR1 (spread 1000) variants: EF21-W-PP with γ_p, rounds to ‖∇f‖² < 1e-6; EF21-W-SGD with γ_AM, floor = mean ‖∇f‖² over rounds 19001-20000")
	base, _ := runR1(ef21.Settings{Weighted: true, Tol: 1e-6, MaxIter: 200000})
	fmt.Printf("%-22s %8s %10s %8s\n", "method", "rounds", "γ/γ_AM", "× EF21-W")
	fmt.Printf("%-22s %8d %10.3f %8.2f\n", "EF21-W", base.Iterations, 1.0, 1.0)
	var claims []claim
	for _, tc := range []struct{ p, factor float64 }{{0.5, 4}, {0.2, 12}} {
		r, _ := runR1(ef21.Settings{Weighted: true, P: tc.p, Tol: 1e-6, MaxIter: 200000, Rand: rand.New(rand.NewPCG(7, 0))})
		x := float64(r.Iterations) / float64(base.Iterations)
		fmt.Printf("%-22s %8d %10.3f %8.2f\n", fmt.Sprintf("EF21-W-PP p = %g", tc.p), r.Iterations, r.Gamma/base.Gamma, x)
		claims = append(claims, claim{
			Name:     fmt.Sprintf("PP p = %g", tc.p),
			Paper:    fmt.Sprintf("EF21-W-PP with γ_p reaches ‖∇f‖² < 1e-6 within %g× the rounds of EF21-W (spec A4; prototype %s)", tc.factor, map[float64]string{0.5: "2.48×", 0.2: "8.3×"}[tc.p]),
			Measured: fmt.Sprintf("%.2f× (%d vs %d rounds), γ_p/γ_AM = %.3f", x, r.Iterations, base.Iterations, r.Gamma/base.Gamma),
			Pass:     r.Status == run.Converged && x <= tc.factor,
		})
	}
	floor := func(b int) float64 {
		_, g := runR1(ef21.Settings{Weighted: true, Batch: b, MaxIter: 20000, Tol: -1, Rand: rand.New(rand.NewPCG(3, 0))})
		s := 0.0
		for _, v := range g[19001:20001] {
			s += v / 1000
		}
		return s
	}
	f2, f32 := floor(2), floor(32)
	fmt.Printf("%-22s %8s %10s floor %.4g\n", "EF21-W-SGD B = 2", "20000", "1", f2)
	fmt.Printf("%-22s %8s %10s floor %.4g\n", "EF21-W-SGD B = 32", "20000", "1", f32)
	claims = append(claims, claim{
		Name:     "SGD floor",
		Paper:    "EF21-W-SGD settles at a noise floor that shrinks with the batch: floor(B=32)/floor(B=2) ≤ 0.15 (spec A5; prototype 0.077)",
		Measured: fmt.Sprintf("floor B=2 %.4g, B=32 %.4g, ratio %.3f", f2, f32, f32/f2),
		Pass:     f32/f2 <= 0.15,
	})
	return claims
}

// partLibsvm runs the three methods on the LIBSVM sets. EF21 (γ_QM) runs
// first, to ‖∇f‖² < tol or its budget; the target τ is tol, or the smallest
// ‖∇f‖² it reached when it ran out of budget, and every method's count is
// the rounds (and bits) it needs to reach τ.
func partLibsvm(quick bool, out string, lambda float64, n, k int, names []string) ([]claim, error) {
	tol := 1e-6
	budget := map[string]int{"australian": 50000, "mushrooms": 50000, "phishing": 50000, "a9a": 30000, "w8a": 30000}
	if quick {
		budget = map[string]int{"australian": 3000, "mushrooms": 1500, "phishing": 1500, "a9a": 600, "w8a": 600}
	}
	fmt.Printf("\nLIBSVM: nonconvex logistic regression, λ = %g, n = %d clients (rows sorted so the Lᵢ differ), TopK K = %d\n", lambda, n, k)
	fmt.Printf("rounds / Mbit to ‖∇f‖² < τ, τ = %g or the best EF21 (γ_QM) reached in its budget\n", tol)
	fmt.Printf("%-11s %9s %8s %10s %18s %18s %18s %7s %10s\n", "set", "L_QM/L_AM", "budget", "τ", "EF21 (γ_QM)", "EF21 (γ_AM)", "EF21-W (γ_AM)", "ratio", "γ_QM/γ_AM")
	var claims []claim
	for _, name := range names {
		ds, err := sets.Load(name)
		if err != nil {
			return nil, err
		}
		p, err := problems.NewLogistic(ds.X, ds.Y, n, problems.SplitSorted, lambda)
		if err != nil {
			return nil, err
		}
		if _, ok := budget[name]; !ok {
			budget[name] = 600
		}
		var res [3]ef21.Result
		var curves [3]curve
		var rounds [3]int
		var bits [3]int64
		tau := tol
		for j, m := range methods() {
			s := m.s
			s.Tol, s.MaxIter = tau, budget[name]
			s.Recorder = run.Tee(progress(name+" "+m.name), ef21.Recorder(&curves[j]))
			res[j], err = ef21.Run(context.Background(), p, ef21.TopK{K: k}, make([]float64, p.Dim()), &s)
			if err != nil {
				return nil, err
			}
			c := &curves[j]
			if j == 0 {
				tau = max(tol, minOf(c.gsq))
			}
			rounds[j] = -1
			for t, g := range c.gsq {
				if g <= tau {
					rounds[j], bits[j] = t, int64(c.bits[t])
					break
				}
			}
		}
		cell := func(j int) string {
			if rounds[j] < 0 {
				return fmt.Sprintf("> %d", budget[name])
			}
			return fmt.Sprintf("%d / %.3g", rounds[j], float64(bits[j])/1e6)
		}
		ratio := float64(rounds[2]) / float64(rounds[0])
		gr := res[0].Gamma / res[2].Gamma
		lr := res[2].LQM / res[2].LAM
		fmt.Printf("%-11s %9.4f %8d %10.3g %18s %18s %18s %7.3f %10.3f\n", name, lr, budget[name], tau, cell(0), cell(1), cell(2), ratio, gr)
		// The claim: EF21-W needs at most 1.1·(γ_QM/γ_AM) of EF21's rounds
		// and never 2% more.
		ok := rounds[0] > 0 && rounds[2] > 0 && ratio <= 1.1*gr && ratio <= 1.02
		claims = append(claims, claim{
			Name:  "LIBSVM " + name,
			Paper: "EF21-W (γ_AM) needs ≤ 1.1·γ_QM/γ_AM of EF21 (γ_QM)'s rounds to the same ‖∇f‖² and never > 2% more; speed-up ≈ L_QM/L_AM",
			Measured: fmt.Sprintf("τ = %.3g: rounds %d vs %d, ratio %.3f, 1.1·γ_QM/γ_AM = %.3f, L_QM/L_AM = %.4f",
				tau, rounds[2], rounds[0], ratio, 1.1*gr, lr),
			Pass: ok,
		})
		// The exact identity: EF21 and EF21-W with γ_AM coincide.
		same := rounds[1] == rounds[2] && math.Abs(res[1].GradNormSq-res[2].GradNormSq) <= 1e-6*res[2].GradNormSq
		claims = append(claims, claim{
			Name:     "identity " + name,
			Paper:    "with TopK, EF21 and EF21-W with the same γ produce the same iterates",
			Measured: fmt.Sprintf("rounds %d vs %d, final ‖∇f‖² %.6g vs %.6g", rounds[1], rounds[2], res[1].GradNormSq, res[2].GradNormSq),
			Pass:     same,
		})
		if err := plotCurves(filepath.Join(out, "ef21-"+name+".png"), name, n, k, curves[:]); err != nil {
			return nil, err
		}
	}
	return claims, nil
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

// plotCurves draws |grad f|² (log scale) against Mbit uploaded, one line
// per method; EF21 (γ_AM) is dashed on top of EF21-W, which it coincides
// with. The legend is drawn in its own strip right of the axes, so it covers
// neither the curves nor the title.
func plotCurves(path, name string, n, k int, curves []curve) error {
	pl := plot.New()
	pl.Title.Text = fmt.Sprintf("%s: nonconvex logistic regression, n = %d, Top%d", name, n, k)
	pl.X.Label.Text = "Mbit uploaded (all clients)"
	pl.Y.Label.Text = "|grad f(x)|²"
	pl.Y.Scale = plot.LogScale{}
	pl.Y.Tick.Marker = ticks125{}
	pl.Add(plotter.NewGrid())
	leg := plot.NewLegend()
	colors := []color.RGBA{{200, 30, 30, 255}, {30, 90, 220, 255}, {20, 160, 60, 255}}
	ms := methods()
	for _, j := range []int{0, 2, 1} {
		c := curves[j]
		step := max(1, len(c.bits)/2000) // at most 2000 points
		var pts plotter.XYs
		for i := 0; i < len(c.bits); i += step {
			pts = append(pts, plotter.XY{X: c.bits[i] / 1e6, Y: c.gsq[i]})
		}
		l, err := plotter.NewLine(pts)
		if err != nil {
			return err
		}
		l.Color = colors[j]
		l.Width = vg.Points(1.5)
		if j == 1 {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(5)}
		}
		pl.Add(l)
		leg.Add(ms[j].name, l)
	}
	const w, h, strip = 8 * vg.Inch, 4.5 * vg.Inch, 1.6 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	pl.Draw(draw.Crop(dc, 0, -strip, 0, 0))
	leg.Top = true
	leg.Left = true
	leg.XOffs = vg.Points(8)
	leg.Padding = vg.Points(6)
	leg.YOffs = -vg.Points(30) // below the title's height
	leg.Draw(draw.Crop(dc, w-strip, 0, 0, 0))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ticks125 puts log-axis ticks at 1, 2, 3 and 5 times powers of ten and
// labels them all when the range spans at most two decades (so a short
// range still gets labels), only the powers of ten otherwise.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var t []plot.Tick
	wide := hi > 100*lo // label only the powers of ten
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		for _, m := range []float64{1, 2, 3, 5} {
			v := m * math.Pow(10, e)
			if v < lo || v > hi {
				continue
			}
			label := fmt.Sprintf("%.3g", v)
			if wide && m != 1 {
				label = ""
			}
			t = append(t, plot.Tick{Value: v, Label: label})
		}
	}
	return t
}
