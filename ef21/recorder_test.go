package ef21_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/run"
)

func TestPrinterHistory(t *testing.T) {
	p := r1(t, 10)
	var b strings.Builder
	var h ef21.History
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{MaxIter: 25, Tol: -1, Recorder: run.Tee[*ef21.Iter](&ef21.Printer{W: &b, Interval: -1}, &h)})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	// start, rounds 1..25, end
	if len(lines) != 27 || !strings.HasPrefix(lines[26], "end IterationLimit after 25") || !strings.HasPrefix(lines[10], "iter 10/25") ||
		!strings.Contains(lines[0], "|grad f|^2") {
		t.Errorf("printer output:\n%s", b.String())
	}
	if h.Len() != 26 || h.Iters[25].Iteration != 25 || h.Iters[25].Bits != r.Bits || h.Iters[25].GradNormSq != r.GradNormSq || h.Status != run.IterationLimit {
		t.Errorf("history has %d rounds, last %v, status %v", h.Len(), h.Iters[h.Len()-1].Iteration, h.Status)
	}
	// History owns copies of the iterates.
	if h.Iters[0].X[0] != 0 || &h.Iters[1].X[0] == &h.Iters[2].X[0] {
		t.Error("History does not copy X")
	}
	// The Lyapunov value is f + γ/(2θ)·G.
	for k, it := range h.Iters {
		if want := it.F + r.Gamma/(2*r.Theta)*it.G; math.Abs(it.Lyapunov-want) > 1e-12*math.Abs(want) {
			t.Fatalf("round %d: Lyapunov %v, want %v", k, it.Lyapunov, want)
		}
	}
}

func TestStepRuleString(t *testing.T) {
	if ef21.RuleQM.String() != "QM" || ef21.RuleAM.String() != "AM" || ef21.RuleRare.String() != "Rare" {
		t.Error("StepRule.String")
	}
}

// TestGivenConstants checks that explicit weights, smoothness constants and
// κ are used as given.
func TestGivenConstants(t *testing.T) {
	p := r1(t, 1000)
	li := localL(p, p.N())
	w, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{Weighted: true, MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	// The same weights given explicitly, with L and the Lᵢ given: same run.
	g, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{Weights: w.Weights, L: li, LGlobal: p.Smoothness(), MaxIter: 50})
	if err != nil {
		t.Fatal(err)
	}
	if g.Gamma != w.Gamma || g.F != w.F {
		t.Errorf("explicit constants: γ %v vs %v, f %v vs %v", g.Gamma, w.Gamma, g.F, w.F)
	}
	k, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{Weighted: true, Kappa: 4, MaxIter: 1})
	if math.Abs(k.Gamma-w.Gamma/4) > 1e-18 {
		t.Errorf("κ = 4: γ = %v, want %v", k.Gamma, w.Gamma/4)
	}
	if want := ef21.StepsizeAM(p.Smoothness(), li, 1.0/30); math.Abs(w.Gamma-want) > 1e-18 {
		t.Errorf("γ = %v, want γ_AM = %v", w.Gamma, want)
	}
	for i, v := range w.Weights {
		if math.Abs(v-li[i]/(20*ef21.MeanAM(li))) > 1e-15 {
			t.Errorf("w[%d] = %v", i, v)
		}
	}
}
