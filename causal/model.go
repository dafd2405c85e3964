package causal

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Model is the fitted pipeline shared by every candidate subset: the graph,
// its [Components], the pooled training data and the structural equations
// of the nodes regenerated under do(W) (DeW) and under interventions on the
// mutable variables (DeM).
type Model struct {
	Graph *Graph
	C     Components
	Vars  []string
	SEM   *SEM

	col  []int       // node id -> data column (-1 for E)
	cols [][]float64 // pooled training columns by node id
	n    int
}

// NewModel validates the data against the augmented graph g (outcome y,
// environment e, by name), computes the components and fits the structural
// equations of DeW ∪ DeM with s.Equation (nil: [RFFRidge] with raw inputs
// as linear features, [NewRFFLearner](0, 0, 0, true)) and s.Rand (nil: the
// fixed seed PCG(1, 0)); the other fields of s are not used. Errors wrap
// [ErrUnknownNode], [ErrGraph], [ErrData], [ErrDimension] or
// [ErrNotFinite]; on cancellation ctx.Err().
func NewModel(ctx context.Context, g *Graph, y, e string, d Data, s *Settings) (*Model, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil graph", ErrGraph)
	}
	var set Settings
	if s != nil {
		set = *s
	}
	rng := orDefault(set.Rand)
	equation := set.Equation
	yid, err := g.ID(y)
	if err != nil {
		return nil, fmt.Errorf("outcome: %w", err)
	}
	eid, err := g.ID(e)
	if err != nil {
		return nil, fmt.Errorf("environment: %w", err)
	}
	c, err := Parse(g, yid, eid)
	if err != nil {
		return nil, err
	}
	if err := d.Validate(g, eid); err != nil {
		return nil, err
	}
	col, _ := d.columnsOf(g, eid)
	m := &Model{Graph: g, C: c, Vars: slices.Clone(d.Vars), col: col, cols: d.pooled(col)}
	m.n = len(m.cols[yid])
	if equation == nil {
		equation = defaultLearner()
	}
	parents := map[int64][]int64{}
	var nodes []int64
	for _, v := range c.DeW {
		parents[v] = c.PaDeW[v]
		nodes = append(nodes, v)
	}
	// A node may be in both DeW and DeM with different parent sets (edges
	// into W versus into XM removed); DeM equations use the full parents in
	// G_do(XM), DeW ones those in G_do(W). Fit them separately.
	semW, err := FitSEM(ctx, m.cols, nodes, parents, equation, rng)
	if err != nil {
		return nil, err
	}
	m.SEM = semW
	for _, v := range c.DeM {
		if p, ok := semW.Parents[v]; ok && slices.Equal(p, c.PaDeM[v]) {
			continue
		}
		one, err := FitSEM(ctx, m.cols, []int64{v}, map[int64][]int64{v: c.PaDeM[v]}, equation, rng)
		if err != nil {
			return nil, err
		}
		m.SEM.Eq[-1-v] = one.Eq[v] // DeM-specific equation stored under -1-id
		m.SEM.Parents[-1-v] = one.Parents[v]
		m.SEM.Resid[-1-v] = one.Resid[v]
	}
	return m, nil
}

// eqM returns the DeM equation key of v.
func (m *Model) eqM(v int64) int64 {
	if _, ok := m.SEM.Eq[-1-v]; ok {
		return -1 - v
	}
	return v
}

// SetEquation replaces the equation of node v (used under both do(W) and
// interventions on XM) with r on the given parents, for example to plug in
// a known true mechanism; resid (may be nil) are its noise draws. It
// returns an error wrapping [ErrUnknownNode] if v or a parent is not a
// data column of the model, [ErrSettings] for a nil r and [ErrNotFinite]
// for a non-finite residual.
func (m *Model) SetEquation(v int64, r Regressor, parents []int64, resid []float64) error {
	if r == nil {
		return fmt.Errorf("%w: nil equation", ErrSettings)
	}
	for _, u := range append([]int64{v}, parents...) {
		if m.Column(u) == nil {
			return fmt.Errorf("%w: node %d is not a data column", ErrUnknownNode, u)
		}
	}
	for i, e := range resid {
		if math.IsNaN(e) || math.IsInf(e, 0) {
			return fmt.Errorf("%w: residual %d is %v", ErrNotFinite, i, e)
		}
	}
	delete(m.SEM.Eq, -1-v)
	m.SEM.Eq[v] = r
	m.SEM.Parents[v] = slices.Clone(parents)
	m.SEM.Resid[v] = resid
	return nil
}

