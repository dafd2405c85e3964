// Command ef21-grpc runs EF21-W with its clients as separate processes that
// talk to the server over gRPC on loopback (package ef21/ef21grpc), and
// checks the claims of issue #25 against the in-process run of ef21.Run:
//
//  1. the iterates, f and ‖∇f‖² of every round are bit for bit those of the
//     in-process run with the same seed (nonconvex logistic regression on a
//     LIBSVM set, n clients, TopK K = 1);
//  2. a client killed mid-run is reported (an error naming it, Status
//     Failure) and the run ends cleanly with the last good iterate, which
//     is the in-process run's after as many rounds;
//  3. the traffic: rounds per second over loopback against the in-process
//     run, and the bytes on the wire per round against the bits ef21
//     counts.
//
// The example starts the server and the client processes itself: each
// client is this program re-executed with the hidden flag -client.
//
//	go run ./examples/ef21-grpc            # quick mode: phishing, n = 20, 200 rounds
//	go run ./examples/ef21-grpc -quick=false -json
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	report "github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/ef21grpc"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/run"
)

// lambda is the regulariser of the logistic regression (as examples/ef21).
const lambda = 0.1

func main() {
	quick := flag.Bool("quick", true, "small budgets (< 60 s on 2 cores)")
	asJSON := flag.Bool("json", false, "print the claims as one JSON object on the last line")
	set := flag.String("set", "", "LIBSVM set (default phishing in quick mode, a9a otherwise)")
	n := flag.Int("n", 20, "number of clients (processes)")
	rounds := flag.Int("rounds", 0, "rounds of the comparison run (default 200 in quick mode, 2000 otherwise)")
	client := flag.Int("client", -1, "internal: serve as this client and print the address")
	flag.Parse()
	if *set == "" {
		*set = "phishing"
		if !*quick {
			*set = "a9a"
		}
	}
	if *client >= 0 {
		if err := serveClient(*set, *n, *client); err != nil {
			fmt.Fprintln(os.Stderr, "client", *client, ":", err)
			os.Exit(1)
		}
		return
	}
	if *rounds == 0 {
		*rounds = 200
		if !*quick {
			*rounds = 2000
		}
	}
	if *n < 1 || *rounds < 1 {
		fmt.Fprintln(os.Stderr, "need -n >= 1 and -rounds >= 1")
		os.Exit(2)
	}
	start := time.Now()
	rep := report.Report{Example: "ef21-grpc"}
	if err := compare(&rep, *set, *n, *rounds, !*asJSON); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := killed(&rep, *set, min(*n, 4)); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !*asJSON {
		fmt.Printf("total %.1f s\n", time.Since(start).Seconds())
	}
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !rep.Passed() {
		os.Exit(1)
	}
}

// problem is the logistic regression on set over n clients (sorted split,
// so that the Lᵢ differ), built the same way by the server and by every
// client: each client uses only its own block.
func problem(set string, n int) (*problems.Logistic, error) {
	ds, err := sets.Load(set)
	if err != nil {
		return nil, err
	}
	return problems.NewLogistic(ds.X, ds.Y, n, problems.SplitSorted, lambda)
}

