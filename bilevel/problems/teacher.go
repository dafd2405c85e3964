package problems

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/bilevel"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// NewTeacher draws the teacher classification task of the equilibrium
// propagation specification (Laborieux & Zenke, arXiv 2309.02214,
// reproduction setup): inputs x ~ N(0, I_in) and labels
// argmax C·tanh(Ax), with A (hidden × in) of N(0, 1/in) entries and C
// (classes × hidden) of N(0, 1/hidden) entries. The spec uses in = 16,
// hidden = 32, classes = 4, 2000 training and 1000 test samples (chance
// accuracy 0.25). All draws come from rng in the order A, C, training
// inputs, test inputs. It returns an error wrapping [bilevel.ErrSettings]
// for a nil rng or sizes outside [1, MaxDim] (classes ≥ 2).
func NewTeacher(rng *rand.Rand, in, hidden, classes, nTrain, nTest int) (train, test *bilevel.EPData, err error) {
	switch {
	case rng == nil:
		return nil, nil, fmt.Errorf("problems: NewTeacher needs a non-nil rng: %w", bilevel.ErrSettings)
	case in < 1 || hidden < 1 || classes < 2 || nTrain < 1 || nTest < 0 ||
		in > MaxDim || hidden > MaxDim || classes > MaxDim || nTrain > MaxDim || nTest > MaxDim || (nTrain+nTest) > 16*MaxDim/in:
		return nil, nil, fmt.Errorf("problems: NewTeacher sizes in=%d hidden=%d classes=%d nTrain=%d nTest=%d out of range: %w",
			in, hidden, classes, nTrain, nTest, bilevel.ErrSettings)
	}
	gauss := func(r, c int) blas64.General {
		g := blas64.General{Rows: r, Cols: c, Stride: c, Data: make([]float64, r*c)}
		sd := 1 / math.Sqrt(float64(c))
		for i := range g.Data {
			g.Data[i] = sd * rng.NormFloat64()
		}
		return g
	}
	a, c := gauss(hidden, in), gauss(classes, hidden)
	h, o := make([]float64, hidden), make([]float64, classes)
	draw := func(n int) *bilevel.EPData {
		d := &bilevel.EPData{In: in, X: make([]float64, n*in), Y: make([]int, n)}
		for i := range n {
			x := d.X[i*in : (i+1)*in]
			for j := range x {
				x[j] = rng.NormFloat64()
			}
			blas64.Gemv(blas.NoTrans, 1, a, blas64.Vector{N: in, Inc: 1, Data: x}, 0, blas64.Vector{N: hidden, Inc: 1, Data: h})
			for j := range h {
				h[j] = math.Tanh(h[j])
			}
			blas64.Gemv(blas.NoTrans, 1, c, blas64.Vector{N: hidden, Inc: 1, Data: h}, 0, blas64.Vector{N: classes, Inc: 1, Data: o})
			best := 0
			for k := range o {
				if o[k] > o[best] {
					best = k
				}
			}
			d.Y[i] = best
		}
		return d
	}
	return draw(nTrain), draw(nTest), nil
}
