package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// naiveForward is the scalar reference of forward (the pre-blas64
// implementation): it returns the activations of every layer.
func naiveForward(m *MLP, x []float64) (z, a [][]float64) {
	a = [][]float64{append([]float64(nil), x...)}
	z = [][]float64{nil}
	for l := range m.W {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		zl := append([]float64(nil), m.B[l]...)
		for i := 0; i < nin; i++ {
			for j := 0; j < nout; j++ {
				zl[j] += a[l][i] * m.W[l][i*nout+j]
			}
		}
		al := make([]float64, nout)
		for j := range zl {
			if l == len(m.W)-1 {
				al[j] = zl[j]
			} else {
				al[j] = m.act(zl[j])
			}
		}
		z, a = append(z, zl), append(a, al)
	}
	return z, a
}

// naiveBackward is the scalar reference of Backward: parameter gradients
// (fresh) and the input gradient of Σ_k dout[k]·f_k(x).
func naiveBackward(m *MLP, x, dout []float64) (gp [][]float64, gin []float64) {
	z, a := naiveForward(m, x)
	L := len(m.W)
	gp = m.ZeroGrads()
	d := append([]float64(nil), dout...)
	for l := L - 1; l >= 0; l-- {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		for i := 0; i < nin; i++ {
			for j := 0; j < nout; j++ {
				gp[2*l][i*nout+j] += a[l][i] * d[j]
			}
		}
		for j := 0; j < nout; j++ {
			gp[2*l+1][j] += d[j]
		}
		da := make([]float64, nin)
		for i := 0; i < nin; i++ {
			for j := 0; j < nout; j++ {
				da[i] += m.W[l][i*nout+j] * d[j]
			}
			if l > 0 {
				da[i] *= m.actDeriv(z[l][i], a[l][i])
			}
		}
		d = da
	}
	return gp, d
}

func closeRel(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// The blas64 kernels of forward/backward agree with the scalar reference.
func TestKernelsMatchReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	// Layers on both sides of blasMin (Go loops and blas64).
	for _, sizes := range [][]int{{1, 1}, {3, 1}, {4, 64, 64, 2}, {7, 5, 3}, {2, 1, 1}, {11, 17, 1}, {40, 32, 3}, {3, 128, 9}} {
		for _, act := range []Activation{Tanh, Sigmoid, ReLU} {
			m, err := NewMLP(sizes, act, rng)
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range m.B {
				for j := range b {
					b[j] = rng.NormFloat64()
				}
			}
			x := make([]float64, sizes[0])
			for i := range x {
				x[i] = rng.NormFloat64()
			}
			dout := make([]float64, m.Out())
			for i := range dout {
				dout[i] = rng.NormFloat64()
			}
			out := make([]float64, m.Out())
			gp, gin := m.ZeroGrads(), make([]float64, m.In())
			m.Backward(out, x, dout, gp, gin)
			_, a := naiveForward(m, x)
			wgp, wgin := naiveBackward(m, x, dout)
			name := fmt.Sprintf("%v/%v", sizes, act)
			for k, v := range a[len(a)-1] {
				if !closeRel(out[k], v) {
					t.Errorf("%s: out[%d] = %v, reference %v", name, k, out[k], v)
				}
			}
			for k := range gin {
				if !closeRel(gin[k], wgin[k]) {
					t.Errorf("%s: gin[%d] = %v, reference %v", name, k, gin[k], wgin[k])
				}
			}
			for p := range gp {
				for k := range gp[p] {
					if !closeRel(gp[p][k], wgp[p][k]) {
						t.Fatalf("%s: grad %d[%d] = %v, reference %v", name, p, k, gp[p][k], wgp[p][k])
					}
				}
			}
		}
	}
}

// Backprop after Predict gives Backward's gradients.
func TestBackpropAfterPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 0))
	m, _ := NewMLP([]int{3, 8, 2}, Sigmoid, rng)
	x, dout := []float64{0.3, -1, 2}, []float64{0.5, -2}
	g1, g2 := m.ZeroGrads(), m.ZeroGrads()
	in1, in2 := make([]float64, 3), make([]float64, 3)
	m.Backward(make([]float64, 2), x, dout, g1, in1)
	m.Predict(nil, []float64{9, 9, 9}) // another input first
	m.Predict(nil, x)
	m.Backprop(dout, g2, in2)
	for p := range g1 {
		for k := range g1[p] {
			if g1[p][k] != g2[p][k] {
				t.Fatalf("grad %d[%d]: Backward %v, Backprop %v", p, k, g1[p][k], g2[p][k])
			}
		}
	}
	for k := range in1 {
		if in1[k] != in2[k] {
			t.Fatalf("gin[%d]: Backward %v, Backprop %v", k, in1[k], in2[k])
		}
	}
}

