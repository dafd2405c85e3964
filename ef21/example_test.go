package ef21_test

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/linalg"
)

// EF21 with the old step γ_QM against EF21-W with γ_AM on the
// heterogeneous least-squares problem R1 (Lᵢ spread over 1000×).
func ExampleRun() {
	p, err := problems.NewR1(1000, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		fmt.Println(err)
		return
	}
	x0 := make([]float64, p.Dim())
	old, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0,
		&ef21.Settings{Rule: ef21.RuleQM, Tol: 1e-8, MaxIter: 20000})
	w, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, x0,
		&ef21.Settings{Weighted: true, Tol: 1e-8, MaxIter: 20000})
	fmt.Printf("L_QM/L_AM = %.3g\n", w.LQM/w.LAM)
	fmt.Printf("EF21   (γ_QM): %.3g Mbit\n", float64(old.Bits)/1e6)
	fmt.Printf("EF21-W (γ_AM): %.3g Mbit\n", float64(w.Bits)/1e6)
	fmt.Printf("round ratio %.2f, γ_QM/γ_AM %.2f\n", float64(w.Iterations)/float64(old.Iterations), old.Gamma/w.Gamma)
	// Output:
	// L_QM/L_AM = 1.91
	// EF21   (γ_QM): 14.2 Mbit
	// EF21-W (γ_AM): 7.4 Mbit
	// round ratio 0.52, γ_QM/γ_AM 0.53
}

// Partial participation (EF21-W-PP): each client takes part with
// probability 0.5; the default step is γ_p, and only participants pay bits.
func ExampleRun_partialParticipation() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	full, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{Weighted: true, Tol: 1e-4, MaxIter: 50000})
	pp, err := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{Weighted: true, P: 0.5, Tol: 1e-4, MaxIter: 50000, Rand: rand.New(rand.NewPCG(7, 0))})
	fmt.Printf("%v, γ_p/γ_AM = %.1f, rounds ×%.1f, bits ×%.1f, %v\n", pp.Status, pp.Gamma/full.Gamma,
		float64(pp.Iterations)/float64(full.Iterations), float64(pp.Bits-pp.InitBits)/float64(full.Bits-full.InitBits), err)
	// Output: Converged, γ_p/γ_AM = 0.4, rounds ×2.5, bits ×1.2, <nil>
}

// Minibatch gradients (EF21-W-SGD): the method settles at a noise floor
// that shrinks with the batch size.
func ExampleRun_stochastic() {
	p, _ := problems.NewR1(10, rand.New(rand.NewPCG(1, 0)))
	for _, b := range []int{2, 32} {
		var h ef21.History
		ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
			&ef21.Settings{Weighted: true, Batch: b, MaxIter: 4000, Rand: rand.New(rand.NewPCG(3, 0)), Recorder: &h})
		mean := 0.0
		for _, v := range h.Series(func(it *ef21.Iter) float64 { return it.GradNormSq })[3001:] {
			mean += v / 1000
		}
		fmt.Printf("B = %2d: floor %.2g\n", b, mean)
	}
	// Output:
	// B =  2: floor 0.012
	// B = 32: floor 0.0008
}

// Nonconvex logistic regression on a LIBSVM set split over 20 clients.
func ExampleRun_logistic() {
	ds, _ := sets.Load("australian")
	p, err := problems.NewLogistic(ds.X, ds.Y, 20, problems.SplitSorted, 0.1)
	if err != nil {
		fmt.Println(err)
		return
	}
	r, _ := ef21.Run(context.Background(), p, ef21.TopK{K: 1}, make([]float64, p.Dim()),
		&ef21.Settings{Weighted: true, Tol: 1e-6, MaxIter: 10000})
	fmt.Printf("%v after %.2g rounds, f = %.4f\n", r.Status, float64(r.Iterations), r.F)
	// Output: Converged after 2.2e+03 rounds, f = 0.4531
}

// Driving the protocol by hand: only x (down) and a sparse message (up)
// pass between a client and the server.
func ExampleClient() {
	p, _ := problems.NewR1(1, rand.New(rand.NewPCG(1, 0)))
	n, d := p.N(), p.Dim()
	w := make([]float64, n)
	for i := range w {
		w[i] = 1 / float64(n)
	}
	clients := make([]*ef21.Client, n)
	for i := range clients {
		var err error
		clients[i], err = ef21.NewClient(p, i, ef21.TopK{K: 1}, ef21.ClientSettings{}, rand.New(rand.NewPCG(0, uint64(i))))
		if err != nil {
			fmt.Println(err)
			return
		}
	}
	srv, _ := ef21.NewServer(make([]float64, d), w, 5e-3)
	var msg linalg.Sparse
	bits := int64(0)
	for i, c := range clients {
		if err := c.Init(&msg, srv.X(), false); err != nil {
			fmt.Println(err)
			return
		}
		bits += ef21.MessageBits(&msg)
		if err := srv.Fold(i, &msg); err != nil {
			fmt.Println(err)
			return
		}
	}
	for range 100 {
		x := srv.Step()
		for i, c := range clients {
			if _, err := c.Round(&msg, x); err != nil {
				fmt.Println(err)
				return
			}
			bits += ef21.MessageBits(&msg)
			if err := srv.Fold(i, &msg); err != nil {
				fmt.Println(err)
				return
			}
		}
	}
	fmt.Printf("f = %.4g after 100 rounds, %d bits\n", p.Value(srv.X()), bits)
	// Output: f = 4.921 after 100 rounds, 176400 bits
}
