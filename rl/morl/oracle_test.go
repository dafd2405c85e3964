package morl

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/ppo"
)

// oracle replaces PPO-IPO by the exact constrained argmax over the DST
// front: max p_l s.t. (p_j − ref_j) ≥ β(G_j − ref_j) for j ≠ l.
type oracle struct {
	beta float64
	ref  []float64
}

func (o oracle) Extend(_ context.Context, t Task, _ *rand.Rand) ([]Entry, int, Stage2Stats, error) {
	parent, l, round := t.Parent, t.Objective, t.Round
	var best []float64
	for _, p := range envs.DSTFront() {
		ok := true
		for j := range p {
			if j != l && p[j]-o.ref[j] < o.beta*(parent.G[j]-o.ref[j]) {
				ok = false
			}
		}
		if ok && (best == nil || p[l] > best[l]) {
			best = p
		}
	}
	if best == nil {
		return nil, 0, Stage2Stats{}, nil
	}
	return []Entry{{G: best, Origin: Origin{Stage: 2, Parent: parent.G, Objective: l, Round: round}}}, 0, Stage2Stats{}, nil
}

func TestOracleRounds(t *testing.T) {
	ref := []float64{0, -25}
	for _, c := range []struct {
		beta  float64
		sizes []int
		hvs   []float64
	}{
		{0.9, []int{3, 4, 5, 6, 7, 7}, []float64{778, 792, 816, 849, 929, 929}},
		{0.5, nil, nil},
	} {
		ar, err := NewArchive(ref, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := ar.Insert(Entry{G: []float64{1, -1}}, Entry{G: []float64{124, -19}}); err != nil {
			t.Fatal(err)
		}
		er, err := Extend(context.Background(), ar, oracle{c.beta, ref}, &ExtendSettings{NumSelect: 2, MaxIter: 6, Objectives: 2, UpdateIter: 1})
		if err != nil {
			t.Fatal(err)
		}
		tr := er.Rounds
		if len(tr) != 6 {
			t.Fatalf("beta %g: %d rounds, want 6", c.beta, len(tr))
		}
		for i, r := range tr {
			t.Logf("beta %g round %d: selected %v size %d HV %g", c.beta, i, r.Selected, r.Size, r.HV)
			if c.sizes != nil && (r.Size != c.sizes[i] || r.HV != c.hvs[i]) {
				t.Errorf("beta %g round %d: size %d HV %g, want %d %g", c.beta, i, r.Size, r.HV, c.sizes[i], c.hvs[i])
			}
		}
		if c.beta == 0.9 {
			var got []float64
			for _, p := range ar.Points() {
				got = append(got, p[0])
			}
			want := []float64{1, 2, 3, 5, 8, 16, 124}
			if len(got) != len(want) {
				t.Fatalf("final treasures %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("final treasures %v, want %v", got, want)
				}
			}
		} else {
			if tr[0].HV != 1000 {
				t.Errorf("beta 0.5 round 0 HV %g, want 1000", tr[0].HV)
			}
			if tr[5].Size != 10 || math.Abs(tr[5].HV-1155) != 0 {
				t.Errorf("beta 0.5 round 5: size %d HV %g, want 10 and 1155", tr[5].Size, tr[5].HV)
			}
		}
	}
}

func TestBarrierGrad(t *testing.T) {
	mb := &ppo.Minibatch{
		Ratio: []float64{0.9, 1.05, 1.3, 1.0}, Adv: make([]float64, 4),
		AdvVec: []float64{1, -2, 0.5, 3, -1, 1, 2, 0}, Objectives: 2, Clip: 0.2, MeanEpLen: 10,
	}
	for _, c := range []struct {
		name  string
		old   []float64
		batch *ppo.Batch // nil: Grad without BeginUpdate
	}{
		{"feasible", []float64{50, -14}, nil}, {"infeasible", []float64{50, -24}, nil},
		{"feasible update", []float64{50, -14}, &ppo.Batch{Objectives: 2, MeanEpLen: 10, AdvMean: []float64{0, -0.2}}},
		{"violated update", []float64{50, -14}, &ppo.Batch{Objectives: 2, MeanEpLen: 10, AdvMean: []float64{0, -0.5}}},
	} {
		b := &Barrier{L: 0, Beta: 0.6, T: 20, Ref: []float64{0, -25}, Parent: []float64{50, -14}, Old: c.old, CriticFeasibility: true}
		if c.batch != nil {
			b.BeginUpdate(c.batch)
		}
		w := make([]float64, 4)
		b.Grad(w, mb)
		for i := range mb.Ratio {
			const h = 1e-7
			r := mb.Ratio[i]
			mb.Ratio[i] = r * math.Exp(h)
			fp := b.Grad(make([]float64, 4), mb)
			mb.Ratio[i] = r * math.Exp(-h)
			fm := b.Grad(make([]float64, 4), mb)
			mb.Ratio[i] = r
			if fd := (fp - fm) / (2 * h); math.Abs(fd-w[i]) > 1e-6 {
				t.Errorf("%s sample %d: analytic %g, finite difference %g", c.name, i, w[i], fd)
			}
		}
	}
}

// TestBarrierPerUpdateFeasibility checks that the barrier decides
// feasibility once per update on the whole batch (spec step 7: "skip the
// log term for that update"): a parent with slack whose batch argument is
// positive keeps the log term on a minibatch whose own mean advantage would
// put the argument below zero, and an update that starts violated uses the
// recovery term throughout.
func TestBarrierPerUpdateFeasibility(t *testing.T) {
	// Parent (50, −14), ref (0, −25), β 0.6: slack of the time objective
	// (11 − 6.6) = 4.4 at Old = Parent.
	newBar := func() *Barrier {
		return &Barrier{L: 0, Beta: 0.6, T: 20, Ref: []float64{0, -25}, Parent: []float64{50, -14}, Old: []float64{50, -14}, CriticFeasibility: true}
	}
	// A minibatch at θ_old (ratios 1) with mean time advantage −1: its own
	// estimate is 4.4 + 10·(−1) < 0.
	mb := &ppo.Minibatch{
		Ratio: []float64{1, 1, 1, 1}, Adv: make([]float64, 4),
		AdvVec: []float64{0, -2, 0, 0, 0, -1, 0, -1}, Objectives: 2, Clip: 0.2, MeanEpLen: 10,
	}
	logGrad := func(arg float64) []float64 { // (L̄/(T·arg·B))·ρ·A_time
		g := make([]float64, 4)
		for i := range g {
			g[i] = 10 / (20 * arg * 4) * mb.AdvVec[2*i+1]
		}
		return g
	}
	near := func(a, b []float64) bool {
		for i := range a {
			if math.Abs(a[i]-b[i]) > 1e-12 {
				return false
			}
		}
		return true
	}

	// Whole batch with mean time advantage 0: feasible for the update.
	b := newBar()
	b.BeginUpdate(&ppo.Batch{Objectives: 2, MeanEpLen: 10, AdvMean: []float64{0, 0}})
	if b.Violated(1) {
		t.Fatal("feasible batch reported violated")
	}
	g := make([]float64, 4)
	v := b.Grad(g, mb)
	if want := logGrad(4.4); !near(g, want) || math.Abs(v-math.Log(4.4)/20) > 1e-12 {
		t.Errorf("feasible update: grad %v value %g, want log-barrier grad %v value %g", g, v, want, math.Log(4.4)/20)
	}

	// Whole batch with mean time advantage −1: violated for the update,
	// even on a minibatch whose own estimate is feasible.
	b = newBar()
	b.BeginUpdate(&ppo.Batch{Objectives: 2, MeanEpLen: 10, AdvMean: []float64{0, -1}})
	if !b.Violated(1) {
		t.Fatal("violated batch reported feasible")
	}
	mb2 := *mb
	mb2.AdvVec = []float64{0, 1, 0, 0, 0, 0, 0, 0}
	g = make([]float64, 4)
	b.Grad(g, &mb2)
	want := []float64{0.25, 0, 0, 0}
	if !near(g, want) {
		t.Errorf("violated update: grad %v, want recovery grad %v", g, want)
	}

	// The default decides from the evaluated Old alone: the same batch is
	// feasible (the critic's mean advantage does not move the estimate).
	b = newBar()
	b.CriticFeasibility = false
	b.BeginUpdate(&ppo.Batch{Objectives: 2, MeanEpLen: 10, AdvMean: []float64{0, -1}})
	if b.Violated(1) || b.Recovering() {
		t.Error("evaluated feasibility: batch with slack 4.4 reported violated")
	}
	if !b.Feasible([]float64{50, -18.4}) || b.Feasible([]float64{50, -18.5}) {
		t.Error("Feasible: boundary G_1 = -18.4")
	}
}
