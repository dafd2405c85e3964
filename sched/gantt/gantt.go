package gantt

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/optlearn/optlearn/sched"
)

// Plot returns a Gantt chart of s built with gonum/plot: one row per
// machine, one bar per operation coloured by job, a dashed line at the
// makespan. It returns an error (wrapping sched.ErrSchedule or
// sched.ErrInstance) if s is not a valid schedule of inst.
func Plot(inst *sched.Instance, s sched.Schedule, title string) (*plot.Plot, error) {
	if err := s.Validate(inst); err != nil {
		return nil, err
	}
	cmax, err := s.Makespan(inst)
	if err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time"
	p.Y.Label.Text = "machine"
	p.Add(&ganttBars{inst: inst, s: s, cmax: cmax})
	c := float64(cmax)
	line, err := plotter.NewLine(plotter.XYs{{X: c, Y: -0.5}, {X: c, Y: float64(inst.M) - 0.5}})
	if err != nil {
		return nil, err
	}
	line.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
	p.Add(line)
	ticks := make([]plot.Tick, inst.M)
	for mu := range ticks {
		ticks[mu] = plot.Tick{Value: float64(mu), Label: fmt.Sprintf("M%d", mu)}
	}
	p.Y.Tick.Marker = plot.ConstantTicks(ticks)
	p.Y.Min, p.Y.Max = -0.6, float64(inst.M)-0.4
	p.X.Min, p.X.Max = 0, c*1.02
	return p, nil
}

// Save writes the Gantt chart of s to file; the extension (.svg, .png,
// .pdf, ...) chooses the format. Width and height are in centimetres;
// zero means 24×(1+0.8·M); negative or non-finite sizes are an error.
func Save(file string, inst *sched.Instance, s sched.Schedule, title string, width, height float64) error {
	if err := checkSize(width, height); err != nil {
		return err
	}
	p, err := Plot(inst, s, title)
	if err != nil {
		return err
	}
	w, h := ganttSize(inst, width, height)
	return p.Save(w, h, file)
}

// Write writes the Gantt chart of s to w in the given format ("svg",
// "png", ...); see [Save] for the size.
func Write(w io.Writer, format string, inst *sched.Instance, s sched.Schedule, title string, width, height float64) error {
	if err := checkSize(width, height); err != nil {
		return err
	}
	if w == nil {
		return errors.New("gantt: nil writer")
	}
	p, err := Plot(inst, s, title)
	if err != nil {
		return err
	}
	cw, ch := ganttSize(inst, width, height)
	wt, err := p.WriterTo(cw, ch, format)
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}

// checkSize rejects negative and non-finite chart sizes.
func checkSize(width, height float64) error {
	if !(width >= 0 && height >= 0) || math.IsInf(width, 0) || math.IsInf(height, 0) {
		return fmt.Errorf("gantt: size %v x %v cm (want finite, ≥ 0; 0 = default)", width, height)
	}
	return nil
}

func ganttSize(inst *sched.Instance, width, height float64) (vg.Length, vg.Length) {
	if width <= 0 {
		width = 24
	}
	if height <= 0 {
		height = 1 + 0.8*float64(inst.M)
	}
	return vg.Length(width) * vg.Centimeter, vg.Length(height) * vg.Centimeter
}

// ganttBars is a plot.Plotter drawing one rectangle per operation.
type ganttBars struct {
	inst *sched.Instance
	s    sched.Schedule
	cmax int
}

// Plot implements plot.Plotter.
func (g *ganttBars) Plot(c draw.Canvas, plt *plot.Plot) {
	trX, trY := plt.Transforms(&c)
	inst := g.inst
	fnt := plot.DefaultFont
	fnt.Size = vg.Points(7)
	sty := draw.TextStyle{Color: color.Black, Font: fnt, XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
	for j := 0; j < inst.N; j++ {
		col := jobColor(j, inst.N)
		for k := 0; k < inst.M; k++ {
			st := float64(g.s.Start[j][k])
			en := st + float64(inst.Dur[j][k])
			y := float64(inst.Mach[j][k])
			x0, x1 := trX(st), trX(en)
			y0, y1 := trY(y-0.4), trY(y+0.4)
			pts := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}
			c.FillPolygon(col, c.ClipPolygonXY(pts))
			outline := draw.LineStyle{Color: color.Gray{Y: 40}, Width: vg.Points(0.3)}
			c.StrokeLines(outline, c.ClipLinesXY(append(pts, pts[0]))...)
			if inst.N <= 30 && x1-x0 > vg.Points(9) {
				c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, fmt.Sprint(j))
			}
		}
	}
}

// DataRange implements plot.DataRanger.
func (g *ganttBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	return 0, float64(g.cmax), -0.5, float64(g.inst.M) - 0.5
}

// jobColor spreads N hues around the colour wheel.
func jobColor(j, n int) color.Color {
	h := float64(j) / float64(max(n, 1)) * 6
	x := 1 - math.Abs(math.Mod(h, 2)-1)
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g = 1, x
	case 1:
		r, g = x, 1
	case 2:
		g, b = 1, x
	case 3:
		g, b = x, 1
	case 4:
		r, b = x, 1
	default:
		r, b = 1, x
	}
	const light = 0.35 // mix with white so labels stay readable
	mix := func(v float64) uint8 { return uint8(255 * (light + (1-light)*v)) }
	return color.RGBA{R: mix(r), G: mix(g), B: mix(b), A: 255}
}
