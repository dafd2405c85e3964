package problems

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/optlearn/optlearn/libsvm/sets"
	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/mat"
)

type oracle interface {
	N() int
	Dim() int
	Grad(i int, dst, x []float64) float64
	StochGrad(i int, dst, x []float64, batch int, rng *rand.Rand)
	LocalSmoothness(i int) float64
	Smoothness() float64
}

// checkOracle compares gradients with central differences, checks that the
// minibatch gradient is unbiased and that the Lᵢ bound the gradient's
// Lipschitz ratio on random pairs.
func checkOracle(t *testing.T, p oracle, scale float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(2, 0))
	d := p.Dim()
	x := make([]float64, d)
	y := make([]float64, d)
	for j := range x {
		x[j] = scale * rng.NormFloat64()
		y[j] = x[j] + 0.3*scale*rng.NormFloat64()
	}
	g, gy, fd := make([]float64, d), make([]float64, d), make([]float64, d)
	for _, i := range []int{0, p.N() - 1} {
		p.Grad(i, g, x)
		const h = 1e-6
		for j := range x {
			xj := x[j]
			x[j] = xj + h
			fp := p.Grad(i, gy, x)
			x[j] = xj - h
			fm := p.Grad(i, gy, x)
			x[j] = xj
			fd[j] = (fp - fm) / (2 * h)
		}
		if e := math.Sqrt(linalg.DistSq(fd, g)); e > 1e-5*(1+linalg.Nrm2(g)) {
			t.Errorf("client %d: ‖∇f − fd‖ = %v", i, e)
		}
		// Lᵢ-smoothness on a pair.
		p.Grad(i, g, x)
		p.Grad(i, gy, y)
		if r := math.Sqrt(linalg.DistSq(g, gy) / linalg.DistSq(x, y)); r > p.LocalSmoothness(i)*(1+1e-9) {
			t.Errorf("client %d: gradient ratio %v > Lᵢ = %v", i, r, p.LocalSmoothness(i))
		}
		// Unbiased minibatch gradient.
		p.Grad(i, g, x)
		mean := make([]float64, d)
		const reps = 4000
		for range reps {
			p.StochGrad(i, gy, x, 3, rng)
			linalg.Axpy(1.0/reps, gy, mean)
		}
		if e := math.Sqrt(linalg.DistSq(mean, g)); e > 0.05*(linalg.Nrm2(g)+1e-3) {
			t.Errorf("client %d: mean minibatch gradient off by %v (‖∇fᵢ‖ = %v)", i, e, linalg.Nrm2(g))
		}
	}
	li := 0.0
	for i := range p.N() {
		li += p.LocalSmoothness(i) / float64(p.N())
	}
	if l := p.Smoothness(); !(l > 0 && l <= li*(1+1e-12)) {
		t.Errorf("L = %v, L_AM = %v", l, li)
	}
}

func TestLeastSquares(t *testing.T) {
	p, err := NewR1(1000, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	checkOracle(t, p, 1)
	// Lᵢ ∝ spread^(i/(n−1)): L₁₉/L₀ ≈ 1000.
	if r := p.LocalSmoothness(19) / p.LocalSmoothness(0); r < 300 || r > 3000 {
		t.Errorf("L₁₉/L₀ = %v, want ≈ 1000", r)
	}
	xs, fs := p.Minimum()
	g := make([]float64, p.Dim())
	sum := make([]float64, p.Dim())
	for i := range p.N() {
		p.Grad(i, g, xs)
		linalg.Axpy(1/float64(p.N()), g, sum)
	}
	if n := linalg.Nrm2(sum); n > 1e-8 {
		t.Errorf("‖∇f(x*)‖ = %v", n)
	}
	if math.Abs(fs-p.Value(xs)) > 1e-12 || p.Value(make([]float64, p.Dim())) <= fs {
		t.Error("f*")
	}
	// Power iteration agrees with the eigendecomposition and does not
	// underestimate.
	a := mat.NewDense(40, 30, p.a[7])
	tmp := make([]float64, 40)
	est, _, _ := PowerIteration(30, func(dst, v []float64) {
		mat.NewVecDense(40, tmp).MulVec(a, mat.NewVecDense(30, v))
		mat.NewVecDense(30, dst).MulVec(a.T(), mat.NewVecDense(40, tmp))
		linalg.Scal(1.0/40, dst)
	}, rand.New(rand.NewPCG(3, 0)))
	if l := p.LocalSmoothness(7); est < l*(1-1e-12) || est > l*(1+1e-6) {
		t.Errorf("power iteration %v, eigendecomposition %v", est, l)
	}
}

func TestLeastSquaresBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    int
		a, b [][]float64
	}{
		{"no clients", 2, nil, nil},
		{"empty client", 2, [][]float64{{1, 0}, {}}, [][]float64{{1}, {}}},
		{"size", 2, [][]float64{{1, 0, 1}}, [][]float64{{1}}},
		{"nan", 2, [][]float64{{1, math.NaN()}}, [][]float64{{1}}},
		{"singular", 2, [][]float64{{1, 0}}, [][]float64{{1}}},
	} {
		if _, err := NewLeastSquares(tc.d, tc.a, tc.b); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	if _, err := NewHeterogeneous(2, 3, 4, 0.5, rand.New(rand.NewPCG(1, 0))); !errors.Is(err, ErrInput) {
		t.Errorf("spread < 1: err = %v", err)
	}
}

