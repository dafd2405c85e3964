// Command eqprop reproduces the small-scale experiment of "Improving
// equilibrium propagation without weight symmetry through Jacobian
// homeostasis" (Laborieux & Zenke, ICLR 2024, arXiv 2309.02214) with
// package bilevel, on the teacher task of the specification (16 inputs,
// layers 32 ⇄ 32 ⇄ 10, a 4-class readout):
//
//   - E1: the holomorphic (Cauchy) estimator's error against the exact
//     generalized-EP δ, for N = 1, 2, 4, 6 points and radii 0.05 and 0.025,
//     at weight angles 0° and 90° (log plot of the error against N), with
//     the radius 0.5 and the online variant reported;
//   - E2: generalized EP equals backpropagation for symmetric weights and
//     not for independent ones;
//   - E3: training with Adam: BP and hEP (N = 2) from symmetric weights,
//     exact generalized EP at 90° without and with Jacobian homeostasis
//     (alignment with the exact gradient and weight angle over training;
//     final accuracies reported).
//
// Usage:
//
//	go run ./examples/eqprop [-quick=true] [-json] [-out dir]
//
// Quick mode evaluates on 500 of the 1000 test samples and measures the
// alignment on 50 training samples; the training budget (2000 samples, 15
// epochs) is the spec's in both modes. Full mode also repeats the
// homeostasis comparison with two more seeds. Figures are written to -out
// (default $TMPDIR/optlearn-eqprop).
package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// sizes is the spec's network: 16 inputs, 32 ⇄ 32 ⇄ 10, 4 classes.
var sizes = []int{16, 32, 32, 10}

const classes = 4

type app struct {
	quick, progress bool
	out             string
	report          claims.Report
	train, test     *bilevel.EPData
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0)) }

