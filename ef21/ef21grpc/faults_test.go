package ef21grpc

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/linalg"
	"github.com/optlearn/optlearn/run"
)

// serveAll serves the given services on loopback in goroutines, client k
// with the extra server options opts[k] (may be nil), and returns their
// addresses and a function that stops them and waits.
func serveAll(t testing.TB, svcs []clientService, opts map[int][]grpc.ServerOption) ([]string, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	addrs := make([]string, len(svcs))
	for k, svc := range svcs {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[k] = lis.Addr().String()
		wg.Go(func() {
			if err := serve(ctx, lis, svc, opts[k]...); err != nil && err != context.Canceled {
				t.Errorf("client %d: %v", k, err)
			}
		})
	}
	return addrs, func() { cancel(); wg.Wait() }
}

func services(o ef21.Oracle, c ef21.Compressor) []clientService {
	s := make([]clientService, o.N())
	for i := range s {
		s[i] = &service{id: i, o: o, c: c, last: -1, stopped: make(chan struct{})}
	}
	return s
}

// TestRetrySameIterates makes client 1 fail round 5 after computing it,
// once by dropping its answer (Unavailable) and once by answering after
// the deadline: the server retries the round, the client sends its cached
// answer, and the iterates are still the in-process run's, bit for bit.
func TestRetrySameIterates(t *testing.T) {
	defer goleak.VerifyNone(t)
	const n = 4
	p, err := logistic("phishing", n)
	if err != nil {
		t.Fatal(err)
	}
	s := ef21.Settings{Weighted: true, MaxIter: 20, Tol: -1}
	_, wantTr := inProcess(t, p, ef21.TopK{K: 1}, s, 1)
	for _, mode := range []string{"dropped answer", "late answer"} {
		t.Run(mode, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			var faults atomic.Int32
			icpt := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
				rep, err := h(ctx, req)
				if r, ok := req.(*roundRequest); ok && r.round == 5 && faults.Add(1) == 1 {
					if mode == "dropped answer" {
						return nil, status.Error(codes.Unavailable, "answer dropped by the test")
					}
					// Past the deadline, the answer is of no use: the
					// server has given up on this attempt.
					<-ctx.Done()
					return nil, status.Error(codes.DeadlineExceeded, "answer late by the test")
				}
				return rep, err
			}
			svcs := services(p, ef21.TopK{K: 1})
			addrs, stop := serveAll(t, svcs, map[int][]grpc.ServerOption{1: {grpc.UnaryInterceptor(icpt)}})
			defer stop()
			timeout := 5 * time.Second
			if mode == "late answer" {
				timeout = time.Second
			}
			tr, err := Dial(addrs, &Settings{RoundTimeout: timeout})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			gotTr := &trace{}
			s := s
			s.Transport, s.Recorder, s.Rand = tr, gotTr, rand.New(rand.NewPCG(1, 7))
			if _, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s); err != nil {
				t.Fatal(err)
			}
			if d := sameBits(wantTr, gotTr); d != "" {
				t.Fatalf("iterates differ after a retry: %s", d)
			}
			// At least the injected retry; a loaded machine (-race) may
			// add late answers of its own, which must not change the bits
			// either.
			if st := tr.Stats(); st.Retries < 1 || faults.Load() < 2 {
				t.Errorf("%d retries, round 5 called %d times at client 1; want at least 1 and 2", st.Retries, faults.Load())
			}
			if c := svcs[1].(*service).client; c == nil {
				t.Fatal("client 1 not set up")
			}
		})
	}
}

// TestServiceRounds checks the client side of the protocol: a repeated
// round gets the same bytes and updates the state once; an older or a
// skipped round is refused.
func TestServiceRounds(t *testing.T) {
	p := r1(t)
	n, d := p.N(), p.Dim()
	svc := &service{id: 1, o: p, c: ef21.TopK{K: 1}, last: -1, stopped: make(chan struct{})}
	ctx := context.Background()
	if _, err := svc.round(ctx, &roundRequest{round: 0, x: make([]float64, d)}); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("round before setup: %v", err)
	}
	req := &setupRequest{n: uint32(n), dim: uint32(d), scale: ones(n), alpha: ef21.TopK{K: 1}.Alpha(d)}
	for range 2 { // the same setup twice is harmless
		if rep, err := svc.setup(ctx, req); err != nil || rep.(*setupReply).client != 1 {
			t.Fatalf("setup: %v", err)
		}
	}
	other := *req
	other.seed = 9
	if _, err := svc.setup(ctx, &other); status.Code(err) != codes.FailedPrecondition {
		t.Fatalf("another setup: %v", err)
	}
	x := make([]float64, d)
	for round := range uint64(3) {
		x[0] = float64(round)
		a, err := svc.round(ctx, &roundRequest{round: round, x: x})
		if err != nil {
			t.Fatal(err)
		}
		enc := append([]byte(nil), *a.(*raw)...)
		state := append([]float64(nil), svc.client.State()...)
		b, err := svc.round(ctx, &roundRequest{round: round, x: x})
		if err != nil || string(*b.(*raw)) != string(enc) {
			t.Fatalf("round %d repeated: %v, same answer %v", round, err, string(*b.(*raw)) == string(enc))
		}
		for j, v := range svc.client.State() {
			if v != state[j] {
				t.Fatalf("round %d repeated: the state changed", round)
			}
		}
	}
	for _, r := range []uint64{1, 4} {
		if _, err := svc.round(ctx, &roundRequest{round: r, x: x}); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("round %d after round 2: %v", r, err)
		}
	}
	if _, err := svc.round(ctx, &roundRequest{round: 3, x: x[:1]}); status.Code(err) != codes.InvalidArgument {
		t.Errorf("short x: %v", err)
	}
}

