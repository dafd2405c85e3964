package problems

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/optlearn/optlearn/linalg"
	"gonum.org/v1/gonum/mat"
)

// Split says how the rows of a data set are dealt to the clients. Either
// way client i gets a contiguous block of ⌊(i+1)M/n⌋ − ⌊iM/n⌋ rows of the
// chosen order, so block sizes differ by at most one.
type Split int

const (
	// SplitEven deals the rows in file order.
	SplitEven Split = iota
	// SplitSorted first sorts the rows by (aⱼᵀv)², v the top eigenvector of
	// AᵀA, ascending (ties by row index). Client i then holds the rows most
	// aligned with the direction of largest curvature when i is large, so
	// the Lᵢ spread out, as in the paper's heterogeneous experiments. (The
	// paper's exact splitting rule could not be retrieved; this rule is our
	// choice and works on sets whose rows all have the same norm, such as
	// mushrooms and phishing.)
	SplitSorted
)

// String returns "even", "sorted" or "Split(n)" for an unknown value.
func (s Split) String() string {
	switch s {
	case SplitEven:
		return "even"
	case SplitSorted:
		return "sorted"
	}
	return "Split(" + strconv.Itoa(int(s)) + ")"
}

// Logistic is the nonconvex regularised logistic regression of the EF21
// experiments:
//
//	fᵢ(x) = (1/mᵢ) Σⱼ log(1 + exp(−bᵢⱼ aᵢⱼᵀx)) + λ Σₖ xₖ²/(1 + xₖ²),
//
// f = (1/n) Σᵢ fᵢ, over a sparse design split across n clients. Its
// smoothness constants are Lᵢ = λmax(AᵢᵀAᵢ)/(4mᵢ) + 2λ and
// L = λmax((1/n)Σᵢ AᵢᵀAᵢ/(4mᵢ)) + 2λ (the logistic loss has curvature at most
// 1/4 and the regulariser's second derivative lies in [−λ/2, 2λ]). The
// eigenvalues are exact (mat.EigenSym on the d × d Gram matrix) for
// d ≤ 1024 and from [PowerIteration] above. It implements the ef21 Oracle,
// StochOracle and Smooth interfaces; Grad and StochGrad are safe for
// concurrent calls with distinct i.
type Logistic struct {
	d      int
	a      []*linalg.CSR
	y      [][]float64
	rows   [][]int
	lambda float64
	marg   [][]float64 // per-client scratch, len mᵢ
	ex     [][]float64 // per-client scratch, len mᵢ
	blk    []block     // per-client compact copy of the rows for Grad
	li     []float64
	l      float64
}

// block is one client's rows in the layout Grad streams through: int32
// column indices (half the bytes of int) and, unless every stored value is
// 1 (binary features such as a9a's), the values.
type block struct {
	ptr  []int32
	cols []int32
	vals []float64 // nil: every value is 1
}

