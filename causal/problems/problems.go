package problems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/causal"
)

// P1Vars are the data columns of P1, in order.
var P1Vars = []string{"Y", "M", "X1"}

// P1TrainGains are the training-environment coefficients g_e of P1.
var P1TrainGains = []float64{-2, -1, 0, 1, 2}

// P1NoiseX1 is the standard deviation of the noise of X1 in P1.
const P1NoiseX1 = 0.1

// P1Graph returns the augmented DAG of P1: E->M, Y->M, Y->X1, M->X1.
func P1Graph() *causal.Graph {
	g, err := causal.NewGraph([]string{"Y", "M", "X1", "E"}, []causal.Edge{
		{From: "E", To: "M"}, {From: "Y", To: "M"}, {From: "Y", To: "X1"}, {From: "M", To: "X1"},
	})
	if err != nil {
		panic(err)
	}
	return g
}

// MaxRows is the largest environment P1Env and P2Env draw.
const MaxRows = 10_000_000

// P1Env draws n rows (columns [P1Vars]) of the P1 environment with gain g:
// Y ~ N(0,1), M = g·Y + N(0,1), X1 = tanh(Y + M) + N(0, 0.1²). A nil rng
// means the fixed seed PCG(1, 0). It returns nil for n outside 1..MaxRows
// (which causal.Data.Validate reports as an error).
func P1Env(g float64, n int, rng *rand.Rand) *mat.Dense {
	if n < 1 || n > MaxRows {
		return nil
	}
	rng = orDefault(rng)
	d := mat.NewDense(n, 3, nil)
	for i := 0; i < n; i++ {
		y := rng.NormFloat64()
		m := g*y + rng.NormFloat64()
		x1 := math.Tanh(y+m) + P1NoiseX1*rng.NormFloat64()
		d.SetRow(i, []float64{y, m, x1})
	}
	return d
}

// P1BayesF returns the Bayes-optimal stable predictor of P1 for S' = {X1},
// f(x1, m) = E[Y | X1 = x1, do(M = m)], by 32-point Gauss–Legendre
// quadrature on each unit interval of Y ∈ [-7, 7] against the N(0,1) prior.
func P1BayesF(x1, m float64) float64 {
	num, den := 0.0, 0.0
	for k, y := range p1Nodes {
		r := (x1 - math.Tanh(y+m)) / P1NoiseX1
		if r > 40 || r < -40 {
			continue // weight below 1e-340: exactly 0 in float64
		}
		w := p1Weights[k] * math.Exp(-0.5*(r*r+y*y))
		num += w * y
		den += w
	}
	if den == 0 {
		return 0
	}
	return num / den
}

var p1Nodes, p1Weights = func() ([]float64, []float64) {
	const per = 32
	x := make([]float64, per)
	w := make([]float64, per)
	quad.Legendre{}.FixedLocations(x, w, 0, 1)
	var nodes, weights []float64
	for k := -7; k < 7; k++ {
		for i := range x {
			nodes = append(nodes, float64(k)+x[i])
			weights = append(weights, w[i])
		}
	}
	return nodes, weights
}()

// P2Vars are the data columns of P2, in order (paper naming).
var P2Vars = []string{"Y", "X1", "X2", "X3", "X4", "X5", "X6", "X7", "X8", "X9", "X10"}

// P2Graph returns the augmented DAG of the paper's simulation (Sec. 6.1).
func P2Graph() *causal.Graph {
	e := func(a, b string) causal.Edge { return causal.Edge{From: a, To: b} }
	g, err := causal.NewGraph(append(append([]string(nil), P2Vars...), "E"), []causal.Edge{
		e("E", "X9"), e("E", "X10"),
		e("Y", "X9"), e("X6", "X5"),
		e("Y", "X1"), e("X9", "X1"), e("X6", "X1"), e("X5", "X1"),
		e("X1", "X3"), e("X3", "X2"), e("X8", "X2"), e("X8", "X7"),
		e("X2", "X4"), e("X7", "X4"), e("X8", "X4"),
		e("X5", "X10"), e("X3", "X10"), e("X8", "X10"),
	})
	if err != nil {
		panic(err)
	}
	return g
}

// P2Alpha returns α_e = e - 10.5, the mutable-mechanism coefficient of
// environment e (1..20 in the paper).
func P2Alpha(e int) float64 { return float64(e) - 10.5 }