func r1(t testing.TB) *problems.LeastSquares {
	t.Helper()
	p, err := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func ones(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = 1
	}
	return v
}

// fake is a client that answers rounds with a reply the test shapes.
type fake struct {
	id    uint32
	shape func(t uint64, r *roundReply)
	d     int
}

func (f *fake) setup(_ context.Context, req *setupRequest) (message, error) {
	f.d = int(req.dim)
	return &setupReply{client: f.id}, nil
}

func (f *fake) round(_ context.Context, req *roundRequest) (message, error) {
	r := &roundReply{round: req.round, client: f.id, sent: true, msg: sparse{dim: uint32(f.d)}, grad: make([]float64, f.d)}
	if f.shape != nil {
		f.shape(req.round, r)
	}
	return r, nil
}

func (f *fake) stop(context.Context, *stopRequest) (message, error) { return &stopReply{}, nil }

// nanOracle wraps R1 with a gradient of client 1 that is NaN from the
// third call on, or panics when boom is set.
type nanOracle struct {
	*problems.LeastSquares
	calls []atomic.Int32
	boom  bool
}

func (o *nanOracle) Grad(i int, dst, x []float64) float64 {
	f := o.LeastSquares.Grad(i, dst, x)
	if i == 1 && o.calls[i].Add(1) >= 3 {
		if o.boom {
			panic("oracle bug")
		}
		dst[0] = math.NaN()
	}
	return f
}

