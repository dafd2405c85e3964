package nn_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/optlearn/optlearn/nn"
)

func randSlice(rng *rand.Rand, n int) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	return x
}

// attnGraph builds the bound layer on constant inputs (batch b; b = 0 for
// plain matrices) and a loss Σ w⊙out, and returns the output node, the
// loss node and the bound layer.
func attnGraph(t *testing.T, a *nn.Attention, q, k, v, w []float64, b, nq, nk int, mask []bool) (*gorgonia.ExprGraph, *gorgonia.Node, *gorgonia.Node, *nn.BoundAttention) {
	t.Helper()
	g := gorgonia.NewGraph()
	shape := func(n, d int) tensor.Shape {
		if b == 0 {
			return tensor.Shape{n, d}
		}
		return tensor.Shape{b, n, d}
	}
	node := func(x []float64, s tensor.Shape, name string) *gorgonia.Node {
		return gorgonia.NewTensor(g, tensor.Float64, len(s), gorgonia.WithShape(s...), gorgonia.WithName(name),
			gorgonia.WithValue(tensor.New(tensor.WithShape(s...), tensor.WithBacking(x))))
	}
	ba, err := a.Bind(g, "att")
	if err != nil {
		t.Fatal(err)
	}
	out, err := ba.Forward(node(q, shape(nq, a.DimQ), "q"), node(k, shape(nk, a.DimK), "k"), node(v, shape(nk, a.DimV), "v"), mask)
	if err != nil {
		t.Fatal(err)
	}
	loss := gorgonia.Must(gorgonia.Sum(gorgonia.Must(gorgonia.HadamardProd(out, node(w, out.Shape(), "w")))))
	return g, out, loss, ba
}

// The fast pass equals the graph to 1e-12 (plain, batched, masked), and
// the graph's gradient equals central finite differences of the fast pass.
func TestAttentionGraphMatchesForward(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	a, err := nn.NewAttention(3, 2, 4, 2, 5, 3, rng)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Bo {
		a.Bo[i] = 0.1 * float64(i+1)
	}
	const nq, nk, B = 4, 6, 3
	causal := make([]bool, nq*nk)
	for i := 0; i < nq; i++ {
		for j := 0; j <= i+1; j++ {
			causal[i*nk+j] = true
		}
	}
	for _, tc := range []struct {
		name string
		b    int
		mask []bool
	}{{"plain", 0, nil}, {"masked", 0, causal}, {"batched", B, nil}, {"batched-masked", B, causal}} {
		t.Run(tc.name, func(t *testing.T) {
			bb := max(tc.b, 1)
			q := randSlice(rng, bb*nq*a.DimQ)
			k := randSlice(rng, bb*nk*a.DimK)
			v := randSlice(rng, bb*nk*a.DimV)
			w := randSlice(rng, bb*nq*a.DimOut)
			g, out, loss, ba := attnGraph(t, a, q, k, v, w, tc.b, nq, nk, tc.mask)
			if _, err := gorgonia.Grad(loss, ba.Learnables()...); err != nil {
				t.Fatal(err)
			}
			vm := gorgonia.NewTapeMachine(g, gorgonia.BindDualValues(ba.Learnables()...))
			defer vm.Close()
			if err := vm.RunAll(); err != nil {
				t.Fatal(err)
			}
			got := out.Value().Data().([]float64)
			fwd := func() []float64 {
				res := make([]float64, 0, bb*nq*a.DimOut)
				for s := 0; s < bb; s++ {
					o, err := a.Forward(nil, q[s*nq*a.DimQ:(s+1)*nq*a.DimQ], k[s*nk*a.DimK:(s+1)*nk*a.DimK],
						v[s*nk*a.DimV:(s+1)*nk*a.DimV], nq, nk, tc.mask)
					if err != nil {
						t.Fatal(err)
					}
					res = append(res, o...)
				}
				return res
			}
			want := fwd()
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("out[%d]: graph %v, fast %v", i, got[i], want[i])
				}
			}
			if tc.mask != nil {
				// Query 0 attends keys 0 and 1 only: changing key 5 leaves it alone.
				k2 := append([]float64(nil), k[:nk*a.DimK]...)
				k2[5*a.DimK] += 3
				o1, _ := a.Forward(nil, q[:nq*a.DimQ], k[:nk*a.DimK], v[:nk*a.DimV], nq, nk, tc.mask)
				o2, _ := a.Forward(nil, q[:nq*a.DimQ], k2, v[:nk*a.DimV], nq, nk, tc.mask)
				for o := 0; o < a.DimOut; o++ {
					if o1[o] != o2[o] {
						t.Fatalf("masked key changed query 0's output: %v vs %v", o1[o], o2[o])
					}
				}
			}
			grads := a.ZeroGrads()
			if err := ba.Grads(grads); err != nil {
				t.Fatal(err)
			}
			lossAt := func() float64 {
				s := 0.0
				for i, o := range fwd() {
					s += w[i] * o
				}
				return s
			}
			const h = 1e-6
			for pi, p := range a.Params() {
				for j := range p {
					old := p[j]
					p[j] = old + h
					up := lossAt()
					p[j] = old - h
					dn := lossAt()
					p[j] = old
					fd := (up - dn) / (2 * h)
					if math.Abs(fd-grads[pi][j]) > 1e-6*max(1, math.Abs(fd)) {
						t.Fatalf("param %d[%d]: graph grad %v, finite difference %v", pi, j, grads[pi][j], fd)
					}
				}
			}
		})
	}
}