// serveClient is a client process: it listens on a loopback port, prints
// "addr host:port" and serves until the server stops it or its standard
// input closes (the parent ended).
func serveClient(set string, n, id int) error {
	p, err := problem(set, n)
	if err != nil {
		return err
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Printf("addr %s\n", lis.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	if err := ef21grpc.Serve(ctx, lis, id, p, ef21.TopK{K: 1}); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// procs are the client processes of one run.
type procs struct {
	cmds  []*exec.Cmd
	stdin []io.WriteCloser
	addrs []string
}

// spawn starts n client processes (this program re-executed) and waits for
// their addresses.
func spawn(ctx context.Context, set string, n int) (*procs, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ps := &procs{}
	for i := range n {
		cmd := exec.CommandContext(ctx, self, "-client", strconv.Itoa(i), "-set", set, "-n", strconv.Itoa(n))
		cmd.Stderr = os.Stderr
		in, err := cmd.StdinPipe()
		if err != nil {
			ps.stop()
			return nil, err
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			ps.stop()
			return nil, err
		}
		if err := cmd.Start(); err != nil {
			ps.stop()
			return nil, err
		}
		ps.cmds, ps.stdin = append(ps.cmds, cmd), append(ps.stdin, in)
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			ps.stop()
			return nil, fmt.Errorf("client %d did not start: %w", i, err)
		}
		ps.addrs = append(ps.addrs, strings.TrimSpace(strings.TrimPrefix(line, "addr ")))
	}
	return ps, nil
}

// stop closes the processes' standard input (which ends those still
// serving) and waits for them.
func (ps *procs) stop() {
	for i, cmd := range ps.cmds {
		ps.stdin[i].Close()
		_ = cmd.Wait()
	}
}

// trace keeps every round's iterate, f and ‖∇f‖², and the time and bits
// at round 1 and at the end (for the rates, which leave out the setup and
// the dense initial round).
type trace struct {
	x         [][]float64
	f, gsq    []float64
	t1, tEnd  time.Time
	bits1     int64
	bitsEnd   int64
	onRound1  func()
	printer   ef21.Recorder
	roundsEnd int
}

func (r *trace) Record(it *ef21.Iter) error {
	if r.printer != nil {
		if err := r.printer.Record(it); err != nil {
			return err
		}
	}
	if it.Event == run.End {
		r.tEnd, r.bitsEnd, r.roundsEnd = time.Now(), it.Bits, it.Iteration
		return nil
	}
	if it.Iteration == 1 {
		r.t1, r.bits1 = time.Now(), it.Bits
		if r.onRound1 != nil {
			r.onRound1()
		}
	}
	r.x = append(r.x, append([]float64(nil), it.X...))
	r.f = append(r.f, it.F)
	r.gsq = append(r.gsq, it.GradNormSq)
	return nil
}

// diff returns the first round where a and b differ, or -1.
func diff(a, b *trace) int {
	if len(a.x) != len(b.x) {
		return min(len(a.x), len(b.x))
	}
	eq := func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) }
	for t := range a.x {
		if !eq(a.f[t], b.f[t]) || !eq(a.gsq[t], b.gsq[t]) {
			return t
		}
		for j := range a.x[t] {
			if !eq(a.x[t][j], b.x[t][j]) {
				return t
			}
		}
	}
	return -1
}

// settings are those of both runs: EF21-W with γ_AM, exactly `rounds`
// rounds, the fixed seed.
func settings(rounds int) ef21.Settings {
	return ef21.Settings{Weighted: true, MaxIter: rounds, Tol: -1}
}

