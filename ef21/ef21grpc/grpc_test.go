package ef21grpc

import (
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/run"
)

// inProcess runs s without a transport and returns its result and trace.
func inProcess(t testing.TB, o ef21.Oracle, c ef21.Compressor, s ef21.Settings, seed uint64) (ef21.Result, *trace) {
	t.Helper()
	tr := &trace{}
	s.Recorder, s.Rand = tr, rand.New(rand.NewPCG(seed, 7))
	r, err := ef21.Run(context.Background(), o, c, make([]float64, o.Dim()), &s)
	if err != nil {
		t.Fatal(err)
	}
	return r, tr
}

// TestSameIterates checks that the run over gRPC, with n clients served on
// loopback, gives the in-process run's iterates, f, ‖∇f‖², Gᵗ, bit counts
// and participants bit for bit in every round: EF21-W with TopK on the
// phishing set with n = 4 and n = 20 clients, and EF21-W-PP with RandK
// and minibatch gradients (their random streams) with n = 4. It also
// checks the traffic counts against ef21's bits.
func TestSameIterates(t *testing.T) {
	defer goleak.VerifyNone(t)
	cases := []struct {
		name   string
		n      int
		c      ef21.Compressor
		s      ef21.Settings
		rounds int
	}{
		{"EF21-W/top1/n=4", 4, ef21.TopK{K: 1}, ef21.Settings{Weighted: true}, 100},
		{"EF21-W/top1/n=20", 20, ef21.TopK{K: 1}, ef21.Settings{Weighted: true}, 50},
		{"EF21-W-PP-SGD/rand2/n=4", 4, ef21.RandK{K: 2}, ef21.Settings{Weighted: true, P: 0.5, Batch: 8, Kappa: 2, InitCompressed: true}, 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			p, err := logistic("phishing", c.n)
			if err != nil {
				t.Fatal(err)
			}
			s := c.s
			s.MaxIter, s.Tol = c.rounds, -1
			want, wantTr := inProcess(t, p, c.c, s, 3)

			addrs, stop := goroutineClients(t, p, c.c)
			defer stop()
			tr, err := Dial(addrs, &Settings{RoundTimeout: 20 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			gotTr := &trace{}
			s.Transport, s.Recorder, s.Rand = tr, gotTr, rand.New(rand.NewPCG(3, 7))
			got, err := ef21.Run(ctx, p, c.c, make([]float64, p.Dim()), &s)
			if err != nil {
				t.Fatal(err)
			}
			if d := sameBits(wantTr, gotTr); d != "" {
				t.Fatalf("iterates differ: %s", d)
			}
			if got.Iterations != want.Iterations || got.Bits != want.Bits || got.Status != want.Status ||
				got.GradCalls != want.GradCalls || got.StochGradCalls != want.StochGradCalls {
				t.Errorf("results differ: %+v\nwant %+v", got, want)
			}
			st := tr.Stats()
			rounds := int64(st.Rounds)
			t.Logf("%d rounds: %.1f bits/round counted, message %.1f B/round, uplink %.0f B/round, downlink %.0f B/round, TCP %.0f B/round",
				st.Rounds, float64(got.Bits)/float64(rounds), float64(st.MessageBytes)/float64(rounds),
				float64(st.UplinkBytes)/float64(rounds), float64(st.DownlinkBytes)/float64(rounds), float64(st.TCPBytes)/float64(rounds))
			if st.Rounds != c.rounds+1 {
				t.Errorf("Stats.Rounds = %d, want %d", st.Rounds, c.rounds+1)
			}
			// The encoded messages cost at least the bits ef21 counts
			// (varint indices are byte-aligned, values 8 bytes).
			if 8*st.MessageBytes < got.Bits || st.TCPBytes < st.UplinkBytes+st.DownlinkBytes {
				t.Errorf("traffic %+v below the %d bits counted", st, got.Bits)
			}
		})
	}
}

// TestKilledClient starts 4 client processes on loopback (this test
// binary re-executed), kills client 2 during the run and checks that Run
// stops with Status Failure, an error wrapping ErrLost that names client
// 2, and the last good iterate, which is the in-process run's after the
// same number of rounds. With DropLost and P < 1 the run goes on without
// the lost client. The test bounds its own time and leaves no goroutine.
func TestKilledClient(t *testing.T) {
	if testing.Short() {
		t.Skip("starts client processes")
	}
	defer goleak.VerifyNone(t)
	const n, killAt = 4, 30
	for _, dropLost := range []bool{false, true} {
		name := "stop"
		if dropLost {
			name = "drop-lost"
		}
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
			defer cancel()
			p, err := logistic("phishing", n)
			if err != nil {
				t.Fatal(err)
			}
			ps := startProcs(ctx, t, "phishing", n)
			defer wait(ps)
			tr, err := Dial(addrsOf(ps), &Settings{RoundTimeout: 5 * time.Second, DropLost: dropLost})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			s := ef21.Settings{Weighted: true, MaxIter: 100000, Tol: -1}
			if dropLost {
				s.P, s.MaxIter = 0.5, 3*killAt
			}
			s.Transport = tr
			s.Recorder = run.RecorderFunc[*ef21.Iter](func(it *ef21.Iter) error {
				if it.Iteration == killAt && it.Event == run.Iteration {
					return ps[2].cmd.Process.Kill()
				}
				return nil
			})
			start := time.Now()
			got, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s)
			t.Logf("%v after %d rounds in %v: %v; stats %+v", got.Status, got.Iterations, time.Since(start).Round(time.Millisecond), err, tr.Stats())
			if dropLost {
				if err != nil || got.Status != run.IterationLimit || got.Iterations != 3*killAt {
					t.Fatalf("status %v after %d rounds, error %v; want IterationLimit after %d", got.Status, got.Iterations, err, 3*killAt)
				}
				if l := tr.Stats().Lost; len(l) != 1 || l[0] != 2 {
					t.Errorf("lost %v, want [2]", l)
				}
				return
			}
			if !errors.Is(err, ErrLost) || !strings.Contains(err.Error(), "client 2 ") || got.Status != run.Failure {
				t.Fatalf("status %v, error %v; want Failure and ErrLost naming client 2", got.Status, err)
			}
			if got.Iterations < killAt || got.Iterations > killAt+1 {
				t.Errorf("stopped after %d rounds, client killed after round %d", got.Iterations, killAt)
			}
			s.Transport, s.Recorder, s.MaxIter = nil, nil, got.Iterations
			want, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s)
			if err != nil {
				t.Fatal(err)
			}
			for j := range want.X {
				if got.X[j] != want.X[j] {
					t.Fatalf("last good iterate differs from the in-process run at %d", j)
				}
			}
			if got.F != want.F || got.GradNormSq != want.GradNormSq {
				t.Errorf("f, |grad|^2 = %v, %v; in-process %v, %v", got.F, got.GradNormSq, want.F, want.GradNormSq)
			}
		})
	}
}

// TestSameIteratesProcesses checks bit-for-bit equality with n = 20
// client processes (the re-executed test binary).
func TestSameIteratesProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts client processes")
	}
	defer goleak.VerifyNone(t)
	const n, rounds = 20, 40
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	p, err := logistic("phishing", n)
	if err != nil {
		t.Fatal(err)
	}
	s := ef21.Settings{Weighted: true, MaxIter: rounds, Tol: -1}
	_, wantTr := inProcess(t, p, ef21.TopK{K: 1}, s, 5)
	ps := startProcs(ctx, t, "phishing", n)
	defer wait(ps)
	tr, err := Dial(addrsOf(ps), &Settings{RoundTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	gotTr := &trace{}
	s.Transport, s.Recorder, s.Rand = tr, gotTr, rand.New(rand.NewPCG(5, 7))
	if _, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, make([]float64, p.Dim()), &s); err != nil {
		t.Fatal(err)
	}
	if d := sameBits(wantTr, gotTr); d != "" {
		t.Fatalf("iterates differ: %s", d)
	}
}