// margins sets z[j] = aⱼᵀx for every row j. Four rows are summed at a
// time, each in its own accumulator and in its own index order, so every
// z[j] has exactly the rounding of a plain loop over row j while the four
// dependency chains overlap (a single chain is bound by the latency of the
// floating-point add).
func (b *block) margins(z, x []float64) {
	m := len(b.ptr) - 1
	ptr, cols := b.ptr, b.cols
	j := 0
	for ; j+4 <= m; j += 4 {
		c0, c1 := cols[ptr[j]:ptr[j+1]], cols[ptr[j+1]:ptr[j+2]]
		c2, c3 := cols[ptr[j+2]:ptr[j+3]], cols[ptr[j+3]:ptr[j+4]]
		n := min(len(c0), len(c1), len(c2), len(c3))
		var z0, z1, z2, z3 float64
		if b.vals == nil {
			for k := range n {
				z0 += x[c0[k]]
				z1 += x[c1[k]]
				z2 += x[c2[k]]
				z3 += x[c3[k]]
			}
			for _, c := range c0[n:] {
				z0 += x[c]
			}
			for _, c := range c1[n:] {
				z1 += x[c]
			}
			for _, c := range c2[n:] {
				z2 += x[c]
			}
			for _, c := range c3[n:] {
				z3 += x[c]
			}
		} else {
			v0, v1 := b.vals[ptr[j]:ptr[j+1]], b.vals[ptr[j+1]:ptr[j+2]]
			v2, v3 := b.vals[ptr[j+2]:ptr[j+3]], b.vals[ptr[j+3]:ptr[j+4]]
			for k := range n {
				z0 += v0[k] * x[c0[k]]
				z1 += v1[k] * x[c1[k]]
				z2 += v2[k] * x[c2[k]]
				z3 += v3[k] * x[c3[k]]
			}
			z0 = rowTail(z0, v0[n:], c0[n:], x)
			z1 = rowTail(z1, v1[n:], c1[n:], x)
			z2 = rowTail(z2, v2[n:], c2[n:], x)
			z3 = rowTail(z3, v3[n:], c3[n:], x)
		}
		z[j], z[j+1], z[j+2], z[j+3] = z0, z1, z2, z3
	}
	for ; j < m; j++ {
		lo, hi := ptr[j], ptr[j+1]
		zj := 0.0
		if b.vals == nil {
			for _, c := range cols[lo:hi] {
				zj += x[c]
			}
		} else {
			zj = rowTail(0, b.vals[lo:hi], cols[lo:hi], x)
		}
		z[j] = zj
	}
}

// rowTail returns z + Σₖ v[k]·x[c[k]], summed in order.
func rowTail(z float64, v []float64, c []int32, x []float64) float64 {
	v = v[:len(c)]
	for k, ck := range c {
		z += v[k] * x[ck]
	}
	return z
}

// newBlock returns the compact copy of a (d < 2³¹ and nnz < 2³¹, which
// the package's size limits guarantee).
func newBlock(a *linalg.CSR) block {
	lo, hi := a.RowPtr[0], a.RowPtr[a.Rows]
	b := block{ptr: make([]int32, a.Rows+1), cols: make([]int32, hi-lo)}
	for r := range a.Rows + 1 {
		b.ptr[r] = int32(a.RowPtr[r] - lo)
	}
	binary := true
	for k, c := range a.ColIdx[lo:hi] {
		b.cols[k] = int32(c)
		binary = binary && a.Val[lo+k] == 1
	}
	if !binary {
		b.vals = slices.Clone(a.Val[lo:hi])
	}
	return b
}

// NewLogistic splits the rows of x (labels y, ±1) over n clients with
// split and returns the problem with regularisation lambda ≥ 0. The data
// are copied. It returns an error wrapping ErrInput for n < 1, more clients
// than rows (an empty client), len(y) ≠ rows, labels other than ±1, NaN or
// Inf entries, a malformed matrix, or a negative lambda. Users who hold
// their own per-client data sets call [NewLogisticClients] instead.
func NewLogistic(x *linalg.CSR, y []float64, n int, split Split, lambda float64) (*Logistic, error) {
	if err := checkDesign(x, y, -1); err != nil {
		return nil, err
	}
	switch {
	case n < 1 || n > x.Rows:
		return nil, fmt.Errorf("%w: %d clients for %d rows (every client needs a row)", ErrInput, n, x.Rows)
	case !(lambda >= 0) || math.IsInf(lambda, 0):
		return nil, fmt.Errorf("%w: lambda = %v", ErrInput, lambda)
	case split != SplitEven && split != SplitSorted:
		return nil, fmt.Errorf("%w: split %d", ErrInput, split)
	}
	order := make([]int, x.Rows)
	for j := range order {
		order[j] = j
	}
	if split == SplitSorted {
		_, v := topDirection(x)
		key := make([]float64, x.Rows)
		for j := range key {
			idx, val := x.Row(j)
			s := linalg.DotIdx(val, idx, v)
			key[j] = s * s
		}
		slices.SortStableFunc(order, func(p, q int) int { return cmp.Compare(key[p], key[q]) })
	}
	a, ys, rows := make([]*linalg.CSR, n), make([][]float64, n), make([][]int, n)
	for i := range n {
		lo, hi := i*x.Rows/n, (i+1)*x.Rows/n
		rows[i] = append([]int(nil), order[lo:hi]...)
		a[i] = x.SelectRows(rows[i])
		ys[i] = make([]float64, len(rows[i]))
		for k, j := range rows[i] {
			ys[i][k] = y[j]
		}
	}
	return newLogistic(x.Cols, a, ys, rows, lambda), nil
}

