package nn

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/gonum/blas/gonum"
)

// Workspace holds the buffers of the minibatch passes [MLP.ForwardBatch]
// and [MLP.BackwardBatch] for one network shape and up to Rows() rows. It
// is owned by the caller: make one per network and goroutine with
// [MLP.NewWorkspace] and reuse it, and the passes allocate nothing.
type Workspace struct {
	sizes []int
	cap   int
	rows  int         // rows of the last ForwardBatch (0: none yet)
	z, a  [][]float64 // layer l: rows×sizes[l], row-major
	d     [][]float64 // gradients with respect to z (a for l = 0)
	wt    []float64   // a transposed weight matrix
}

// Rows returns the largest batch the workspace holds.
func (w *Workspace) Rows() int { return w.cap }

// NewWorkspace returns a workspace for batches of up to rows rows of m's
// shape. It returns an error wrapping [ErrShape] if rows is not positive
// or the buffers would exceed [MaxParams] values per layer.
func (m *MLP) NewWorkspace(rows int) (*Workspace, error) {
	if rows <= 0 {
		return nil, fmt.Errorf("%w: workspace for %d rows", ErrShape, rows)
	}
	for l, s := range m.Sizes {
		if s > MaxParams/rows {
			return nil, fmt.Errorf("%w: %d rows × %d units in layer %d exceed MaxParams = %d", ErrShape, rows, s, l, MaxParams)
		}
	}
	w := &Workspace{sizes: append([]int(nil), m.Sizes...), cap: rows}
	w.z = make([][]float64, len(m.Sizes))
	w.a = make([][]float64, len(m.Sizes))
	w.d = make([][]float64, len(m.Sizes))
	for l := range m.W {
		w.wt = make([]float64, max(len(w.wt), len(m.W[l])))
	}
	for l, s := range m.Sizes {
		if l > 0 {
			w.z[l] = make([]float64, rows*s)
		}
		w.a[l] = make([]float64, rows*s)
		w.d[l] = make([]float64, rows*s)
	}
	return w, nil
}

func (m *MLP) checkWorkspace(ws *Workspace) error {
	if ws == nil {
		return fmt.Errorf("%w: nil workspace", ErrShape)
	}
	if len(ws.sizes) != len(m.Sizes) {
		return fmt.Errorf("%w: workspace for layers %v, network %v", ErrShape, ws.sizes, m.Sizes)
	}
	for l, s := range m.Sizes {
		if ws.sizes[l] != s {
			return fmt.Errorf("%w: workspace for layers %v, network %v", ErrShape, ws.sizes, m.Sizes)
		}
	}
	return nil
}

// ForwardBatch evaluates the network on the rows of X (row-major, rows ×
// In()) as matrix products, keeps the activations in ws for
// [MLP.BackwardBatch] and returns the rows × Out() outputs, a view into
// ws valid until its next use. Row r of the result equals
// [MLP.Predict] on row r of X to rounding (1e-12 relative in the tests).
//
// It returns an error wrapping [ErrShape] for an empty batch, more rows
// than ws holds, len(X) != rows·In() or a workspace of another shape, and
// one wrapping [ErrNotFinite] naming the first row of X with NaN or Inf.
// It allocates nothing.
func (m *MLP) ForwardBatch(ws *Workspace, X []float64, rows int) ([]float64, error) {
	if err := m.checkWorkspace(ws); err != nil {
		return nil, err
	}
	in := m.Sizes[0]
	switch {
	case rows <= 0:
		return nil, fmt.Errorf("%w: batch of %d rows", ErrShape, rows)
	case rows > ws.cap:
		return nil, fmt.Errorf("%w: batch of %d rows, workspace holds %d", ErrShape, rows, ws.cap)
	case len(X) != rows*in:
		return nil, fmt.Errorf("%w: X has %d values, want %d rows × %d inputs", ErrShape, len(X), rows, in)
	}
	for r := range rows {
		for j, v := range X[r*in : (r+1)*in] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: row %d, column %d of the batch is %v", ErrNotFinite, r, j, v)
			}
		}
	}
	ws.rows = rows
	copy(ws.a[0], X)
	L := len(m.W)
	for l := range L {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		z := ws.z[l+1][:rows*nout]
		for r := range rows {
			copy(z[r*nout:(r+1)*nout], m.B[l])
		}
		// Z = A·W + 1·bᵀ (A is rows×nin, W nin×nout).
		gemm(false, false, rows, nout, nin, ws.a[l], nin, m.W[l], nout, 1, z, nout, nil)
		out := ws.a[l+1][:rows*nout]
		if l == L-1 {
			copy(out, z)
			continue
		}
		m.actInto(out, z)
	}
	return ws.a[L][:rows*m.Out()], nil
}

// actInto writes the activation of z to out.
func (m *MLP) actInto(out, z []float64) {
	switch m.Act {
	case Tanh:
		tanhVec(out, z)
	case ReLU:
		for j, v := range z {
			out[j] = max(v, 0)
		}
	default:
		for j, v := range z {
			out[j] = 1 / (1 + math.Exp(-v))
		}
	}
}

