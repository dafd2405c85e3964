package causal

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Data holds samples from several training environments. Every matrix in
// Envs has one column per name in Vars (graph node names; every node of the
// graph except the environment node E must appear exactly once) and one row
// per sample.
type Data struct {
	Vars []string
	Envs []*mat.Dense
}

// Validate checks d against g (with environment node e): at least two
// environments, no empty environment, matching column counts, known and
// complete variable names, finite values. Errors wrap [ErrData],
// [ErrUnknownNode] or [ErrNotFinite].
func (d Data) Validate(g *Graph, e int64) error {
	if g == nil {
		return fmt.Errorf("%w: nil graph", ErrGraph)
	}
	_, err := d.columnsOf(g, e)
	if err != nil {
		return err
	}
	if len(d.Envs) < 2 {
		return fmt.Errorf("%w: need at least two environments, got %d", ErrData, len(d.Envs))
	}
	for k, X := range d.Envs {
		if X == nil {
			return fmt.Errorf("%w: environment %d is nil", ErrData, k)
		}
		r, c := X.Dims()
		if r == 0 {
			return fmt.Errorf("%w: environment %d is empty", ErrData, k)
		}
		if c != len(d.Vars) {
			return fmt.Errorf("%w: environment %d has %d columns, want %d (Vars)", ErrData, k, c, len(d.Vars))
		}
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				if v := X.At(i, j); math.IsNaN(v) || math.IsInf(v, 0) {
					return fmt.Errorf("%w: environment %d row %d column %q is %v", ErrNotFinite, k, i, d.Vars[j], v)
				}
			}
		}
	}
	return nil
}

// columnsOf maps node id -> column index (-1 for E and absent nodes).
func (d Data) columnsOf(g *Graph, e int64) ([]int, error) {
	col := make([]int, g.Len())
	for i := range col {
		col[i] = -1
	}
	for j, name := range d.Vars {
		id, err := g.ID(name)
		if err != nil {
			return nil, fmt.Errorf("data column %d: %w", j, err)
		}
		if id == e {
			return nil, fmt.Errorf("%w: column %q is the environment node", ErrData, name)
		}
		if col[id] >= 0 {
			return nil, fmt.Errorf("%w: duplicate column %q", ErrData, name)
		}
		col[id] = j
	}
	for _, v := range g.Nodes() {
		if v != e && col[v] < 0 {
			return nil, fmt.Errorf("%w: no column for node %q", ErrData, g.Name(v))
		}
	}
	return col, nil
}

// pooled returns the pooled columns indexed by node id (nil for E).
func (d Data) pooled(col []int) [][]float64 {
	n := 0
	for _, X := range d.Envs {
		r, _ := X.Dims()
		n += r
	}
	out := make([][]float64, len(col))
	for id, j := range col {
		if j < 0 {
			continue
		}
		v := make([]float64, 0, n)
		for _, X := range d.Envs {
			r, _ := X.Dims()
			for i := 0; i < r; i++ {
				v = append(v, X.At(i, j))
			}
		}
		out[id] = v
	}
	return out
}

// Moments returns the pooled column means and standard deviations of the
// environments (population std; a zero std is reported as 1 so that
// standardising is always defined). It returns an error wrapping [ErrData]
// for no data or a nil or empty environment, [ErrDimension] for
// environments with different column counts and [ErrNotFinite] for NaN or
// Inf values.
func Moments(envs []*mat.Dense) (mean, std []float64, err error) {
	if len(envs) == 0 {
		return nil, nil, fmt.Errorf("%w: no environments", ErrData)
	}
	c := -1
	n := 0.0
	for k, X := range envs {
		if X == nil || X.IsEmpty() {
			return nil, nil, fmt.Errorf("%w: environment %d is nil or empty", ErrData, k)
		}
		r, ck := X.Dims()
		if c >= 0 && ck != c {
			return nil, nil, fmt.Errorf("%w: environment %d has %d columns, environment 0 has %d", ErrDimension, k, ck, c)
		}
		c = ck
		n += float64(r)
	}
	mean = make([]float64, c)
	std = make([]float64, c)
	for k, X := range envs {
		r, _ := X.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				v := X.At(i, j)
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return nil, nil, fmt.Errorf("%w: environment %d row %d column %d is %v", ErrNotFinite, k, i, j, v)
				}
				mean[j] += v
			}
		}
	}
	for j := range mean {
		mean[j] /= n
	}
	for _, X := range envs {
		r, _ := X.Dims()
		for i := 0; i < r; i++ {
			for j := 0; j < c; j++ {
				t := X.At(i, j) - mean[j]
				std[j] += t * t
			}
		}
	}
	for j := range std {
		std[j] = math.Sqrt(std[j] / n)
		if std[j] == 0 {
			std[j] = 1
		}
	}
	return mean, std, nil
}

// Standardize returns a copy of X with column j mapped to
// (x - mean[j]) / std[j]. It returns an error wrapping [ErrDimension] if
// the lengths do not match the columns, [ErrData] for a nil or empty X or a
// std that is zero or negative, and [ErrNotFinite] for a non-finite mean,
// std or value of X.
func Standardize(X *mat.Dense, mean, std []float64) (*mat.Dense, error) {
	if X == nil || X.IsEmpty() {
		return nil, fmt.Errorf("%w: nil or empty matrix", ErrData)
	}
	r, c := X.Dims()
	if len(mean) != c || len(std) != c {
		return nil, fmt.Errorf("%w: %d columns, %d means, %d stds", ErrDimension, c, len(mean), len(std))
	}
	for j := range c {
		if math.IsNaN(mean[j]) || math.IsInf(mean[j], 0) || math.IsNaN(std[j]) || math.IsInf(std[j], 0) {
			return nil, fmt.Errorf("%w: column %d has mean %v, std %v", ErrNotFinite, j, mean[j], std[j])
		}
		if std[j] <= 0 {
			return nil, fmt.Errorf("%w: column %d has std %v (want > 0; Moments reports a constant column's std as 1)", ErrData, j, std[j])
		}
	}
	out := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			v := X.At(i, j)
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: row %d column %d is %v", ErrNotFinite, i, j, v)
			}
			out.Set(i, j, (v-mean[j])/std[j])
		}
	}
	return out, nil
}

func sortedIDs(a []int64) []int64 {
	b := slices.Clone(a)
	slices.Sort(b)
	return b
}