// compare runs EF21-W over gRPC with n client processes and in process,
// and adds claims 1 and 3.
func compare(rep *report.Report, set string, n, rounds int, progress bool) error {
	p, err := problem(set, n)
	if err != nil {
		return err
	}
	x0 := make([]float64, p.Dim())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	ps, err := spawn(ctx, set, n)
	if err != nil {
		return err
	}
	defer ps.stop()
	tr, err := ef21grpc.Dial(ps.addrs, &ef21grpc.Settings{RoundTimeout: 30 * time.Second})
	if err != nil {
		return err
	}
	var s1 ef21grpc.Stats
	remote := &trace{onRound1: func() { s1 = tr.Stats() }}
	if progress {
		remote.printer = &ef21.Printer{W: os.Stderr, Prefix: "grpc: "}
	}
	s := settings(rounds)
	s.Transport, s.Recorder = tr, remote
	rres, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, x0, &s)
	sEnd := tr.Stats()
	if cerr := tr.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("run over gRPC: %w", err)
	}

	local := &trace{}
	if progress {
		local.printer = &ef21.Printer{W: os.Stderr, Prefix: "in-process: "}
	}
	s = settings(rounds)
	s.Recorder = local
	lres, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, x0, &s)
	if err != nil {
		return fmt.Errorf("in-process run: %w", err)
	}

	d := diff(local, remote)
	measured := fmt.Sprintf("%d rounds, %s, n = %d processes: every x, f and |grad f|^2 identical (f = %.6g, |grad f|^2 = %.3e)",
		rres.Iterations, set, n, rres.F, rres.GradNormSq)
	if d >= 0 {
		measured = fmt.Sprintf("first difference at round %d of %d", d, rres.Iterations)
	}
	rep.Add("EF21-W over gRPC: same iterates as in process", "issue #25: bitwise-identical iterates to the in-process run for the same seed",
		measured, d < 0 && rres.Bits == lres.Bits)

	steady := rounds - 1
	rateRemote := float64(steady) / remote.tEnd.Sub(remote.t1).Seconds()
	rateLocal := float64(steady) / local.tEnd.Sub(local.t1).Seconds()
	bits := float64(remote.bitsEnd-remote.bits1) / float64(steady)
	per := func(a, b int64) float64 { return float64(b-a) / float64(steady) }
	msg, up, down, tcp := per(s1.MessageBytes, sEnd.MessageBytes), per(s1.UplinkBytes, sEnd.UplinkBytes),
		per(s1.DownlinkBytes, sEnd.DownlinkBytes), per(s1.TCPBytes, sEnd.TCPBytes)
	rep.Add("traffic over loopback",
		"issue #25: rounds per second against the in-process run; bytes per round against the bits counted",
		fmt.Sprintf("%.0f rounds/s over gRPC, %.0f in process (%.1fx); per round: %.0f bits counted = %.0f B, messages %.0f B encoded, uplink %.0f B with monitoring, downlink %.0f B (x to %d clients), TCP %.0f B",
			rateRemote, rateLocal, rateLocal/rateRemote, bits, bits/8, msg, up, down, n, tcp),
		8*msg >= bits && tcp >= up+down)
	return nil
}

// killed runs EF21-W with n client processes, kills client n/2 after round
// 20 and adds claim 2.
func killed(rep *report.Report, set string, n int) error {
	const killAt = 20
	p, err := problem(set, n)
	if err != nil {
		return err
	}
	x0 := make([]float64, p.Dim())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	ps, err := spawn(ctx, set, n)
	if err != nil {
		return err
	}
	defer ps.stop()
	tr, err := ef21grpc.Dial(ps.addrs, &ef21grpc.Settings{RoundTimeout: 5 * time.Second})
	if err != nil {
		return err
	}
	victim := n / 2
	s := settings(1 << 30)
	s.Transport = tr
	s.Recorder = run.RecorderFunc[*ef21.Iter](func(it *ef21.Iter) error {
		if it.Event == run.Iteration && it.Iteration == killAt {
			return ps.cmds[victim].Process.Kill()
		}
		return nil
	})
	t0 := time.Now()
	res, runErr := ef21.Run(ctx, p, ef21.TopK{K: 1}, x0, &s)
	took := time.Since(t0)
	if err := tr.Close(); err != nil {
		return err
	}
	s = settings(max(res.Iterations, 1))
	want, err := ef21.Run(ctx, p, ef21.TopK{K: 1}, x0, &s)
	if err != nil {
		return err
	}
	same := len(res.X) == len(want.X)
	for j := range want.X {
		same = same && res.X[j] == want.X[j]
	}
	named := runErr != nil && strings.Contains(runErr.Error(), fmt.Sprintf("client %d ", victim))
	ok := errors.Is(runErr, ef21grpc.ErrLost) && named && res.Status == run.Failure && same
	msg := "<nil>"
	if runErr != nil {
		msg = runErr.Error()
		if i := strings.Index(msg, ": rpc error"); i > 0 {
			msg = msg[:i]
		}
	}
	rep.Add("a client killed mid-run", "issue #25: the server reports it and ends cleanly with the last good iterate",
		fmt.Sprintf("client %d of %d killed after round %d: %v after %d rounds (%.2f s), error %q, last iterate = in-process after %d rounds: %v",
			victim, n, killAt, res.Status, res.Iterations, took.Seconds(), msg, want.Iterations, same), ok)
	return nil
}
