package anp

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/optlearn/optlearn/pde"
	"github.com/optlearn/optlearn/pde/gpme"
	"github.com/optlearn/optlearn/run"
)

func tinyData(t testing.TB, n, extra int, seed uint64) []Function {
	t.Helper()
	d, err := MakeData([]Family{Diffusion, PME, Stefan}, n, extra, rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// shrink keeps the first nc contexts and nt targets of each function, to
// make training tests fast.
func shrink(d []Function, nc, nt int) []Function {
	out := make([]Function, len(d))
	for i, f := range d {
		f.CTau, f.CXi, f.CY = f.CTau[:nc], f.CXi[:nc], f.CY[:nc]
		f.TTau, f.TXi, f.TY = f.TTau[:nt], f.TXi[:nt], f.TY[:nt]
		out[i] = f
	}
	return out
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
		m, err := New(Architecture{Hidden: 8, Latent: 4, Heads: 2, SelfAttention: tc.self}, rand.New(rand.NewPCG(5, 0)))
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
		dz, nt := m.Arch.Latent, len(data[0].TTau)
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
	data := shrink(tinyData(t, 4, 20, 3), 20, 30)
	m, err := New(Architecture{Hidden: 8, Latent: 4, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
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

// Save/Load round-trips bit-exactly, and two runs from the same seeds give
// the same weights bit for bit.
func TestCheckpointAndDeterminism(t *testing.T) {
	data := shrink(tinyData(t, 2, 10, 4), 20, 30)
	train := func() *Model {
		m, err := New(Architecture{Hidden: 8, Latent: 4, Heads: 2, SelfAttention: true}, rand.New(rand.NewPCG(1, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Train(context.Background(), m, data, &Settings{MaxIter: 5, Batch: 3, Lambda: 1, ResidualPoints: 2, Rand: rand.New(rand.NewPCG(9, 0))}); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b := train(), train()
	pa, pb := a.Params(), b.Params()
	for i := range pa {
		for j := range pa[i] {
			if math.Float64bits(pa[i][j]) != math.Float64bits(pb[i][j]) {
				t.Fatalf("same seed, different weight %d[%d]: %v vs %v", i, j, pa[i][j], pb[i][j])
			}
		}
	}
	var buf bytes.Buffer
	if err := a.Save(&buf, map[string]string{"k": "v"}); err != nil {
		t.Fatal(err)
	}
	raw := buf.Bytes()
	c, meta, err := Load(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if meta["k"] != "v" || c.Arch != a.Arch {
		t.Errorf("meta %v config %+v, want %+v", meta, c.Arch, a.Arch)
	}
	pc := c.Params()
	for i := range pa {
		for j := range pa[i] {
			if math.Float64bits(pa[i][j]) != math.Float64bits(pc[i][j]) {
				t.Fatalf("round trip changed weight %d[%d]", i, j)
			}
		}
	}
	d, _ := New(a.Arch, rand.New(rand.NewPCG(3, 3)))
	if err := d.LoadWeights(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if d.Params()[0][0] != pa[0][0] {
		t.Error("LoadWeights did not load")
	}
}

func TestTrainSoftCFinite(t *testing.T) {
	data := shrink(tinyData(t, 2, 10, 5), 20, 30)
	m, _ := New(Architecture{Hidden: 8, Latent: 4, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	res, err := Train(context.Background(), m, data, &Settings{MaxIter: 8, Batch: 6, Lambda: 1, ResidualPoints: 4})
	if err != nil {
		t.Fatal(err)
	}
	if math.IsNaN(res.Loss) || math.IsNaN(res.Residual) || !(res.Residual > 0) {
		t.Errorf("SoftC losses %+v", res)
	}
}

func TestPredictorShapes(t *testing.T) {
	m, _ := New(Architecture{Hidden: 8, Latent: 4, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	c, _ := CaseFor(Stefan, 0.6)
	cx, err := gpme.SampleContexts(c, rand.New(rand.NewPCG(1, 0)), false)
	if err != nil {
		t.Fatal(err)
	}
	x, _ := pde.UniformGrid(0, 1, 11)
	p := &Predictor{Model: m, Case: c, Contexts: cx, Draws: 3}
	mus, covs, err := p.PredictLatent(0.05, x)
	if err != nil {
		t.Fatal(err)
	}
	if len(mus) != 3 || len(covs) != 3 || len(mus[0]) != 11 || covs[0].Dim() != 11 {
		t.Fatalf("shapes %d %d %d %d", len(mus), len(covs), len(mus[0]), covs[0].Dim())
	}
	again, _, _ := p.PredictLatent(0.05, x)
	if again[2][5] != mus[2][5] {
		t.Error("nil Rand is not a fixed stream")
	}
	for _, v := range covs[1].Diag() {
		if !(v >= minStd*minStd) {
			t.Fatalf("variance %v below the floor", v)
		}
	}
}

// Every exported entry point refuses bad input with a sentinel error.
func TestBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	m, _ := New(Architecture{Hidden: 8, Latent: 4, Heads: 2}, rng)
	other, _ := New(Architecture{Hidden: 4, Latent: 4, Heads: 2}, rng)
	var good bytes.Buffer
	if err := m.Save(&good, nil); err != nil {
		t.Fatal(err)
	}
	var small bytes.Buffer
	if err := other.Save(&small, nil); err != nil {
		t.Fatal(err)
	}
	rewrite := func(edit func(f *file)) []byte {
		f, err := readFile(bytes.NewReader(good.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		edit(f)
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		if err := json.NewEncoder(zw).Encode(f); err != nil {
			t.Fatal(err)
		}
		zw.Close()
		return buf.Bytes()
	}
	v2 := rewrite(func(f *file) { f.Version = 2 })
	badShape := rewrite(func(f *file) { f.Tensors[0].Shape = []int{3, 9} })
	short := rewrite(func(f *file) { f.Tensors = f.Tensors[:3] })
	data := tinyData(t, 1, 2, 1)
	ragged := append([]Function(nil), data...)
	ragged[1].CTau = ragged[1].CTau[:5]
	ragged[1].CXi = ragged[1].CXi[:5]
	ragged[1].CY = ragged[1].CY[:5]
	c, _ := CaseFor(PME, 3)
	cx, _ := gpme.SampleContexts(c, rand.New(rand.NewPCG(1, 0)), false)
	badCx := cx
	badCx.Y = cx.Y[:10]
	nanCx := gpme.Contexts{T: []float64{0.1}, X: []float64{0.2}, Y: []float64{math.NaN()}}
	cond, _ := m.Condition([]float64{0.5}, []float64{0.5}, []float64{1})
	x := []float64{0, 0.5, 1}
	ctx := context.Background()
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"config heads", func() error { _, err := New(Architecture{Hidden: 10, Heads: 4}, rng); return err }(), ErrSettings},
		{"config negative", func() error { _, err := New(Architecture{Hidden: -1}, rng); return err }(), ErrSettings},
		{"nil rng", func() error { _, err := New(Architecture{}, nil); return err }(), ErrSettings},
		{"condition ragged", func() error { _, err := m.Condition([]float64{1, 2}, []float64{1}, []float64{1}); return err }(), ErrDimension},
		{"condition empty", func() error { _, err := m.Condition(nil, nil, nil); return err }(), ErrEmpty},
		{"condition NaN", func() error { _, err := m.Condition([]float64{math.NaN()}, []float64{1}, []float64{1}); return err }(), ErrNotFinite},
		{"decode ragged", func() error {
			_, _, err := cond.Decode([]float64{1, 2}, []float64{1}, [][]float64{cond.ZMean})
			return err
		}(), ErrDimension},
		{"decode empty", func() error { _, _, err := cond.Decode(nil, nil, [][]float64{cond.ZMean}); return err }(), ErrEmpty},
		{"decode no z", func() error { _, _, err := cond.Decode([]float64{1}, []float64{1}, nil); return err }(), ErrEmpty},
		{"decode z length", func() error { _, _, err := cond.Decode([]float64{1}, []float64{1}, [][]float64{{1}}); return err }(), ErrDimension},
		{"decode z NaN", func() error {
			_, _, err := cond.Decode([]float64{1}, []float64{1}, [][]float64{{math.NaN(), 0, 0, 0}})
			return err
		}(), ErrNotFinite},
		{"predict nil model", func() error { _, _, err := (&Predictor{Case: c, Contexts: cx}).PredictLatent(0.5, x); return err }(), ErrSettings},
		{"predict bad case", func() error { _, _, err := (&Predictor{Model: m, Contexts: cx}).PredictLatent(0.5, x); return err }(), ErrSettings},
		{"predict draws", func() error {
			_, _, err := (&Predictor{Model: m, Case: c, Contexts: cx, Draws: -1}).PredictLatent(0.5, x)
			return err
		}(), ErrSettings},
		{"predict mismatched contexts", func() error {
			_, _, err := (&Predictor{Model: m, Case: c, Contexts: badCx}).PredictLatent(0.5, x)
			return err
		}(), ErrDimension},
		{"predict empty contexts", func() error { _, _, err := (&Predictor{Model: m, Case: c}).PredictLatent(0.5, x); return err }(), ErrEmpty},
		{"predict NaN context", func() error {
			_, _, err := (&Predictor{Model: m, Case: c, Contexts: nanCx}).PredictLatent(0.5, x)
			return err
		}(), ErrNotFinite},
		{"predict empty grid", func() error {
			_, _, err := (&Predictor{Model: m, Case: c, Contexts: cx}).PredictLatent(0.5, nil)
			return err
		}(), ErrEmpty},
		{"predict NaN t", func() error {
			_, _, err := (&Predictor{Model: m, Case: c, Contexts: cx}).PredictLatent(math.NaN(), x)
			return err
		}(), ErrNotFinite},
		{"train nil model", func() error { _, err := Train(ctx, nil, data, nil); return err }(), ErrSettings},
		{"train no data", func() error { _, err := Train(ctx, m, nil, nil); return err }(), ErrEmpty},
		{"train ragged", func() error { _, err := Train(ctx, m, ragged, nil); return err }(), ErrDimension},
		{"train lambda", func() error { _, err := Train(ctx, m, data, &Settings{Lambda: -1}); return err }(), ErrSettings},
		{"train LR NaN", func() error { _, err := Train(ctx, m, data, &Settings{LR: math.NaN()}); return err }(), ErrSettings},
		{"train steps", func() error { _, err := Train(ctx, m, data, &Settings{MaxIter: -2}); return err }(), ErrSettings},
		{"train time limit", func() error { _, err := Train(ctx, m, data, &Settings{TimeLimit: -1}); return err }(), ErrSettings},
		{"data n", func() error { _, err := MakeData([]Family{PME}, 0, 1, rng); return err }(), ErrSettings},
		{"data family", func() error { _, err := MakeData([]Family{Family(7)}, 1, 1, rng); return err }(), ErrSettings},
		{"case param", func() error { _, err := CaseFor(Stefan, 2); return err }(), ErrSettings},
		{"family of", func() error { _, _, err := FamilyOf(gpme.Case{Solution: pde.Advection{}}); return err }(), ErrSettings},
		{"load not gzip", func() error { _, _, err := Load(strings.NewReader("{}")); return err }(), ErrCheckpoint},
		{"load version", func() error { _, _, err := Load(bytes.NewReader(v2)); return err }(), ErrCheckpoint},
		{"load shape", func() error { _, _, err := Load(bytes.NewReader(badShape)); return err }(), ErrDimension},
		{"load tensor count", func() error { _, _, err := Load(bytes.NewReader(short)); return err }(), ErrDimension},
		{"load into other shape", func() error { return m.LoadWeights(bytes.NewReader(small.Bytes())) }(), ErrDimension},
		{"pretrained missing", func() error { _, err := Pretrained(Family(9), false); return err }(), ErrSettings},
	}
	for _, tc := range cases {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	// The version and shape errors name both the expected and the found value.
	_, _, err := Load(bytes.NewReader(v2))
	if !strings.Contains(err.Error(), "version 2, want 1") {
		t.Errorf("version error %q", err)
	}
	err = m.LoadWeights(bytes.NewReader(small.Bytes()))
	if !strings.Contains(err.Error(), "Hidden:4") || !strings.Contains(err.Error(), "Hidden:8") {
		t.Errorf("shape error %q does not name both", err)
	}
	_, _, err = Load(bytes.NewReader(badShape))
	if !strings.Contains(err.Error(), "[3 9]") || !strings.Contains(err.Error(), "[3 8]") {
		t.Errorf("shape error %q does not name both", err)
	}
	t.Logf("%d bad-input cases", len(cases))
}

// Train stops at the first step boundary after ctx is canceled: canceled
// from the Recorder at step 3, it returns after exactly 3 steps; under a
// 50 ms deadline it returns well within a second (a step of this size
// takes milliseconds; the loose bound keeps a loaded machine from making
// the test flaky).
func TestTrainCancel(t *testing.T) {
	data := shrink(tinyData(t, 2, 10, 6), 20, 30)
	m, _ := New(Architecture{Hidden: 8, Latent: 4, Heads: 2}, rand.New(rand.NewPCG(1, 0)))
	ctx, cancel := context.WithCancel(context.Background())
	stop := run.RecorderFunc[*Iter](func(it *Iter) error {
		if it.Iteration == 3 {
			cancel()
		}
		return nil
	})
	res, err := Train(ctx, m, data, &Settings{MaxIter: 1 << 30, Batch: 6, Recorder: stop})
	if !errors.Is(err, context.Canceled) || res.Status != run.Canceled || res.Iterations != 3 {
		t.Fatalf("err %v status %v after %d steps, want Canceled after 3", err, res.Status, res.Iterations)
	}
	ctx, cancel = context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err = Train(ctx, m, data, &Settings{MaxIter: 1 << 30, Batch: 6})
	if !errors.Is(err, context.DeadlineExceeded) || res.Status != run.Canceled {
		t.Fatalf("err %v status %v", err, res.Status)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stopped %v after a 50 ms deadline", d)
	}
}

func TestParamCount(t *testing.T) {
	for _, a := range []Architecture{{}, {Hidden: 8, Latent: 4, Heads: 2, SelfAttention: true}, {Hidden: 6, Latent: 3, Heads: 3}} {
		m, err := New(a, rand.New(rand.NewPCG(1, 0)))
		if err != nil {
			t.Fatal(err)
		}
		if got := paramCount(m.Arch); got != m.NumParams() {
			t.Errorf("%+v: paramCount %d, NumParams %d", a, got, m.NumParams())
		}
	}
}

// Training gives the same bits with GOMAXPROCS 1 and 2 (gorgonia's and
// gonum's products split work by output block, never a sum).
func TestTrainGOMAXPROCS(t *testing.T) {
	data := tinyData(t, 2, 50, 8)
	train := func(procs int) [][]float64 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		m, _ := New(Architecture{}, rand.New(rand.NewPCG(1, 0)))
		if _, err := Train(context.Background(), m, data, &Settings{MaxIter: 2, Batch: 6, Lambda: 1, Rand: rand.New(rand.NewPCG(3, 0))}); err != nil {
			t.Fatal(err)
		}
		return m.Params()
	}
	a, b := train(1), train(2)
	for i := range a {
		for j := range a[i] {
			if math.Float64bits(a[i][j]) != math.Float64bits(b[i][j]) {
				t.Fatalf("weight %d[%d] differs: %v vs %v", i, j, a[i][j], b[i][j])
			}
		}
	}
}
