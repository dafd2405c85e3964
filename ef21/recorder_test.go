package ef21_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/optlearn/optlearn/ef21"
)

func TestPrinterHistory(t *testing.T) {
	p := r1(t, 10)
	var b strings.Builder
	var h ef21.History
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{Iters: 25, Recorder: multi{&ef21.Printer{W: &b, Every: 10}, &h}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	// header, rounds 0, 10, 20, end
	if len(lines) != 5 || !strings.Contains(lines[4], "(end)") || !strings.HasPrefix(strings.TrimSpace(lines[2]), "10 ") {
		t.Errorf("printer output:\n%s", b.String())
	}
	if len(h.Round) != 26 || h.Round[25] != 25 || h.Bits[25] != r.Bits || h.GradNormSq[25] != r.GradNormSq {
		t.Errorf("history has %d rounds, last %v", len(h.Round), h.Round[len(h.Round)-1])
	}
	// The Lyapunov value is f + γ/(2θ)·G.
	for k := range h.Round {
		if want := h.F[k] + r.Gamma/(2*r.Theta)*h.G[k]; math.Abs(h.Lyapunov[k]-want) > 1e-12*math.Abs(want) {
			t.Fatalf("round %d: Lyapunov %v, want %v", k, h.Lyapunov[k], want)
		}
	}
}

func TestStatusString(t *testing.T) {
	for s, want := range map[ef21.Status]string{ef21.Converged: "Converged", ef21.Canceled: "Canceled", ef21.Failure: "Failure", ef21.Status(99): "Status(?)"} {
		if s.String() != want {
			t.Errorf("%d: %q", int(s), s.String())
		}
	}
	if ef21.RuleQM.String() != "QM" || ef21.RuleAM.String() != "AM" {
		t.Error("StepRule.String")
	}
}

// TestGivenConstants checks that explicit weights, smoothness constants and
// κ are used as given.
func TestGivenConstants(t *testing.T) {
	p := r1(t, 1000)
	li := localL(p, p.N())
	w, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{Weighted: true, Iters: 50})
	if err != nil {
		t.Fatal(err)
	}
	// The same weights given explicitly, with L and the Lᵢ given: same run.
	g, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{Weights: w.Weights, L: li, LGlobal: p.Smoothness(), Iters: 50})
	if err != nil {
		t.Fatal(err)
	}
	if g.Gamma != w.Gamma || g.F != w.F {
		t.Errorf("explicit constants: γ %v vs %v, f %v vs %v", g.Gamma, w.Gamma, g.F, w.F)
	}
	k, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{Weighted: true, Kappa: 4, Iters: 1})
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