func main() {
	quick := flag.Bool("quick", true, "evaluate on a reduced test set (< 60 s)")
	asJSON := flag.Bool("json", false, "print the claims as one JSON object on the last line")
	out := flag.String("out", filepath.Join(os.TempDir(), "optlearn-eqprop"), "directory for figures")
	flag.Parse()
	a := &app{quick: *quick, progress: !*asJSON, out: *out, report: claims.Report{Example: "eqprop"}}
	if err := a.run(); err != nil {
		fmt.Fprintln(os.Stderr, "eqprop example:", err)
		os.Exit(1)
	}
	fmt.Printf("\nfigures in %s\n", a.out)
	if err := a.report.Write(os.Stdout, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func (a *app) run() error {
	if err := os.MkdirAll(a.out, 0o755); err != nil {
		return err
	}
	var err error
	a.train, a.test, err = problems.NewTeacher(newRand(2026), 16, 32, classes, 2000, 1000)
	if err != nil {
		return err
	}
	if a.quick {
		a.test = &bilevel.EPData{In: a.test.In, X: a.test.X[:500*a.test.In], Y: a.test.Y[:500]}
	}
	for _, step := range []func() error{a.e1, a.e2, a.e3} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// sample is one training sample relaxed to a converged free state.
type sample struct {
	x     []float64
	label int
	u     []float64
}

// converged returns up to n training samples whose free phase reaches a
// residual below 1e-10 and whose Jacobian has spectral radius below 0.85
// (the spec's E1 filter), and how many were skipped.
func (a *app) converged(net *bilevel.EPNet, n int, rhoMax float64) ([]sample, int, error) {
	var out []sample
	skipped := 0
	for i := 0; i < a.train.Len() && len(out) < n; i++ {
		x, y := a.train.Input(i), a.train.Y[i]
		u, fp, err := net.Relax(nil, x, 20000, 1e-12)
		if err != nil {
			return nil, 0, err
		}
		if fp.Residual >= 1e-10 {
			skipped++
			continue
		}
		if rhoMax > 0 {
			rho, err := net.SpectralRadius(u)
			if err != nil {
				return nil, 0, err
			}
			if rho >= rhoMax {
				skipped++
				continue
			}
		}
		out = append(out, sample{x, y, u})
	}
	return out, skipped, nil
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func relErr(est, exact []float64) float64 {
	return math.Sqrt(linalg.DistSq(est, exact)) / linalg.Nrm2(exact)
}

// e1: the Cauchy estimator's exactness at initialisation.
func (a *app) e1() error {
	fmt.Println("== E1: holomorphic EP against the exact δ = ds*/dβ (20 samples, T2 = 200 or residual < 1e-12)")
	fmt.Printf("%-6s %-7s %-10s %-10s %-10s %-10s  (median relative error; prototype at 0.05: 0°: 7.8e-2 3.7e-3 1.7e-5 9.4e-8, 90°: 5.7e-2 2.7e-3 2.9e-5 4.9e-7)\n",
		"angle", "radius", "N = 1", "N = 2", "N = 4", "N = 6")
	ns := []int{1, 2, 4, 6}
	radii := []float64{0.05, 0.025}
	limit := map[int]float64{2: 1e-2, 4: 1e-4, 6: 1e-5}
	plt := plot.New()
	plt.Title.Text = "E1: Cauchy estimator error against N"
	plt.X.Label.Text = "N (points on the circle)"
	plt.Y.Label.Text = "median relative error of delta"
	plt.Y.Scale = plot.LogScale{}
	plt.Y.Tick.Marker = plot.LogTicks{Prec: 1}
	var lines []any
	for _, angle := range []float64{0, 90} {
		net, err := bilevel.NewEPNet(sizes, classes, angle, newRand(1))
		if err != nil {
			return err
		}
		ss, skipped, err := a.converged(net, 20, 0.85)
		if err != nil {
			return err
		}
		fmt.Printf("   angle %g°: %d samples used, %d skipped (residual ≥ 1e-10 or ρ(DW) ≥ 0.85)\n", angle, len(ss), skipped)
		errs := map[[2]float64][]float64{}
		ratioOK, worstRatio := true, ""
		for si, s := range ss {
			exact, err := bilevel.GenEPExact{}.Delta(nil, net, s.x, s.label, s.u)
			if err != nil {
				return err
			}
			for _, n := range ns {
				for _, r := range radii {
					est, err := bilevel.HolomorphicEP{N: n, Beta: r, Steps: 200, Tol: 1e-12}.Delta(nil, net, s.x, s.label, s.u)
					if err != nil {
						return err
					}
					k := [2]float64{float64(n), r}
					errs[k] = append(errs[k], relErr(est, exact))
				}
			}
			for _, n := range []int{1, 2} {
				ratio := errs[[2]float64{float64(n), 0.05}][si] / errs[[2]float64{float64(n), 0.025}][si]
				want := math.Pow(2, float64(n))
				if ratio < want/2 || ratio > 2*want {
					ratioOK = false
					worstRatio += fmt.Sprintf("sample %d N=%d ratio %.2f; ", si, n, ratio)
				}
			}
		}
		// |β| = 0.5 is near the radius of analyticity (spec: N = 6 gives 0.08):
		// reported, not asserted; an estimate that leaves the radius is an
		// error, counted here.
		var big []string
		for _, n := range ns {
			var e []float64
			fails := 0
			for _, s := range ss {
				exact, err := bilevel.GenEPExact{}.Delta(nil, net, s.x, s.label, s.u)
				if err != nil {
					return err
				}
				est, err := bilevel.HolomorphicEP{N: n, Beta: 0.5, Steps: 200, Tol: 1e-12}.Delta(nil, net, s.x, s.label, s.u)
				if err != nil {
					fails++
					continue
				}
				e = append(e, relErr(est, exact))
			}
			m := math.NaN()
			if len(e) > 0 {
				m = median(e)
			}
			big = append(big, fmt.Sprintf("N=%d %.1e (%d non-finite)", n, m, fails))
		}
		fmt.Printf("   |β| = 0.5 at %g°: %s\n", angle, strings.Join(big, ", "))
		// Online hEP with the code's setting (T1 = 1200, T2 = 60, N = 4),
		// radius 0.05: reported, not asserted (the spec gives no figure).
		var on []float64
		for _, s := range ss {
			exact, err := bilevel.GenEPExact{}.Delta(nil, net, s.x, s.label, s.u)
			if err != nil {
				return err
			}
			est, err := bilevel.OnlineHEP{N: 4, Beta: 0.05, Steps: 1200, Block: 60}.Delta(nil, net, s.x, s.label, s.u)
			if err != nil {
				return err
			}
			on = append(on, relErr(est, exact))
		}
		fmt.Printf("   online hEP (N = 4, T1 = 1200, T2 = 60, |β| = 0.05) at %g°: median relative error %.2e\n", angle, median(on))
		var medMsg string
		medOK := len(ss) == 20
		for _, r := range radii {
			fmt.Printf("%-6g %-7g", angle, r)
			pts := plotter.XYs{}
			for _, n := range ns {
				m := median(errs[[2]float64{float64(n), r}])
				fmt.Printf(" %-10.2e", m)
				pts = append(pts, plotter.XY{X: float64(n), Y: m})
				if r == 0.05 {
					if l, ok := limit[n]; ok {
						medOK = medOK && m <= l
						medMsg += fmt.Sprintf("N=%d %.1e; ", n, m)
					}
				}
			}
			fmt.Println()
			lines = append(lines, fmt.Sprintf("angle %g deg, radius %g", angle, r), pts)
		}
		a.report.Add(fmt.Sprintf("E1 Cauchy error at %g°", angle),
			"over 20 converged samples (residual < 1e-10, ρ(DW) < 0.85), median relative errors at |β| = 0.05: N=2 ≤ 1e-2, N=4 ≤ 1e-4, N=6 ≤ 1e-5",
			fmt.Sprintf("%d samples: %s", len(ss), medMsg), medOK)
		msg := "every sample within a factor 2 of 2^N"
		if !ratioOK {
			msg = worstRatio
		}
		a.report.Add(fmt.Sprintf("E1 order check at %g°", angle),
			"per sample, error(|β| = 0.05)/error(|β| = 0.025) within a factor 2 of 2^N for N = 1 and N = 2",
			msg, ratioOK && len(ss) > 0)
	}
	if err := plotutil.AddLinePoints(plt, lines...); err != nil {
		return err
	}
	plt.Legend.Top = true // the lines fall from top left to bottom right
	plt.Legend.Left = false
	return plt.Save(5.5*vg.Inch, 4*vg.Inch, filepath.Join(a.out, "e1_cauchy_error.png"))
}

// e2: the symmetry identity of generalized EP.
func (a *app) e2() error {
	fmt.Println("\n== E2: cos(δ_gEP, δ_BP) at initialisation (50 samples)")
	var minSym, mean90 float64
	for _, angle := range []float64{0, 90} {
		net, err := bilevel.NewEPNet(sizes, classes, angle, newRand(1))
		if err != nil {
			return err
		}
		ss, skipped, err := a.converged(net, 50, 0)
		if err != nil {
			return err
		}
		lo, sum := 1.0, 0.0
		for _, s := range ss {
			bp, err := bilevel.ImplicitBP{}.Delta(nil, net, s.x, s.label, s.u)
			if err != nil {
				return err
			}
			ep, err := bilevel.GenEPExact{}.Delta(nil, net, s.x, s.label, s.u)
			if err != nil {
				return err
			}
			c := bilevel.Alignment(ep, bp)
			lo = math.Min(lo, c)
			sum += c
		}
		mean := sum / float64(len(ss))
		fmt.Printf("   angle %g°: %d samples (%d skipped: residual ≥ 1e-10), min cos %.12f, mean cos %.4f\n", angle, len(ss), skipped, lo, mean)
		if angle == 0 {
			minSym = lo
		} else {
			mean90 = mean
		}
	}
	a.report.Add("E2 symmetric weights", "at angle 0, cos(δ_gEP, δ_BP) ≥ 1 − 1e-9 for every sample",
		fmt.Sprintf("min cos = 1 − %.1e over 50 samples", 1-minSym), minSym >= 1-1e-9)
	a.report.Add("E2 independent weights", "at angle 90, the mean cos over 50 samples is ≤ 0.8 (prototype 0.46)",
		fmt.Sprintf("mean cos %.3f", mean90), mean90 <= 0.8)
	return nil
}

// train1 trains one E3 run with the net drawn from seed netSeed and the
// batch order (and homeostasis draws) from seed orderSeed, into h.
func (a *app) train1(r runSpec, netSeed, orderSeed uint64, align int, h *bilevel.EPHistory) error {
	net, err := bilevel.NewEPNet(sizes, classes, r.angle, newRand(netSeed))
	if err != nil {
		return err
	}
	var rec bilevel.EPRecorder = h
	if a.progress {
		rec = run.Tee[*bilevel.EPIter](h, &bilevel.EPPrinter{W: os.Stderr, Prefix: fmt.Sprintf("E3 %s (seed %d): ", r.name, netSeed)})
	}
	_, err = bilevel.TrainEP(context.Background(), net, a.train, a.test, &bilevel.EPSettings{
		Estimator: r.est, MaxIter: 15, BatchSize: 50, LearningRate: 2e-3, FreeSteps: 150, EvalSteps: 500,
		Homeostasis: bilevel.HomeostaticLoss{Coef: r.coef, Draws: 5}, AlignSamples: align,
		Rand: newRand(orderSeed), Recorder: rec})
	if err != nil {
		return fmt.Errorf("%s: %w", r.name, err)
	}
	return nil
}

// runSpec is one E3 training run.
type runSpec struct {
	name  string
	angle float64
	est   bilevel.Estimator
	coef  float64
}

// e3: training with Adam.
func (a *app) e3() error {
	fmt.Println("\n== E3: training with Adam (lr 2e-3, batch 50, 15 epochs, T1 = 150, T2 = 20, evaluation with 500 free steps)")
	runs := []runSpec{
		{"BP, symmetric init", 0, bilevel.ImplicitBP{}, 0},
		{"hEP N=2, radius 0.1, symmetric init", 0, bilevel.HolomorphicEP{N: 2, Beta: 0.1, Steps: 20}, 0},
		{"exact gEP at 90°, λ_h = 0", 90, bilevel.GenEPExact{}, 0},
		{"exact gEP at 90°, λ_h = 1", 90, bilevel.GenEPExact{}, 1},
	}
	align := 100
	if a.quick {
		align = 50
	}
	hist := make([]bilevel.EPHistory, len(runs))
	for i, r := range runs {
		if err := a.train1(r, 1, 3, align, &hist[i]); err != nil {
			return err
		}
	}
	last3 := func(h *bilevel.EPHistory, f func(*bilevel.EPIter) float64) float64 {
		v := h.Series(f)
		return (v[len(v)-1] + v[len(v)-2] + v[len(v)-3]) / 3
	}
	acc := func(it *bilevel.EPIter) float64 { return it.TestAccuracy }
	fmt.Printf("%-38s %-10s %-10s %-10s %-9s %-9s %-14s\n", "run", "final acc", "last-3 acc", "alignment", "angle", "sym index", "eval residual")
	for i, r := range runs {
		h := &hist[i]
		l := h.Iters[len(h.Iters)-1]
		fmt.Printf("%-38s %-10.3f %-10.3f %-10.3f %-9.1f %-9.3f max %.2g, %.0f%% > 1e-6\n", r.name, l.TestAccuracy, last3(h, acc),
			last3(h, func(it *bilevel.EPIter) float64 { return it.Alignment }), l.WeightAngle, l.JacSymIndex, l.EvalResidualMax, 100*l.EvalUnconverged)
	}
	fmt.Println("   prototype: BP 0.74–0.80; hEP 0.835; gEP 90° λ_h=0: 0.73, cos 0.66, 83°; λ_h=1: 0.72–0.77, cos 0.95, 23°")
	alignFn := func(it *bilevel.EPIter) float64 { return it.Alignment }
	a0, a1 := last3(&hist[2], alignFn), last3(&hist[3], alignFn)
	a.report.Add("E3 (a) homeostasis raises alignment",
		"with homeostasis (K_ε = 5 per sample) the alignment averaged over the last 3 epochs is ≥ 0.9 and ≥ 0.12 above the run without",
		fmt.Sprintf("%.3f with, %.3f without (gain %.3f)", a1, a0, a1-a0), a1 >= 0.9 && a1-a0 >= 0.12)
	ang0, ang1 := hist[2].Iters[len(hist[2].Iters)-1].WeightAngle, hist[3].Iters[len(hist[3].Iters)-1].WeightAngle
	a.report.Add("E3 (b) homeostasis lowers the weight angle", "final angle ≤ 45° with homeostasis and ≥ 75° without",
		fmt.Sprintf("%.1f° with, %.1f° without", ang1, ang0), ang1 <= 45 && ang0 >= 75)
	var accMsg []string
	accOK := true
	for i := 1; i < len(runs); i++ {
		v := last3(&hist[i], acc)
		accMsg = append(accMsg, fmt.Sprintf("%s %.3f", runs[i].name, v))
		accOK = accOK && v >= 0.6
	}
	a.report.Add("E3 (c) EP variants learn", "every EP variant reaches test accuracy ≥ 0.6 (mean over the last 3 epochs, 500-step evaluation)",
		strings.Join(accMsg, "; "), accOK)
	bp, hep := hist[0].Iters[len(hist[0].Iters)-1].TestAccuracy, hist[1].Iters[len(hist[1].Iters)-1].TestAccuracy
	a.report.Add("E3 (d) hEP close to BP", "hEP (N = 2) with symmetric init: final accuracy ≥ BP's final accuracy − 0.08",
		fmt.Sprintf("hEP %.3f, BP %.3f", hep, bp), hep >= bp-0.08)
	h0, h1 := last3(&hist[2], acc), last3(&hist[3], acc)
	a.report.Add("E3 accuracy with homeostasis (reported)", "the paper's accuracy gain from homeostasis is not expected at this scale: reported, not asserted",
		fmt.Sprintf("last-3 test accuracy %.3f with λ_h = 1, %.3f without", h1, h0), true)
	if err := a.plotE3(hist[2:], []string{"lambda_h = 0", "lambda_h = 1"}); err != nil {
		return err
	}
	if a.quick {
		return nil
	}
	// Full mode: the homeostasis comparison again with two more seeds (net
	// and batch order), so that (a) and (b) are not one draw's luck.
	fmt.Printf("%-6s %-24s %-24s\n", "seed", "alignment without / with", "angle without / with")
	ok := true
	var msg []string
	for seed := uint64(2); seed <= 3; seed++ {
		var h [2]bilevel.EPHistory
		for k, coef := range []float64{0, 1} {
			if err := a.train1(runSpec{fmt.Sprintf("exact gEP at 90°, λ_h = %g", coef), 90, bilevel.GenEPExact{}, coef}, seed, seed+10, align, &h[k]); err != nil {
				return err
			}
		}
		b0, b1 := last3(&h[0], alignFn), last3(&h[1], alignFn)
		g0, g1 := h[0].Iters[len(h[0].Iters)-1].WeightAngle, h[1].Iters[len(h[1].Iters)-1].WeightAngle
		fmt.Printf("%-6d %.3f / %.3f            %.1f° / %.1f°\n", seed, b0, b1, g0, g1)
		ok = ok && b1 >= 0.9 && b1-b0 >= 0.12 && g1 <= 45 && g0 >= 75
		msg = append(msg, fmt.Sprintf("seed %d: alignment %.3f/%.3f, angle %.1f°/%.1f°", seed, b0, b1, g0, g1))
	}
	a.report.Add("E3 (a)+(b) on two more seeds", "the homeostasis margins of (a) and (b) hold for seeds 2 and 3 too (without / with)",
		strings.Join(msg, "; "), ok)
	return nil
}

// plotE3 draws the alignment and the weight angle over training for the
// two 90° runs.
func (a *app) plotE3(h []bilevel.EPHistory, names []string) error {
	for _, fig := range []struct {
		file, title, ylabel string
		f                   func(*bilevel.EPIter) float64
	}{
		{"e3_alignment.png", "E3: alignment of gEP with the exact gradient (90 deg init)", "cos(delta_gEP, delta_BP)", func(it *bilevel.EPIter) float64 { return it.Alignment }},
		{"e3_angle.png", "E3: angle between feedback and forward weights (90 deg init)", "weight angle (degrees)", func(it *bilevel.EPIter) float64 { return it.WeightAngle }},
	} {
		plt := plot.New()
		plt.Title.Text = fig.title
		plt.X.Label.Text = "epoch"
		plt.Y.Label.Text = fig.ylabel
		var lines []any
		for i := range h {
			v := h[i].Series(fig.f)
			pts := make(plotter.XYs, len(v))
			for k, y := range v {
				pts[k] = plotter.XY{X: float64(k), Y: y}
			}
			lines = append(lines, names[i], pts)
		}
		if err := plotutil.AddLinePoints(plt, lines...); err != nil {
			return err
		}
		plt.Legend.Top = false
		plt.Legend.Left = false
		plt.Y.Min = 0
		if err := plt.Save(5.5*vg.Inch, 4*vg.Inch, filepath.Join(a.out, fig.file)); err != nil {
			return err
		}
	}
	return nil
}