func TestKernelsAllocateNothing(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 0))
	m, _ := NewMLP([]int{4, 64, 64, 2}, Tanh, rng)
	x, out, dout := []float64{0.1, -0.2, 0.3, 0.4}, make([]float64, 2), []float64{1, -1}
	gp, gin := m.ZeroGrads(), make([]float64, 4)
	if n := testing.AllocsPerRun(50, func() { m.Backward(out, x, dout, gp, gin) }); n != 0 {
		t.Errorf("Backward allocates %v times per call", n)
	}
	if n := testing.AllocsPerRun(50, func() { m.Predict(out, x) }); n != 0 {
		t.Errorf("Predict allocates %v times per call", n)
	}
}

// prevForward is the previous version of forward (row-wise scalar axpy
// loops in Go), kept as the benchmark baseline; it uses m's scratch.
func prevForward(m *MLP, x []float64) {
	copy(m.a[0], x)
	L := len(m.W)
	for l := 0; l < L; l++ {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		z := m.z[l+1]
		copy(z, m.B[l])
		in := m.a[l]
		w := m.W[l]
		for i := 0; i < nin; i++ {
			xi := in[i]
			if xi == 0 {
				continue
			}
			row := w[i*nout : (i+1)*nout]
			for j, wij := range row {
				z[j] += xi * wij
			}
		}
		out := m.a[l+1]
		if l == L-1 {
			copy(out, z)
		} else {
			for j := range z {
				out[j] = m.act(z[j])
			}
		}
	}
}

// BenchmarkMLP measures one forward and one forward+backward pass of the
// 4→64→64→2 tanh network of the rl examples, through blas64, through the
// previous version's Go loops (forward/prev, the baseline) and through the
// scalar reference used by the tests (allocating).
// BenchmarkMLPTiny measures forward passes of small sigmoid networks (the
// causal equations and predictors) and of the rl network, against the
// previous version's Go loops: layers below blasMin stay in Go loops.
func BenchmarkMLPTiny(b *testing.B) {
	for _, sizes := range [][]int{{2, 1, 1}, {5, 12, 1}, {4, 8, 1}, {16, 16, 1}, {4, 64, 64, 2}} {
		rng := rand.New(rand.NewPCG(7, 0))
		m, _ := NewMLP(sizes, Sigmoid, rng)
		x := make([]float64, sizes[0])
		for i := range x {
			x[i] = 0.5 - float64(i%3)
		}
		out := make([]float64, m.Out())
		b.Run(fmt.Sprintf("%v/current", sizes), func(b *testing.B) {
			for b.Loop() {
				m.Predict(out, x)
			}
		})
		b.Run(fmt.Sprintf("%v/prev", sizes), func(b *testing.B) {
			for b.Loop() {
				prevForward(m, x)
			}
		})
	}
}

func BenchmarkMLP(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 0))
	m, _ := NewMLP([]int{4, 64, 64, 2}, Tanh, rng)
	x, out, dout := []float64{0.1, -0.2, 0.3, 0.4}, make([]float64, 2), []float64{1, -1}
	gp, gin := m.ZeroGrads(), make([]float64, 4)
	b.Run("forward/blas64", func(b *testing.B) {
		for b.Loop() {
			m.Predict(out, x)
		}
	})
	b.Run("forward/prev", func(b *testing.B) {
		for b.Loop() {
			prevForward(m, x)
		}
	})
	b.Run("forward/naive", func(b *testing.B) {
		for b.Loop() {
			naiveForward(m, x)
		}
	})
	b.Run("backward/blas64", func(b *testing.B) {
		for b.Loop() {
			m.Backward(out, x, dout, gp, gin)
		}
	})
	b.Run("backward/naive", func(b *testing.B) {
		for b.Loop() {
			naiveBackward(m, x, dout)
		}
	})
}
