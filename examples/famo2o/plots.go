package main

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/optlearn/optlearn/rl/famo2o"
)

// curves draws the seed-averaged evaluation score against online steps,
// one panel per data set, one line per method.
func curves(path string, tasks []*task, sets []famo2o.PendulumData, methods []famo2o.Method, score func(float64) float64) error {
	const w, h = 5 * vg.Inch, 3.6 * vg.Inch
	img := vgimg.New(w*vg.Length(len(sets)), h)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: len(sets)}
	for c, k := range sets {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("Pendulum %s", k)
		p.X.Label.Text = "online environment steps"
		p.Y.Label.Text = "normalised score (mean over seeds)"
		lastMin, lastMax := math.Inf(1), math.Inf(-1)
		for mi, m := range methods {
			var sum []float64
			var steps []int
			n := 0
			for _, t := range tasks {
				if t.data != k || t.method != m || (t.a1 && len(t.res.Evals) < 2) {
					continue
				}
				if sum == nil {
					sum = make([]float64, len(t.res.Evals))
					for _, e := range t.res.Evals {
						steps = append(steps, e.EnvSteps)
					}
				}
				for i, e := range t.res.Evals {
					if i < len(sum) {
						sum[i] += score(e.Return)
					}
				}
				n++
			}
			if n == 0 {
				continue
			}
			xy := make(plotter.XYs, len(sum))
			for i := range sum {
				xy[i].X, xy[i].Y = float64(steps[i]), sum[i]/float64(n)
			}
			lastMin, lastMax = math.Min(lastMin, xy[len(xy)-1].Y), math.Max(lastMax, xy[len(xy)-1].Y)
			l, pts, err := plotter.NewLinePoints(xy)
			if err != nil {
				return err
			}
			l.Color = plotutil.Color(mi)
			pts.Color = plotutil.Color(mi)
			pts.Shape = plotutil.Shape(mi)
			p.Add(l, pts)
			p.Legend.Add(m.String(), l, pts)
		}
		// The legend goes to the corner the curves leave free: top right
		// when every curve ends below 60, else bottom right when they all
		// end above 40, else top left.
		p.Y.Max = math.Max(p.Y.Max, 100)
		p.Legend.Top, p.Legend.Left = true, false
		if lastMax >= 60 {
			p.Legend.Top = false
			if lastMin <= 40 {
				p.Legend.Top, p.Legend.Left = true, true
			}
		}
		p.Draw(tiles.At(dc, c, 0))
	}
	return save(path, img)
}

// betaHistogram draws the distribution of β(s) over visited states, split
// by the sign of cos θ (upper half: cos θ ≥ 0).
func betaHistogram(path string, beta, cos []float64) error {
	const bins = 20
	var up, down [bins]float64
	for i, b := range beta {
		j := min(max(int((b-1)/4*bins), 0), bins-1)
		if cos[i] >= 0 {
			up[j]++
		} else {
			down[j]++
		}
	}
	p := plot.New()
	p.Title.Text = "FamO2O on D3 after fine-tuning: beta(s) over visited states"
	p.X.Label.Text = "beta (bin centre)"
	p.Y.Label.Text = "states"
	bw := vg.Points(7)
	for c, v := range []struct {
		name string
		y    [bins]float64
	}{{"cos theta >= 0 (expert-like data)", up}, {"cos theta < 0 (random data)", down}} {
		b, err := plotter.NewBarChart(plotter.Values(v.y[:]), bw)
		if err != nil {
			return err
		}
		b.Color = plotutil.Color(c)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(2*c-1) * bw / 2
		p.Add(b)
		p.Legend.Add(v.name, b)
	}
	names := make([]string, bins)
	for i := range names {
		if i%4 == 0 {
			names[i] = fmt.Sprintf("%.1f", 1+4*(float64(i)+0.5)/bins)
		}
	}
	p.NominalX(names...)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Y.Max *= 1.3 // room for the legend above the bars
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}

// a1Figure draws, for each A1 run, the mean squared distance to the data
// set action and the score against β.
func a1Figure(path string, tasks []*task, score func(float64) float64) error {
	img := vgimg.New(10*vg.Inch, 3.6*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2}
	p1, p2 := plot.New(), plot.New()
	p1.Title.Text = "D2 offline: distance to the data action"
	p1.X.Label.Text = "beta"
	p1.Y.Label.Text = "mean squared distance (torque^2)"
	p2.Title.Text = "D2 offline: return of the family member"
	p2.X.Label.Text = "beta"
	p2.Y.Label.Text = "normalised score"
	i := 0
	for _, t := range tasks {
		if !t.a1 || len(t.msd) != len(betas) {
			continue
		}
		a, b := make(plotter.XYs, len(betas)), make(plotter.XYs, len(betas))
		for j, x := range betas {
			a[j].X, a[j].Y = x, t.msd[j]
			b[j].X, b[j].Y = x, score(t.betaRet[j])
		}
		for _, q := range []struct {
			p  *plot.Plot
			xy plotter.XYs
		}{{p1, a}, {p2, b}} {
			l, pts, err := plotter.NewLinePoints(q.xy)
			if err != nil {
				return err
			}
			l.Color, pts.Color, pts.Shape = plotutil.Color(i), plotutil.Color(i), plotutil.Shape(i)
			q.p.Add(l, pts)
			q.p.Legend.Add(fmt.Sprintf("seed %d", t.seed), l, pts)
		}
		i++
	}
	p1.Legend.Top, p2.Legend.Top = true, false
	p1.Legend.Left, p2.Legend.Left = true, false
	p1.Draw(tiles.At(dc, 0, 0))
	p2.Draw(tiles.At(dc, 1, 0))
	return save(path, img)
}

var _ = color.Black

func save(path string, img *vgimg.Canvas) error {
	return savePNG(path, img)
}