// NewLogisticClients returns the problem over the clients' own data sets:
// client i holds the rows of x[i] with labels y[i] (±1). Every x[i] must
// have at least one row and the same number of columns d. The data are
// copied; Rows(i) then lists 0..mᵢ−1, the rows of client i's own set. It
// returns an error wrapping ErrInput for no client, an empty client,
// mismatched sizes or column counts, labels other than ±1, NaN or Inf
// entries, a malformed matrix, or a negative lambda.
func NewLogisticClients(x []*linalg.CSR, y [][]float64, lambda float64) (*Logistic, error) {
	n := len(x)
	switch {
	case n < 1 || len(y) != n:
		return nil, fmt.Errorf("%w: %d client matrices, %d label sets", ErrInput, n, len(y))
	case !(lambda >= 0) || math.IsInf(lambda, 0):
		return nil, fmt.Errorf("%w: lambda = %v", ErrInput, lambda)
	}
	d := -1
	if x[0] != nil {
		d = x[0].Cols
	}
	a, ys, rows := make([]*linalg.CSR, n), make([][]float64, n), make([][]int, n)
	for i := range n {
		if err := checkDesign(x[i], y[i], d); err != nil {
			return nil, fmt.Errorf("client %d: %w", i, err)
		}
		all := make([]int, x[i].Rows)
		for j := range all {
			all[j] = j
		}
		rows[i] = all
		a[i] = x[i].SelectRows(all)
		ys[i] = slices.Clone(y[i])
	}
	return newLogistic(d, a, ys, rows, lambda), nil
}

// checkDesign validates a design matrix and its labels; d ≥ 0 also
// requires d columns.
func checkDesign(x *linalg.CSR, y []float64, d int) error {
	if x == nil {
		return fmt.Errorf("%w: nil design", ErrInput)
	}
	if err := x.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	switch {
	case x.Rows < 1 || x.Cols < 1:
		return fmt.Errorf("%w: empty design (%d×%d)", ErrInput, x.Rows, x.Cols)
	case d >= 0 && x.Cols != d:
		return fmt.Errorf("%w: %d columns, want %d", ErrInput, x.Cols, d)
	case len(y) != x.Rows:
		return fmt.Errorf("%w: %d labels for %d rows", ErrInput, len(y), x.Rows)
	}
	for j, v := range y {
		if v != 1 && v != -1 {
			return fmt.Errorf("%w: label %d = %v, want ±1", ErrInput, j, v)
		}
	}
	if !linalg.AllFinite(x.Val[x.RowPtr[0]:x.RowPtr[x.Rows]]) {
		return fmt.Errorf("%w: NaN or Inf entry", ErrInput)
	}
	return nil
}

// newLogistic builds the problem from validated per-client blocks (owned
// by the problem from now on) and computes the smoothness constants.
func newLogistic(d int, a []*linalg.CSR, y [][]float64, rows [][]int, lambda float64) *Logistic {
	n := len(a)
	p := &Logistic{d: d, lambda: lambda, a: a, y: y, rows: rows, marg: make([][]float64, n),
		ex: make([][]float64, n), blk: make([]block, n), li: make([]float64, n)}
	total := mat.NewSymDense(d, nil)
	for i := range n {
		p.marg[i] = make([]float64, len(y[i]))
		p.ex[i] = make([]float64, len(y[i]))
		p.blk[i] = newBlock(a[i])
		m := float64(len(y[i]))
		if d <= gramMaxDim {
			g := gram(a[i])
			g.ScaleSym(1/(4*m), g)
			p.li[i] = lambdaMax(g) + 2*lambda
			total.AddSym(total, g)
		} else {
			p.li[i] = sparseLambdaMax(a[i])/(4*m) + 2*lambda
		}
	}
	if d <= gramMaxDim {
		total.ScaleSym(1/float64(n), total)
		p.l = lambdaMax(total) + 2*lambda
	} else {
		p.l = p.powerGlobal() + 2*lambda
	}
	return p
}