// Column returns the pooled training column of node v (a view: do not
// modify it), or nil if v is not a data column.
func (m *Model) Column(v int64) []float64 {
	if v < 0 || int(v) >= len(m.cols) {
		return nil
	}
	return m.cols[v]
}

// Rows returns the number of pooled training rows.
func (m *Model) Rows() int { return m.n }

// Predictor is a stable predictor f_{S'}(X_{S'}, X_M) for a subset S'.
type Predictor struct {
	Subset []int64   // S', sorted ids
	Inputs []int64   // S' then X_M (the order of F's inputs)
	F      Regressor // the fitted model
	col    []int     // data column per input
	ycol   int
	x      []float64
}

// DoSample returns n rows (columns by node id) of the do(W) sample: the
// pooled training rows with all W columns permuted by ONE shared random
// permutation (repeated with fresh permutations when n exceeds the pooled
// size), then every DeW node recomputed in topological order from its
// fitted mean equation. With noise false (the official code) regeneration
// is the mean only; with noise true a training residual of the node, drawn
// uniformly, is added. rng nil means the fixed seed PCG(1, 0). It returns
// an error wrapping [ErrSettings] for n <= 0 or n beyond [MaxRows].
func (m *Model) DoSample(n int, noise bool, rng *rand.Rand) ([][]float64, error) {
	if n <= 0 || n > MaxRows {
		return nil, fmt.Errorf("%w: do(W) sample of %d rows (want 1..%d)", ErrSettings, n, MaxRows)
	}
	rng = orDefault(rng)
	out := make([][]float64, len(m.cols))
	for id, c := range m.cols {
		if c != nil {
			out[id] = make([]float64, n)
		}
	}
	var perm []int
	for i := 0; i < n; i++ {
		r := i % m.n
		if r == 0 {
			perm = rng.Perm(m.n)
		}
		for id, c := range m.cols {
			if c != nil {
				out[id][i] = c[r]
			}
		}
		for _, w := range m.C.W {
			out[w][i] = m.cols[w][perm[r]]
		}
	}
	x := make([]float64, 0, 8)
	for _, v := range m.C.Order {
		if !slices.Contains(m.C.DeW, v) {
			continue
		}
		eq, pa, res := m.SEM.Eq[v], m.SEM.Parents[v], m.SEM.Resid[v]
		for i := 0; i < n; i++ {
			x = x[:0]
			for _, p := range pa {
				x = append(x, out[p][i])
			}
			out[v][i] = eq.Predict(x)
			if noise && len(res) > 0 {
				out[v][i] += res[rng.IntN(len(res))]
			}
		}
	}
	return out, nil
}

// MaxRows caps the row counts a caller may ask for (do(W) sample size), so
// that a mistyped setting is an error rather than an allocation of
// gigabytes.
const MaxRows = 1_000_000

// PredictorSettings configures [Model.FitPredictor]. The zero value works.
type PredictorSettings struct {
	// Learner fits f. Nil means [RFFRidge] with raw inputs as linear
	// features, [NewRFFLearner](0, 0, 0, true).
	Learner Learner
	// DoRows is the size of the do(W) sample. Zero means the pooled
	// training size.
	DoRows int
	// DoNoise adds resampled training residuals to the regenerated DeW
	// nodes (see [Model.DoSample]). False reproduces the official code.
	DoNoise bool
	// Rand draws the do(W) sample and seeds the learner. Nil means the
	// fixed seed PCG(1, 0).
	Rand *rand.Rand
}

