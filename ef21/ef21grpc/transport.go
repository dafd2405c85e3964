package ef21grpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/optlearn/optlearn/ef21"
)

// maxMessage bounds one encoded message (1 GiB: x, or a reply with its
// dense monitoring gradient, up to about 60 million coordinates).
const maxMessage = 1 << 30

// grpcPrefix is the gRPC length prefix of every message on the wire:
// one flag byte and a 4-byte length.
const grpcPrefix = 5

// Defaults of [Settings].
const (
	// DefaultRoundTimeout is the deadline of one call when
	// Settings.RoundTimeout is 0.
	DefaultRoundTimeout = 30 * time.Second
	// DefaultRetries is the number of extra attempts when
	// Settings.Retries is 0.
	DefaultRetries = 2
)

// retryBackoff is the pause before the k-th extra attempt: k·retryBackoff.
const retryBackoff = 20 * time.Millisecond

// Settings configures a [Transport]. The zero value waits 30 s for each
// answer, tries each call up to 3 times and ends the run when a client is
// lost.
type Settings struct {
	// RoundTimeout is the deadline of one call to one client (the setup, or
	// one round's answer), per attempt. Zero means DefaultRoundTimeout
	// (30 s); negative is an error.
	RoundTimeout time.Duration
	// Retries is the number of extra attempts of a call that failed
	// because the client could not be reached or did not answer in time
	// (gRPC codes Unavailable, DeadlineExceeded); a client answers a
	// round it already answered with the same message, so a retry never
	// updates its state twice. Zero means DefaultRetries (2); negative
	// means none.
	Retries int
	// DropLost asks for EF21-W-PP semantics when a client is lost: it then
	// takes no further part (its messages are empty, its state gᵢ stays in
	// the server's aggregate, exactly as in a round it skips), the run
	// goes on with the others, and Stats.Lost lists it. The monitoring
	// values Run reports (f, ‖∇f‖², Gᵗ) then use the lost client's last
	// answer. Allowed only for a run with partial participation
	// (ef21.Settings.P < 1); false ends the run (Status run.Failure, an
	// error wrapping ErrLost naming the client, the last good iterate).
	DropLost bool
}

// Stats is the traffic of a [Transport], summed over the rounds so far
// (round 0 included).
type Stats struct {
	// Rounds is the number of rounds completed.
	Rounds int
	// MessageBytes is the size of the compressed messages as encoded
	// (the Sparse fields: dimension, indices, values), the wire
	// counterpart of the bits ef21 counts (Result.Bits).
	MessageBytes int64
	// UplinkBytes is the size of the round answers (message, round,
	// client, monitoring values: f, the state error and the dense
	// gradient) including the 5-byte gRPC prefix of each.
	UplinkBytes int64
	// DownlinkBytes is the size of the broadcasts of x (one per client
	// per round) including the 5-byte gRPC prefix of each.
	DownlinkBytes int64
	// TCPBytes is every byte read or written on the transport's TCP
	// connections: the messages plus HTTP/2 framing (9-byte frame
	// headers), request and response headers, flow-control and ping
	// frames, the setup and the retries.
	TCPBytes int64
	// Retries is the number of extra attempts made.
	Retries int
	// Lost lists the clients dropped under Settings.DropLost.
	Lost []int
}

// Transport is an ef21.Transport over gRPC: the server side of a run whose
// clients are processes serving [Serve] at the given addresses. Run
// (ef21.Settings.Transport) calls Start and Round; the caller calls Close
// when done. Each round it encodes x once, calls the n clients in
// parallel and checks their answers; Run then folds them in client order,
// so the iterates are bit for bit those of the in-process run.
type Transport struct {
	addrs []string
	conns []*grpc.ClientConn
	s     Settings

	// Set by Start: slot[i] is the connection of client i.
	slot    []int
	n, d    int
	replies []roundReply
	marks   [][]uint64
	lost    []bool
	errs    []error
	stamp   uint64
	started bool

	tcp   atomic.Int64
	mu    sync.Mutex
	stats Stats
}

var _ ef21.Transport = (*Transport)(nil)

// Dial returns a Transport to the clients at addrs (host:port, one per
// client, in any order: each client says its index in the setup). It does
// not connect yet: Start does. It returns an error wrapping ErrSettings
// for no address, a repeated one, or invalid settings; s nil means the
// defaults.
func Dial(addrs []string, s *Settings) (*Transport, error) {
	if s == nil {
		s = &Settings{}
	}
	set := *s
	switch {
	case len(addrs) == 0:
		return nil, fmt.Errorf("%w: no client address", ErrSettings)
	case set.RoundTimeout < 0:
		return nil, fmt.Errorf("%w: RoundTimeout = %v", ErrSettings, set.RoundTimeout)
	case set.RoundTimeout == 0:
		set.RoundTimeout = DefaultRoundTimeout
	}
	switch {
	case set.Retries == 0:
		set.Retries = DefaultRetries
	case set.Retries < 0:
		set.Retries = 0
	}
	seen := map[string]int{}
	for k, a := range addrs {
		if a == "" {
			return nil, fmt.Errorf("%w: empty address %d", ErrSettings, k)
		}
		if j, ok := seen[a]; ok {
			return nil, fmt.Errorf("%w: address %s given twice (%d and %d)", ErrSettings, a, j, k)
		}
		seen[a] = k
	}
	t := &Transport{addrs: append([]string(nil), addrs...), s: set}
	for _, a := range addrs {
		cc, err := grpc.NewClient("passthrough:///"+a,
			grpc.WithTransportCredentials(insecure.NewCredentials()),
			grpc.WithContextDialer(t.dial),
			grpc.WithDefaultCallOptions(grpc.CallContentSubtype(codecName),
				grpc.MaxCallRecvMsgSize(maxMessage), grpc.MaxCallSendMsgSize(maxMessage)))
		if err != nil {
			t.Close()
			return nil, fmt.Errorf("%w: address %s: %w", ErrSettings, a, err)
		}
		t.conns = append(t.conns, cc)
	}
	return t, nil
}

