package bilevel_test

import (
	"context"
	"fmt"
	"log"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/bilevel"
	"github.com/optlearn/optlearn/bilevel/problems"
	"github.com/optlearn/optlearn/linalg"
)

// Algorithm A of Kwon et al. on P2, a bilevel problem whose lower level is
// nonconvex but PL: the error ‖x − x*‖ is the O(σ) penalty bias.
func ExamplePenalty_Solve() {
	p, err := problems.NewSinePL(nil, 0)
	if err != nil {
		log.Fatal(err)
	}
	x0, y0, z0 := make([]float64, 5), []float64{1, 1, 1, 1, 1}, []float64{-1, -1, -1, -1, -1}
	var m bilevel.Penalty
	for _, sigma := range []float64{1e-1, 1e-2} {
		res, err := m.Solve(context.Background(), p, x0, y0, z0, &bilevel.PenaltySettings{Sigma: sigma, Inner: 5, Alpha: 0.2})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("σ=%g %v after %d iterations, error/σ = %.3f\n", sigma, res.Status, res.Iterations, bilevel.RelErr(res.X, p.XStar())*linalg.Nrm2(p.XStar())/sigma)
	}
	// Output:
	// σ=0.1 Converged after 45 iterations, error/σ = 0.133
	// σ=0.01 Converged after 45 iterations, error/σ = 0.133
}

// The stochastic double loop on P3: minibatches of M = 16 samples, one
// shared lower-level sample in both ∇ₓg terms, α_k = α/√(1 + k/100).
func ExamplePenalty_Solve_stochastic() {
	p, err := problems.NewSinePL(nil, 0.1)
	if err != nil {
		log.Fatal(err)
	}
	x0, y0 := make([]float64, 5), []float64{1, 1, 1, 1, 1}
	var m bilevel.Penalty
	res, err := m.Solve(context.Background(), p, x0, y0, nil, &bilevel.PenaltySettings{
		Sigma: 0.01, Inner: 10, Alpha: 0.2, MaxIter: 1000, Batch: 16, Rand: rand.New(rand.NewPCG(1, 0))})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v, relative error below 1%%: %v\n", res.Status, bilevel.RelErr(res.X, p.XStar()) < 0.01)
	// Output:
	// IterationLimit, relative error below 1%: true
}

// The gradient of the penalty surrogate ψσ on P1, where ψσ is known in
// closed form.
func ExamplePenaltyOracle() {
	q, err := problems.NewQuadratic(5, 8, 0.1, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		log.Fatal(err)
	}
	o := &bilevel.PenaltyOracle{Problem: q, Sigma: 0.01}
	x := []float64{1, 0, -1, 0.5, 2}
	g := make([]float64, 5)
	_, psi, err := o.Grad(g, x)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("ψσ(x) = %.6f (closed form %.6f)\n", psi, q.Psi(0.01, x))
	// Output:
	// ψσ(x) = 47.005954 (closed form 47.005954)
}

// LV-HBA on R1 (a toy with a lower-level constraint coupling x and y, whose
// lower solution set is not a singleton), with the tested parameters.
func ExampleLVHBA_Solve() {
	p := problems.LLCToy{N: 10}
	x0, y0 := make([]float64, 10), make([]float64, 20)
	for i := range x0 {
		x0[i] = 10
	}
	for i := range y0 {
		y0[i] = 10
	}
	var m bilevel.LVHBA
	res, err := m.Solve(context.Background(), p, x0, y0, &bilevel.LVHBASettings{MaxIter: 20000, ProjC: p.ProjC()})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("c_k = %.2f, relative error %.3f, λ = %.3f\n", res.Ck, bilevel.RelErr(res.X, p.XStar()), res.Lambda[0])
	// Output:
	// c_k = 8.62, relative error 0.034, λ = 1.002
}

// Projection onto {v : Av ≤ b} by Hildreth's method: here the simplex-like
// set v ≥ 0, v₁ + v₂ ≤ 1.
func ExamplePolyhedron() {
	rows := make([]linalg.Sparse, 3)
	for i := range rows {
		rows[i].Reset(2)
	}
	rows[0].Append(0, -1) // −v₁ ≤ 0
	rows[1].Append(1, -1) // −v₂ ≤ 0
	rows[2].Append(0, 1)  // v₁ + v₂ ≤ 1
	rows[2].Append(1, 1)
	p, err := bilevel.NewPolyhedron(2, rows, []float64{0, 0, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	v := []float64{2, -0.5}
	if err := p.Project(v); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("v = (%.3f, %.3f), %d sweeps, violation ≤ 1e-8: %v\n", v[0], math.Round(v[1]*1e3)/1e3+0, p.Sweeps, p.Violation <= 1e-8)
	// Output:
	// v = (1.000, 0.000), 35 sweeps, violation ≤ 1e-8: true
}

// Holomorphic EP with N points on a circle of radius |β| estimates the
// exact generalized-EP error vector with an error that falls like |β|^N.
func ExampleHolomorphicEP_Delta() {
	rng := rand.New(rand.NewPCG(1, 0))
	net, err := bilevel.NewEPNet([]int{4, 8, 3}, 3, 90, rng)
	if err != nil {
		log.Fatal(err)
	}
	x, label := []float64{0.5, -1, 0.2, 0.8}, 1
	u, fp, err := net.Relax(nil, x, 10000, 1e-13)
	if err != nil || !fp.Converged {
		log.Fatal(fp, err)
	}
	exact, err := bilevel.GenEPExact{}.Delta(nil, net, x, label, u)
	if err != nil {
		log.Fatal(err)
	}
	for _, n := range []int{1, 2, 4} {
		est, err := bilevel.HolomorphicEP{N: n, Beta: 0.05, Steps: 1000}.Delta(nil, net, x, label, u)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("N = %d: relative error %.0e\n", n, bilevel.RelErr(est, exact))
	}
	// Output:
	// N = 1: relative error 8e-02
	// N = 2: relative error 3e-03
	// N = 4: relative error 8e-06
}

// TrainEP trains a small network with exact generalized EP from
// independent feedback weights, with Jacobian homeostasis.
func ExampleTrainEP() {
	train, test, err := problems.NewTeacher(rand.New(rand.NewPCG(7, 0)), 16, 32, 4, 200, 100)
	if err != nil {
		log.Fatal(err)
	}
	net, err := bilevel.NewEPNet([]int{16, 16, 8}, 4, 90, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		log.Fatal(err)
	}
	before := net.WeightAngle()
	res, err := bilevel.TrainEP(context.Background(), net, train, test, &bilevel.EPSettings{
		Estimator:   bilevel.GenEPExact{},
		Homeostasis: bilevel.HomeostaticLoss{Coef: 1},
		MaxIter:     5,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%v after %d epochs; weight angle %.0f° -> %.0f°\n", res.Status, res.Iterations, before, res.Last.WeightAngle)
	// Output:
	// Completed after 5 epochs; weight angle 90° -> 82°
}
