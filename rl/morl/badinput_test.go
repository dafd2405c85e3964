package morl

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
	"github.com/optlearn/optlearn/rl/ppo"
	"github.com/optlearn/optlearn/run"
)

// badCase is one bad input: call must return an error wrapping want (nil:
// any error) and must not panic.
type badCase struct {
	name string
	want error
	call func() error
}

// noPanic runs f and turns a panic into a test failure.
func noPanic(t *testing.T, name string, f func() error) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: panic: %v", name, r)
			err = nil
		}
	}()
	return f()
}

// TestBadInput covers every exported entry point of the package with bad
// input (issue 16): each returns an error, none panics.
func TestBadInput(t *testing.T) {
	defer goleak.VerifyNone(t)
	nan := math.NaN()
	ref := []float64{0, -25}
	good := [][]float64{{1, -1}, {124, -19}}
	ragged := [][]float64{{1, -1}, {124}}
	ctx := context.Background()
	runWith := func(f func(s *Settings)) func() error {
		return func() error {
			s := dstSettings(1, 8192)
			f(s)
			_, err := Run(ctx, dstEnv, s)
			return err
		}
	}
	small := func(s *Settings) {
		s.NewAgent = func(*rand.Rand) *ppo.Agent {
			return &ppo.Agent{Policy: ppo.NewTabular(50, 4), Critic: ppo.NewTabularCritic(121, 2)}
		}
	}
	smallCritic := func(s *Settings) {
		s.NewAgent = func(*rand.Rand) *ppo.Agent {
			return &ppo.Agent{Policy: ppo.NewTabular(121, 4), Critic: ppo.NewTabularCritic(30, 2)}
		}
	}
	ar, _ := NewArchive(ref, 0)
	_ = ar.Insert(Entry{G: []float64{1, -1}}, Entry{G: []float64{124, -19}})
	extend := func(s *ExtendSettings, a *Archive, x Extender) func() error {
		return func() error { _, err := Extend(ctx, a, x, s); return err }
	}
	cases := []badCase{
		// Metrics.
		{"Hypervolume ragged", ErrDimension, func() error { _, err := Hypervolume(ragged, ref); return err }},
		{"Hypervolume NaN point", ErrNotFinite, func() error { _, err := Hypervolume([][]float64{{nan, 1}}, ref); return err }},
		{"Hypervolume empty ref", ErrDimension, func() error { _, err := Hypervolume(good, nil); return err }},
		{"Hypervolume Inf ref", ErrNotFinite, func() error { _, err := Hypervolume(good, []float64{math.Inf(-1), 0}); return err }},
		{"HypervolumeMC nil rng", ErrSettings, func() error { _, _, err := HypervolumeMC(good, ref, 100, nil); return err }},
		{"HypervolumeMC zero samples", ErrSettings, func() error {
			_, _, err := HypervolumeMC(good, ref, 0, rand.New(rand.NewPCG(1, 0)))
			return err
		}},
		{"HypervolumeMC ragged", ErrDimension, func() error {
			_, _, err := HypervolumeMC(ragged, ref, 10, rand.New(rand.NewPCG(1, 0)))
			return err
		}},
		{"ExpectedUtility empty", ErrEmpty, func() error { _, err := ExpectedUtility(nil, good); return err }},
		{"ExpectedUtility ragged points", ErrDimension, func() error { _, err := ExpectedUtility(ragged, [][]float64{{0.5, 0.5}}); return err }},
		{"ExpectedUtility NaN weight", ErrNotFinite, func() error { _, err := ExpectedUtility(good, [][]float64{{nan, 1}}); return err }},
		{"ExpectedUtility weight length", ErrDimension, func() error { _, err := ExpectedUtility(good, [][]float64{{1}}); return err }},
		{"Sparsity ragged", ErrDimension, func() error { _, err := Sparsity(ragged); return err }},
		{"Sparsity NaN", ErrNotFinite, func() error { _, err := Sparsity([][]float64{{1, nan}, {2, 3}}); return err }},
		{"Sparsity empty point", ErrDimension, func() error { _, err := Sparsity([][]float64{{}, {}}); return err }},
		{"CrowdingDistance ragged", ErrDimension, func() error { _, err := CrowdingDistance(ragged); return err }},
		{"CrowdingDistance Inf", ErrNotFinite, func() error { _, err := CrowdingDistance([][]float64{{math.Inf(1), 0}, {1, 1}}); return err }},
		{"NonDominated ragged", ErrDimension, func() error { _, err := NonDominated([][]float64{{1}, {1, 2}}); return err }},
		{"NonDominated NaN", ErrNotFinite, func() error { _, err := NonDominated([][]float64{{nan, 1}}); return err }},
		{"SimplexGrid n 0", ErrSettings, func() error { _, err := SimplexGrid(0, 0.5); return err }},
		{"SimplexGrid step 0", ErrSettings, func() error { _, err := SimplexGrid(2, 0); return err }},
		{"SimplexGrid step NaN", ErrSettings, func() error { _, err := SimplexGrid(2, nan); return err }},
		{"SimplexGrid step 2", ErrSettings, func() error { _, err := SimplexGrid(2, 2); return err }},
		{"SimplexGrid 12 objectives step 1e-3", ErrSize, func() error { _, err := SimplexGrid(12, 1e-3); return err }},
		{"SimplexGrid step 1e-300", ErrSize, func() error { _, err := SimplexGrid(2, 1e-300); return err }},
		{"SimplexGrid 40 objectives step 0.1", ErrSize, func() error { _, err := SimplexGrid(40, 0.1); return err }},
		// Archive.
		{"NewArchive empty ref", ErrDimension, func() error { _, err := NewArchive(nil, 0); return err }},
		{"NewArchive NaN ref", ErrNotFinite, func() error { _, err := NewArchive([]float64{nan, 0}, 0); return err }},
		{"NewArchive negative capacity", ErrSettings, func() error { _, err := NewArchive(ref, -1); return err }},
		{"Archive.Insert wrong length", ErrDimension, func() error { a, _ := NewArchive(ref, 0); return a.Insert(Entry{G: []float64{1}}) }},
		{"Archive.Insert NaN", ErrNotFinite, func() error { a, _ := NewArchive(ref, 0); return a.Insert(Entry{G: []float64{nan, 1}}) }},
		{"Archive.Insert zero archive", ErrSettings, func() error { var a Archive; return a.Insert(Entry{G: []float64{1, 1}}) }},
		{"Archive.Insert nil archive", ErrSettings, func() error { var a *Archive; return a.Insert(Entry{G: []float64{1, 1}}) }},
		{"Archive.Assign bad weights", rl.ErrWeights, func() error { _, err := ar.Assign([]float64{0.5, 0.6}); return err }},
		{"Archive.Assign empty", ErrEmpty, func() error { a, _ := NewArchive(ref, 0); _, err := a.Assign([]float64{0.5, 0.5}); return err }},
		{"Archive.Assign nil archive", ErrSettings, func() error { var a *Archive; _, err := a.Assign([]float64{0.5, 0.5}); return err }},
		{"Archive.Select nil history and archive", nil, func() error {
			var a *Archive
			if a.Select(3, nil) != nil || a.Len() != 0 || len(a.Points()) != 0 || a.Hypervolume() != 0 || a.Entries() != nil {
				return nil // reported as "no error"
			}
			return errors.New("ok")
		}},
		{"SelectionHistory nil", nil, func() error {
			var h *SelectionHistory
			h.Add([]float64{1})
			if h.Contains([]float64{1}) || h.Len() != 0 {
				return nil // reported as "no error"
			}
			return errors.New("ok")
		}},
		// Barrier.
		{"NewBarrier objective out of range", ErrSettings, func() error { _, err := NewBarrier(2, 0.6, 20, ref, good[0]); return err }},
		{"NewBarrier length mismatch", ErrDimension, func() error { _, err := NewBarrier(0, 0.6, 20, ref, []float64{1}); return err }},
		{"NewBarrier beta 0", ErrSettings, func() error { _, err := NewBarrier(0, 0, 20, ref, good[0]); return err }},
		{"NewBarrier t NaN", ErrSettings, func() error { _, err := NewBarrier(0, 0.6, nan, ref, good[0]); return err }},
		{"NewBarrier NaN parent", ErrNotFinite, func() error { _, err := NewBarrier(0, 0.6, 20, ref, []float64{nan, 1}); return err }},
		{"Barrier.BeginUpdate mismatched batch", ErrDimension, func() error {
			b, _ := NewBarrier(0, 0.6, 20, ref, good[0])
			b.BeginUpdate(&ppo.Batch{Objectives: 3, AdvMean: []float64{0, 0, 0}})
			return b.Err()
		}},
		{"Barrier.Grad mismatched minibatch", ErrDimension, func() error {
			b, _ := NewBarrier(0, 0.6, 20, ref, good[0])
			b.Grad(make([]float64, 1), &ppo.Minibatch{Ratio: []float64{1, 1}, AdvVec: []float64{1}, Objectives: 2})
			return b.Err()
		}},
		{"Barrier.Grad zero barrier", ErrDimension, func() error {
			var b Barrier
			b.Grad(make([]float64, 1), &ppo.Minibatch{Ratio: []float64{1}, AdvVec: []float64{1, 1}, Objectives: 2})
			return b.Err()
		}},
		{"Barrier.Violated/Feasible out of range", nil, func() error {
			var b Barrier
			if b.Violated(5) || b.Feasible([]float64{1}) || b.Recovering() {
				return errors.New("zero barrier reports a violation or feasibility")
			}
			return errors.New("ok")
		}},
		// Run.
		{"Run nil settings", ErrSettings, func() error { _, err := Run(ctx, dstEnv, nil); return err }},
		{"Run nil env factory", ErrSettings, func() error { _, err := Run(ctx, nil, dstSettings(1, 8192)); return err }},
		{"Run env factory returns nil", ErrSettings, func() error { _, err := Run(ctx, func() rl.MOEnv { return nil }, dstSettings(1, 8192)); return err }},
		{"Run nil NewAgent", ErrSettings, runWith(func(s *Settings) { s.NewAgent = nil })},
		{"Run NewAgent returns nil", ErrSettings, runWith(func(s *Settings) { s.NewAgent = func(*rand.Rand) *ppo.Agent { return nil } })},
		{"Run empty Ref", ErrSettings, runWith(func(s *Settings) { s.Ref = nil })},
		{"Run Ref length", ErrDimension, runWith(func(s *Settings) { s.Ref = []float64{0} })},
		{"Run NaN Ref", ErrNotFinite, runWith(func(s *Settings) { s.Ref = []float64{nan, 0} })},
		{"Run NaN Beta", ErrNotFinite, runWith(func(s *Settings) { s.Beta = nan })},
		{"Run Beta 1.5", ErrSettings, runWith(func(s *Settings) { s.Beta = 1.5 })},
		{"Run negative Beta", ErrSettings, runWith(func(s *Settings) { s.Beta = -0.5 })},
		{"Run Inf Barrier", ErrNotFinite, runWith(func(s *Settings) { s.Barrier = math.Inf(1) })},
		{"Run negative Barrier", ErrSettings, runWith(func(s *Settings) { s.Barrier = -1 })},
		{"Run NaN Delta", ErrNotFinite, runWith(func(s *Settings) { s.Delta = nan })},
		{"Run Delta 3", ErrSettings, runWith(func(s *Settings) { s.Delta = 3 })},
		{"Run tiny Delta", ErrSize, runWith(func(s *Settings) { s.Delta = 1e-6 })},
		{"Run NaN EvalGamma", ErrNotFinite, runWith(func(s *Settings) { s.EvalGamma = nan })},
		{"Run EvalGamma 2", ErrSettings, runWith(func(s *Settings) { s.EvalGamma = 2 })},
		{"Run negative TotalSteps", ErrSettings, runWith(func(s *Settings) { s.TotalSteps = -1 })},
		{"Run InitSteps > TotalSteps", ErrSettings, runWith(func(s *Settings) { s.InitSteps = 2 * s.TotalSteps })},
		{"Run budget below one update per preference", ErrSettings, runWith(func(s *Settings) { s.TotalSteps, s.InitSteps = 2048, 1024 })},
		{"Run negative UpdateIter", ErrSettings, runWith(func(s *Settings) { s.UpdateIter = -1 })},
		{"Run negative NumSelect", ErrSettings, runWith(func(s *Settings) { s.NumSelect = -1 })},
		{"Run negative Workers", ErrSettings, runWith(func(s *Settings) { s.Workers = -2 })},
		{"Run negative EvalInterval", ErrSettings, runWith(func(s *Settings) { s.EvalInterval = -1 })},
		{"Run negative EvalEpisodes", ErrSettings, runWith(func(s *Settings) { s.EvalEpisodes = -1 })},
		{"Run negative PolicyBuffer", ErrSettings, runWith(func(s *Settings) { s.PolicyBuffer = -1 })},
		{"Run negative MaxIter", ErrSettings, runWith(func(s *Settings) { s.MaxIter = -1 })},
		{"Run negative TimeLimit", ErrSettings, runWith(func(s *Settings) { s.TimeLimit = -time.Second })},
		{"Run bad PPO settings", ErrSettings, runWith(func(s *Settings) { s.PPO.Gamma = 2 })},
		{"Run bad ExtendPPO settings", ErrSettings, runWith(func(s *Settings) { p := s.PPO; p.Minibatches = 1 << 20; s.ExtendPPO = &p })},
		{"Run tabular policy smaller than the state space, Workers 2", ErrDimension, runWith(small)},
		{"Run tabular critic smaller than the state space", ErrDimension, runWith(smallCritic)},
		{"Run reference not dominated", ErrReference, runWith(func(s *Settings) { s.Ref = []float64{500, 0} })},
		// Extend.
		{"Extend nil archive", ErrSettings, extend(&ExtendSettings{Objectives: 2}, nil, oracle{0.6, ref})},
		{"Extend nil extender", ErrSettings, extend(&ExtendSettings{Objectives: 2}, ar, nil)},
		{"Extend nil settings", ErrSettings, extend(nil, ar, oracle{0.6, ref})},
		{"Extend objectives mismatch", ErrDimension, extend(&ExtendSettings{Objectives: 3}, ar, oracle{0.6, ref})},
		{"Extend negative NumSelect", ErrSettings, extend(&ExtendSettings{Objectives: 2, NumSelect: -1, MaxIter: 1}, ar, oracle{0.6, ref})},
		{"Extend negative MaxUpdates", ErrSettings, extend(&ExtendSettings{Objectives: 2, MaxUpdates: -1}, ar, oracle{0.6, ref})},
		{"Extend Reselect without budget", ErrSettings, extend(&ExtendSettings{Objectives: 2, Reselect: true}, ar, oracle{0.6, ref})},
		{"Extend panicking extender", ErrPanic, func() error {
			a, _ := NewArchive(ref, 0)
			_ = a.Insert(Entry{G: []float64{1, -1}})
			_, err := Extend(ctx, a, panicker{}, &ExtendSettings{Objectives: 2, Workers: 2, MaxIter: 1})
			return err
		}},
		{"Extend entry without agent (PPO extender)", ErrSettings, func() error {
			a, _ := NewArchive(ref, 0)
			_ = a.Insert(Entry{G: []float64{1, -1}})
			s := dstSettings(1, 8192)
			c, _ := s.defaults()
			_, err := Extend(ctx, a, &ipoExtender{c: &c, newEnv: dstEnv, ps: c.PPO}, &ExtendSettings{Objectives: 2, MaxIter: 1})
			return err
		}},
		{"TabularExtendPPO keeps the rest", nil, func() error {
			ps := TabularExtendPPO(ppo.Settings{Gamma: 0.5})
			if ps.Gamma != 0.5 {
				return nil
			}
			return errors.New("ok")
		}},
		{"Iter.Clone and Summary", nil, func() error {
			it := &Iter{Round: Round{Selected: [][]float64{{1, 2}}}}
			c := it.Clone()
			c.Selected[0][0] = 9
			if it.Selected[0][0] != 1 || it.Summary() == "" {
				return nil
			}
			return errors.New("ok")
		}},
	}
	for _, c := range cases {
		err := noPanic(t, c.name, c.call)
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("%s: error %v, want %v", c.name, err, c.want)
		}
	}
	t.Logf("%d bad-input cases", len(cases))
}

