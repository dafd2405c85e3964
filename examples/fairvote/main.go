// Command fairvote reproduces the study of subset selection from biased
// rankings with fairness constraints (Boehmer, Celis, Huang, Mehrotra,
// Vishnoi, ICML 2023) on the spec's setting E1: 40 items in two groups of
// 20, latent utilities Uniform(0, 1), the second group's utilities scaled
// by θ in the voters' eyes, Thurstone rankings (σ = 0.1), committees of 10
// chosen by Borda, Bloc, SNTV and Chamberlin–Courant, with and without the
// proportional quota 5/5, over 100 trials per cell. It prints the table of
// utility ratios against the number of rankings, draws it, runs the
// sample-complexity tool, and checks the spec's acceptance items 1–6.
//
//	go run ./examples/fairvote            # θ ∈ {1, 0.5}
//	go run ./examples/fairvote -quick=false -json
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/optlearn/optlearn/claims"
	mw "github.com/optlearn/optlearn/constrained/multiwinner"
)

var ns = []int{5, 20, 100, 500, 2000}

type rule struct {
	name string
	r    mw.Rule
	cc   bool // a diversity rule: scored by the unbiased score ratio
}

var rules = []rule{{"Borda", mw.KBorda{}, false}, {"Bloc", mw.Bloc{}, false}, {"SNTV", mw.SNTV{}, false}, {"CC", mw.CC{}, true}}

// key identifies one cell of the study.
type key struct {
	rule        string
	theta       float64
	n           int
	constrained bool
}

func main() {
	quick := flag.Bool("quick", true, "quick run: θ ∈ {1, 0.5} (the full run adds θ = 0.8)")
	asJSON := flag.Bool("json", false, "end the output with a JSON report")
	trials := flag.Int("trials", 100, "trials per cell")
	out := flag.String("out", filepath.Join(os.TempDir(), "optlearn-fairvote"), "directory for the figure")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	thetas := []float64{1, 0.5}
	if !*quick {
		thetas = []float64{1, 0.8, 0.5}
	}
	ctx := context.Background()
	start := time.Now()
	res := map[key]mw.Stats{}
	for _, theta := range thetas {
		fmt.Printf("\nθ = %.1f: mean over %d trials (U: latent-utility ratio; Uc: against the best 5/5 committee; G2: members of the disadvantaged group; CC: score ratio on 1000 unbiased rankings)\n", theta, *trials)
		fmt.Printf("%-6s %-3s", "rule", "")
		for _, n := range ns {
			fmt.Printf(" %17s", fmt.Sprintf("n=%d", n))
		}
		fmt.Println()
		for _, r := range rules {
			for _, c := range []bool{false, true} {
				tag := "U"
				if c {
					tag = "C"
				}
				fmt.Printf("%-6s %-3s", r.name, tag)
				for i, n := range ns {
					s := &mw.Study{Group: mw.TwoGroups(40), K: 10, Theta: []float64{1, theta}, Constrained: c, ScoreRatio: r.cc}
					st, err := s.Run(ctx, r.r, n, *trials, rand.New(rand.NewPCG(uint64(1000*theta)+uint64(i), 7)))
					if err != nil {
						log.Fatal(err)
					}
					res[key{r.name, theta, n, c}] = st
					if r.cc {
						fmt.Printf(" %17s", fmt.Sprintf("S %.3f G2 %.1f", st.Score, st.Last))
					} else {
						fmt.Printf(" %17s", fmt.Sprintf("%.3f/%.3f %.1f", st.U, st.Uc, st.Last))
					}
				}
				fmt.Println()
			}
		}
		fmt.Fprintf(os.Stderr, "θ = %.1f done after %.1f s\n", theta, time.Since(start).Seconds())
	}
	fmt.Println("\n(cells of the separable rules: U/Uc G2)")

	rep := claims.Report{Example: "fairvote"}
	acceptance(&rep, res)
	sampleComplexity(ctx, &rep, *trials)
	greedyVsExact(ctx, &rep)
	file := filepath.Join(*out, "fairvote_utility.png")
	if err := plotStudy(file, res); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("\nfigure: %s; total %.1f s\n\n", file, time.Since(start).Seconds())
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		log.Fatal(err)
	}
}