// A row that is all masked but one key copies that key's value projection.
func TestAttentionSingleKey(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	a, _ := nn.NewAttention(2, 2, 2, 1, 2, 2, rng)
	q := randSlice(rng, 2)
	k := randSlice(rng, 6)
	v := randSlice(rng, 6)
	mask := []bool{false, true, false}
	got, err := a.Forward(nil, q, k, v, 1, 3, mask)
	if err != nil {
		t.Fatal(err)
	}
	only, _ := a.Forward(nil, q, k[2:4], v[2:4], 1, 1, nil)
	for i := range got {
		if math.Abs(got[i]-only[i]) > 1e-15 {
			t.Fatalf("masked attention %v, single key %v", got, only)
		}
	}
}

func TestAttentionSeeded(t *testing.T) {
	a1, _ := nn.NewAttention(3, 3, 3, 2, 4, 3, rand.New(rand.NewPCG(9, 1)))
	a2, _ := nn.NewAttention(3, 3, 3, 2, 4, 3, rand.New(rand.NewPCG(9, 1)))
	for i, p := range a1.Params() {
		for j := range p {
			if p[j] != a2.Params()[i][j] {
				t.Fatal("same seed gave different weights")
			}
		}
	}
	if a1.NumParams() != 3*8*3+8*3+3 {
		t.Errorf("NumParams = %d", a1.NumParams())
	}
}

func TestAttentionNoAlloc(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	a, _ := nn.NewAttention(4, 4, 4, 2, 8, 4, rng)
	q, k, v := randSlice(rng, 10*4), randSlice(rng, 20*4), randSlice(rng, 20*4)
	dst := make([]float64, 10*4)
	if _, err := a.Forward(dst, q, k, v, 10, 20, nil); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(20, func() { _, _ = a.Forward(dst, q, k, v, 10, 20, nil) }); n != 0 {
		t.Errorf("Forward allocates %v times", n)
	}
}