// panicker is an Extender with a bug.
type panicker struct{}

func (panicker) Extend(context.Context, Task, *rand.Rand) ([]Entry, int, Stage2Stats, error) {
	var s []int
	_ = s[3]
	return nil, 0, Stage2Stats{}, nil
}

// cancelSettings is a DST run whose PPO update is short (256 samples, 4
// minibatch steps): Run checks ctx between updates and ppo.Update checks
// it on entry, so the latency of a cancel is at most one update.
func cancelSettings(init int) *Settings {
	s := dstSettings(1, 4_000_000)
	s.InitSteps = init
	s.PPO = ppo.Settings{NumSteps: 64, NumEnvs: 4, Epochs: 2, Minibatches: 2, Gamma: 0.99, LR: 0.05, EntCoef: 0.01}
	return s
}

// TestCancel: Run returns within 100 ms of cancel, in Stage 1 and in Stage
// 2, with Status Canceled, and a TimeLimit ends the run with Status
// TimeLimit.
func TestCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, stage := range []int{1, 2} {
		ctx, cancel := context.WithCancel(context.Background())
		s := cancelSettings(2_000_000)
		var mu sync.Mutex
		var canceled time.Time
		stop := func() { mu.Lock(); canceled = time.Now(); mu.Unlock(); cancel() }
		if stage == 1 {
			time.AfterFunc(50*time.Millisecond, stop)
		} else {
			// Cancel 30 ms into Stage 2, when the recorder sees Stage 1 end.
			s.InitSteps = 256 * 6 * 4
			s.Recorder = run.RecorderFunc[*Iter](func(it *Iter) error {
				if it.Stage == 1 {
					time.AfterFunc(30*time.Millisecond, stop)
				}
				return nil
			})
		}
		res, err := Run(ctx, dstEnv, s)
		mu.Lock()
		late, fired := time.Since(canceled), !canceled.IsZero()
		mu.Unlock()
		cancel()
		if !errors.Is(err, context.Canceled) || res == nil || res.Status != run.Canceled || !fired {
			t.Errorf("cancel in stage %d: %v", stage, err)
			continue
		}
		t.Logf("cancel in stage %d (iterations done %d, steps %d): returned %v later", stage, res.Iterations, res.Steps, late)
		if late > 100*time.Millisecond && !raceEnabled {
			t.Errorf("cancel in stage %d: returned %v after cancel", stage, late)
		}
		if stage == 2 && res.Iterations < 1 {
			t.Errorf("cancel meant for stage 2 came in stage 1")
		}
	}
	// A time limit in Stage 1 and one in Stage 2 (a short Stage 1).
	for _, init := range []int{2_000_000, 256 * 6 * 2} {
		s := cancelSettings(init)
		s.TimeLimit = 150 * time.Millisecond
		var h History
		s.Recorder = &h
		res, err := Run(context.Background(), dstEnv, s)
		if err != nil || res.Status != run.TimeLimit || (h.Elapsed > s.TimeLimit+100*time.Millisecond && !raceEnabled) {
			t.Errorf("time limit (InitSteps %d): status %v, err %v after %v", init, res.Status, err, h.Elapsed)
		}
		t.Logf("time limit (InitSteps %d): %d iterations, ended after %v", init, res.Iterations, h.Elapsed)
	}
}

// TestDeterminism: the same Rand gives the same archive whatever Workers
// and GOMAXPROCS are.
func TestDeterminism(t *testing.T) {
	if testing.Short() {
		t.Skip("RL runs")
	}
	defer goleak.VerifyNone(t)
	var ref string
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, c := range []struct{ procs, workers int }{{1, 1}, {2, 2}, {8, 3}} {
		runtime.GOMAXPROCS(c.procs)
		s := dstSettings(7, 30_720)
		s.Delta, s.Workers = 0.5, c.workers
		res, err := Run(context.Background(), dstEnv, s)
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprint(res.Archive.Points(), res.Steps, res.Stage1HV, slices.Collect(func(yield func(float64) bool) {
			for _, r := range res.Rounds {
				if !yield(r.HV) {
					return
				}
			}
		}))
		if ref == "" {
			ref = got
		} else if got != ref {
			t.Errorf("GOMAXPROCS %d, Workers %d: %s, want %s", c.procs, c.workers, got, ref)
		}
	}
}

var _ = envs.NewDST
