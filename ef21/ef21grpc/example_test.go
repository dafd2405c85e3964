package ef21grpc_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/ef21grpc"
	"github.com/optlearn/optlearn/ef21/problems"
)

// startClients serves the n clients of p on loopback, here in goroutines
// (in a real deployment, each in its own process or machine, calling
// Serve with its own data), and returns their addresses and a wait
// function.
func startClients(ctx context.Context, p ef21.Oracle) ([]string, func()) {
	var wg sync.WaitGroup
	var addrs []string
	for i := range p.N() {
		lis, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			panic(err)
		}
		addrs = append(addrs, lis.Addr().String())
		wg.Go(func() {
			if err := ef21grpc.Serve(ctx, lis, i, p, ef21.TopK{K: 1}); err != nil {
				fmt.Println(err)
			}
		})
	}
	return addrs, wg.Wait
}

// A client process serves its round answers until the server stops it.
func ExampleServe() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	// No server calls: Serve returns when ctx ends.
	err := ef21grpc.Serve(ctx, lis, 0, p, ef21.TopK{K: 1})
	fmt.Println(err)
	// Output: context deadline exceeded
}

// EF21-W over gRPC gives the in-process run's iterates.
func ExampleDial() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	addrs, wait := startClients(context.Background(), p)
	defer wait()
	tr, err := ef21grpc.Dial(addrs, &ef21grpc.Settings{RoundTimeout: 10 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close() // stops the clients
	x0 := make([]float64, p.Dim())
	s := &ef21.Settings{Weighted: true, MaxIter: 300, Tol: -1, Transport: tr}
	remote, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	s.Transport = nil
	local, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s)
	same := true
	for j := range local.X {
		same = same && local.X[j] == remote.X[j]
	}
	fmt.Println(remote.Status, remote.Iterations, "rounds, same iterates:", same)
	// Output: IterationLimit 300 rounds, same iterates: true
}

// Stats counts the traffic: here the encoded TopK messages against the
// bits ef21 counts.
func ExampleTransport_Stats() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	addrs, wait := startClients(context.Background(), p)
	defer wait()
	tr, err := ef21grpc.Dial(addrs, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer tr.Close()
	r, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{MaxIter: 10, Tol: -1, Transport: tr})
	if err != nil {
		fmt.Println(err)
		return
	}
	st := tr.Stats()
	fmt.Printf("%d rounds: %d bits counted, %d message bytes (%d bits)\n", st.Rounds, r.Bits, st.MessageBytes, 8*st.MessageBytes)
	// Output: 11 rounds: 52200 bits counted, 8540 message bytes (68320 bits)
}

// Start, Round and Close by hand, as ef21.Run calls them.
func ExampleTransport_Round() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	n, d := p.N(), p.Dim()
	addrs, wait := startClients(context.Background(), p)
	defer wait()
	tr, err := ef21grpc.Dial(addrs, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	setup := &ef21.Setup{N: n, Dim: d, Clients: make([]ef21.ClientSettings, n), Alpha: ef21.TopK{K: 1}.Alpha(d)}
	for i := range setup.Clients {
		setup.Clients[i] = ef21.ClientSettings{Scale: 1, P: 1}
	}
	if err := tr.Start(context.Background(), setup); err != nil {
		fmt.Println(err)
		return
	}
	up := make([]ef21.Upload, n)
	if err := tr.Round(context.Background(), 0, make([]float64, d), up); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("client 3 sent", up[3].Msg.NNZ(), "entries in round 0")
	fmt.Println(tr.Close())
	// Output:
	// client 3 sent 30 entries in round 0
	// <nil>
}

// Start checks every client against the server's setup: here the clients
// compress with Top2 while the server's run uses Top1.
func ExampleTransport_Start() {
	p, _ := problems.NewHeterogeneous(1, 5, 10, 1, rand.New(rand.NewPCG(1, 0))) // one client
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	done := make(chan error, 1)
	go func() { done <- ef21grpc.Serve(context.Background(), lis, 0, p, ef21.TopK{K: 2}) }()
	tr, err := ef21grpc.Dial([]string{lis.Addr().String()}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	d := p.Dim()
	err = tr.Start(context.Background(), &ef21.Setup{N: 1, Dim: d, Clients: []ef21.ClientSettings{{Scale: 1, P: 1}}, Alpha: ef21.TopK{K: 1}.Alpha(d)})
	fmt.Println(errors.Is(err, ef21grpc.ErrRemote), strings.Contains(err.Error(), "compressor"))
	tr.Close()
	fmt.Println(<-done)
	// Output:
	// true true
	// <nil>
}

// Close tells the clients to stop: their Serve returns nil.
func ExampleTransport_Close() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	lis, _ := net.Listen("tcp", "127.0.0.1:0")
	done := make(chan error, 1)
	go func() { done <- ef21grpc.Serve(context.Background(), lis, 0, p, ef21.TopK{K: 1}) }()
	tr, err := ef21grpc.Dial([]string{lis.Addr().String()}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tr.Close(), <-done)
	// Output: <nil> <nil>
}
