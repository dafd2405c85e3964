package milp

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzSimplex checks the tableau simplex on small standard-form LPs built
// from the fuzz input: a returned point must be feasible (Az = b, z ≥ 0)
// and no worse than a feasible basic solution built independently. (The
// comparison with gonum's lp.Simplex lives in the unit tests: on some
// degenerate inputs gonum's simplex does not return, which a fuzz worker
// cannot afford.)
func FuzzSimplex(f *testing.F) {
	f.Add([]byte{3, 5, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25})
	f.Add([]byte{2, 4, 9, 0, 0, 3, 7, 1, 1, 1, 2, 2, 2, 5, 200, 100, 50})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		m, n := 1+int(data[0])%4, 2+int(data[1])%5
		if m > n {
			m = n
		}
		data = data[2:]
		next := func() float64 {
			if len(data) == 0 {
				return 0
			}
			v := float64(int(data[0])%9 - 3) // small integers in [−3, 5]
			data = data[1:]
			return v
		}
		A := mat.NewDense(m, n, nil)
		b := make([]float64, m)
		c := make([]float64, n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				A.Set(i, j, next())
			}
			b[i] = math.Abs(next())
		}
		for j := range c {
			c[j] = next()
		}
		z, err := tableauSimplex(c, A, b)
		if err == nil {
			for i := 0; i < m; i++ {
				s := 0.0
				for j := 0; j < n; j++ {
					s += A.At(i, j) * z[j]
				}
				if math.Abs(s-b[i]) > 1e-6*(1+math.Abs(b[i])) {
					t.Fatalf("row %d: Az = %v, b = %v", i, s, b[i])
				}
			}
			for j, v := range z {
				if v < 0 {
					t.Fatalf("z[%d] = %v < 0", j, v)
				}
			}
		}
		// the optimum is no worse than any vertex reachable as a basic
		// solution of the first m columns (a cheap independent check)
		if err == nil {
			var B mat.Dense
			B.CloneFrom(A.Slice(0, m, 0, m))
			var zb mat.VecDense
			if zb.SolveVec(&B, mat.NewVecDense(m, b)) == nil {
				feasible, v := true, 0.0
				for j := 0; j < m; j++ {
					if zb.AtVec(j) < -1e-9 {
						feasible = false
					}
					v += c[j] * zb.AtVec(j)
				}
				if feasible && dotC(c, z) > v+1e-6*(1+math.Abs(v)) {
					t.Fatalf("tableau value %v above a feasible basic solution's %v", dotC(c, z), v)
				}
			}
		}
	})
}