// dial opens a TCP connection that counts its bytes into t.tcp.
func (t *Transport) dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return &countConn{Conn: c, n: &t.tcp}, nil
}

// countConn is a net.Conn that adds the bytes read and written to n.
type countConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *countConn) Read(b []byte) (int, error) {
	k, err := c.Conn.Read(b)
	c.n.Add(int64(k))
	return k, err
}

func (c *countConn) Write(b []byte) (int, error) {
	k, err := c.Conn.Write(b)
	c.n.Add(int64(k))
	return k, err
}

// Start sends the setup to every client (in parallel, each call waiting
// up to RoundTimeout for the client to be reachable) and maps the clients'
// indices to their addresses. It returns an error wrapping ErrSettings if
// the number of addresses is not s.N or DropLost is set without partial
// participation, ErrUnreachable naming the address of a client that did
// not answer, ErrRemote if a client refused the setup (its data or
// compressor do not match), and ErrProtocol for an index outside [0, N)
// or claimed by two clients.
func (t *Transport) Start(ctx context.Context, s *ef21.Setup) error {
	switch {
	case t.started:
		return fmt.Errorf("%w: Start called twice (a Transport serves one run)", ErrSettings)
	case s == nil || len(s.Clients) != s.N:
		return fmt.Errorf("%w: invalid setup", ErrSettings)
	case s.N != len(t.addrs):
		return fmt.Errorf("%w: %d addresses for %d clients", ErrSettings, len(t.addrs), s.N)
	}
	req := &setupRequest{n: uint32(s.N), dim: uint32(s.Dim), scale: make([]float64, s.N),
		seed: s.Seed, initCompressed: s.InitCompressed, alpha: s.Alpha}
	for i, c := range s.Clients {
		req.scale[i] = c.Scale
		if i == 0 {
			req.p, req.batch = c.P, uint32(c.Batch)
		}
		if c.P != req.p || uint32(c.Batch) != req.batch {
			return fmt.Errorf("%w: clients with different P or Batch", ErrSettings)
		}
	}
	if t.s.DropLost && !(req.p > 0 && req.p < 1) {
		return fmt.Errorf("%w: DropLost needs partial participation (P < 1), P = %v", ErrSettings, req.p)
	}
	ids := make([]uint32, len(t.conns))
	errs := make([]error, len(t.conns))
	var wg sync.WaitGroup
	for k := range t.conns {
		wg.Go(func() {
			var rep setupReply
			err := t.call(ctx, k, methodSetup, req, &rep, true)
			switch {
			case errors.Is(err, ErrLost):
				errs[k] = fmt.Errorf("%w: address %s: %w", ErrUnreachable, t.addrs[k], errors.Unwrap(err))
			case err != nil:
				errs[k] = fmt.Errorf("address %s: %w", t.addrs[k], err)
			}
			ids[k] = rep.client
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	t.slot = make([]int, s.N)
	for i := range t.slot {
		t.slot[i] = -1
	}
	for k, id := range ids {
		switch {
		case int(id) >= s.N:
			return fmt.Errorf("%w: the client at %s says it is client %d of %d", ErrProtocol, t.addrs[k], id, s.N)
		case t.slot[id] >= 0:
			return fmt.Errorf("%w: duplicate client id %d at %s and %s", ErrProtocol, id, t.addrs[t.slot[id]], t.addrs[k])
		}
		t.slot[id] = k
	}
	t.n, t.d = s.N, s.Dim
	t.replies = make([]roundReply, s.N)
	t.marks = make([][]uint64, s.N)
	for i := range t.marks {
		t.marks[i] = make([]uint64, s.Dim)
	}
	t.lost = make([]bool, s.N)
	t.errs = make([]error, s.N)
	t.started = true
	return nil
}

// call invokes method on connection k, retrying Unavailable and
// DeadlineExceeded up to Settings.Retries times, each attempt with the
// RoundTimeout deadline. After the last failed attempt it returns an
// error wrapping ErrLost (and the gRPC error); an error the client
// returned wraps ErrRemote; a canceled ctx gives ctx.Err().
func (t *Transport) call(ctx context.Context, k int, method string, req, rep message, wait bool) error {
	var err error
	for a := 0; a <= t.s.Retries; a++ {
		if a > 0 {
			t.mu.Lock()
			t.stats.Retries++
			t.mu.Unlock()
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(a) * retryBackoff):
			}
		}
		actx, cancel := context.WithTimeout(ctx, t.s.RoundTimeout)
		err = t.conns[k].Invoke(actx, method, req, rep, grpc.WaitForReady(wait))
		cancel()
		if err == nil {
			return nil
		}
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		switch status.Code(err) {
		case codes.Unavailable, codes.DeadlineExceeded:
			continue
		case codes.Internal, codes.Unimplemented, codes.ResourceExhausted:
			return fmt.Errorf("%w: %w", ErrProtocol, err)
		}
		return fmt.Errorf("%w: %s", ErrRemote, status.Convert(err).Message())
	}
	return fmt.Errorf("%w: %w", ErrLost, err)
}

// Round broadcasts x for round t to every client not lost and fills up
// with their answers, checked (see ErrProtocol). It returns ctx.Err() if
// ctx ends, else the first error in client order, naming the client, its
// address and the round: ErrLost, ErrRemote or ErrProtocol. Under
// DropLost a lost client is marked instead and its upload left empty.
func (t *Transport) Round(ctx context.Context, round int, x []float64, up []ef21.Upload) error {
	switch {
	case !t.started:
		return fmt.Errorf("%w: Round before Start", ErrSettings)
	case len(x) != t.d || len(up) != t.n:
		return fmt.Errorf("%w: %w: x of length %d and %d uploads, want %d and %d", ErrSettings, ef21.ErrDimension, len(x), len(up), t.d, t.n)
	case round < 0:
		return fmt.Errorf("%w: round %d", ErrSettings, round)
	}
	rt := uint64(round)
	req := &roundRequest{round: rt, x: x}
	req.enc = req.appendTo(make([]byte, 0, req.size()))
	t.stamp++
	var wg sync.WaitGroup
	for i := range t.n {
		t.errs[i] = nil
		if t.lost[i] {
			continue
		}
		wg.Go(func() {
			k := t.slot[i]
			rep := &t.replies[i]
			err := t.call(ctx, k, methodRound, req, rep, false)
			if err == nil {
				err = rep.toUpload(&up[i], rt, i, t.d, t.marks[i], t.stamp)
			}
			if err != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("client %d at %s: %w", i, t.addrs[k], err)
			}
			t.errs[i] = err
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	var stats Stats
	for i, err := range t.errs {
		// A client lost in round 0 has never answered: there is nothing
		// to keep of it, so the run cannot go on without it.
		if err != nil && t.s.DropLost && round > 0 && errors.Is(err, ErrLost) {
			t.lost[i] = true
			stats.Lost = append(stats.Lost, i)
			err = nil
		}
		if err != nil {
			return err
		}
		if t.lost[i] {
			up[i].Sent = false
			up[i].Msg.Reset(t.d)
			continue
		}
		r := &t.replies[i]
		stats.MessageBytes += int64(r.msg.size())
		stats.UplinkBytes += int64(r.size() + grpcPrefix)
		stats.DownlinkBytes += int64(len(req.enc) + grpcPrefix)
	}
	if len(stats.Lost) > 0 && t.lostCount() == t.n {
		return fmt.Errorf("%w: round %d: every client lost", ErrLost, round)
	}
	t.mu.Lock()
	t.stats.Rounds++
	t.stats.MessageBytes += stats.MessageBytes
	t.stats.UplinkBytes += stats.UplinkBytes
	t.stats.DownlinkBytes += stats.DownlinkBytes
	t.stats.Lost = append(t.stats.Lost, stats.Lost...)
	t.mu.Unlock()
	return nil
}

func (t *Transport) lostCount() int {
	c := 0
	for _, l := range t.lost {
		if l {
			c++
		}
	}
	return c
}

// Stats returns the traffic so far. It is safe to call during a run, for
// example from an ef21 Recorder to follow the bytes round by round beside
// Iter.Bits.
func (t *Transport) Stats() Stats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats
	s.Lost = append([]int(nil), s.Lost...)
	s.TCPBytes = t.tcp.Load()
	return s
}

// Close asks every client that is not lost to stop (waiting at most 1 s
// for each) and closes the connections. It returns the first error of
// closing a connection; a client that cannot be told to stop is not an
// error (it may be gone already).
func (t *Transport) Close() error {
	var wg sync.WaitGroup
	for k, cc := range t.conns {
		if t.started && t.lost[t.clientOf(k)] {
			continue
		}
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), stopGrace)
			defer cancel()
			_ = cc.Invoke(ctx, methodStop, &stopRequest{}, &stopReply{})
		})
	}
	wg.Wait()
	var first error
	for _, cc := range t.conns {
		if err := cc.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// clientOf returns the client index served on connection k.
func (t *Transport) clientOf(k int) int {
	for i, s := range t.slot {
		if s == k {
			return i
		}
	}
	return 0
}
