package sched

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Gantt returns a Gantt chart of s built with gonum/plot: one row per
// machine, one bar per operation coloured by job, a dashed line at the
// makespan. It returns an error if s is not a valid schedule of inst.
func Gantt(inst *Instance, s Schedule, title string) (*plot.Plot, error) {
	if err := s.Validate(inst); err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time"
	p.Y.Label.Text = "machine"
	p.Add(&ganttBars{inst: inst, s: s})
	c := float64(s.Makespan(inst))
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

// SaveGantt writes the Gantt chart of s to file; the extension (.svg, .png,
// .pdf, ...) chooses the format. Width and height are in centimetres;
// zero means 24×(1+0.8·M).
func SaveGantt(file string, inst *Instance, s Schedule, title string, width, height float64) error {
	p, err := Gantt(inst, s, title)
	if err != nil {
		return err
	}
	w, h := ganttSize(inst, width, height)
	return p.Save(w, h, file)
}

// WriteGantt writes the Gantt chart of s to w in the given format ("svg",
// "png", ...); see SaveGantt for the size.
func WriteGantt(w io.Writer, format string, inst *Instance, s Schedule, title string, width, height float64) error {
	p, err := Gantt(inst, s, title)
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

func ganttSize(inst *Instance, width, height float64) (vg.Length, vg.Length) {
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
	inst *Instance
	s    Schedule
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
	return 0, float64(g.s.Makespan(g.inst)), -0.5, float64(g.inst.M) - 0.5
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