// BackwardBatch propagates dOut (rows × Out(), row-major: the gradient of
// a loss with respect to each output of the last [MLP.ForwardBatch] on ws)
// back through the network. If grads is not nil, the parameter gradients
// summed over the rows are ADDED to it (layout of [MLP.Params], as
// [MLP.ZeroGrads] returns); if dX is not nil, the gradient with respect to
// the input rows is written to it (rows × In()). The parameters must not
// have changed since the forward pass. Results equal the sum of the
// per-sample [MLP.Backward] to rounding.
//
// It returns an error wrapping [ErrShape] if no forward pass was made on
// ws or a length does not match, and one wrapping [ErrNotFinite] naming
// the first row of dOut with NaN or Inf. It allocates nothing.
func (m *MLP) BackwardBatch(ws *Workspace, dOut []float64, grads [][]float64, dX []float64) error {
	if err := m.checkWorkspace(ws); err != nil {
		return err
	}
	rows, out := ws.rows, m.Out()
	if rows == 0 {
		return fmt.Errorf("%w: BackwardBatch before ForwardBatch", ErrShape)
	}
	if len(dOut) != rows*out {
		return fmt.Errorf("%w: dOut has %d values, want %d rows × %d outputs", ErrShape, len(dOut), rows, out)
	}
	if dX != nil && len(dX) != rows*m.In() {
		return fmt.Errorf("%w: dX has %d values, want %d rows × %d inputs", ErrShape, len(dX), rows, m.In())
	}
	if grads != nil {
		if len(grads) != 2*len(m.W) {
			return fmt.Errorf("%w: %d gradient slices, want %d", ErrShape, len(grads), 2*len(m.W))
		}
		for l := range m.W {
			if len(grads[2*l]) != len(m.W[l]) || len(grads[2*l+1]) != len(m.B[l]) {
				return fmt.Errorf("%w: gradient of layer %d has %d+%d values, want %d+%d", ErrShape, l, len(grads[2*l]), len(grads[2*l+1]), len(m.W[l]), len(m.B[l]))
			}
		}
	}
	for r := range rows {
		for j, v := range dOut[r*out : (r+1)*out] {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: row %d, output %d of dOut is %v", ErrNotFinite, r, j, v)
			}
		}
	}
	L := len(m.W)
	copy(ws.d[L][:rows*out], dOut)
	for l := L - 1; l >= 0; l-- {
		nin, nout := m.Sizes[l], m.Sizes[l+1]
		dz := ws.d[l+1][:rows*nout]
		if grads != nil {
			// ∂W += Aᵀ·dZ, ∂b += column sums of dZ.
			gemm(true, false, nin, nout, rows, ws.a[l], nin, dz, nout, 1, grads[2*l], nout, nil)
			gb := grads[2*l+1]
			for r := range rows {
				for j, v := range dz[r*nout : (r+1)*nout] {
					gb[j] += v
				}
			}
		}
		if l == 0 && dX == nil {
			break
		}
		// dA = dZ·Wᵀ, then through the activation.
		da := ws.d[l][:rows*nin]
		gemm(false, true, rows, nin, nout, dz, nout, m.W[l], nout, 0, da, nin, ws.wt)
		if l > 0 {
			m.actDerivInto(da, ws.a[l][:rows*nin])
		}
	}
	if dX != nil {
		copy(dX, ws.d[0][:rows*m.In()])
	}
	return nil
}

// actDerivInto multiplies d by the activation's derivative, given the
// activations a (ReLU's derivative is 1 where a > 0, which is z > 0).
func (m *MLP) actDerivInto(d, a []float64) {
	switch m.Act {
	case Tanh:
		tanhDerivVec(d, a)
	case ReLU:
		for i, v := range a {
			if v <= 0 {
				d[i] = 0
			}
		}
	default:
		for i, v := range a {
			d[i] *= v * (1 - v)
		}
	}
}

// panelRows and panelCols bound the blocks of C that gemm hands to gonum's
// pure-Go Dgemm: below 4 blocks of 64×64 it runs serially, without
// goroutines or allocations. Each element of C sums over k in the same
// order whatever the split, so the result does not depend on it.
const (
	panelRows = 64
	panelCols = 192
)

// useKernel selects the assembly kernel (AVX2+FMA, amd64) for the default
// pure-Go BLAS; tests switch it off to compare with gonum's Dgemm.
var useKernel = hasFMA

