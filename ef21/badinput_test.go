package ef21_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// shape is an Oracle of any size whose gradients are 0 (for size checks
// that must fail before any gradient is taken).
type shape struct{ n, d int }

func (s shape) Grad(int, []float64, []float64) float64 { return 0 }
func (s shape) Dim() int                               { return s.d }
func (s shape) N() int                                 { return s.n }

// bomb wraps R1 and panics in Grad for client `at` from round `from` on
// (round 0 is the initial gradient).
type bomb struct {
	*problems.LeastSquares
	at, from int
	calls    []int
}

func (b *bomb) Grad(i int, dst, x []float64) float64 {
	b.calls[i]++
	if i == b.at && b.calls[i] > b.from {
		var s []int
		_ = s[len(b.calls)] // a Go runtime error (index out of range), as a buggy user oracle would raise
	}
	return b.LeastSquares.Grad(i, dst, x)
}

// badComp is a Compressor with a wrong message (mode "dim": wrong N, "idx":
// index outside, "panic": panics).
type badComp struct{ mode string }

func (c badComp) Compress(dst *linalg.Sparse, v []float64, _ *rand.Rand) {
	switch c.mode {
	case "dim":
		dst.Reset(len(v) + 1)
	case "idx":
		dst.Reset(len(v))
		dst.Index = append(dst.Index, len(v)+3)
		dst.Value = append(dst.Value, 1)
	case "panic":
		panic("compressor bug")
	}
}
func (badComp) Alpha(int) float64 { return 1 }
func (badComp) Homogeneous() bool { return true }

// badSmooth reports a NaN smoothness constant.
type badSmooth struct{ *problems.LeastSquares }

func (badSmooth) LocalSmoothness(int) float64 { return math.NaN() }

