package anp

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

func tinyData(t testing.TB, n, extra int, seed uint64) []Function {
	t.Helper()
	d, err := MakeData([]Family{Diffusion, PME, Stefan}, n, extra, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// The graph's outputs (latent distributions, predictive mean and standard
// deviation) equal the graph-free pass to 1e-12, with and without
// self-attention and the residual term.
func TestGraphMatchesFastPass(t *testing.T) {
	data := tinyData(t, 1, 7, 2)
	for _, tc := range []struct {
		self   bool
		lambda float64
	}{{false, 0}, {true, 1}} {
		m, err := New(Config{Hidden: 8, Latent: 4, Heads: 2, SelfAttention: tc.self}, rand.New(rand.NewPCG(5, 0)))
		if err != nil {
			t.Fatal(err)
		}
		B := len(data)
		gr, err := newGraph(m, B, len(data[0].CTau), len(data[0].TTau), 3, tc.lambda)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 0))
		for b := range data {
			gr.fill(b, &data[b], rng)
		}
		for i := range gr.eps {
			gr.eps[i] = rng.NormFloat64()
		}
		if _, err := gr.run(); err != nil {
			t.Fatal(err)
		}
		mu := gr.mu.Value().Data().([]float64)
		sd := gr.sigma.Value().Data().([]float64)
		zmc := gr.zMeanC.Value().Data().([]float64)
		zsc := gr.zStdC.Value().Data().([]float64)
		dz, nt := m.Config.Latent, len(data[0].TTau)
		for b, f := range data {
			c, err := m.Condition(f.CTau, f.CXi, f.CY)
			if err != nil {
				t.Fatal(err)
			}
			post, err := m.Condition(f.TTau, f.TXi, f.TY)
			if err != nil {
				t.Fatal(err)
			}
			z := make([]float64, dz)
			for k := range z {
				z[k] = post.ZMean[k] + post.ZStd[k]*gr.eps[b*dz+k]
				if d := math.Abs(c.ZMean[k] - zmc[b*dz+k]); d > 1e-12 {
					t.Fatalf("z mean differs by %g", d)
				}
				if d := math.Abs(c.ZStd[k] - zsc[b*dz+k]); d > 1e-12 {
					t.Fatalf("z std differs by %g", d)
				}
			}
			means, stds, err := c.Decode(f.TTau, f.TXi, [][]float64{z})
			if err != nil {
				t.Fatal(err)
			}
			for j := 0; j < nt; j++ {
				if d := math.Abs(means[0][j] - mu[b*nt+j]); d > 1e-12 {
					t.Fatalf("self=%v fn %d target %d: mean graph %v fast %v", tc.self, b, j, mu[b*nt+j], means[0][j])
				}
				if d := math.Abs(stds[0][j] - sd[b*nt+j]); d > 1e-12 {
					t.Fatalf("self=%v fn %d target %d: std graph %v fast %v", tc.self, b, j, sd[b*nt+j], stds[0][j])
				}
			}
		}
		if tc.lambda > 0 && !(scalar(gr.res) >= 0) {
			t.Errorf("residual %v", scalar(gr.res))
		}
		gr.close()
	}
}

func TestTrainTiny(t *testing.T) {
	data := tinyData(t, 4, 20, 3)
	m, err := New(Config{Hidden: 8, Latent: 4, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	var h History
	res, err := Train(context.Background(), m, data, &Settings{MaxIter: 60, Batch: 4, LR: 3e-3, Rand: rand.New(rand.NewPCG(2, 0)), Recorder: &h})
	if err != nil {
		t.Fatal(err)
	}
	first, last := 0.0, 0.0
	its := h.Iters[1:]
	for _, it := range its[:10] {
		first += it.Loss / 10
	}
	for _, it := range its[len(its)-10:] {
		last += it.Loss / 10
	}
	t.Logf("%+v first %.4f last %.4f", res, first, last)
	if !(last < first) {
		t.Errorf("loss did not decrease: %v -> %v", first, last)
	}
}
