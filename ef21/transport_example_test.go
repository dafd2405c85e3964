package ef21_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
)

// sequential is a Transport that runs its clients one after another in
// this process; a remote transport does the same in each client's process.
type sequential struct {
	o       ef21.Oracle
	clients []*ef21.Client
}

func (q *sequential) Start(_ context.Context, s *ef21.Setup) error {
	q.clients = make([]*ef21.Client, s.N)
	for i := range s.N {
		var err error
		if q.clients[i], err = s.NewClient(q.o, i, ef21.TopK{K: 1}); err != nil {
			return err
		}
	}
	return nil
}

func (q *sequential) Round(ctx context.Context, t int, x []float64, up []ef21.Upload) error {
	for i, c := range q.clients {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := c.Answer(&up[i], t, x); err != nil {
			return err
		}
	}
	return nil
}

// A user-written Transport gives the same iterates as the default
// in-process clients.
func ExampleTransport() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	x0 := make([]float64, p.Dim())
	s := &ef21.Settings{Weighted: true, MaxIter: 200, Tol: -1}
	a, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s)
	s.Transport = &sequential{o: p}
	b, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0, s)
	if err != nil {
		fmt.Println(err)
		return
	}
	same := a.Bits == b.Bits
	for j := range a.X {
		same = same && a.X[j] == b.X[j]
	}
	fmt.Println(b.Status, b.Iterations, "same iterates:", same)
	// Output: IterationLimit 200 same iterates: true
}

// A client process builds its client from the Setup the server sent; a
// compressor other than the server's is refused.
func ExampleSetup_NewClient() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	n, d := p.N(), p.Dim()
	s := &ef21.Setup{N: n, Dim: d, Clients: make([]ef21.ClientSettings, n), Alpha: ef21.TopK{K: 1}.Alpha(d)}
	if _, err := s.NewClient(p, 3, ef21.TopK{K: 1}); err == nil {
		fmt.Println("client 3 ready")
	}
	_, err := s.NewClient(p, 3, ef21.TopK{K: 2})
	fmt.Println(err)
	// Output:
	// client 3 ready
	// ef21: invalid settings: client 3: compressor α = 0.06666666666666667, the server's is 0.03333333333333333
}

// Answer is one round of one client: round 0 sends the dense initial
// gradient, later rounds a compressed message.
func ExampleClient_Answer() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	n, d := p.N(), p.Dim()
	s := &ef21.Setup{N: n, Dim: d, Clients: make([]ef21.ClientSettings, n), Alpha: ef21.TopK{K: 1}.Alpha(d)}
	c, _ := s.NewClient(p, 0, ef21.TopK{K: 1})
	var up ef21.Upload
	x := make([]float64, d)
	for t := range 2 {
		if err := c.Answer(&up, t, x); err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("round %d: %d entries, %d bits\n", t, up.Msg.NNZ(), ef21.MessageBits(&up.Msg))
	}
	// Output:
	// round 0: 30 entries, 1920 bits
	// round 1: 1 entries, 69 bits
}