// TestBadInput is the table of bad input to every exported entry point of
// ef21 that takes any: Run (settings, problem sizes, user oracles and
// compressors that fail at run time), NewClient, NewServer, Client.Init,
// Client.Round, Server.Fold, the compressors, MessageBits, RareOverlap and
// the step-size formulas. Each gives an error wrapping the named sentinel
// (or, for Compress on a nil dst, a documented panic; for the formulas, a
// NaN), never a Go runtime panic, and Run leaves no goroutine behind.
func TestBadInput(t *testing.T) {
	p := r1(t, 10)
	x0 := make([]float64, 30)
	nan := math.NaN()
	type runCase struct {
		name string
		o    ef21.Oracle
		c    ef21.Compressor
		x0   []float64
		s    ef21.Settings
		want error
	}
	w := make([]float64, 20)
	for i := range w {
		w[i] = 0.05
	}
	wNeg := append([]float64(nil), w...)
	wNeg[3] = -0.05
	wNaN := append([]float64(nil), w...)
	wNaN[4] = nan
	wSum := append([]float64(nil), w...)
	wSum[0] = 0.5
	li := localL(p, 20)
	liZero := append([]float64(nil), li...)
	liZero[2] = 0
	liNaN := append([]float64(nil), li...)
	liNaN[2] = nan
	top := ef21.TopK{K: 1}
	cases := []runCase{
		{"nil oracle", nil, top, x0, ef21.Settings{}, ef21.ErrSettings},
		{"nil compressor", p, nil, x0, ef21.Settings{}, ef21.ErrSettings},
		{"no clients", shape{0, 3}, top, make([]float64, 3), ef21.Settings{}, ef21.ErrDimension},
		{"negative clients", shape{-2, 3}, top, make([]float64, 3), ef21.Settings{}, ef21.ErrDimension},
		{"dimension 0", shape{2, 0}, top, nil, ef21.Settings{}, ef21.ErrDimension},
		{"n·d too large", shape{1 << 20, 1 << 20}, top, make([]float64, 1<<20), ef21.Settings{}, ef21.ErrDimension},
		{"short x0", p, top, x0[:29], ef21.Settings{}, ef21.ErrDimension},
		{"NaN x0", p, top, []float64{nan, 29: 0}, ef21.Settings{}, ef21.ErrNotFinite},
		{"Inf x0", p, top, []float64{0, math.Inf(1), 29: 0}, ef21.Settings{}, ef21.ErrNotFinite},
		{"TopK K 0", p, ef21.TopK{}, x0, ef21.Settings{}, ef21.ErrSettings},
		{"TopK K > d", p, ef21.TopK{K: 31}, x0, ef21.Settings{}, ef21.ErrSettings},
		{"RandK K -1", p, ef21.RandK{K: -1}, x0, ef21.Settings{}, ef21.ErrSettings},
		{"P negative", p, top, x0, ef21.Settings{P: -0.5}, ef21.ErrSettings},
		{"P > 1", p, top, x0, ef21.Settings{P: 1.5}, ef21.ErrSettings},
		{"P NaN", p, top, x0, ef21.Settings{P: nan}, ef21.ErrSettings},
		{"Kappa < 1", p, top, x0, ef21.Settings{Kappa: 0.5}, ef21.ErrSettings},
		{"Kappa Inf", p, top, x0, ef21.Settings{Kappa: math.Inf(1)}, ef21.ErrSettings},
		{"Kappa NaN", p, top, x0, ef21.Settings{Kappa: nan}, ef21.ErrSettings},
		{"Batch negative", p, top, x0, ef21.Settings{Batch: -1}, ef21.ErrSettings},
		{"Gamma negative", p, top, x0, ef21.Settings{Gamma: -1}, ef21.ErrSettings},
		{"Gamma NaN", p, top, x0, ef21.Settings{Gamma: nan}, ef21.ErrSettings},
		{"Gamma Inf", p, top, x0, ef21.Settings{Gamma: math.Inf(1)}, ef21.ErrSettings},
		{"MaxIter negative", p, top, x0, ef21.Settings{MaxIter: -1}, ef21.ErrSettings},
		{"Tol NaN", p, top, x0, ef21.Settings{Tol: nan}, ef21.ErrSettings},
		{"Tol Inf", p, top, x0, ef21.Settings{Tol: math.Inf(1)}, ef21.ErrSettings},
		{"TimeLimit negative", p, top, x0, ef21.Settings{TimeLimit: -time.Second}, ef21.ErrSettings},
		{"Rule unknown", p, top, x0, ef21.Settings{Rule: 7}, ef21.ErrSettings},
		{"RuleRare with P < 1", p, top, x0, ef21.Settings{Rule: ef21.RuleRare, P: 0.5}, ef21.ErrSettings},
		{"RuleRare without Supporter", plain{p}, top, x0, ef21.Settings{Rule: ef21.RuleRare, L: li, LGlobal: 1}, ef21.ErrSettings},
		{"Batch without StochOracle", plain{p}, top, x0, ef21.Settings{Batch: 2, Gamma: 1e-3}, ef21.ErrSettings},
		{"Weights length", p, top, x0, ef21.Settings{Weights: w[:19]}, ef21.ErrDimension},
		{"Weights negative", p, top, x0, ef21.Settings{Weights: wNeg}, ef21.ErrSettings},
		{"Weights NaN", p, top, x0, ef21.Settings{Weights: wNaN}, ef21.ErrSettings},
		{"Weights sum", p, top, x0, ef21.Settings{Weights: wSum}, ef21.ErrSettings},
		{"L length", p, top, x0, ef21.Settings{L: li[:3]}, ef21.ErrDimension},
		{"L zero", p, top, x0, ef21.Settings{L: liZero}, ef21.ErrSmoothness},
		{"L NaN", p, top, x0, ef21.Settings{L: liNaN}, ef21.ErrSmoothness},
		{"LGlobal negative", p, top, x0, ef21.Settings{LGlobal: -1}, ef21.ErrSmoothness},
		{"LGlobal NaN", p, top, x0, ef21.Settings{LGlobal: nan}, ef21.ErrSmoothness},
		{"no L, not Smooth", plain{p}, top, x0, ef21.Settings{}, ef21.ErrSmoothness},
		{"no LGlobal, not Smooth", plain{p}, top, x0, ef21.Settings{L: li}, ef21.ErrSmoothness},
		{"oracle Lᵢ NaN", badSmooth{p}, top, x0, ef21.Settings{}, ef21.ErrSmoothness},
		// Failures at run time: Status Failure, the sentinel, the last finite x.
		{"oracle panics in a worker", &bomb{p, 1, 3, make([]int, 20)}, top, x0, ef21.Settings{Workers: 2}, ef21.ErrPanic},
		{"oracle panics on the caller's share", &bomb{p, 0, 0, make([]int, 20)}, top, x0, ef21.Settings{Workers: 2}, ef21.ErrPanic},
		{"oracle panics, one worker", &bomb{p, 5, 2, make([]int, 20)}, top, x0, ef21.Settings{Workers: 1}, ef21.ErrPanic},
		{"oracle NaN", &nanOracle{LeastSquares: p, at: 3, calls: make([]int, 20)}, top, x0, ef21.Settings{Workers: 2}, ef21.ErrNotFinite},
		{"compressor panics", p, badComp{"panic"}, x0, ef21.Settings{Workers: 2, InitCompressed: true}, ef21.ErrPanic},
		{"message of the wrong dimension", p, badComp{"dim"}, x0, ef21.Settings{Workers: 2}, ef21.ErrDimension},
		{"message index outside", p, badComp{"idx"}, x0, ef21.Settings{Workers: 2}, ef21.ErrDimension},
		{"diverging step", p, top, x0, ef21.Settings{Gamma: 1e6, MaxIter: 10000, Tol: -1}, ef21.ErrNotFinite},
	}
	for _, c := range cases {
		s := c.s
		r, err := runCatching(t, c.name, func() (ef21.Result, error) { return ef21.Run(context.Background(), c.o, c.c, c.x0, &s) })
		if !errors.Is(err, c.want) {
			t.Errorf("Run %s: err = %v, want %v", c.name, err, c.want)
			continue
		}
		if r.X != nil && (r.Status != run.Failure || !linalg.AllFinite(r.X)) {
			t.Errorf("Run %s: status %v, finite X %v", c.name, r.Status, linalg.AllFinite(r.X))
		}
	}
	n := len(cases)

	// NewClient, NewServer, Init, Round, Fold.
	rng := rand.New(rand.NewPCG(1, 0))
	cs := ef21.ClientSettings{}
	other := []struct {
		name string
		f    func() error
		want error
	}{
		{"NewClient nil oracle", func() error { _, err := ef21.NewClient(nil, 0, top, cs, rng); return err }, ef21.ErrSettings},
		{"NewClient nil compressor", func() error { _, err := ef21.NewClient(p, 0, nil, cs, rng); return err }, ef21.ErrSettings},
		{"NewClient i < 0", func() error { _, err := ef21.NewClient(p, -1, top, cs, rng); return err }, ef21.ErrSettings},
		{"NewClient i ≥ n", func() error { _, err := ef21.NewClient(p, 20, top, cs, rng); return err }, ef21.ErrSettings},
		{"NewClient Scale < 0", func() error { _, err := ef21.NewClient(p, 0, top, ef21.ClientSettings{Scale: -1}, rng); return err }, ef21.ErrSettings},
		{"NewClient Scale NaN", func() error { _, err := ef21.NewClient(p, 0, top, ef21.ClientSettings{Scale: nan}, rng); return err }, ef21.ErrSettings},
		{"NewClient P > 1", func() error { _, err := ef21.NewClient(p, 0, top, ef21.ClientSettings{P: 2}, rng); return err }, ef21.ErrSettings},
		{"NewClient P NaN", func() error { _, err := ef21.NewClient(p, 0, top, ef21.ClientSettings{P: nan}, rng); return err }, ef21.ErrSettings},
		{"NewClient Batch < 0", func() error { _, err := ef21.NewClient(p, 0, top, ef21.ClientSettings{Batch: -1}, rng); return err }, ef21.ErrSettings},
		{"NewClient Batch, not stochastic", func() error {
			_, err := ef21.NewClient(plain{p}, 0, top, ef21.ClientSettings{Batch: 1}, rng)
			return err
		}, ef21.ErrSettings},
		{"NewClient nil rng", func() error { _, err := ef21.NewClient(p, 0, top, cs, nil); return err }, ef21.ErrSettings},
		{"NewClient dimension 0", func() error { _, err := ef21.NewClient(shape{1, 0}, 0, top, cs, rng); return err }, ef21.ErrDimension},
		{"NewServer empty w", func() error { _, err := ef21.NewServer(x0, nil, 1); return err }, ef21.ErrDimension},
		{"NewServer empty x0", func() error { _, err := ef21.NewServer(nil, w, 1); return err }, ef21.ErrDimension},
		{"NewServer weight 0", func() error { _, err := ef21.NewServer(x0, []float64{0}, 1); return err }, ef21.ErrSettings},
		{"NewServer weight NaN", func() error { _, err := ef21.NewServer(x0, []float64{nan}, 1); return err }, ef21.ErrSettings},
		{"NewServer γ 0", func() error { _, err := ef21.NewServer(x0, w, 0); return err }, ef21.ErrSettings},
		{"NewServer γ Inf", func() error { _, err := ef21.NewServer(x0, w, math.Inf(1)); return err }, ef21.ErrSettings},
		{"NewServer x0 NaN", func() error { _, err := ef21.NewServer([]float64{nan}, w, 1); return err }, ef21.ErrNotFinite},
		{"Init nil msg", func() error { return client(t, p).Init(nil, x0, false) }, ef21.ErrDimension},
		{"Init short x", func() error { var m linalg.Sparse; return client(t, p).Init(&m, x0[:3], false) }, ef21.ErrDimension},
		{"Round nil msg", func() error { _, err := client(t, p).Round(nil, x0); return err }, ef21.ErrDimension},
		{"Round long x", func() error { var m linalg.Sparse; _, err := client(t, p).Round(&m, make([]float64, 31)); return err }, ef21.ErrDimension},
		{"Round NaN gradient", func() error {
			var m linalg.Sparse
			_, err := client(t, p).Round(&m, []float64{nan, 29: 0})
			return err
		}, ef21.ErrNotFinite},
		{"Fold i < 0", func() error { return server(t).Fold(-1, &linalg.Sparse{N: 30}) }, ef21.ErrDimension},
		{"Fold i ≥ n", func() error { return server(t).Fold(20, &linalg.Sparse{N: 30}) }, ef21.ErrDimension},
		{"Fold nil msg", func() error { return server(t).Fold(0, nil) }, ef21.ErrDimension},
		{"Fold wrong N", func() error { return server(t).Fold(0, &linalg.Sparse{N: 3}) }, ef21.ErrDimension},
		{"Fold index outside", func() error {
			return server(t).Fold(0, &linalg.Sparse{N: 30, Index: []int{30}, Value: []float64{1}})
		}, ef21.ErrDimension},
		{"Fold values missing", func() error { return server(t).Fold(0, &linalg.Sparse{N: 30, Index: []int{1}}) }, ef21.ErrDimension},
	}
	for _, c := range other {
		var err error
		msg, rt := catch(func() { err = c.f() })
		if msg != "" {
			t.Errorf("%s: panic %q (runtime error %v)", c.name, msg, rt)
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	n += len(other)

	// Compress on a nil dst or with K out of range: a documented panic,
	// never a Go runtime error.
	panics := map[string]func(){
		"TopK nil dst":     func() { top.Compress(nil, x0, nil) },
		"TopK K > d":       func() { var m linalg.Sparse; ef21.TopK{K: 31}.Compress(&m, x0, nil) },
		"RandK nil dst":    func() { ef21.RandK{K: 1}.Compress(nil, x0, rng) },
		"RandK nil rng":    func() { var m linalg.Sparse; ef21.RandK{K: 1}.Compress(&m, x0, nil) },
		"Identity nil dst": func() { ef21.Identity{}.Compress(nil, x0, nil) },
	}
	for name, f := range panics {
		msg, rt := catch(f)
		if msg == "" || rt || !(strings.HasPrefix(msg, "ef21: ") || strings.HasPrefix(msg, "linalg: ")) {
			t.Errorf("%s: panic %q (runtime error %v), want a documented panic", name, msg, rt)
		}
	}
	n += len(panics)

	// Formulas: NaN outside their domain, no panic.
	values := map[string]func() float64{
		"RareOverlap lengths": func() float64 { return ef21.RareOverlap([]float64{1}, nil, 3) },
		"RareOverlap d < 0":   func() float64 { return ef21.RareOverlap(nil, nil, -1) },
		"StepsizeAM empty":    func() float64 { return ef21.StepsizeAM(1, nil, 0.5) },
		"StepsizeQM empty":    func() float64 { return ef21.StepsizeQM(1, nil, 0.5) },
		"StepsizePP empty":    func() float64 { return ef21.StepsizePP(1, nil, 0.5, 0.5) },
		"StepsizeRare empty":  func() float64 { return ef21.StepsizeRare(1, nil, 0.5, 1) },
		"Theta α > 1":         func() float64 { return ef21.Theta(2) },
		"MeanAM empty":        func() float64 { return ef21.MeanAM(nil) },
		"MeanQM empty":        func() float64 { return ef21.MeanQM(nil) },
	}
	for name, f := range values {
		var v float64
		if msg, _ := catch(func() { v = f() }); msg != "" || !math.IsNaN(v) {
			t.Errorf("%s: %v, panic %q; want NaN", name, v, msg)
		}
	}
	n += len(values)
	if msg, _ := catch(func() { ef21.MessageBits(nil) }); msg != "" {
		t.Errorf("MessageBits(nil) panicked: %q", msg)
	}
	n++
	t.Logf("%d bad-input cases", n)
	goleak.VerifyNone(t)
}

// runCatching runs f and fails the test on a panic.
func runCatching(t *testing.T, name string, f func() (ef21.Result, error)) (r ef21.Result, err error) {
	t.Helper()
	msg, _ := catch(func() { r, err = f() })
	if msg != "" {
		t.Errorf("%s: panic %q", name, msg)
	}
	return r, err
}

func client(t *testing.T, p ef21.Oracle) *ef21.Client {
	c, err := ef21.NewClient(p, 0, ef21.TopK{K: 1}, ef21.ClientSettings{}, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func server(t *testing.T) *ef21.Server {
	w := make([]float64, 20)
	for i := range w {
		w[i] = 0.05
	}
	s, err := ef21.NewServer(make([]float64, 30), w, 1e-3)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// catch runs f and returns its panic message ("" if none) and whether it
// was a Go runtime error.
func catch(f func()) (msg string, runtimeErr bool) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		_, runtimeErr = p.(runtime.Error)
		switch v := p.(type) {
		case string:
			msg = v
		case error:
			msg = v.Error()
		default:
			msg = "non-string panic"
		}
	}()
	f()
	return "", false
}
