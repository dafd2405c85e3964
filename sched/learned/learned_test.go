package learned_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
	"github.com/optlearn/optlearn/sched/learned"
)

func newNet(t testing.TB, seed uint64) *learned.Net {
	t.Helper()
	n, err := learned.NewNet(rand.New(rand.NewPCG(seed, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func observe(t testing.TB, inst *sched.Instance) *sched.Obs {
	t.Helper()
	env, err := sched.NewEnv(inst, nil)
	if err != nil {
		t.Fatal(err)
	}
	var o sched.Obs
	env.Observe(&o)
	return &o
}

func TestShapes(t *testing.T) {
	if learned.NumParams < 1000 || learned.NumParams > 3000 {
		t.Fatalf("NumParams %d: the spec's network is a ~1.5k-parameter model", learned.NumParams)
	}
	inst, err := instances.Load("ft06")
	if err != nil {
		t.Fatal(err)
	}
	o := observe(t, inst)
	var in learned.Input
	if err := learned.Encode(o, &in); err != nil {
		t.Fatal(err)
	}
	if in.J != 6 || len(in.Row) != 6*sched.Window || len(in.JobMask) != 36 || len(in.Legal) != 7 {
		t.Fatalf("input shape J=%d tokens=%d mask=%d legal=%d", in.J, len(in.Row), len(in.JobMask), len(in.Legal))
	}
	p := newNet(t, 1).Policy()
	l, err := p.Logits(o, nil)
	if err != nil || len(l) != 7 {
		t.Fatalf("logits %v, %v", l, err)
	}
	for a, ok := range o.Legal {
		if ok == math.IsInf(l[a], -1) {
			t.Fatalf("action %d legal=%v logit %v", a, ok, l[a])
		}
	}
	if _, err := p.Logits(o, make([]float64, 3)); !errors.Is(err, learned.ErrDimension) {
		t.Fatalf("short dst: %v", err)
	}
}

func TestSaveLoadBitExact(t *testing.T) {
	n := newNet(t, 3)
	var b1, b2 bytes.Buffer
	if err := n.Save(&b1); err != nil {
		t.Fatal(err)
	}
	m, err := learned.Load(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.W, m.W) {
		t.Fatal("loaded weights differ")
	}
	if err := m.Save(&b2); err != nil || !bytes.Equal(b1.Bytes(), b2.Bytes()) {
		t.Fatalf("re-saved bytes differ (%v)", err)
	}
	s, err := learned.Shipped()
	if err != nil || len(s.W) != learned.NumParams {
		t.Fatalf("shipped weights: %v", err)
	}
}

// rawWeights writes a weights file with the given version and shape.
func rawWeights(version uint32, shape [7]uint32, nw int) []byte {
	var raw bytes.Buffer
	raw.WriteString("OLSCHLRN")
	binary.Write(&raw, binary.LittleEndian, version)
	binary.Write(&raw, binary.LittleEndian, shape)
	binary.Write(&raw, binary.LittleEndian, make([]float64, nw))
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(raw.Bytes())
	zw.Close()
	return z.Bytes()
}

func TestBadInput(t *testing.T) {
	good := [7]uint32{learned.Dim, learned.FF, learned.Hidden, learned.MaxPos, sched.Window, 4, learned.NumParams}
	wide := good
	wide[0] = 16
	short := good
	short[6] = 100
	big, err := sched.GenerateTaillard(3, learned.MaxPos+1, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	small, _ := instances.Load("ft06")
	net := newNet(t, 1)
	ctx := context.Background()
	cases := []struct {
		name string
		run  func() error
		is   error
		says []string
	}{
		{"weights version", func() error {
			_, err := learned.Load(bytes.NewReader(rawWeights(2, good, learned.NumParams)))
			return err
		},
			learned.ErrWeights, []string{"version 2", "want 1"}},
		{"weights shape", func() error {
			_, err := learned.Load(bytes.NewReader(rawWeights(1, wide, learned.NumParams)))
			return err
		},
			learned.ErrWeights, []string{"[16 ", "want [8 "}},
		{"weights count", func() error { _, err := learned.Load(bytes.NewReader(rawWeights(1, short, 100))); return err },
			learned.ErrWeights, []string{"100]", "want"}},
		{"weights truncated", func() error { _, err := learned.Load(bytes.NewReader(rawWeights(1, good, 10))); return err },
			learned.ErrWeights, nil},
		{"not gzip", func() error { _, err := learned.Load(strings.NewReader("hello")); return err }, learned.ErrWeights, nil},
		{"save wrong size", func() error { return (&learned.Net{W: make([]float64, 3)}).Save(&bytes.Buffer{}) }, learned.ErrWeights, nil},
		{"save NaN", func() error {
			n := net.Clone()
			n.W[5] = math.NaN()
			return n.Save(&bytes.Buffer{})
		}, learned.ErrNotFinite, nil},
		{"NewNet nil rng", func() error { _, err := learned.NewNet(nil); return err }, learned.ErrSettings, nil},
		{"encode nil", func() error { return learned.Encode(nil, &learned.Input{}) }, learned.ErrDimension, nil},
		{"encode without tokens", func() error {
			var o sched.Obs
			d := &sched.Dispatcher{}
			_ = d
			o.Inst = small
			return learned.Encode(&o, &learned.Input{})
		}, learned.ErrDimension, nil},
		{"instance beyond positional encoding", func() error { _, err := net.BestOf(ctx, big, nil); return err },
			learned.ErrDimension, []string{"101", "100"}},
		{"logits beyond positional encoding", func() error { _, err := net.Policy().Logits(observe(t, big), nil); return err },
			learned.ErrDimension, nil},
		{"logits of a bad net", func() error { _, err := (&learned.Net{}).Policy().Logits(observe(t, small), nil); return err },
			learned.ErrWeights, nil},
		{"graph of a bad input", func() error { _, err := net.GraphLogits(&learned.Input{J: 2}); return err }, learned.ErrDimension, nil},
		{"BestOf nil policy", func() error { _, err := learned.BestOf(ctx, small, nil, nil); return err }, learned.ErrSettings, nil},
		{"BestOf nil instance", func() error { _, err := net.BestOf(ctx, nil, nil); return err }, learned.ErrSettings, nil},
		{"BestOf negative rollouts", func() error { _, err := net.BestOf(ctx, small, &learned.InferSettings{Rollouts: -1}); return err }, learned.ErrSettings, nil},
		{"BestOf bad net", func() error { _, err := (&learned.Net{}).BestOf(ctx, small, nil); return err }, learned.ErrWeights, nil},
		{"Train negative updates", func() error { _, err := learned.Train(ctx, nil, &learned.Settings{Updates: -1}); return err }, learned.ErrSettings, []string{"Updates"}},
		{"Train NaN LR", func() error { _, err := learned.Train(ctx, nil, &learned.Settings{LR: math.NaN()}); return err }, learned.ErrSettings, []string{"LR"}},
		{"Train negative clip", func() error { _, err := learned.Train(ctx, nil, &learned.Settings{Clip: -1}); return err }, learned.ErrSettings, nil},
		{"Train negative time limit", func() error { _, err := learned.Train(ctx, nil, &learned.Settings{TimeLimit: -1}); return err }, learned.ErrSettings, nil},
		{"Train episodes not a multiple", func() error {
			_, err := learned.Train(ctx, nil, &learned.Settings{Episodes: 5, PerInstance: 2})
			return err
		}, learned.ErrSettings, nil},
		{"Train nil instance", func() error {
			_, err := learned.Train(ctx, nil, &learned.Settings{Instances: []*sched.Instance{nil}})
			return err
		}, learned.ErrSettings, nil},
		{"Train instance beyond positional encoding", func() error {
			_, err := learned.Train(ctx, nil, &learned.Settings{Instances: []*sched.Instance{big}})
			return err
		}, learned.ErrDimension, nil},
		{"Train bad net", func() error {
			_, err := learned.Train(ctx, &learned.Net{W: make([]float64, 4)}, &learned.Settings{Instances: []*sched.Instance{small}})
			return err
		},
			learned.ErrWeights, nil},
		{"TrainingInstances count", func() error { _, err := learned.TrainingInstances(rand.New(rand.NewPCG(1, 1)), 0); return err }, learned.ErrSettings, nil},
	}
	for _, c := range cases {
		err := c.run()
		if !errors.Is(err, c.is) {
			t.Errorf("%s: error %v, want %v", c.name, err, c.is)
			continue
		}
		for _, s := range c.says {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: %q does not say %q", c.name, err, s)
			}
		}
	}
	t.Logf("%d bad-input cases", len(cases))
	var dst [3]float64
	(&learned.Policy{}).Scores(nil, dst[:])
	learned.MWKRSoftmax{}.Scores(nil, dst[:])
	learned.UniformPolicy{}.Scores(nil, dst[:])
	for _, v := range dst {
		if !math.IsInf(v, -1) {
			t.Fatal("a policy without an observation must write -Inf")
		}
	}
}

func TestTrainStepFinite(t *testing.T) {
	inst, err := sched.GenerateTaillard(6, 5, 11, 22)
	if err != nil {
		t.Fatal(err)
	}
	var its []learned.Iter
	rec := run.RecorderFunc[*learned.Iter](func(it *learned.Iter) error {
		if it.Event == run.Iteration {
			its = append(its, *it)
		}
		return nil
	})
	res, err := learned.Train(context.Background(), newNet(t, 2), &learned.Settings{Updates: 2, Episodes: 4, PerInstance: 4, Epochs: 2,
		Minibatches: 2, SolverIter: 300, Instances: []*sched.Instance{inst}, Rand: rand.New(rand.NewPCG(1, 2)), Recorder: rec})
	if err != nil || res.Status != run.IterationLimit || res.Iterations != 2 {
		t.Fatalf("Train: %v %v %d", err, res.Status, res.Iterations)
	}
	for _, it := range its {
		for _, v := range []float64{it.Loss1, it.Loss2, it.KL1, it.KL2, it.Agent, it.Solver} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("non-finite training statistic: %+v", it)
			}
		}
		if it.Samples1 == 0 || it.Samples2 == 0 || it.Solver > it.Agent {
			t.Fatalf("update %d: samples %d/%d, solver %.1f worse than agent %.1f", it.Iteration, it.Samples1, it.Samples2, it.Solver, it.Agent)
		}
	}
}

func TestCancel(t *testing.T) {
	inst, err := instances.Taillard(71)
	if err != nil {
		t.Fatal(err)
	}
	net := newNet(t, 1)
	for name, f := range map[string]func(ctx context.Context) error{
		"BestOf": func(ctx context.Context) error { _, err := net.BestOf(ctx, inst, nil); return err },
		"Train": func(ctx context.Context) error {
			small, _ := sched.GenerateTaillard(20, 10, 5, 6)
			_, err := learned.Train(ctx, nil, &learned.Settings{Instances: []*sched.Instance{small}})
			return err
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		start := time.Now()
		err := f(ctx)
		el := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: error %v, want the context's", name, err)
		}
		if el > 50*time.Millisecond+100*time.Millisecond*raceFactor {
			t.Errorf("%s: returned %v after the start (deadline 50 ms)", name, el)
		}
	}
}

func TestBaselinesAndGreedy(t *testing.T) {
	inst, _ := instances.Load("la01")
	ctx := context.Background()
	for _, p := range []func() sched.Policy{func() sched.Policy { return learned.UniformPolicy{} }, func() sched.Policy { return learned.MWKRSoftmax{} }} {
		r, err := learned.BestOf(ctx, inst, p, &learned.InferSettings{Rollouts: 8, Workers: 3})
		if err != nil || r.Schedule.Validate(inst) != nil || len(r.Makespans) != 8 || r.Makespan != slices.Min(r.Makespans) {
			t.Fatalf("BestOf: %v %v", err, r.Makespans)
		}
		r2, _ := learned.BestOf(ctx, inst, p, &learned.InferSettings{Rollouts: 8, Workers: 1})
		if !slices.Equal(r.Makespans, r2.Makespans) {
			t.Fatal("BestOf depends on Workers")
		}
	}
	g, err := newNet(t, 1).BestOf(ctx, inst, &learned.InferSettings{Greedy: true})
	if err != nil || len(g.Makespans) != 1 {
		t.Fatal(err)
	}
	// non-delay: the same schedule as the non-delay fast path with the same choices
	nd, err := newNet(t, 1).BestOf(ctx, inst, &learned.InferSettings{Greedy: true, NonDelay: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := nd.Schedule.Validate(inst); err != nil {
		t.Fatal(err)
	}
	if a, b := learned.Temperature(0, 32), learned.Temperature(31, 32); a != 0.5 || math.Abs(b-(0.5+1.5*31/32)) > 1e-15 {
		t.Fatal("temperature schedule")
	}
}
