package ef21_test

import (
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/ef21"
	"github.com/optlearn/optlearn/ef21/problems"
	"github.com/optlearn/optlearn/run"
)

// r1 returns problem R1 of the spec at the given spread (seed 1).
func r1(t testing.TB, spread float64) *problems.LeastSquares {
	t.Helper()
	p, err := problems.NewR1(spread, rand.New(rand.NewPCG(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func localL(p ef21.Smooth, n int) []float64 {
	li := make([]float64, n)
	for i := range li {
		li[i] = p.LocalSmoothness(i)
	}
	return li
}

// trace is a Recorder keeping a copy of every iterate.
type trace struct{ x [][]float64 }

func (r *trace) Record(it *ef21.Iter) error {
	if it.Event != run.End {
		r.x = append(r.x, append([]float64(nil), it.X...))
	}
	return nil
}

// multi fans out to several recorders.
type multi []ef21.Recorder

func (m multi) Record(it *ef21.Iter) error {
	for _, r := range m {
		if err := r.Record(it); err != nil {
			return err
		}
	}
	return nil
}

// gradNormSq reads ‖∇f‖² for History.Series.
func gradNormSq(it *ef21.Iter) float64 { return it.GradNormSq }

// plain hides every optional interface of an Oracle.
type plain struct{ ef21.Oracle }
