package ef21_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestBitsExact checks the bit count against a hand computation: n = 20
// clients, d = 30, TopK K = 1. The initial round sends 20 dense vectors,
// 20·30·64 = 38400 bits; each later round 20 messages of one value (64
// bits) and one position (⌈log₂30⌉ = 5 bits): 20·69 = 1380 bits.
func TestBitsExact(t *testing.T) {
	p := r1(t, 10)
	var h ef21.History
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{MaxIter: 10, Recorder: &h})
	if err != nil {
		t.Fatal(err)
	}
	if r.InitBits != 38400 || r.Bits != 38400+10*1380 {
		t.Errorf("bits = %d (init %d), want %d (init 38400)", r.Bits, r.InitBits, 38400+10*1380)
	}
	for k, it := range h.Iters {
		if b := it.Bits; b != 38400+int64(k)*1380 {
			t.Errorf("round %d: %d bits, want %d", k, b, 38400+k*1380)
		}
	}
	// TopK K=3 with compressed initial states: every message 3·(64+5).
	r, err = ef21.Run(context.Background(), p, ef21.TopK{K: 3}, make([]float64, 30), &ef21.Settings{MaxIter: 7, InitCompressed: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(8 * 20 * 3 * 69); r.Bits != want || r.InitBits != 20*3*69 {
		t.Errorf("K=3 compressed init: bits = %d (init %d), want %d (init %d)", r.Bits, r.InitBits, want, 20*3*69)
	}
	// Partial participation: only participants pay, 69 bits each.
	h = ef21.History{}
	r, err = ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{MaxIter: 50, P: 0.3, Recorder: &h})
	if err != nil {
		t.Fatal(err)
	}
	want := int64(38400)
	for _, it := range h.Iters[1:] {
		want += int64(it.Participants) * 69
	}
	if r.Bits != want || h.Iters[0].Participants != 20 {
		t.Errorf("PP: bits = %d, want %d", r.Bits, want)
	}
	// Identity messages are dense: 30·64 bits each.
	r, err = ef21.Run(context.Background(), p, ef21.Identity{}, make([]float64, 30), &ef21.Settings{MaxIter: 4})
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(5 * 20 * 30 * 64); r.Bits != want {
		t.Errorf("Identity: bits = %d, want %d", r.Bits, want)
	}
}

// TestDeterministic checks that the result is bit-for-bit the same for any
// number of workers and any GOMAXPROCS, with every random stream in use
// (RandK, partial participation, minibatches).
func TestDeterministic(t *testing.T) {
	p := r1(t, 100)
	run := func(workers int) ef21.Result {
		r, err := ef21.Run(context.Background(), p, ef21.RandK{K: 2}, make([]float64, 30),
			&ef21.Settings{Weighted: true, P: 0.7, Batch: 4, MaxIter: 300, Rand: rand.New(rand.NewPCG(11, 0)), Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	want := run(1)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, w := range []int{0, 2, 3, 7, 20, 64} {
			got := run(w)
			if !slices.Equal(got.X, want.X) || got.Bits != want.Bits || got.F != want.F {
				t.Fatalf("GOMAXPROCS %d, workers %d: result differs from the sequential run", procs, w)
			}
		}
	}
}

// TestDrift checks that the running aggregate g stays within 1e-10
// (relative) of Σᵢ wᵢgᵢ recomputed from the clients.
func TestDrift(t *testing.T) {
	p := r1(t, 1000)
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{Weighted: true, MaxIter: 5000, DriftEvery: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("drift %.3g", r.Drift)
	if !(r.Drift <= 1e-10) {
		t.Errorf("drift %v > 1e-10", r.Drift)
	}
}

// cancelAt cancels a context when round k is recorded.
type cancelAt struct {
	k      int
	cancel context.CancelFunc
}

func (c *cancelAt) Record(it *ef21.Iter) error {
	if it.Iteration == c.k {
		c.cancel()
	}
	return nil
}

func TestCancel(t *testing.T) {
	p := r1(t, 10)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, make([]float64, 30),
		&ef21.Settings{MaxIter: 1000, Workers: 4, Recorder: &cancelAt{k: 5, cancel: cancel}})
	if !errors.Is(err, context.Canceled) || r.Status != run.Canceled || r.Iterations != 5 || len(r.X) != 30 {
		t.Errorf("got %v, status %v after %d rounds, want Canceled after 5", err, r.Status, r.Iterations)
	}
	goleak.VerifyNone(t)
}

type failRec struct{}

func (failRec) Record(it *ef21.Iter) error {
	if it.Iteration == 3 {
		return errors.New("stop")
	}
	return nil
}

func TestRecorderError(t *testing.T) {
	p := r1(t, 10)
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{Recorder: failRec{}, Workers: 3})
	if err == nil || r.Status != run.RecorderStopped || r.Iterations != 3 {
		t.Errorf("got %v, %v, %d rounds", err, r.Status, r.Iterations)
	}
}

func TestTolerance(t *testing.T) {
	p := r1(t, 1)
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{Tol: 1e-4, MaxIter: 100000})
	if err != nil || r.Status != run.Converged || !(r.GradNormSq <= 1e-4) {
		t.Fatalf("got %v, %v, ‖∇f‖² = %v", err, r.Status, r.GradNormSq)
	}
	// One round fewer must not have reached it.
	r2, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, 30), &ef21.Settings{MaxIter: r.Iterations - 1})
	if r2.GradNormSq <= 1e-4 {
		t.Errorf("tolerance reached before round %d", r.Iterations)
	}
	// Identity compressor: plain gradient descent with step 1/L.
	r, err = ef21.Run(context.Background(), p, ef21.Identity{}, make([]float64, 30), &ef21.Settings{MaxIter: 1})
	if err != nil || math.Abs(r.Gamma-1/p.Smoothness()) > 1e-15/p.Smoothness() {
		t.Errorf("Identity: γ = %v, want 1/L = %v (%v)", r.Gamma, 1/p.Smoothness(), err)
	}
}

