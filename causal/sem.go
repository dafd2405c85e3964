package causal

import (
	"context"
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// SEM holds fitted structural equations node = Eq[node](parents) for the
// nodes that get regenerated, with the training residuals of each.
type SEM struct {
	// Eq maps a node id to its fitted mean equation.
	Eq map[int64]Regressor
	// Parents maps a node id to the ids (in order) fed to Eq.
	Parents map[int64][]int64
	// Resid maps a node id to its training residuals (used only when noise
	// is resampled).
	Resid map[int64][]float64
}

// constant is the equation of a node without parents: its mean.
type constant struct{ v float64 }

func (c *constant) Fit(_ *mat.Dense, y []float64) error {
	s := 0.0
	for _, v := range y {
		s += v
	}
	c.v = s / float64(len(y))
	return nil
}
func (c *constant) Predict([]float64) float64 { return c.v }
func (c *constant) PredictGrad(g, _ []float64) float64 {
	clear(g)
	return c.v
}

// FitSEM fits E[node | parents[node]] for every node of nodes on the pooled
// columns cols (indexed by node id), each with a fresh model from learn
// seeded from rng (nil: the fixed seed PCG(1, 0)). It returns the first
// fitting error, an error wrapping [ErrData] for a node or parent without
// a column (or columns of different lengths) and [ErrSettings] for a nil
// learn; ctx interrupts learners that implement [ContextFitter].
func FitSEM(ctx context.Context, cols [][]float64, nodes []int64, parents map[int64][]int64, learn Learner, rng *rand.Rand) (*SEM, error) {
	if learn == nil {
		return nil, fmt.Errorf("%w: nil learner", ErrSettings)
	}
	rng = orDefault(rng)
	col := func(v int64) []float64 {
		if v < 0 || int(v) >= len(cols) {
			return nil
		}
		return cols[v]
	}
	for _, v := range nodes {
		if len(col(v)) == 0 {
			return nil, fmt.Errorf("%w: no column for node %d", ErrData, v)
		}
		for _, p := range parents[v] {
			if len(col(p)) != len(col(v)) {
				return nil, fmt.Errorf("%w: parent %d of node %d has %d rows, want %d", ErrData, p, v, len(col(p)), len(col(v)))
			}
		}
	}
	s := &SEM{Eq: map[int64]Regressor{}, Parents: map[int64][]int64{}, Resid: map[int64][]float64{}}
	for _, v := range nodes {
		if _, done := s.Eq[v]; done {
			continue
		}
		pa := parents[v]
		y := cols[v]
		n := len(y)
		X := mat.NewDense(n, max(1, len(pa)), nil)
		var r Regressor
		if len(pa) == 0 {
			r = &constant{}
		} else {
			for i := 0; i < n; i++ {
				for j, p := range pa {
					X.Set(i, j, cols[p][i])
				}
			}
			r = learn(rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
		}
		if err := fitContext(ctx, r, X, y); err != nil {
			return nil, fmt.Errorf("causal: fitting equation of node %d: %w", v, err)
		}
		res := make([]float64, n)
		x := make([]float64, len(pa))
		for i := 0; i < n; i++ {
			for j, p := range pa {
				x[j] = cols[p][i]
			}
			res[i] = y[i] - r.Predict(x)
		}
		s.Eq[v], s.Parents[v], s.Resid[v] = r, append([]int64(nil), pa...), res
	}
	return s, nil
}