// FitPredictor fits f_{S'} : (X_{S'}, X_M) -> Y on a do(W) sample
// ([Model.DoSample]). It returns an error wrapping [ErrUnknownNode] if
// subset contains a node outside X_S and [ErrSettings] for DoRows < 0 or
// a DoRows too large to allocate; ctx interrupts learners that implement
// [ContextFitter].
func (m *Model) FitPredictor(ctx context.Context, subset []int64, s *PredictorSettings) (*Predictor, error) {
	p, err := m.newPredictor(subset)
	if err != nil {
		return nil, err
	}
	var set PredictorSettings
	if s != nil {
		set = *s
	}
	learn, doRows, rng := set.Learner, set.DoRows, orDefault(set.Rand)
	if learn == nil {
		learn = defaultLearner()
	}
	doRows = cmp.Or(doRows, m.n)
	cols, err := m.DoSample(doRows, set.DoNoise, rng)
	if err != nil {
		return nil, err
	}
	X := mat.NewDense(doRows, len(p.Inputs), nil)
	for i := 0; i < doRows; i++ {
		for j, v := range p.Inputs {
			X.Set(i, j, cols[v][i])
		}
	}
	f := learn(rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64())))
	if err := fitContext(ctx, f, X, cols[m.C.Y]); err != nil {
		return nil, fmt.Errorf("causal: fitting stable predictor: %w", err)
	}
	p.F = f
	return p, nil
}

// WrapPredictor returns a [Predictor] for subset that uses the already
// fitted f (inputs S' then X_M, sorted ids). Errors as for
// [Model.FitPredictor], and [ErrSettings] for a nil f.
func (m *Model) WrapPredictor(subset []int64, f Regressor) (*Predictor, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil predictor model", ErrSettings)
	}
	p, err := m.newPredictor(subset)
	if err != nil {
		return nil, err
	}
	p.F = f
	return p, nil
}

func (m *Model) newPredictor(subset []int64) (*Predictor, error) {
	s := sortedIDs(subset)
	for _, v := range s {
		if !slices.Contains(m.C.XS, v) {
			return nil, fmt.Errorf("%w: subset member %q is not a stable covariate", ErrUnknownNode, m.Graph.Name(v))
		}
	}
	s = slices.Compact(s)
	if s == nil {
		s = []int64{}
	}
	p := &Predictor{Subset: s, Inputs: append(slices.Clone(s), m.C.XM...), ycol: m.col[m.C.Y]}
	for _, v := range p.Inputs {
		p.col = append(p.col, m.col[v])
	}
	p.x = make([]float64, len(p.Inputs))
	return p, nil
}

// PredictRow evaluates the predictor on one data row (columns in the
// model's Vars order). It returns an error wrapping [ErrDimension] for a
// row too short for the predictor's inputs.
func (p *Predictor) PredictRow(row []float64) (float64, error) {
	for j, c := range p.col {
		if c >= len(row) {
			return math.NaN(), fmt.Errorf("%w: row of length %d, predictor reads column %d", ErrDimension, len(row), c)
		}
		p.x[j] = row[c]
	}
	return p.F.Predict(p.x), nil
}

// MSE returns the mean squared error of the predictor on env (columns in
// the model's Vars order; the outcome column is the target). It returns an
// error wrapping [ErrData] for an empty or mis-shaped matrix and
// [ErrNotFinite] for a non-finite prediction.
func (p *Predictor) MSE(env *mat.Dense) (float64, error) {
	if env == nil || env.IsEmpty() {
		return 0, fmt.Errorf("%w: nil or empty environment", ErrData)
	}
	r, c := env.Dims()
	if c <= p.ycol || slices.Max(p.col) >= c {
		return 0, fmt.Errorf("%w: environment is %d×%d", ErrData, r, c)
	}
	row := make([]float64, c)
	s := 0.0
	for i := 0; i < r; i++ {
		mat.Row(row, i, env)
		f, _ := p.PredictRow(row) // the width was checked above
		d := row[p.ycol] - f
		s += d * d
	}
	s /= float64(r)
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return s, fmt.Errorf("%w: MSE is %v", ErrNotFinite, s)
	}
	return s, nil
}
