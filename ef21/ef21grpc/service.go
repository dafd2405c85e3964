package ef21grpc

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/optlearn/optlearn/ef21"
)

// The service of ef21.proto, written by hand (the generator of gRPC
// service stubs, protoc-gen-go-grpc, is not used): the descriptor below is
// what it would generate, with the handlers calling the unexported
// methods of *service.

const serviceName = "optlearn.ef21grpc.v1.Client"

const (
	methodSetup = "/" + serviceName + "/Setup"
	methodRound = "/" + serviceName + "/Round"
	methodStop  = "/" + serviceName + "/Stop"
)

// clientService is the handler type of the Client service.
type clientService interface {
	setup(ctx context.Context, req *setupRequest) (message, error)
	round(ctx context.Context, req *roundRequest) (message, error)
	stop(ctx context.Context, req *stopRequest) (message, error)
}

var serviceDesc = grpc.ServiceDesc{
	ServiceName: serviceName,
	HandlerType: (*clientService)(nil),
	Methods: []grpc.MethodDesc{
		{MethodName: "Setup", Handler: handler(methodSetup, clientService.setup)},
		{MethodName: "Round", Handler: handler(methodRound, clientService.round)},
		{MethodName: "Stop", Handler: handler(methodStop, clientService.stop)},
	},
	Metadata: "ef21.proto",
}

// handler returns the unary handler of one method: decode the request,
// call the method through the interceptor if there is one.
func handler[Req any, PReq interface {
	*Req
	message
}](full string, call func(clientService, context.Context, PReq) (message, error)) grpc.MethodHandler {
	return func(srv any, ctx context.Context, dec func(any) error, icpt grpc.UnaryServerInterceptor) (any, error) {
		in := PReq(new(Req))
		if err := dec(in); err != nil {
			return nil, err
		}
		s := srv.(clientService)
		if icpt == nil {
			return call(s, ctx, in)
		}
		info := &grpc.UnaryServerInfo{Server: srv, FullMethod: full}
		return icpt(ctx, in, info, func(ctx context.Context, req any) (any, error) {
			return call(s, ctx, req.(PReq))
		})
	}
}

// raw is an encoded message, sent as is (a cached answer).
type raw []byte

func (r raw) size() int                { return len(r) }
func (r raw) appendTo(b []byte) []byte { return append(b, r...) }
func (r *raw) parse(b []byte) error    { *r = append((*r)[:0], b...); return nil }

// service is one client process's side of the protocol.
type service struct {
	id int
	o  ef21.Oracle
	c  ef21.Compressor

	mu       sync.Mutex
	setupEnc []byte // the accepted setup, encoded
	client   *ef21.Client
	dim      int
	up       ef21.Upload
	last     int64 // the last round answered, -1 before round 0
	reply    roundReply
	cached   raw // the answer to round last, encoded

	stopOnce sync.Once
	stopped  chan struct{}
}

var _ clientService = (*service)(nil)

func (s *service) setup(_ context.Context, req *setupRequest) (message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	enc := req.appendTo(nil)
	if s.setupEnc != nil {
		if !bytes.Equal(enc, s.setupEnc) {
			return nil, status.Errorf(codes.FailedPrecondition, "client %d: already set up for another run", s.id)
		}
		return &setupReply{client: uint32(s.id)}, nil
	}
	if len(req.scale) != int(req.n) {
		return nil, status.Errorf(codes.InvalidArgument, "client %d: setup for %d clients with %d scales", s.id, req.n, len(req.scale))
	}
	su := &ef21.Setup{N: int(req.n), Dim: int(req.dim), Clients: make([]ef21.ClientSettings, req.n),
		Seed: req.seed, InitCompressed: req.initCompressed, Alpha: req.alpha}
	if s.id < su.N {
		su.Clients[s.id] = ef21.ClientSettings{Scale: req.scale[s.id], P: req.p, Batch: int(req.batch)}
	}
	cl, err := su.NewClient(s.o, s.id, s.c)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "client %d: %v", s.id, err)
	}
	s.client, s.dim, s.setupEnc, s.last = cl, su.Dim, enc, -1
	return &setupReply{client: uint32(s.id)}, nil
}