// gram returns AᵀA as a dense symmetric matrix.
func gram(a *linalg.CSR) *mat.SymDense {
	d := a.Cols
	raw := make([]float64, d*d)
	for r := range a.Rows {
		idx, val := a.Row(r)
		for p, i := range idx {
			vi := val[p]
			row := raw[i*d:]
			for q := p; q < len(idx); q++ {
				row[idx[q]] += vi * val[q]
			}
		}
	}
	return mat.NewSymDense(d, raw) // upper triangle filled (indices increase)
}

// topDirection returns the top eigenpair of AᵀA.
func topDirection(a *linalg.CSR) (float64, []float64) {
	if a.Cols <= gramMaxDim {
		return topEigen(gram(a))
	}
	tmp := make([]float64, a.Rows)
	l, v, _ := PowerIteration(a.Cols, func(dst, v []float64) {
		a.MulVec(tmp, v)
		a.MulVecTrans(dst, tmp)
	}, rand.New(rand.NewPCG(1, 0)))
	return l, v // finite: the matrix is finite and validated
}

func sparseLambdaMax(a *linalg.CSR) float64 {
	l, _ := topDirection(a)
	return l
}

// powerGlobal returns λmax((1/n)Σᵢ AᵢᵀAᵢ/(4mᵢ)) by power iteration.
func (p *Logistic) powerGlobal() float64 {
	tmp := make([]float64, p.d)
	l, _, _ := PowerIteration(p.d, func(dst, v []float64) {
		linalg.Zero(dst)
		for i, a := range p.a {
			m := p.marg[i]
			a.MulVec(m, v)
			a.MulVecTrans(tmp, m)
			linalg.Axpy(1/(4*float64(a.Rows)*float64(len(p.a))), tmp, dst)
		}
	}, rand.New(rand.NewPCG(1, 0)))
	return l
}

// N returns the number of clients.
func (p *Logistic) N() int { return len(p.a) }

// Dim returns the number of features d.
func (p *Logistic) Dim() int { return p.d }

// Rows returns the indices, in the original data set, of client i's rows
// (read only), or nil for i outside [0, N()).
func (p *Logistic) Rows(i int) []int {
	if i < 0 || i >= len(p.rows) {
		return nil
	}
	return p.rows[i]
}

// lossBlock is the number of rows whose loss factors are multiplied before
// one logarithm is taken (2^512 < 1e155: no overflow).
const lossBlock = 512

// Grad writes ∇fᵢ(x) into dst and returns fᵢ(x). It makes two passes over
// client i's rows: the first computes every margin tⱼ = bⱼaⱼᵀx, then
// linalg.Exp evaluates all the exp(−|tⱼ|) in one vector pass, and the
// second pass accumulates the loss and scatters the gradient. Rows of
// binary features (every stored value 1) skip the multiplications. For i
// outside [0, N()) or dst or x not of length Dim() it returns NaN (and
// fills dst with NaN), which ef21.Run reports as ErrNotFinite.
//
// linalg.Exp is within 4 units of 2⁻⁵³ (relative) of math.Exp, so the
// iterates may differ in their last bits from a per-row math.Exp.
func (p *Logistic) Grad(i int, dst, x []float64) float64 {
	if i < 0 || i >= len(p.a) || len(dst) != p.d || len(x) != p.d {
		return badCall(dst)
	}
	y, t, e, b := p.y[i], p.marg[i], p.ex[i], &p.blk[i]
	m := len(y)
	t, e = t[:m], e[:m]
	ptr := b.ptr[:m+1]
	// Pass 1: margins t = b ⊙ (A x) and e = −|t|.
	b.margins(t, x)
	for j, yj := range y {
		t[j] *= yj
		e[j] = -math.Abs(t[j])
	}
	linalg.Exp(e, e)
	// Pass 2. The loss Σⱼ log(1 + e^(−tⱼ)) is Σⱼ max(−tⱼ, 0) + log Πⱼ(1 + eⱼ)
	// with eⱼ = exp(−|tⱼ|) ∈ (0, 1]: the product is taken over blocks of
	// lossBlock rows (each factor is at most 2, so no overflow) and costs one
	// logarithm per block instead of one per row, with an absolute error of
	// about lossBlock·ε per block. The derivative of the loss in t is
	// −1/(1 + eᵗ), that is −e/(1 + e) for t ≥ 0 and −1/(1 + e) below.
	clear(dst)
	f, prod := 0.0, 1.0
	inv := 1 / float64(m)
	for j, yj := range y {
		ej := e[j]
		sig := 1 / (1 + ej)
		prod *= 1 + ej
		var coef float64
		if tj := t[j]; tj >= 0 {
			coef = -yj * inv * ej * sig
		} else {
			f -= tj
			coef = -yj * inv * sig
		}
		if j%lossBlock == lossBlock-1 {
			f += math.Log(prod)
			prod = 1
		}
		lo, hi := ptr[j], ptr[j+1]
		if b.vals == nil {
			// Distinct columns within a row: unrolling keeps every sum's
			// order.
			cs := b.cols[lo:hi]
			for len(cs) >= 4 {
				c4 := (*[4]int32)(cs)
				dst[c4[0]] += coef
				dst[c4[1]] += coef
				dst[c4[2]] += coef
				dst[c4[3]] += coef
				cs = cs[4:]
			}
			for _, c := range cs {
				dst[c] += coef
			}
		} else {
			vals := b.vals[lo:hi]
			for k, c := range b.cols[lo:hi] {
				dst[c] += coef * vals[k]
			}
		}
	}
	f += math.Log(prod)
	return f*inv + p.addReg(dst, x)
}

