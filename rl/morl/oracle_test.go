package morl

import (
	"context"
	"math"
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

func (o oracle) Extend(_ context.Context, parent Entry, l, round int, _ uint64) ([]Entry, int, error) {
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
		return nil, 0, nil
	}
	return []Entry{{G: best, Origin: Origin{Stage: 2, Parent: parent.G, Objective: l, Round: round}}}, 0, nil
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
		tr, _, err := Extend(context.Background(), ar, oracle{c.beta, ref}, &ExtendSettings{NumSelect: 2, Rounds: 6, Objectives: 2})
		if err != nil {
			t.Fatal(err)
		}
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
		name string
		old  []float64
	}{{"feasible", []float64{50, -14}}, {"infeasible", []float64{50, -24}}} {
		b := &Barrier{L: 0, Beta: 0.6, T: 20, Ref: []float64{0, -25}, Parent: []float64{50, -14}, Old: c.old}
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