// P2Env draws n rows (columns [P2Vars]) of environment e of the paper's
// simulator; every equation has N(0, 0.1²) noise, roots Y, X6, X8 too.
// A nil rng means the fixed seed PCG(1, 0). It returns nil for n outside
// 1..MaxRows (which causal.Data.Validate reports as an error).
func P2Env(e, n int, rng *rand.Rand) *mat.Dense {
	if n < 1 || n > MaxRows {
		return nil
	}
	rng = orDefault(rng)
	a := P2Alpha(e)
	sig := func(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
	nz := func() float64 { return 0.1 * rng.NormFloat64() }
	d := mat.NewDense(n, 11, nil)
	for i := 0; i < n; i++ {
		y := nz()
		x6 := nz()
		x8 := nz()
		x9 := a*math.Tanh(1.91*y) + nz()
		x5 := sig(0.84*x6) + nz()
		x1 := sig(0.63*y-0.58*x9+1.51*x6+1.13*x5) + nz()
		x3 := math.Tanh(-0.95*x1) + nz()
		x2 := math.Tanh(1.47*x3-0.64*x8) + nz()
		x7 := -1.52*x8 + nz()
		x4 := sig(1.42*x2+0.99*x7+0.72*x8) + nz()
		x10 := a*math.Tanh(-1.2*x5+1.33*x3+0.64*x8) + nz()
		d.SetRow(i, []float64{y, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10})
	}
	return d
}

// MaxDAGNodes is the largest graph RandomDAG draws.
const MaxDAGNodes = 10_000

// RandomDAG returns a random DAG over n nodes named V0..V{n-1}: each pair
// i < j gets the edge Vi->Vj with probability p. A nil rng means the fixed
// seed PCG(1, 0). It returns an error wrapping causal.ErrSettings for n
// outside 1..MaxDAGNodes or p outside [0, 1] (NaN included).
func RandomDAG(n int, p float64, rng *rand.Rand) (*causal.Graph, error) {
	if n < 1 || n > MaxDAGNodes || !(p >= 0 && p <= 1) {
		return nil, fmt.Errorf("%w: RandomDAG(%d, %v): want 1 <= n <= %d and 0 <= p <= 1", causal.ErrSettings, n, p, MaxDAGNodes)
	}
	rng = orDefault(rng)
	names := make([]string, n)
	for i := range names {
		names[i] = "V" + itoa(i)
	}
	var edges []causal.Edge
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if rng.Float64() < p {
				edges = append(edges, causal.Edge{From: names[i], To: names[j]})
			}
		}
	}
	return causal.NewGraph(names, edges)
}

// orDefault returns r, or a generator with the fixed seed PCG(1, 0).
func orDefault(r *rand.Rand) *rand.Rand {
	if r != nil {
		return r
	}
	return rand.New(rand.NewPCG(1, 0))
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// P1Bayes is the Bayes-optimal stable predictor of P1 for S' = {X1},
// tabulated from [P1BayesF] on a grid and bilinearly interpolated; inputs
// are (X1, M). It implements causal.Differentiable; Fit is a no-op.
type P1Bayes struct {
	x0, dx, m0, dm float64
	nx, nm         int
	t              []float64
}

// NewP1Bayes tabulates [P1BayesF] for X1 ∈ [-1.6, 1.6] (step 0.01) and
// M ∈ [-4.5, 4.5] (step 0.05); outside, inputs are clamped.
func NewP1Bayes() *P1Bayes {
	b := &P1Bayes{x0: -1.6, dx: 0.01, m0: -4.5, dm: 0.05, nx: 321, nm: 181}
	b.t = make([]float64, b.nx*b.nm)
	for i := 0; i < b.nx; i++ {
		for j := 0; j < b.nm; j++ {
			b.t[i*b.nm+j] = P1BayesF(b.x0+float64(i)*b.dx, b.m0+float64(j)*b.dm)
		}
	}
	return b
}

// Fit does nothing and returns nil (the predictor is known).
func (b *P1Bayes) Fit(*mat.Dense, []float64) error { return nil }

func (b *P1Bayes) cell(x, n int, v, v0, dv float64) (int, float64) {
	u := (v - v0) / dv
	if u < 0 {
		return 0, 0
	}
	if u >= float64(n-1) {
		return n - 2, 1
	}
	i := int(u)
	return i, u - float64(i)
}

// Predict returns the interpolated E[Y | X1 = x[0], do(M = x[1])].
func (b *P1Bayes) Predict(x []float64) float64 {
	g := [2]float64{}
	return b.PredictGrad(g[:], x)
}

// PredictGrad returns the interpolated value and its gradient.
func (b *P1Bayes) PredictGrad(grad, x []float64) float64 {
	i, fx := b.cell(0, b.nx, x[0], b.x0, b.dx)
	j, fm := b.cell(0, b.nm, x[1], b.m0, b.dm)
	t00, t01 := b.t[i*b.nm+j], b.t[i*b.nm+j+1]
	t10, t11 := b.t[(i+1)*b.nm+j], b.t[(i+1)*b.nm+j+1]
	v := (1-fx)*((1-fm)*t00+fm*t01) + fx*((1-fm)*t10+fm*t11)
	grad[0] = ((1-fm)*(t10-t00) + fm*(t11-t01)) / b.dx
	grad[1] = ((1-fx)*(t01-t00) + fx*(t11-t10)) / b.dm
	return v
}

// P1TrueX1 is the true mean mechanism of X1 in P1, tanh(Y + M), with
// inputs (Y, M). It implements causal.Differentiable; Fit is a no-op.
type P1TrueX1 struct{}

// Fit does nothing and returns nil.
func (P1TrueX1) Fit(*mat.Dense, []float64) error { return nil }

// Predict returns tanh(x[0] + x[1]).
func (P1TrueX1) Predict(x []float64) float64 { return math.Tanh(x[0] + x[1]) }

// PredictGrad returns tanh(x[0] + x[1]) and its gradient.
func (P1TrueX1) PredictGrad(grad, x []float64) float64 {
	t := math.Tanh(x[0] + x[1])
	grad[0], grad[1] = 1-t*t, 1-t*t
	return t
}
