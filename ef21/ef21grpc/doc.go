// Package ef21grpc runs the clients of an ef21 run as separate processes
// (on one machine or several) and carries the rounds over gRPC
// (google.golang.org/grpc), with the same iterates, bit for bit, as the
// in-process run of ef21.Run for the same settings and seed.
//
// It implements the protocol of EF21 and EF21-W (P. Richtárik, I. Sokolov,
// I. Fatkhullin, NeurIPS 2021; P. Richtárik, E. Gasanov, K. Burlachenko,
// ICLR 2024, see package ef21): each round the server broadcasts x and
// every client answers with its compressed message cᵢ; only x and cᵢ are
// the algorithm's traffic.
//
// # Paper symbols (messages of ef21.proto)
//
//	t (round)        RoundRequest.round, ef21.Transport.Round's t
//	xᵗ (broadcast)   RoundRequest.x
//	i (client)       Serve's id, RoundReply.client, SetupReply.client
//	cᵢ (message)     RoundReply.msg (Sparse: dim, index, value), ef21.Upload.Msg
//	wᵢ, p, batch     SetupRequest.scale = 1/(n wᵢ), p, batch
//	fᵢ, ∇fᵢ          RoundReply.f, grad (monitoring, not the algorithm's traffic)
//
// # Roles
//
// A client process calls [Serve] with a listener, its index i and its own
// oracle (its local data) and compressor; it serves the gRPC service
// Client of ef21.proto. The server process calls [Dial] with the clients'
// addresses and passes the [Transport] as ef21.Settings.Transport to
// ef21.Run, which then never evaluates a gradient itself: it uses its
// Oracle only for N, Dim and the smoothness constants. At Start the
// server sends the run's ef21.Setup (weights, P, batch, stream seed, α);
// each client builds its ef21.Client from it with ef21.Setup.NewClient,
// which gives it the same random stream rand.NewPCG(seed, i) as the
// in-process client i, and refuses a setup its data or compressor do not
// match. Each round the server encodes x once, calls the n clients in
// parallel, checks their answers (round number, client index, dimension,
// distinct indices in range, finite values) and hands them to Run, which
// folds them in client order, not arrival order.
//
// # Faults
//
// Every call has a deadline (Settings.RoundTimeout) and a call that fails
// because the client is unreachable or late is retried (Settings.Retries)
// with the same round number: a client keeps its last answer and sends it
// again, without updating its state twice. A client that still does not
// answer is lost: Run stops with Status run.Failure, the last good iterate
// and an error wrapping [ErrLost] that names the client, its address and
// the round; with Settings.DropLost, for a run with partial participation
// (EF21-W-PP, ef21.Settings.P < 1), the run goes on without it instead, as
// if it never took part again. Bad answers give [ErrProtocol] (also
// wrapping ef21.ErrDimension or ef21.ErrNotFinite), a client's own error
// [ErrRemote], an address that never answers the setup [ErrUnreachable].
//
// # Wire format and traffic
//
// The messages are protobuf (ef21.proto; the Sparse message is the
// dimension, the indices and the values), encoded by hand with protowire
// and checked against the schema in the tests, under the gRPC
// content-subtype "ef21". [Transport.Stats] counts the bytes of the
// encoded messages (the counterpart of the bits ef21 counts), of the whole
// answers (with the client's monitoring values f, state error and dense
// gradient, which ef21.Run needs for its stopping test and reports) and of
// the broadcasts, each with gRPC's 5-byte prefix, and every byte on the
// TCP connections (HTTP/2 framing, headers and flow control included).
//
// # Usage
//
//	// In client process i:
//	lis, _ := net.Listen("tcp", "127.0.0.1:0")
//	err := ef21grpc.Serve(ctx, lis, i, oracle, ef21.TopK{K: 1})
//
//	// In the server process:
//	tr, err := ef21grpc.Dial(addrs, &ef21grpc.Settings{RoundTimeout: 5 * time.Second})
//	if err != nil { ... }
//	defer tr.Close()
//	res, err := ef21.Run(ctx, problem, ef21.TopK{K: 1}, x0,
//		&ef21.Settings{Weighted: true, Transport: tr})
//
// Connections are plain TCP without TLS: use it on a trusted network.
package ef21grpc
