package gpme

import (
	"context"
	"math"
	"testing"
)

const instances = 20

type caseRun struct {
	c   Case
	ins []*Instance
}

var runs []caseRun

// allRuns runs the 20 fixed instances of every case once per test binary.
func allRuns(t *testing.T) []caseRun {
	t.Helper()
	if runs != nil {
		return runs
	}
	for _, c := range Cases() {
		cr := caseRun{c: c}
		for i := 0; i < instances; i++ {
			in, err := Run(context.Background(), c, i, nil)
			if err != nil {
				t.Fatalf("Run(%s, %d): %v", c.Name, i, err)
			}
			cr.ins = append(cr.ins, in)
		}
		runs = append(runs, cr)
	}
	return runs
}

func mean(ins []*Instance, method string, f func(Result) float64) float64 {
	var s float64
	for _, in := range ins {
		r, _ := in.Get(method)
		s += f(r)
	}
	return s / float64(len(ins))
}

func mse(r Result) float64   { return r.MSE }
func ll(r Result) float64    { return r.LL }
func absCE(r Result) float64 { return math.Abs(r.CE) }
func shock(r Result) float64 { return r.ShockErr }

func TestSummary(t *testing.T) {
	for _, cr := range allRuns(t) {
		t.Logf("%-10s MSE GP %.4g PC %.4g H %.4g (ratio %.3f) | LL GP %.4g PC %.4g H %.4g | |CE| GP %.3g PC %.2g H %.2g | shock GP %.4g PC %.4g H %.4g",
			cr.c.Name, mean(cr.ins, GP, mse), mean(cr.ins, PC, mse), mean(cr.ins, HardC, mse),
			mean(cr.ins, PC, mse)/mean(cr.ins, GP, mse),
			mean(cr.ins, GP, ll), mean(cr.ins, PC, ll), mean(cr.ins, HardC, ll),
			mean(cr.ins, GP, absCE), mean(cr.ins, PC, absCE), mean(cr.ins, HardC, absCE),
			mean(cr.ins, GP, shock), mean(cr.ins, PC, shock), mean(cr.ins, HardC, shock))
	}
}

// TestA1Exactness: on every instance, the limit update conserves exactly,
// shrinks every variance and annihilates g.
func TestA1Exactness(t *testing.T) {
	for _, cr := range allRuns(t) {
		for _, in := range cr.ins {
			gp, _ := in.Get(GP)
			pc, _ := in.Get(PC)
			var gm float64
			for i, w := range in.W {
				gm += w * pc.Mean[i]
			}
			if d := math.Abs(gm - in.Mass); d > 1e-10*math.Max(1, math.Abs(in.Mass)) {
				t.Errorf("%s seed %d: |gᵀμ̃ − U| = %g", in.Case, in.Seed, d)
			}
			for i := range pc.Var {
				if pc.Var[i] > gp.Var[i]+1e-12 {
					t.Errorf("%s seed %d: var[%d] grew %g -> %g", in.Case, in.Seed, i, gp.Var[i], pc.Var[i])
				}
			}
			cov := pc.Cov.(interface {
				MulVec(dst, x []float64) ([]float64, error)
			})
			sg, err := cov.MulVec(nil, in.W)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range sg {
				if math.Abs(v) > 1e-10 {
					t.Errorf("%s seed %d: (Σ̃g)[%d] = %g", in.Case, in.Seed, i, v)
				}
			}
		}
	}
}

// TestA2GPViolatesConservation: mean |CE_GP| ≥ 5e-3 on Stefan and PME.
func TestA2GPViolatesConservation(t *testing.T) {
	for _, cr := range allRuns(t) {
		if cr.c.Name[:4] == "Heat" {
			continue
		}
		got := mean(cr.ins, GP, absCE)
		t.Logf("%s: mean |CE_GP| = %.4g", cr.c.Name, got)
		if got < 5e-3 {
			t.Errorf("%s: mean |CE_GP| = %g < 5e-3", cr.c.Name, got)
		}
		if h := mean(cr.ins, HardC, absCE); h > 1e-12 {
			t.Errorf("%s: HardC mean |CE| = %g, want 0", cr.c.Name, h)
		}
	}
}

// TestA3MSE: the spec's MSE-ratio thresholds over the 20 fixed instances.
func TestA3MSE(t *testing.T) {
	limit := map[string]float64{"Stefan0.5": 0.9, "PME1": 0.9, "PME3": 0.9, "Heat1": 0.9,
		"Stefan0.6": 0.95, "PME6": 1.0, "Heat5": 1.0}
	for _, cr := range allRuns(t) {
		ratio := mean(cr.ins, PC, mse) / mean(cr.ins, GP, mse)
		t.Logf("%s: mean MSE GP %.4g PC %.4g ratio %.3f (limit %.2f)", cr.c.Name, mean(cr.ins, GP, mse), mean(cr.ins, PC, mse), ratio, limit[cr.c.Name])
		if !(ratio <= limit[cr.c.Name]) {
			t.Errorf("%s: MSE ratio PC/GP = %.4g > %.2f", cr.c.Name, ratio, limit[cr.c.Name])
		}
	}
}

// TestA4LogLik: PC improves the mean LL in every case and wins ≥ 14/20
// instances on Stefan and PME3.
func TestA4LogLik(t *testing.T) {
	for _, cr := range allRuns(t) {
		lg, lp := mean(cr.ins, GP, ll), mean(cr.ins, PC, ll)
		wins := 0
		for _, in := range cr.ins {
			g, _ := in.Get(GP)
			p, _ := in.Get(PC)
			if p.LL > g.LL {
				wins++
			}
		}
		t.Logf("%s: mean LL GP %.4g PC %.4g, PC wins %d/%d", cr.c.Name, lg, lp, wins, len(cr.ins))
		if !(lp > lg) {
			t.Errorf("%s: mean LL PC %.4g ≤ GP %.4g", cr.c.Name, lp, lg)
		}
		switch cr.c.Name {
		case "Stefan0.6", "Stefan0.5", "PME3":
			if wins < 14 {
				t.Errorf("%s: PC wins LL in %d/20 < 14", cr.c.Name, wins)
			}
		}
	}
}

// TestA5HardC: HardC's LL is below PC's on Stefan and PME3.
func TestA5HardC(t *testing.T) {
	for _, cr := range allRuns(t) {
		switch cr.c.Name {
		case "Stefan0.6", "Stefan0.5", "PME3":
		default:
			continue
		}
		lh, lp := mean(cr.ins, HardC, ll), mean(cr.ins, PC, ll)
		t.Logf("%s: mean LL HardC %.4g PC %.4g", cr.c.Name, lh, lp)
		if !(lh < lp) {
			t.Errorf("%s: mean LL HardC %.4g ≥ PC %.4g", cr.c.Name, lh, lp)
		}
	}
}

// TestA6Shock: the sampled front of PC is closer to x* than the GP's.
func TestA6Shock(t *testing.T) {
	limit := map[string]float64{"PME3": 0.8, "Stefan0.5": 0.95}
	for _, cr := range allRuns(t) {
		l, ok := limit[cr.c.Name]
		if !ok {
			continue
		}
		sg, sp := mean(cr.ins, GP, shock), mean(cr.ins, PC, shock)
		t.Logf("%s: mean shock error GP %.4g PC %.4g ratio %.3f (limit %.2f)", cr.c.Name, sg, sp, sp/sg, l)
		if !(sp <= l*sg) {
			t.Errorf("%s: shock error PC %.4g > %.2f × GP %.4g", cr.c.Name, sp, l, sg)
		}
	}
}