// TestBadInput covers every exported entry point with bad arguments, bad
// clients and bad answers: each gives a clear error wrapping the
// sentinel (and, for runs, Status Failure with the last good iterate),
// never a panic or a hang.
func TestBadInput(t *testing.T) {
	defer goleak.VerifyNone(t)
	p := r1(t)
	n, d := p.N(), p.Dim()
	x0 := make([]float64, d)
	top1 := ef21.TopK{K: 1}
	quick := &Settings{RoundTimeout: 500 * time.Millisecond}
	cases := 0

	// Dial.
	for _, c := range []struct {
		name  string
		addrs []string
		s     *Settings
	}{
		{"no address", nil, nil},
		{"empty address", []string{""}, nil},
		{"repeated address", []string{"127.0.0.1:1", "127.0.0.1:1"}, nil},
		{"negative RoundTimeout", []string{"127.0.0.1:1"}, &Settings{RoundTimeout: -time.Second}},
	} {
		cases++
		if _, err := Dial(c.addrs, c.s); !errors.Is(err, ErrSettings) {
			t.Errorf("Dial %s: %v, want ErrSettings", c.name, err)
		}
	}

	// Serve.
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	free := lis.Addr().String()
	lis.Close() // nothing listens at free now
	for _, c := range []struct {
		name string
		lis  bool
		o    ef21.Oracle
		c    ef21.Compressor
		id   int
	}{
		{"nil listener", false, p, top1, 0},
		{"nil oracle", true, nil, top1, 0},
		{"nil compressor", true, p, nil, 0},
		{"id -1", true, p, top1, -1},
		{"id n", true, p, top1, n},
	} {
		cases++
		var l net.Listener
		if c.lis {
			if l, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
				t.Fatal(err)
			}
		}
		if err := Serve(context.Background(), l, c.id, c.o, c.c); !errors.Is(err, ErrSettings) {
			t.Errorf("Serve %s: %v, want ErrSettings", c.name, err)
		}
	}

	// runWith runs R1 (n clients) against the given services.
	runWith := func(svcs []clientService, addrs []string, s *Settings, es ef21.Settings) (ef21.Result, *Transport, error) {
		var stop func()
		if svcs != nil {
			addrs, stop = serveAll(t, svcs, nil)
			defer stop()
		}
		tr, err := Dial(addrs, s)
		if err != nil {
			return ef21.Result{}, nil, err
		}
		defer tr.Close()
		es.Transport = tr
		if es.MaxIter == 0 {
			es.MaxIter, es.Tol = 10, -1
		}
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		r, err := ef21.Run(ctx, p, top1, x0, &es)
		return r, tr, err
	}
	// addrsN returns k loopback addresses where nothing listens: ports
	// just opened and closed again.
	addrsN := func(k int) []string {
		a := make([]string, k)
		ls := make([]net.Listener, k)
		for i := range a {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ls[i], a[i] = l, l.Addr().String()
		}
		for _, l := range ls {
			l.Close()
		}
		return a
	}

	// Start.
	cases++
	if _, _, err := runWith(nil, addrsN(n-1), quick, ef21.Settings{}); !errors.Is(err, ErrSettings) {
		t.Errorf("fewer addresses than clients: %v", err)
	}
	cases++
	start := time.Now()
	unreach := append([]string{free}, addrsN(n-1)...)
	if _, _, err := runWith(nil, unreach, &Settings{RoundTimeout: 200 * time.Millisecond, Retries: -1}, ef21.Settings{}); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), free) {
		t.Errorf("unreachable address: %v", err)
	}
	t.Logf("unreachable clients reported after %v", time.Since(start).Round(time.Millisecond))
	cases++
	if _, _, err := runWith(services(p, top1), nil, &Settings{DropLost: true}, ef21.Settings{}); !errors.Is(err, ErrSettings) {
		t.Errorf("DropLost with P = 1: %v", err)
	}
	cases++
	dup := services(p, top1)
	dup[3] = &service{id: 0, o: p, c: top1, last: -1, stopped: make(chan struct{})}
	if _, _, err := runWith(dup, nil, quick, ef21.Settings{}); !errors.Is(err, ErrProtocol) || !strings.Contains(err.Error(), "duplicate client id 0") {
		t.Errorf("duplicate client id: %v", err)
	}
	cases++
	big := []clientService{&fake{id: uint32(n)}}
	for i := 1; i < n; i++ {
		big = append(big, &fake{id: uint32(i)})
	}
	if _, _, err := runWith(big, nil, quick, ef21.Settings{}); !errors.Is(err, ErrProtocol) {
		t.Errorf("client id n: %v", err)
	}
	cases++
	other, _ := problems.NewHeterogeneous(n, d+1, 3, 1, rand.New(rand.NewPCG(1, 0)))
	if _, _, err := runWith(services(other, top1), nil, quick, ef21.Settings{}); !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), "dimension") {
		t.Errorf("client data of another dimension: %v", err)
	}
	cases++
	if _, _, err := runWith(services(p, ef21.TopK{K: 2}), nil, quick, ef21.Settings{}); !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), "compressor") {
		t.Errorf("client with another compressor: %v", err)
	}

	// Start twice, Round before Start, Round with the wrong sizes.
	{
		addrs, stop := serveAll(t, services(p, top1), nil)
		tr, err := Dial(addrs, quick)
		if err != nil {
			t.Fatal(err)
		}
		up := make([]ef21.Upload, n)
		cases++
		if err := tr.Round(context.Background(), 0, x0, up); !errors.Is(err, ErrSettings) {
			t.Errorf("Round before Start: %v", err)
		}
		su := &ef21.Setup{N: n, Dim: d, Clients: make([]ef21.ClientSettings, n), Alpha: top1.Alpha(d)}
		for i := range su.Clients {
			su.Clients[i] = ef21.ClientSettings{Scale: 1, P: 1}
		}
		if err := tr.Start(context.Background(), su); err != nil {
			t.Fatal(err)
		}
		cases++
		if err := tr.Start(context.Background(), su); !errors.Is(err, ErrSettings) {
			t.Errorf("Start twice: %v", err)
		}
		cases++
		if err := tr.Round(context.Background(), 0, x0[:1], up); !errors.Is(err, ErrSettings) {
			t.Errorf("Round with a short x: %v", err)
		}
		cases++
		if err := tr.Round(context.Background(), -1, x0, up); !errors.Is(err, ErrSettings) {
			t.Errorf("Round -1: %v", err)
		}
		tr.Close()
		stop()
	}

	// Bad answers in round 3 from client 2 (fake clients).
	for _, c := range []struct {
		name  string
		shape func(t uint64, r *roundReply)
		want  []error
	}{
		{"wrong dimension", func(_ uint64, r *roundReply) { r.msg.dim++ }, []error{ErrProtocol, ef21.ErrDimension}},
		{"index outside", func(_ uint64, r *roundReply) {
			r.msg.index, r.msg.value = []uint32{uint32(d)}, []float64{1}
		}, []error{ErrProtocol, ef21.ErrDimension}},
		{"repeated index", func(_ uint64, r *roundReply) {
			r.msg.index, r.msg.value = []uint32{1, 1}, []float64{1, 1}
		}, []error{ErrProtocol, ef21.ErrDimension}},
		{"more values than indices", func(_ uint64, r *roundReply) { r.msg.value = []float64{1} }, []error{ErrProtocol, ef21.ErrDimension}},
		{"NaN message", func(_ uint64, r *roundReply) {
			r.msg.index, r.msg.value = []uint32{0}, []float64{math.NaN()}
		}, []error{ErrProtocol, ef21.ErrNotFinite}},
		{"Inf gradient", func(_ uint64, r *roundReply) { r.grad[1] = math.Inf(1) }, []error{ErrProtocol, ef21.ErrNotFinite}},
		{"short gradient", func(_ uint64, r *roundReply) { r.grad = r.grad[:1] }, []error{ErrProtocol, ef21.ErrDimension}},
		{"message without taking part", func(_ uint64, r *roundReply) {
			r.sent, r.msg.index, r.msg.value = false, []uint32{0}, []float64{1}
		}, []error{ErrProtocol, ef21.ErrDimension}},
		{"answer to another round", func(t uint64, r *roundReply) { r.round = t + 1 }, []error{ErrProtocol}},
		{"answer as another client", func(_ uint64, r *roundReply) { r.client = 0 }, []error{ErrProtocol}},
	} {
		cases++
		svcs := make([]clientService, n)
		for i := range svcs {
			svcs[i] = &fake{id: uint32(i)}
		}
		shape := c.shape
		svcs[2].(*fake).shape = func(t uint64, r *roundReply) {
			if t == 3 {
				shape(t, r)
			}
		}
		r, _, err := runWith(svcs, nil, quick, ef21.Settings{})
		for _, w := range c.want {
			if !errors.Is(err, w) {
				t.Errorf("%s: %v, want %v", c.name, err, w)
			}
		}
		if err != nil && !strings.Contains(err.Error(), "client 2 ") {
			t.Errorf("%s: %v does not name client 2", c.name, err)
		}
		if r.Status != run.Failure || r.Iterations != 2 {
			t.Errorf("%s: %v after %d rounds, want Failure after 2", c.name, r.Status, r.Iterations)
		}
	}

	// A client whose oracle fails: its error comes back, naming it.
	for _, boom := range []bool{false, true} {
		cases++
		o := &nanOracle{LeastSquares: p, calls: make([]atomic.Int32, n), boom: boom}
		r, _, err := runWith(services(o, top1), nil, quick, ef21.Settings{})
		want := "not finite"
		if boom {
			want = "oracle bug"
		}
		if !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), "client 1") || !strings.Contains(err.Error(), want) || r.Status != run.Failure {
			t.Errorf("client oracle (panic %v): %v %v", boom, r.Status, err)
		}
	}
	t.Logf("%d bad-input cases", cases)
}