func TestLogistic(t *testing.T) {
	ds, err := sets.Load("australian")
	if err != nil {
		t.Fatal(err)
	}
	for _, split := range []Split{SplitEven, SplitSorted} {
		p, err := NewLogistic(ds.X, ds.Y, 10, split, 0.1)
		if err != nil {
			t.Fatal(err)
		}
		checkOracle(t, p, 1)
		rows := 0
		seen := make([]bool, ds.Rows())
		for i := range p.N() {
			for _, j := range p.Rows(i) {
				if seen[j] {
					t.Fatalf("%v: row %d twice", split, j)
				}
				seen[j] = true
				rows++
			}
			if m := len(p.Rows(i)); m != 69 {
				t.Errorf("%v: client %d has %d rows, want 69", split, i, m)
			}
		}
		if rows != ds.Rows() {
			t.Errorf("%v: %d rows dealt of %d", split, rows, ds.Rows())
		}
		// The top eigenvalue via power iteration on sparse products agrees.
		est := sparseLambdaMaxPower(p.a[3])
		if l := (p.LocalSmoothness(3) - 0.2) * 4 * float64(p.a[3].Rows); math.Abs(est-l) > 1e-6*l || est < l*(1-1e-12) {
			t.Errorf("power iteration %v, eigendecomposition %v", est, l)
		}
	}
}

func sparseLambdaMaxPower(a *linalg.CSR) float64 {
	tmp := make([]float64, a.Rows)
	l, _, _ := PowerIteration(a.Cols, func(dst, v []float64) {
		a.MulVec(tmp, v)
		a.MulVecTrans(dst, tmp)
	}, rand.New(rand.NewPCG(1, 0)))
	return l
}

// TestSortedSplitSpreads checks that the sorted split spreads the Lᵢ more
// than the even split (L_QM/L_AM larger), on w8a-like data: mushrooms.
func TestSortedSplitSpreads(t *testing.T) {
	ds, err := sets.Load("mushrooms")
	if err != nil {
		t.Fatal(err)
	}
	ratio := func(s Split) float64 {
		p, err := NewLogistic(ds.X, ds.Y, 20, s, 0)
		if err != nil {
			t.Fatal(err)
		}
		am, qm := 0.0, 0.0
		for i := range p.N() {
			l := p.LocalSmoothness(i)
			am += l / 20
			qm += l * l / 20
		}
		return math.Sqrt(qm) / am
	}
	even, sorted := ratio(SplitEven), ratio(SplitSorted)
	t.Logf("L_QM/L_AM: even %.4f, sorted %.4f", even, sorted)
	if !(sorted > even) {
		t.Errorf("sorted split does not spread the Lᵢ: %.4f vs %.4f", sorted, even)
	}
}

func TestLogisticBadInput(t *testing.T) {
	x, _ := linalg.NewCSR(2, 2, []linalg.Triplet{{Row: 0, Col: 0, Val: 1}, {Row: 1, Col: 1, Val: 1}})
	for _, tc := range []struct {
		name   string
		y      []float64
		n      int
		lambda float64
	}{
		{"empty client", []float64{1, -1}, 3, 0.1},
		{"no client", []float64{1, -1}, 0, 0.1},
		{"labels", []float64{1, 0}, 2, 0.1},
		{"label count", []float64{1}, 1, 0.1},
		{"lambda", []float64{1, -1}, 1, -1},
	} {
		if _, err := NewLogistic(x, tc.y, tc.n, SplitEven, tc.lambda); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
	}
	x.Val[0] = math.Inf(1)
	if _, err := NewLogistic(x, []float64{1, -1}, 1, SplitEven, 0); !errors.Is(err, ErrInput) {
		t.Errorf("Inf entry: err = %v", err)
	}
}

func BenchmarkLogisticGrad(b *testing.B) {
	ds, err := sets.Load("a9a")
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewLogistic(ds.X, ds.Y, 20, SplitSorted, 0.1)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, p.Dim())
	for j := range x {
		x[j] = 0.01 * float64(j%7)
	}
	g := make([]float64, p.Dim())
	b.Run("a9a/client0", func(b *testing.B) {
		b.SetBytes(int64(p.a[0].NNZ() * 12))
		for b.Loop() {
			p.Grad(0, g, x)
		}
	})
}