// gemm computes C = A'·B' + beta·C (beta 0 or 1) with A' = op(A) (m×k)
// and B' = op(B) (k×n), all row-major. When a native BLAS is installed
// with blas64.Use it is one Dgemm call. Otherwise it runs serially, with
// no goroutines or allocation: on CPUs with AVX2 and FMA, a 4×8
// register-blocked kernel (B' is transposed into scratch, len >= k·n,
// when tB); elsewhere gonum's Dgemm on panels of C. Every element of C is
// summed in an order that depends only on k, so results do not depend on
// GOMAXPROCS.
func gemm(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int, scratch []float64) {
	ta, tb := blas.NoTrans, blas.NoTrans
	if tA {
		ta = blas.Trans
	}
	if tB {
		tb = blas.Trans
	}
	impl := blas64.Implementation()
	if _, pure := impl.(gonum.Implementation); !pure {
		impl.Dgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if useKernel {
		if tB {
			// Bᵀ (k×n) from B (n×k).
			for j := range n {
				for l, v := range b[j*ldb : j*ldb+k] {
					scratch[l*n+j] = v
				}
			}
			b, ldb = scratch[:k*n], n
		}
		gemmKernel(tA, m, n, k, a, lda, b, ldb, beta, c, ldc)
		return
	}
	for i0 := 0; i0 < m; i0 += panelRows {
		mi := min(panelRows, m-i0)
		for j0 := 0; j0 < n; j0 += panelCols {
			nj := min(panelCols, n-j0)
			ao := i0 * lda // rows i0.. of A
			if tA {
				ao = i0 // columns i0.. of Aᵀ's storage
			}
			bo := j0 // columns j0.. of B
			if tB {
				bo = j0 * ldb
			}
			impl.Dgemm(ta, tb, mi, nj, k, 1, a[ao:], lda, b[bo:], ldb, beta, c[i0*ldc+j0:], ldc)
		}
	}
}

// gemmKernel is gemm for B not transposed through kern4x8, with the
// edges (rows beyond a multiple of 4, columns beyond a multiple of 8) in
// Go. It panics if a slice is too short (a bug in this package).
func gemmKernel(tA bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	ars, acs := lda, 1
	if tA {
		ars, acs = 1, lda
	}
	if k > 0 {
		// The kernel does no bounds checks: check the last element of each
		// operand once.
		_ = a[(m-1)*ars+(k-1)*acs]
		_ = b[(k-1)*ldb+n-1]
	}
	_ = c[(m-1)*ldc+n-1]
	if beta == 0 {
		for i := range m {
			clear(c[i*ldc : i*ldc+n])
		}
	}
	if k == 0 {
		return
	}
	m4, n8 := m&^3, n&^7
	for i := 0; i < m4; i += 4 {
		for j := 0; j < n8; j += 8 {
			kern4x8(k, &a[i*ars], ars, acs, &b[j], ldb, &c[i*ldc+j], ldc)
		}
	}
	if n8 < n {
		edgeCols(m4, n8, n, k, a, ars, acs, b, ldb, c, ldc)
	}
	if m4 < m {
		edgeRows(m4, m, n, k, a, ars, acs, b, ldb, c, ldc)
	}
}

// edgeCols adds the columns n8..n-1 of A'·B to C for the rows 0..m-1
// (the columns the 8-wide kernel leaves), looping so that A' is read
// contiguously.
func edgeCols(m, n8, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	if acs == 1 { // A' rows contiguous: all tail columns in one pass.
		nt := n - n8 // < 8
		switch nt {  // the output layers of critics and two-action policies
		case 1:
			for i := range m {
				s := 0.0
				for l, av := range a[i*ars : i*ars+k] {
					s += av * b[l*ldb+n8]
				}
				c[i*ldc+n8] += s
			}
			return
		case 2:
			for i := range m {
				s0, s1 := 0.0, 0.0
				for l, av := range a[i*ars : i*ars+k] {
					bl := b[l*ldb+n8 : l*ldb+n8+2]
					s0 += av * bl[0]
					s1 += av * bl[1]
				}
				c[i*ldc+n8] += s0
				c[i*ldc+n8+1] += s1
			}
			return
		}
		for i := range m {
			var acc [8]float64
			for l, av := range a[i*ars : i*ars+k] {
				for jj, bv := range b[l*ldb+n8 : l*ldb+n] {
					acc[jj] += av * bv
				}
			}
			crow := c[i*ldc+n8 : i*ldc+n]
			for jj := range nt {
				crow[jj] += acc[jj]
			}
		}
		return
	}
	// A' = Aᵀ: rows of A (length m) are contiguous; accumulate over l.
	for l := range k {
		arow := a[l*acs : l*acs+m]
		for j := n8; j < n; j++ {
			bv := b[l*ldb+j]
			if bv == 0 {
				continue
			}
			for i, av := range arow {
				c[i*ldc+j] += av * bv
			}
		}
	}
}

// edgeRows adds the rows m4..m-1 of A'·B to C (the rows the 4-row kernel
// leaves).
func edgeRows(m4, m, n, k int, a []float64, ars, acs int, b []float64, ldb int, c []float64, ldc int) {
	for i := m4; i < m; i++ {
		crow := c[i*ldc : i*ldc+n]
		for l := range k {
			av := a[i*ars+l*acs]
			for j, bv := range b[l*ldb : l*ldb+n] {
				crow[j] += av * bv
			}
		}
	}
}