// acceptance checks the spec's items 1-4 and the first half of 6.
func acceptance(rep *claims.Report, res map[key]mw.Stats) {
	bu := res[key{"Borda", 0.5, 500, false}]
	rep.Add("1. bias hurts Borda without constraints", "θ = 0.5, n = 500: U ≤ 0.92 and mean |S ∩ G2| ≤ 1.5",
		fmt.Sprintf("U %.3f, |S ∩ G2| %.2f", bu.U, bu.Last), bu.U <= 0.92 && bu.Last <= 1.5)

	b20, ok := res[key{"Borda", 0.5, 20, true}], true
	var parts []string
	ok = b20.U >= 0.975
	parts = append(parts, fmt.Sprintf("U(20) %.3f", b20.U))
	for _, n := range []int{100, 500, 2000} {
		c := res[key{"Borda", 0.5, n, true}]
		ok = ok && c.U >= 0.98 && c.Uc >= 0.99
		parts = append(parts, fmt.Sprintf("U/Uc(%d) %.3f/%.3f", n, c.U, c.Uc))
	}
	rep.Add("2. constraints fix Borda with few rankings", "θ = 0.5, Borda constrained: U ≥ 0.975 at n = 20, ≥ 0.98 at n ≥ 100; Uc ≥ 0.99 at n ≥ 100",
		strings.Join(parts, ", "), ok)

	worst := 0.0
	for _, n := range ns {
		worst = math.Max(worst, res[key{"SNTV", 0.5, n, true}].U)
	}
	unbiased := res[key{"SNTV", 1, 2000, false}].U
	rep.Add("3. SNTV does not recover, and bias is why", "θ = 0.5: SNTV constrained U ≤ 0.85 for every n ≤ 2000; θ = 1, n = 2000, unconstrained: U ≥ 0.97",
		fmt.Sprintf("largest constrained U %.3f; unbiased U %.3f", worst, unbiased), worst <= 0.85 && unbiased >= 0.97)

	bc, sc, bun := res[key{"Borda", 0.5, 2000, true}].U, res[key{"SNTV", 0.5, 2000, true}].U, res[key{"Borda", 0.5, 2000, false}].U
	rep.Add("4. ordering at θ = 0.5, n = 2000", "U(Borda,C) − U(SNTV,C) ≥ 0.15 and U(Borda,C) − U(Borda,U) ≥ 0.07",
		fmt.Sprintf("%.3f and %.3f", bc-sc, bc-bun), bc-sc >= 0.15 && bc-bun >= 0.07)

	ok, parts = true, nil
	for _, n := range ns[1:] {
		c, u := res[key{"CC", 0.5, n, true}].Score, res[key{"CC", 0.5, n, false}].Score
		ok = ok && c >= u-0.005
		parts = append(parts, fmt.Sprintf("n=%d %.3f vs %.3f", n, c, u))
	}
	rep.Add("6a. CC: constraints cost no score", "θ = 0.5, n ≥ 20: constrained score ratio ≥ unconstrained − 0.005",
		strings.Join(parts, "; "), ok)
}

// sampleComplexity runs the spec's tool (item 5).
func sampleComplexity(ctx context.Context, rep *claims.Report, trials int) {
	grid := []int{5, 10, 20, 50, 100, 200, 500, 1000, 2000}
	fmt.Printf("\nsample complexity at θ = 0.5, ε = 0.02 (smallest n on %v with mean constrained U ≥ 0.98, %d trials):\n", grid, trials)
	found := map[string]string{}
	got := map[string]int{}
	for _, r := range rules[:3] {
		s := &mw.Study{Group: mw.TwoGroups(40), K: 10, Theta: []float64{1, 0.5}, Constrained: true}
		n, ok, err := mw.SampleComplexity(ctx, s, r.r, 0.02, grid, trials, rand.New(rand.NewPCG(99, 0)))
		if err != nil {
			log.Fatal(err)
		}
		found[r.name] = "> 2000"
		got[r.name] = math.MaxInt
		if ok {
			found[r.name] = fmt.Sprint(n)
			got[r.name] = n
		}
		fmt.Printf("  %-6s %s\n", r.name, found[r.name])
	}
	pass := got["Borda"] <= 50 && got["SNTV"] == math.MaxInt && got["Bloc"] >= 100 && got["Bloc"] <= 1000
	rep.Add("5. sample-complexity tool", "ε = 0.02, θ = 0.5: Borda n ≤ 50; SNTV > 2000; Bloc n in [100, 1000]",
		fmt.Sprintf("Borda %s, SNTV %s, Bloc %s", found["Borda"], found["SNTV"], found["Bloc"]), pass)
}