// TestCancel checks that a run over gRPC whose context ends returns
// within 100 ms with Status Canceled and the context's error, also while
// the clients are computing a round, and leaves no goroutine.
func TestCancel(t *testing.T) {
	defer goleak.VerifyNone(t)
	p := r1(t)
	for _, c := range []struct {
		name string
		o    ef21.Oracle
	}{{"fast rounds", p}, {"slow client", slowOracle{p}}} {
		t.Run(c.name, func(t *testing.T) {
			addrs, stop := serveAll(t, services(c.o, ef21.TopK{K: 1}), nil)
			defer stop()
			tr, err := Dial(addrs, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			r, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
				&ef21.Settings{MaxIter: 1 << 30, Tol: -1, Transport: tr})
			late := time.Since(deadline(ctx))
			// Under a heavy load the deadline may come during the setup:
			// then no round was run and X is nil.
			if !errors.Is(err, context.DeadlineExceeded) || r.Status != run.Canceled || !linalg.AllFinite(r.X) {
				t.Fatalf("status %v, error %v", r.Status, err)
			}
			if late > 100*time.Millisecond {
				t.Errorf("returned %v after the deadline", late)
			}
			t.Logf("%d rounds, returned %v after the deadline", r.Iterations, late.Round(time.Millisecond))
		})
	}
}

func deadline(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}

// slowOracle takes 400 ms per gradient away from x = 0, longer than the
// test's budget.
type slowOracle struct{ *problems.LeastSquares }

func (s slowOracle) Grad(i int, dst, x []float64) float64 {
	if x[0] != 0 {
		time.Sleep(400 * time.Millisecond)
	}
	return s.LeastSquares.Grad(i, dst, x)
}