func (s *service) round(_ context.Context, req *roundRequest) (message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch t := int64(req.round); {
	case s.client == nil:
		return nil, status.Errorf(codes.FailedPrecondition, "client %d: round %d before setup", s.id, t)
	case t == s.last:
		// A retry: the same answer, the state updated once.
		return s.answered(), nil
	case t != s.last+1:
		return nil, status.Errorf(codes.FailedPrecondition, "client %d: round %d after round %d", s.id, t, s.last)
	case len(req.x) != s.dim:
		return nil, status.Errorf(codes.InvalidArgument, "client %d: x of length %d, dimension %d", s.id, len(req.x), s.dim)
	}
	if err := s.answer(int(req.round), req.x); err != nil {
		return nil, status.Errorf(codes.Aborted, "client %d: round %d: %v", s.id, req.round, err)
	}
	s.reply.fromUpload(req.round, s.id, &s.up)
	s.cached = s.reply.appendTo(make([]byte, 0, s.reply.size()))
	s.last = int64(req.round)
	return s.answered(), nil
}

// answered returns the cached answer for gRPC to send after the handler
// returned and the lock is released: a copy of the slice header, whose
// bytes are never written again (each round encodes into a new slice).
func (s *service) answered() *raw {
	c := s.cached
	return &c
}

// answer runs the client's round, turning a panic in the user's oracle or
// compressor into an error.
func (s *service) answer(t int, x []float64) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: client %d: %v", ef21.ErrPanic, s.id, p)
		}
	}()
	return s.client.Answer(&s.up, t, x)
}

func (s *service) stop(context.Context, *stopRequest) (message, error) {
	s.stopOnce.Do(func() { close(s.stopped) })
	return &stopReply{}, nil
}

// stopGrace bounds the wait for the last answers once a client is asked
// to stop.
const stopGrace = time.Second

// Serve runs client id of an EF21 run on lis, with its own oracle o (the
// client's local data; Serve calls only o.Grad(id, ...), and StochGrad for
// EF21-W-SGD) and compressor c, which must be the server's (same α). It
// serves the server's calls (see [Transport]) until the server sends Stop
// (it then returns nil) or ctx ends (it returns ctx.Err()), and closes lis.
// It returns an error wrapping ErrSettings for a nil lis, o or c or an id
// outside [0, o.N()), and the listener's error if serving fails.
//
// The client keeps its answer to the last round: a round sent twice (the
// server's retry) gets the same answer and updates the client's state
// once. A round other than the last or the next is refused. A client
// whose server disappears without Stop keeps serving until ctx ends: give
// it a context that ends with its deployment (the example ends it when
// its standard input closes).
func Serve(ctx context.Context, lis net.Listener, id int, o ef21.Oracle, c ef21.Compressor) error {
	switch {
	case lis == nil:
		return fmt.Errorf("%w: nil listener", ErrSettings)
	case o == nil || c == nil:
		lis.Close()
		return fmt.Errorf("%w: nil oracle or compressor", ErrSettings)
	case id < 0 || id >= o.N():
		lis.Close()
		return fmt.Errorf("%w: client %d of %d", ErrSettings, id, o.N())
	}
	return serve(ctx, lis, &service{id: id, o: o, c: c, last: -1, stopped: make(chan struct{})})
}

// serve serves svc on lis until svc.stopped is closed or ctx ends; opts
// are added to the gRPC server's (tests add interceptors).
func serve(ctx context.Context, lis net.Listener, svc clientService, opts ...grpc.ServerOption) error {
	stopped := make(<-chan struct{})
	if s, ok := svc.(*service); ok {
		stopped = s.stopped
	}
	srv := grpc.NewServer(append([]grpc.ServerOption{grpc.MaxRecvMsgSize(maxMessage), grpc.MaxSendMsgSize(maxMessage)}, opts...)...)
	srv.RegisterService(&serviceDesc, svc)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(lis) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		srv.Stop()
		<-errc
		return ctx.Err()
	case <-stopped:
	}
	done := make(chan struct{})
	go func() {
		srv.GracefulStop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(stopGrace):
		srv.Stop()
		<-done
	}
	if err := <-errc; err != nil && !errors.Is(err, grpc.ErrServerStopped) {
		return err
	}
	return nil
}
