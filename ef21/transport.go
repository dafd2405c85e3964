package ef21

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/optlearn/optlearn/linalg"
)

// Transport carries [Run]'s rounds between the server and the n clients:
// once per round it broadcasts x and gathers one [Upload] per client,
// indexed by client. Run folds the uploads in client order, so the result
// does not depend on the order in which a Transport receives them.
//
// The default (Settings.Transport nil) runs the clients in the calling
// process on Settings.Workers goroutines. Sub-package ef21grpc carries the
// same rounds to client processes over gRPC; its clients build their
// [Client] with [Setup.NewClient], so that they draw from the same random
// streams and produce the same bits as the in-process ones.
type Transport interface {
	// Start prepares the clients for a run (called once, before round 0).
	Start(ctx context.Context, s *Setup) error
	// Round broadcasts x for round t (t = 0 is the initial round, t ≥ 1
	// the rounds after each step) and fills up[i], for every client i,
	// with client i's answer ([Client.Answer]). x must not be modified,
	// nor kept after the call. A Transport that receives the same round
	// twice (a retry) must not update a client's state twice.
	Round(ctx context.Context, t int, x []float64, up []Upload) error
}

// Setup is what the clients of a run need to know before round 0, fixed by
// the server from the Settings.
type Setup struct {
	// N is the number of clients and Dim the dimension of x.
	N, Dim int
	// Clients holds each client's settings (scale 1/(n wᵢ), P, Batch).
	Clients []ClientSettings
	// Seed is the stream seed s: client i draws from rand.NewPCG(s, i).
	Seed uint64
	// InitCompressed is Settings.InitCompressed: round 0 sends C(gᵢ⁰)
	// instead of the dense gradient.
	InitCompressed bool
	// Alpha is the compressor's α(Dim) on the server, which a client's
	// compressor must match.
	Alpha float64
}

// NewClient returns client i of the run described by s, with oracle o and
// compressor c, built exactly as Run builds its in-process clients (same
// settings, same random stream). It returns an error wrapping
// ErrDimension if o's N or Dim differ from s, and ErrSettings for an index
// outside [0, N) or a compressor whose α differs from s.Alpha (a different
// compressor than the server's), besides the errors of [NewClient].
func (s *Setup) NewClient(o Oracle, i int, c Compressor) (*Client, error) {
	switch {
	case s == nil:
		return nil, fmt.Errorf("%w: nil setup", ErrSettings)
	case o == nil || c == nil:
		return nil, fmt.Errorf("%w: nil oracle or compressor", ErrSettings)
	case len(s.Clients) != s.N:
		return nil, fmt.Errorf("%w: setup for %d clients with %d client settings", ErrDimension, s.N, len(s.Clients))
	case o.N() != s.N || o.Dim() != s.Dim:
		return nil, fmt.Errorf("%w: client %d: oracle with %d clients in dimension %d, the server has %d in dimension %d", ErrDimension, i, o.N(), o.Dim(), s.N, s.Dim)
	case i < 0 || i >= s.N:
		return nil, fmt.Errorf("%w: client %d of %d", ErrSettings, i, s.N)
	case c.Alpha(s.Dim) != s.Alpha:
		return nil, fmt.Errorf("%w: client %d: compressor α = %v, the server's is %v", ErrSettings, i, c.Alpha(s.Dim), s.Alpha)
	}
	cl, err := NewClient(o, i, c, s.Clients[i], rand.New(rand.NewPCG(s.Seed, uint64(i))))
	if err != nil {
		return nil, err
	}
	cl.initCmp = s.InitCompressed
	return cl, nil
}

// Upload is client i's answer in one round: the message and, for
// monitoring, fᵢ(x), ∇fᵢ(x) and ‖gᵢ − Scale·∇fᵢ(x)‖² (see
// [Client.Diagnostics]). Only Msg is part of the algorithm; Run counts its
// bits with [MessageBits].
type Upload struct {
	// Msg is the compressed message cᵢ (empty when not Sent).
	Msg linalg.Sparse
	// Sent reports whether the client took part in the round.
	Sent bool
	// F is fᵢ(x) and ErrSq is ‖gᵢ − Scale·∇fᵢ(x)‖² after the update.
	F, ErrSq float64
	// Grad is ∇fᵢ(x), of length Dim (read only; it may be the client's
	// own buffer).
	Grad []float64
	// GradCalls and StochGradCalls are the client's oracle calls so far.
	GradCalls, StochGradCalls int
}