// Every entry point refuses bad input with ErrShape instead of panicking.
func TestAttentionBadInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 0))
	a, _ := nn.NewAttention(2, 3, 4, 2, 2, 1, rng)
	q, k, v := make([]float64, 2*2), make([]float64, 3*3), make([]float64, 3*4)
	broken := a.Clone()
	broken.Wk = broken.Wk[:1]
	cases := []struct {
		name string
		err  error
	}{
		{"zero heads", func() error { _, err := nn.NewAttention(2, 2, 2, 0, 2, 2, rng); return err }()},
		{"negative width", func() error { _, err := nn.NewAttention(-1, 2, 2, 1, 2, 2, rng); return err }()},
		{"huge", func() error { _, err := nn.NewAttention(1<<20, 2, 2, 1<<10, 1<<10, 2, rng); return err }()},
		{"nq zero", func() error { _, err := a.Forward(nil, q, k, v, 0, 3, nil); return err }()},
		{"empty keys", func() error { _, err := a.Forward(nil, q, nil, nil, 2, 0, nil); return err }()},
		{"query length", func() error { _, err := a.Forward(nil, q[:3], k, v, 2, 3, nil); return err }()},
		{"key length", func() error { _, err := a.Forward(nil, q, k[:6], v, 2, 3, nil); return err }()},
		{"value width", func() error { _, err := a.Forward(nil, q, k, v[:9], 2, 3, nil); return err }()},
		{"dst length", func() error { _, err := a.Forward(make([]float64, 5), q, k, v, 2, 3, nil); return err }()},
		{"mask length", func() error { _, err := a.Forward(nil, q, k, v, 2, 3, make([]bool, 5)); return err }()},
		{"mask row empty", func() error {
			_, err := a.Forward(nil, q, k, v, 2, 3, []bool{true, false, false, false, false, false})
			return err
		}()},
		{"broken weights", func() error { _, err := broken.Forward(nil, q, k, v, 2, 3, nil); return err }()},
		{"bind broken", func() error { _, err := broken.Bind(gorgonia.NewGraph(), "x"); return err }()},
	}
	g := gorgonia.NewGraph()
	ba, _ := a.Bind(g, "a")
	mk := func(s ...int) *gorgonia.Node {
		return gorgonia.NewTensor(g, tensor.Float64, len(s), gorgonia.WithShape(s...))
	}
	_, err := ba.Forward(mk(2, 2), mk(3, 3), mk(2, 4), nil)
	cases = append(cases, struct {
		name string
		err  error
	}{"graph key/value rows", err})
	_, err = ba.Forward(mk(2, 2, 2), mk(3, 3, 3), mk(2, 3, 4), nil)
	cases = append(cases, struct {
		name string
		err  error
	}{"graph batches", err})
	_, err = ba.Forward(mk(2, 2), mk(3, 3, 3), mk(3, 4), nil)
	cases = append(cases, struct {
		name string
		err  error
	}{"graph ranks", err})
	_, err = ba.Forward(mk(2, 2), mk(3, 3), mk(3, 4), make([]bool, 6))
	cases = append(cases, struct {
		name string
		err  error
	}{"graph empty mask row", err})
	err = ba.Grads(make([][]float64, 4))
	cases = append(cases, struct {
		name string
		err  error
	}{"grads layout", err})
	for _, c := range cases {
		if !errors.Is(c.err, nn.ErrShape) {
			t.Errorf("%s: err = %v, want ErrShape", c.name, c.err)
		}
	}
	if _, err := nn.NewAttention(2, 2, 2, 1, 2, 2, nil); err == nil {
		t.Error("nil rng accepted")
	}
}

// Cross-attention: two query points attend three (key, value) points
// through one head; the result is a convex combination of the projected
// values, so a single key makes it exact.
func ExampleAttention_Forward() {
	rng := rand.New(rand.NewPCG(1, 0))
	a, err := nn.NewAttention(1, 1, 1, 1, 1, 1, rng)
	if err != nil {
		panic(err)
	}
	a.Wv[0], a.Wo[0] = 1, 1 // output = attention-weighted mean of the values
	x := []float64{0, 1}    // queries
	keys := []float64{0, 0.5, 1}
	vals := []float64{10, 20, 30}
	out, err := a.Forward(nil, x, keys, vals, 2, 3, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("inside [10, 30]: %v %v\n", out[0] > 10 && out[0] < 30, out[1] > 10 && out[1] < 30)
	// Masked: query 0 may only see key 2.
	out, _ = a.Forward(nil, x, keys, vals, 2, 3, []bool{false, false, true, true, true, true})
	fmt.Printf("query 0 = %.1f\n", out[0])
	// Output:
	// inside [10, 30]: true true
	// query 0 = 30.0
}
