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
		gemm(false, false, rows, nout, nin, ws.a[l], nin, m.W[l], nout, 1, z, nout)
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
		for j, v := range z {
			out[j] = math.Tanh(v)
		}
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
			gemm(true, false, nin, nout, rows, ws.a[l], nin, dz, nout, 1, grads[2*l], nout)
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
		gemm(false, true, rows, nin, nout, dz, nout, m.W[l], nout, 0, da, nin)
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
		for i, v := range a {
			d[i] *= 1 - v*v
		}
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

// gemm computes C = A'·B' + beta·C with A' = op(A) (m×k) and B' = op(B)
// (k×n), all row-major, through blas64: one Dgemm call when a native BLAS
// is installed with blas64.Use, and gonum's serial kernel on panels of C
// otherwise (deterministic, no goroutines, no allocation).
func gemm(tA, tB bool, m, n, k int, a []float64, lda int, b []float64, ldb int, beta float64, c []float64, ldc int) {
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