// Answer runs the client's part of round t at the broadcast point x and
// fills up: round 0 is [Client.Init] (compressed when the client came from
// a Setup with InitCompressed), rounds t ≥ 1 are [Client.Round]. up.Grad
// is set to the client's own gradient buffer, valid until the next call.
// The errors are those of Init and Round.
func (c *Client) Answer(up *Upload, t int, x []float64) error {
	var err error
	if up == nil {
		return fmt.Errorf("%w: client %d: nil upload", ErrDimension, c.i)
	}
	if t == 0 {
		err = c.Init(&up.Msg, x, c.initCmp)
		up.Sent = err == nil
	} else {
		up.Sent, err = c.Round(&up.Msg, x)
	}
	up.F, up.Grad, up.ErrSq = c.f, c.grad, c.errSq
	up.GradCalls, up.StochGradCalls = c.calls[0], c.calls[1]
	return err
}

// local is the default Transport: the clients in this process, client i on
// goroutine i mod workers, the calling goroutine running share 0.
type local struct {
	o       Oracle
	c       Compressor
	clients []*Client
	errs    []error
	workers int
	start   []chan job
	done    chan struct{}
	wg      sync.WaitGroup

	// The round being run (set before the workers are signalled).
	t  int
	x  []float64
	up []Upload
}

// job is one round for the worker pool, with the context's done channel,
// checked between clients.
type job struct {
	done <-chan struct{}
}

var _ Transport = (*local)(nil)

func (l *local) Start(_ context.Context, s *Setup) error {
	l.clients = make([]*Client, s.N)
	l.errs = make([]error, s.N)
	for i := range s.N {
		var err error
		if l.clients[i], err = s.NewClient(l.o, i, l.c); err != nil {
			return err
		}
	}
	w := max(1, min(l.workers, s.N))
	l.workers = w
	l.done = make(chan struct{}, w)
	for k := 1; k < w; k++ {
		ch := make(chan job)
		l.start = append(l.start, ch)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for j := range ch {
				l.work(j, k)
				l.done <- struct{}{}
			}
		}()
	}
	return nil
}

// stop ends the worker goroutines and waits for them.
func (l *local) stop() {
	for _, ch := range l.start {
		close(ch)
	}
	l.wg.Wait()
	l.start = nil
}

// Round runs every client once, in parallel, and returns the first error
// in client order.
func (l *local) Round(ctx context.Context, t int, x []float64, up []Upload) error {
	l.t, l.x, l.up = t, x, up
	j := job{done: ctx.Done()}
	for _, ch := range l.start {
		ch <- j
	}
	l.work(j, 0)
	for range l.start {
		<-l.done
	}
	l.x, l.up = nil, nil
	for _, err := range l.errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// work runs share k of the clients, i = k, k+w, k+2w, ..., checking the
// context between clients. Interleaving balances the load when the
// clients' costs grow with i (as with sorted splits); each client's result
// depends only on its own state, so the assignment never changes the
// outcome.
func (l *local) work(j job, k int) {
	for i := k; i < len(l.clients); i += l.workers {
		select {
		case <-j.done:
			l.errs[i], l.up[i].Sent = errStopped, false
			continue
		default:
		}
		l.client(i)
	}
}

// client runs client i's part of the round and turns a panic in user code
// into an error wrapping ErrPanic.
func (l *local) client(i int) {
	defer func() {
		if p := recover(); p != nil {
			l.errs[i], l.up[i].Sent = fmt.Errorf("%w: client %d: %v", ErrPanic, i, p), false
		}
	}()
	l.errs[i] = l.clients[i].Answer(&l.up[i], l.t, l.x)
}
