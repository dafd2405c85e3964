package ef21grpc

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/libsvm"
	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/run"
)

// Environment of a client process started by the tests from their own
// binary (os.Args[0]): TestMain serves client envClient of a problem with
// envN clients instead of running the tests.
const (
	envClient = "EF21GRPC_TEST_CLIENT"
	envN      = "EF21GRPC_TEST_N"
	envSet    = "EF21GRPC_TEST_SET"
)

func TestMain(m *testing.M) {
	if id := os.Getenv(envClient); id != "" {
		os.Exit(clientMain(id))
	}
	os.Exit(m.Run())
}

// clientMain is a client process: it builds the problem, listens on a
// loopback port, prints "addr <host:port>" and serves until the server
// says stop or its standard input closes (the test process ended).
func clientMain(idText string) int {
	id, err1 := strconv.Atoi(idText)
	n, err2 := strconv.Atoi(os.Getenv(envN))
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "bad client environment")
		return 2
	}
	p, err := logistic(os.Getenv(envSet), n)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("addr %s\n", lis.Addr())
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	if err := Serve(ctx, lis, id, p, ef21.TopK{K: 1}); err != nil && err != context.Canceled {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

var (
	dataMu sync.Mutex
	data   = map[string]*libsvm.Dataset{}
)

// logistic returns the nonconvex logistic regression of ef21/problems on
// the LIBSVM set name (sorted split over n clients, λ = 0.1), as
// examples/ef21 builds it.
func logistic(name string, n int) (*problems.Logistic, error) {
	dataMu.Lock()
	ds, ok := data[name]
	if !ok {
		var err error
		if ds, err = sets.Load(name); err != nil {
			dataMu.Unlock()
			return nil, err
		}
		data[name] = ds
	}
	dataMu.Unlock()
	return problems.NewLogistic(ds.X, ds.Y, n, problems.SplitSorted, 0.1)
}

// goroutineClients serves the n clients of o on loopback in goroutines
// of the test process and returns their addresses (in reverse client
// order, so that the server must map them by the index each one says)
// and a function that stops them and waits.
func goroutineClients(t testing.TB, o ef21.Oracle, c ef21.Compressor) ([]string, func()) {
	t.Helper()
	n := o.N()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	addrs := make([]string, n)
	for i := range n {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addrs[n-1-i] = lis.Addr().String()
		wg.Go(func() {
			if err := Serve(ctx, lis, i, o, c); err != nil && err != context.Canceled {
				t.Errorf("client %d: %v", i, err)
			}
		})
	}
	return addrs, func() { cancel(); wg.Wait() }
}

// proc is a client process.
type proc struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	addr  string
}

// startProcs starts n client processes of the problem on set, each one
// the test binary re-executed, and returns them once each has printed
// its address.
func startProcs(ctx context.Context, t *testing.T, set string, n int) []*proc {
	t.Helper()
	ps := make([]*proc, n)
	for i := range n {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envClient+"="+strconv.Itoa(i), envN+"="+strconv.Itoa(n), envSet+"="+set)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ps[i] = &proc{cmd: cmd, stdin: stdin}
		line, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			t.Fatalf("client process %d: %v", i, err)
		}
		ps[i].addr = strings.TrimSpace(strings.TrimPrefix(line, "addr "))
	}
	return ps
}

// wait closes the processes' stdin (which ends any that still serve) and
// waits for them.
func wait(ps []*proc) {
	for _, p := range ps {
		p.stdin.Close()
		_ = p.cmd.Wait()
	}
}

func addrsOf(ps []*proc) []string {
	a := make([]string, len(ps))
	for i, p := range ps {
		a[i] = p.addr
	}
	return a
}

// trace keeps what the two runs must share bit for bit: every iterate and
// the monitored values of every round.
type trace struct {
	x            [][]float64
	f, gsq, g    []float64
	bits         []int64
	participants []int
}

func (r *trace) Record(it *ef21.Iter) error {
	if it.Event == run.End {
		return nil
	}
	r.x = append(r.x, append([]float64(nil), it.X...))
	r.f = append(r.f, it.F)
	r.gsq = append(r.gsq, it.GradNormSq)
	r.g = append(r.g, it.G)
	r.bits = append(r.bits, it.Bits)
	r.participants = append(r.participants, it.Participants)
	return nil
}

// sameBits reports the first difference between two traces, or "".
func sameBits(a, b *trace) string {
	if len(a.x) != len(b.x) {
		return fmt.Sprintf("%d and %d rounds", len(a.x), len(b.x))
	}
	eq := func(u, v float64) bool { return math.Float64bits(u) == math.Float64bits(v) }
	for t := range a.x {
		for j := range a.x[t] {
			if !eq(a.x[t][j], b.x[t][j]) {
				return fmt.Sprintf("round %d: x[%d] = %v and %v", t, j, a.x[t][j], b.x[t][j])
			}
		}
		if !eq(a.f[t], b.f[t]) || !eq(a.gsq[t], b.gsq[t]) || !eq(a.g[t], b.g[t]) || a.bits[t] != b.bits[t] || a.participants[t] != b.participants[t] {
			return fmt.Sprintf("round %d: f %v/%v, |grad|^2 %v/%v, G %v/%v, bits %d/%d, participants %d/%d", t,
				a.f[t], b.f[t], a.gsq[t], b.gsq[t], a.g[t], b.g[t], a.bits[t], b.bits[t], a.participants[t], b.participants[t])
		}
	}
	return ""
}

// testTimeout bounds each test that starts servers and clients.
const testTimeout = 2 * time.Minute