// addReg adds the regulariser's gradient to dst and returns its value.
func (p *Logistic) addReg(dst, x []float64) float64 {
	if p.lambda == 0 {
		return 0
	}
	r := 0.0
	for k, v := range x {
		q := 1 + v*v
		r += v * v / q
		dst[k] += p.lambda * 2 * v / (q * q)
	}
	return p.lambda * r
}

// StochGrad writes the gradient of the loss over batch rows of client i
// drawn uniformly with replacement, plus the regulariser's exact gradient,
// into dst: an unbiased estimate of ∇fᵢ(x). Invalid arguments (as for Grad,
// or batch < 1 or a nil rng) fill dst with NaN.
func (p *Logistic) StochGrad(i int, dst, x []float64, batch int, rng *rand.Rand) {
	if i < 0 || i >= len(p.a) || len(dst) != p.d || len(x) != p.d || batch < 1 || rng == nil {
		badCall(dst)
		return
	}
	a, y := p.a[i], p.y[i]
	linalg.Zero(dst)
	for range batch {
		j := rng.IntN(len(y))
		idx, val := a.Row(j)
		z := linalg.DotIdx(val, idx, x)
		coef := -y[j] / (float64(batch) * (1 + math.Exp(y[j]*z)))
		linalg.AxpyIdx(coef, val, idx, dst)
	}
	p.addReg(dst, x)
}

// Support returns the features client i's rows touch when λ = 0, outside
// which ∇fᵢ is 0, and nil (every feature) when λ > 0, since the regulariser
// is dense. For i outside [0, N()) it returns nil.
func (p *Logistic) Support(i int) []int {
	if p.lambda > 0 || i < 0 || i >= len(p.a) {
		return nil
	}
	a := p.a[i]
	seen := make([]bool, p.d)
	for _, c := range a.ColIdx[a.RowPtr[0]:a.RowPtr[a.Rows]] {
		seen[c] = true
	}
	var z []int
	for c, ok := range seen {
		if ok {
			z = append(z, c)
		}
	}
	return z
}

// LocalSmoothness returns Lᵢ = λmax(AᵢᵀAᵢ)/(4mᵢ) + 2λ, or NaN for i
// outside [0, N()).
func (p *Logistic) LocalSmoothness(i int) float64 {
	if i < 0 || i >= len(p.li) {
		return math.NaN()
	}
	return p.li[i]
}

// Smoothness returns L = λmax((1/n)Σᵢ AᵢᵀAᵢ/(4mᵢ)) + 2λ.
func (p *Logistic) Smoothness() float64 { return p.l }