// TestLogisticValue checks fᵢ against a direct sum of log1p terms, at a
// point where many margins are large (tiny loss terms) and some negative.
func TestLogisticValue(t *testing.T) {
	ds, err := sets.Load("australian")
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewLogistic(ds.X, ds.Y, 1, SplitEven, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 0))
	x := make([]float64, p.Dim())
	for _, scale := range []float64{0, 0.3, 30} {
		for j := range x {
			x[j] = scale * rng.NormFloat64()
		}
		want := 0.0
		for r := range ds.Rows() {
			idx, val := ds.X.Row(r)
			z := 0.0
			for k, c := range idx {
				z += val[k] * x[c]
			}
			tt := ds.Y[r] * z
			if tt > 0 {
				want += math.Log1p(math.Exp(-tt))
			} else {
				want += -tt + math.Log1p(math.Exp(tt))
			}
		}
		want /= float64(ds.Rows())
		for _, v := range x {
			want += 0.1 * v * v / (1 + v*v)
		}
		got := p.Grad(0, make([]float64, p.Dim()), x)
		if math.Abs(got-want) > 1e-13*(1+math.Abs(want)) {
			t.Errorf("scale %v: f = %.17g, want %.17g", scale, got, want)
		}
	}
}

// TestLogisticClients checks the constructor for per-client data sets: the
// clients' own blocks give the same problem (gradients, values, constants)
// as NewLogistic's even split of their concatenation, and unequal blocks
// are kept as given.
func TestLogisticClients(t *testing.T) {
	ds, err := sets.Load("australian")
	if err != nil {
		t.Fatal(err)
	}
	const n = 5
	ref, err := NewLogistic(ds.X, ds.Y, n, SplitEven, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys := make([]*linalg.CSR, n), make([][]float64, n)
	for i := range n {
		xs[i] = ds.X.SelectRows(ref.Rows(i))
		for _, j := range ref.Rows(i) {
			ys[i] = append(ys[i], ds.Y[j])
		}
	}
	p, err := NewLogisticClients(xs, ys, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	checkOracle(t, p, 1)
	if p.N() != n || p.Dim() != ds.Features() || p.Smoothness() != ref.Smoothness() {
		t.Fatalf("N %d Dim %d L %v, want %d %d %v", p.N(), p.Dim(), p.Smoothness(), n, ds.Features(), ref.Smoothness())
	}
	x := make([]float64, p.Dim())
	for k := range x {
		x[k] = 0.01 * float64(k%7-3)
	}
	g1, g2 := make([]float64, p.Dim()), make([]float64, p.Dim())
	for i := range n {
		if f1, f2 := p.Grad(i, g1, x), ref.Grad(i, g2, x); f1 != f2 || !slices.Equal(g1, g2) || p.LocalSmoothness(i) != ref.LocalSmoothness(i) {
			t.Errorf("client %d: f %v vs %v, L %v vs %v", i, f1, f2, p.LocalSmoothness(i), ref.LocalSmoothness(i))
		}
		if len(p.Rows(i)) != len(ys[i]) || p.Rows(i)[0] != 0 {
			t.Errorf("client %d: Rows %v", i, p.Rows(i)[:3])
		}
	}
	// Unequal sizes are kept: one row for client 0, the rest for client 1.
	all := make([]int, ds.Rows())
	for j := range all {
		all[j] = j
	}
	q, err := NewLogisticClients([]*linalg.CSR{ds.X.SelectRows(all[:1]), ds.X.SelectRows(all[1:])}, [][]float64{ds.Y[:1], ds.Y[1:]}, 0)
	if err != nil || len(q.Rows(0)) != 1 || len(q.Rows(1)) != ds.Rows()-1 {
		t.Fatalf("unequal clients: %v", err)
	}
	// Bad input: each case is an error wrapping ErrInput.
	other := &linalg.CSR{Rows: 1, Cols: 3, RowPtr: []int{0, 1}, ColIdx: []int{0}, Val: []float64{1}}
	bad := &linalg.CSR{Rows: 1, Cols: 3, RowPtr: []int{0, 2}, ColIdx: []int{2, 1}, Val: []float64{1, 1}}
	for name, c := range map[string]struct {
		x      []*linalg.CSR
		y      [][]float64
		lambda float64
	}{
		"none":          {nil, nil, 0},
		"labels count":  {xs[:1], nil, 0},
		"nil matrix":    {[]*linalg.CSR{nil}, [][]float64{{1}}, 0},
		"cols differ":   {[]*linalg.CSR{xs[0], other}, [][]float64{ys[0], {1}}, 0},
		"bad label":     {[]*linalg.CSR{other}, [][]float64{{0.5}}, 0},
		"short labels":  {[]*linalg.CSR{other}, [][]float64{{}}, 0},
		"malformed":     {[]*linalg.CSR{bad}, [][]float64{{1}}, 0},
		"NaN lambda":    {[]*linalg.CSR{other}, [][]float64{{1}}, math.NaN()},
		"negative λ":    {[]*linalg.CSR{other}, [][]float64{{1}}, -1},
		"empty client":  {[]*linalg.CSR{{Rows: 0, Cols: 3, RowPtr: []int{0}}}, [][]float64{{}}, 0},
		"NaN in matrix": {[]*linalg.CSR{{Rows: 1, Cols: 3, RowPtr: []int{0, 1}, ColIdx: []int{0}, Val: []float64{math.NaN()}}}, [][]float64{{1}}, 0},
	} {
		if _, err := NewLogisticClients(c.x, c.y, c.lambda); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
}
