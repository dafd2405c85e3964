package ild

import (
	"math"
	"math/rand/v2"
	"testing"
)

// A2: the analytic NLL gradient equals central finite differences (step
// 1e-6) to relative error < 1e-5 at a random parameter point.
func TestGradientFiniteDifferences(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	for _, mode := range []Mode{Dense, RelaxCan, Can} {
		md, _ := New(4, 3, 2, mode, 0.5)
		perturb := func(v []float64, s float64) {
			for i := range v {
				v[i] += s * rng.NormFloat64()
			}
		}
		perturb(md.W, 0.3)
		perturb(md.C, 0.3)
		for d := 0; d < md.D; d++ {
			perturb(md.L[d], 0.3)
			perturb(md.S[d], 0.2)
			perturb(md.B[d], 0.3)
		}
		if mode == Can {
			for j := 0; j < 4; j++ {
				for d := 0; d < 3; d++ {
					if j < 2 || d == 0 {
						clear(md.L[d][j*4 : (j+1)*4])
						md.S[d][j] = 1
					}
				}
			}
		}
		md.Validate()
		var xs [][]float64
		var ds []int
		for k := 0; k < 50; k++ {
			x := make([]float64, 4)
			perturb(x, 1.5)
			xs, ds = append(xs, x), append(ds, k%3)
		}
		_, g, err := md.Gradient(xs, ds)
		if err != nil {
			t.Fatal(err)
		}
		nll := func() float64 {
			md.tie()
			v, _, _ := md.Gradient(xs, ds)
			return v
		}
		check := func(name string, p, gp []float64, free func(i int) bool) {
			for i := range p {
				if !free(i) {
					continue
				}
				old := p[i]
				const h = 1e-6
				p[i] = old + h
				fp := nll()
				p[i] = old - h
				fm := nll()
				p[i] = old
				md.tie()
				fd := (fp - fm) / (2 * h)
				if math.Abs(fd-gp[i]) > 1e-5*math.Max(1, math.Abs(fd)) {
					t.Errorf("%v %s[%d]: analytic %.8g, finite differences %.8g", mode, name, i, gp[i], fd)
				}
			}
		}
		all := func(int) bool { return true }
		check("W", md.W, g.W, all)
		check("c", md.C, g.C, all)
		for d := 0; d < md.D; d++ {
			d := d
			row := func(i int) bool { return !md.shared(i) || d == 0 }
			lower := func(i int) bool { r, c := i/4, i%4; return c < r && row(r) && !(mode == Can && (d == 0 || r < 2)) }
			check("L", md.L[d], g.L[d], lower)
			check("S", md.S[d], g.S[d], func(i int) bool { return row(i) && !(mode == Can && (d == 0 || i < 2)) })
			check("b", md.B[d], g.B[d], row)
		}
	}
}