// greedyVsExact is the second half of item 6.
func greedyVsExact(ctx context.Context, rep *claims.Report) {
	rng := rand.New(rand.NewPCG(11, 0))
	group := mw.TwoGroups(16)
	q := &mw.Quota{Lower: []int{2, 2}, Upper: []int{2, 2}}
	equal, worst := 0, 1.0
	for trial := 0; trial < 100; trial++ {
		w := make([]float64, 16)
		for c := range w {
			w[c] = rng.Float64()
		}
		wb, _ := mw.Biased(nil, w, group, []float64{1, 0.5})
		rk, _ := mw.Thurstone{Sigma: 0.1}.Sample(wb, 20, rng)
		p, err := mw.NewProfile(16, rk, group)
		if err != nil {
			log.Fatal(err)
		}
		g, err := mw.Select(ctx, mw.CC{}, p, 4, q, &mw.Settings{Method: mw.Greedy, Rand: rng})
		if err != nil {
			log.Fatal(err)
		}
		e, err := mw.Select(ctx, mw.CC{}, p, 4, q, &mw.Settings{Method: mw.Exact, Rand: rng})
		if err != nil {
			log.Fatal(err)
		}
		gv, ev := mw.CC{}.Value(p, g), mw.CC{}.Value(p, e)
		if gv == ev {
			equal++
		}
		worst = math.Min(worst, gv/ev)
	}
	rep.Add("6b. greedy CC against exact enumeration", "100 instances (m = 16, k = 4, quotas 2/2): greedy ≥ ½·exact always, equal on ≥ 90",
		fmt.Sprintf("worst ratio %.4f, equal on %d", worst, equal), worst >= 0.5 && equal >= 90)
}

// plotStudy draws U against n for each rule, constrained (solid) and not
// (dashed), at θ = 0.5 and θ = 1 side by side.
func plotStudy(file string, res map[key]mw.Stats) error {
	const w, h = 10 * vg.Inch, 4 * vg.Inch
	img := vgimg.New(w, h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2}
	for i, theta := range []float64{0.5, 1} {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("θ = %.1f", theta)
		p.X.Label.Text = "rankings n (log scale)"
		p.Y.Label.Text = "latent utility ratio U (CC: score ratio)"
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		p.Y.Min, p.Y.Max = 0.5, 1.02
		for j, r := range rules {
			for _, c := range []bool{true, false} {
				var xy plotter.XYs
				for _, n := range ns {
					st := res[key{r.name, theta, n, c}]
					v := st.U
					if r.cc {
						v = st.Score
					}
					xy = append(xy, plotter.XY{X: float64(n), Y: v})
				}
				l, err := plotter.NewLine(xy)
				if err != nil {
					return err
				}
				l.Color = plotutil.Color(j)
				name := r.name + " constrained"
				if !c {
					l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
					name = r.name + " unconstrained"
				}
				p.Add(l)
				if i == 0 {
					p.Legend.Add(name, l)
				}
			}
		}
		p.Legend.Top = false
		p.Legend.Left = false
		p.Legend.XOffs = -vg.Millimeter
		p.Legend.YOffs = vg.Millimeter
		p.Legend.TextStyle.Font.Size = vg.Points(8)
		p.Draw(tiles.At(dc, i, 0))
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = vgimg.PngCanvas{Canvas: img}.WriteTo(f)
	return err
}