// nanOracle returns NaN gradients for client 2 from round `at` on.
type nanOracle struct {
	*problems.LeastSquares
	calls []int
	at    int
}

func (o *nanOracle) Grad(i int, dst, x []float64) float64 {
	f := o.LeastSquares.Grad(i, dst, x)
	o.calls[i]++
	if i == 2 && o.calls[i] > o.at {
		dst[0] = math.NaN()
	}
	return f
}

func TestBadInputBasics(t *testing.T) {
	p := r1(t, 10)
	x0 := make([]float64, 30)
	bad := func(s ef21.Settings, c ef21.Compressor, x []float64, want error) {
		t.Helper()
		if _, err := ef21.Run(context.Background(), p, c, x, &s); !errors.Is(err, want) {
			t.Errorf("settings %+v, %T: err = %v, want %v", s, c, err, want)
		}
	}
	bad(ef21.Settings{}, ef21.TopK{K: 0}, x0, ef21.ErrSettings)
	bad(ef21.Settings{}, ef21.TopK{K: 31}, x0, ef21.ErrSettings)
	bad(ef21.Settings{}, ef21.RandK{K: -1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{P: 1.5}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{P: -0.1}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{P: math.NaN()}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{Weights: slices.Repeat([]float64{0.06}, 20)}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{Weights: []float64{1}}, ef21.TopK{K: 1}, x0, ef21.ErrDimension)
	bad(ef21.Settings{Kappa: 0.5}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{Gamma: -1}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{Batch: -1}, ef21.TopK{K: 1}, x0, ef21.ErrSettings)
	bad(ef21.Settings{L: []float64{1, 2}}, ef21.TopK{K: 1}, x0, ef21.ErrDimension)
	bad(ef21.Settings{L: slices.Repeat([]float64{0}, 20)}, ef21.TopK{K: 1}, x0, ef21.ErrSmoothness)
	bad(ef21.Settings{}, ef21.TopK{K: 1}, make([]float64, 29), ef21.ErrDimension)
	bad(ef21.Settings{}, ef21.TopK{K: 1}, append(make([]float64, 29), math.Inf(1)), ef21.ErrNotFinite)

	// An oracle without Smooth needs Gamma (and L for EF21-W).

	if _, err := ef21.Run(context.Background(), plain{p}, ef21.TopK{K: 1}, x0, nil); !errors.Is(err, ef21.ErrSmoothness) {
		t.Errorf("no smoothness: err = %v", err)
	}
	if _, err := ef21.Run(context.Background(), plain{p}, ef21.TopK{K: 1}, x0, &ef21.Settings{Gamma: 1e-5, MaxIter: 3}); err != nil {
		t.Errorf("given Gamma: %v", err)
	}
	if _, err := ef21.Run(context.Background(), plain{p}, ef21.TopK{K: 1}, x0, &ef21.Settings{Gamma: 1e-5, Batch: 2}); !errors.Is(err, ef21.ErrSettings) {
		t.Errorf("Batch without StochOracle: err = %v", err)
	}

	// NaN gradient mid-run: stop with the last finite iterate.
	o := &nanOracle{LeastSquares: p, calls: make([]int, 20), at: 6}
	var tr trace
	r, err := ef21.Run(context.Background(), o, ef21.TopK{K: 1}, x0, &ef21.Settings{Recorder: &tr, Workers: 3})
	if !errors.Is(err, ef21.ErrNotFinite) || r.Status != run.Failure || r.Iterations != 5 || !linalg.AllFinite(r.X) || !slices.Equal(r.X, tr.x[5]) {
		t.Errorf("NaN gradient: err %v, status %v, rounds %d", err, r.Status, r.Iterations)
	}
}

// TestNoAllocsPerRound checks that rounds allocate nothing in the steady
// state: a run of 301 rounds allocates exactly as much as a run of 101
// (a message grows its storage the first time its client takes part).
func TestNoAllocsPerRound(t *testing.T) {
	p := r1(t, 10)
	x0 := make([]float64, 30)
	for _, s := range []ef21.Settings{
		{Weighted: true, Workers: 1},
		{Weighted: true, Workers: 2},
		{Weighted: true, P: 0.5, Batch: 3, Workers: 2},
	} {
		allocs := func(iters int) float64 {
			s := s
			s.MaxIter = iters
			return testing.AllocsPerRun(5, func() {
				if _, err := ef21.Run(context.Background(), p, ef21.TopK{K: 2}, x0, &s); err != nil {
					t.Fatal(err)
				}
			})
		}
		a1, a2 := allocs(101), allocs(301)
		if a2 != a1 {
			t.Errorf("%+v: %v allocations for 101 rounds, %v for 301", s, a1, a2)
		}
	}
	// RandK too.
	s := &ef21.Settings{Workers: 2, MaxIter: 1}
	a1 := testing.AllocsPerRun(5, func() { ef21.Run(context.Background(), p, ef21.RandK{K: 2}, x0, s) })
	s.MaxIter = 101
	a101 := testing.AllocsPerRun(5, func() { ef21.Run(context.Background(), p, ef21.RandK{K: 2}, x0, s) })
	if a1 != a101 {
		t.Errorf("RandK: %v allocations for 1 round, %v for 101", a1, a101)
	}
}

func TestClientServerProtocol(t *testing.T) {
	// Drive one client and the server by hand, passing only x and the
	// message, and compare with Run.
	p := r1(t, 1000)
	n, d := p.N(), p.Dim()
	res, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, d), &ef21.Settings{Weighted: true, MaxIter: 20})
	if err != nil {
		t.Fatal(err)
	}
	clients := make([]*ef21.Client, n)
	for i := range n {
		clients[i], err = ef21.NewClient(p, i, ef21.TopK{K: 1}, ef21.ClientSettings{Scale: 1 / (float64(n) * res.Weights[i])}, rand.New(rand.NewPCG(0, uint64(i))))
		if err != nil {
			t.Fatal(err)
		}
	}
	srv, err := ef21.NewServer(make([]float64, d), res.Weights, res.Gamma)
	if err != nil {
		t.Fatal(err)
	}
	var msg linalg.Sparse
	x := make([]float64, d)
	for i, c := range clients {
		if err := c.Init(&msg, x, false); err != nil {
			t.Fatal(err)
		}
		srv.Fold(i, &msg)
	}
	for range 20 {
		copy(x, srv.Step()) // broadcast
		for i, c := range clients {
			if sent, err := c.Round(&msg, x); err != nil || !sent {
				t.Fatal(err)
			}
			wire := msg // the server sees only the message
			srv.Fold(i, &wire)
		}
	}
	if !slices.Equal(srv.X(), res.X) {
		t.Errorf("hand-driven protocol differs from Run")
	}
}
