package pde

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/optlearn/optlearn/linalg"
)

// Basis holds a basis matrix B (one row per grid node, one column per basis
// function) and its derivative images B_t = D_t B, B_x = D_x B and
// B_xx = D_xx B, computed on the full grid before any partition (so that
// stencils at expert interfaces use the neighbours' values). Build it with
// [HardConstraint.Images].
type Basis struct {
	B, Bt, Bx, Bxx *mat.Dense
}

// HardConstraint is the hard-constraint layer of PI-HC (Chalapathi, Du,
// Krishnapriyan, ICLR 2024): given a basis B on the grid, it finds weights
// ω minimising ½‖r(ω)‖², where r stacks the PDE residual F at M nodes
// sampled without replacement from the region's interior nodes, the
// condition rows (all of them: global initial and boundary conditions) and
// the ridge rows Ridge·ω, and outputs u = Bω on the region. Its backward
// pass is the implicit-function-theorem vector-Jacobian product in
// Gauss–Newton form. [MoEConstraint] runs one per expert.
type HardConstraint struct {
	// Dt, Dx, Dxx are the stencils of the grid (first derivative in t and
	// x, second in x); the same stencils must be used in the loss.
	Dt, Dx, Dxx *Stencil
	// Residual is the pointwise PDE residual.
	Residual Residual
	// Conditions are the initial/boundary rows (nil for none).
	Conditions *LinearRows
	// Solver solves the least-squares problem. Nil means
	// LevenbergMarquardt{} (tolerance 1e-6, at most 50 iterations).
	Solver NLLSSolver
	// M is the number of PDE rows sampled per call. Zero or more than the
	// eligible nodes means all of them.
	M int
	// Ridge is the weight of the ridge rows Ridge·ω, which keep the normal
	// equations nonsingular when basis columns are nearly collinear. Zero
	// means 1e-4; negative means no ridge rows.
	Ridge float64
	// W0 is the starting point of the solve. Nil means all ones (the
	// spec's start for diffusion–sorption).
	W0 []float64
	// AffineExact adds the term −r aᵀ of the exact IFT for residuals that
	// are affine in u (constant partials, such as [Heat]); leave it false
	// for the Gauss–Newton form, which is what the paper uses and which is
	// exact when r = 0 at the solution.
	AffineExact bool
}

// grid returns the grid of the stencils after checking they agree.
func (h *HardConstraint) grid() (*Grid, error) {
	if h.Dt == nil || h.Dx == nil || h.Dxx == nil {
		return nil, fmt.Errorf("%w: HardConstraint needs the stencils Dt, Dx, Dxx", ErrSettings)
	}
	g := h.Dt.grid
	for _, s := range []*Stencil{h.Dx, h.Dxx} {
		if s.grid.NT != g.NT || s.grid.NX != g.NX || s.grid.DT != g.DT || s.grid.DX != g.DX {
			return nil, fmt.Errorf("%w: stencils of different grids", ErrDimension)
		}
	}
	if h.Dt.axis != AxisT || h.Dt.order != 1 || h.Dx.axis != AxisX || h.Dx.order != 1 || h.Dxx.axis != AxisX || h.Dxx.order != 2 {
		return nil, fmt.Errorf("%w: Dt, Dx, Dxx must be the first t, first x and second x derivatives", ErrSettings)
	}
	if h.Residual == nil {
		return nil, fmt.Errorf("%w: HardConstraint has no Residual", ErrSettings)
	}
	if f, ok := h.Residual.(Forced); ok && (f.F == nil || len(f.Source) != g.Size()) {
		return nil, fmt.Errorf("%w: Forced residual needs F and one source value per node (%d)", ErrDimension, g.Size())
	}
	if math.IsNaN(h.Ridge) || math.IsInf(h.Ridge, 0) || h.M < 0 {
		return nil, fmt.Errorf("%w: Ridge %g, M %d", ErrSettings, h.Ridge, h.M)
	}
	if err := h.Conditions.validate(g.Size()); err != nil {
		return nil, err
	}
	return g, nil
}

func (h *HardConstraint) ridge() float64 {
	switch {
	case h.Ridge == 0:
		return 1e-4
	case h.Ridge < 0:
		return 0
	}
	return h.Ridge
}

// Images returns the [Basis] of b: b and its derivative images. It returns
// ErrDimension if b has not one row per node of the stencils' grid (a
// grid/stencil mismatch) and ErrNotFinite for a NaN or Inf in b.
func (h *HardConstraint) Images(b *mat.Dense) (*Basis, error) {
	if _, err := h.grid(); err != nil {
		return nil, err
	}
	if b == nil {
		return nil, fmt.Errorf("%w: nil basis", ErrDimension)
	}
	if !linalg.AllFinite(b.RawMatrix().Data) {
		return nil, fmt.Errorf("%w: in the basis", ErrNotFinite)
	}
	bt, err := h.Dt.ApplyCols(nil, b)
	if err != nil {
		return nil, err
	}
	bx, _ := h.Dx.ApplyCols(nil, b)
	bxx, _ := h.Dxx.ApplyCols(nil, b)
	return &Basis{B: b, Bt: bt, Bx: bx, Bxx: bxx}, nil
}

// HCState is what [HardConstraint.Forward] keeps for the backward pass,
// with the solve's diagnostics.
type HCState struct {
	// Region lists the nodes this constraint outputs; U holds u = Bω on
	// them, in the same order.
	Region []int
	U      []float64
	// Rows lists the sampled PDE nodes.
	Rows []int
	// Omega is the solved weight vector ω*.
	Omega []float64
	// Solve reports the solver's iterations, status and residual norms.
	Solve NLLSResult
	// PDERMS0 and PDERMS are the RMS of the PDE rows at the start and at
	// ω* (claim C3 compares them).
	PDERMS0, PDERMS float64

	basis *Basis
	prob  *hcProblem
}

// Forward solves for the weights of the basis bs on region (the node
// indices this constraint owns; nil means the whole grid), with the PDE
// rows sampled from the region's interior nodes using rng. Non-convergence
// of the solver is not an error: it is reported in the state's Solve. It
// returns an error wrapping ErrSettings or ErrDimension for inconsistent
// settings, basis, region or W0, ErrSettings for a nil rng when sampling
// is needed, the solver's errors (ErrSingular when the normal equations
// fail: keep Ridge > 0) and ctx's error.
func (h *HardConstraint) Forward(ctx context.Context, bs *Basis, region []int, rng *rand.Rand) (st *HCState, err error) {
	defer recoverUser(&err)
	g, err := h.grid()
	if err != nil {
		return nil, err
	}
	n, nb, err := checkBasis(bs, g)
	if err != nil {
		return nil, err
	}
	if region == nil {
		region = make([]int, n)
		for p := range region {
			region[p] = p
		}
	}
	eligible, err := interiorOf(g, region)
	if err != nil {
		return nil, err
	}
	rows, err := sampleRows(eligible, h.M, rng)
	if err != nil {
		return nil, err
	}
	w := make([]float64, nb)
	switch {
	case h.W0 == nil:
		for i := range w {
			w[i] = 1
		}
	case len(h.W0) != nb:
		return nil, fmt.Errorf("%w: W0 has %d values, basis has %d columns", ErrDimension, len(h.W0), nb)
	default:
		copy(w, h.W0)
	}
	prob := newHCProblem(h, bs, rows)
	st = &HCState{Region: region, Rows: rows, basis: bs, prob: prob}
	st.PDERMS0 = prob.pdeRMS(w)
	solver := h.Solver
	if solver == nil {
		solver = LevenbergMarquardt{}
	}
	res, err := solver.Solve(ctx, prob, w)
	st.Solve = res
	if err != nil {
		return st, err
	}
	st.Omega = w
	st.PDERMS = prob.pdeRMS(w)
	st.U = make([]float64, len(region))
	for k, p := range region {
		st.U[k] = linalg.Dot(bs.B.RawRowView(p), w)
	}
	return st, nil
}

// recoverUser turns a panic (from a user's Residual or Solver) into an
// error wrapping ErrSettings.
func recoverUser(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: panic in the residual or solver: %v", ErrSettings, r)
	}
}

// checkBasis validates bs against g and returns the node and column
// counts.
func checkBasis(bs *Basis, g *Grid) (n, nb int, err error) {
	if bs == nil || bs.B == nil || bs.Bt == nil || bs.Bx == nil || bs.Bxx == nil {
		return 0, 0, fmt.Errorf("%w: basis without its images (use Images)", ErrSettings)
	}
	n, nb = bs.B.Dims()
	if n != g.Size() || nb < 1 {
		return 0, 0, fmt.Errorf("%w: basis has %d rows, grid %d×%d", ErrDimension, n, g.NT, g.NX)
	}
	for _, m := range []*mat.Dense{bs.Bt, bs.Bx, bs.Bxx} {
		if r, c := m.Dims(); r != n || c != nb {
			return 0, 0, fmt.Errorf("%w: derivative image is %d×%d, basis %d×%d", ErrDimension, r, c, n, nb)
		}
	}
	return n, nb, nil
}

// interiorOf returns the nodes of region with time index ≥ 1 and interior
// x, checking that the region lies in the grid.
func interiorOf(g *Grid, region []int) ([]int, error) {
	var out []int
	for _, p := range region {
		if p < 0 || p >= g.Size() {
			return nil, fmt.Errorf("%w: region node %d outside a grid of %d", ErrDimension, p, g.Size())
		}
		j, i := p/g.NX, p%g.NX
		if j >= 1 && i >= 1 && i < g.NX-1 {
			out = append(out, p)
		}
	}
	return out, nil
}

// sampleRows draws m of the eligible nodes uniformly without replacement
// (a partial Fisher–Yates shuffle on rng); m = 0 or m ≥ len means all.
func sampleRows(eligible []int, m int, rng *rand.Rand) ([]int, error) {
	if m == 0 || m >= len(eligible) {
		return append([]int(nil), eligible...), nil
	}
	if rng == nil {
		return nil, fmt.Errorf("%w: nil *rand.Rand for sampling the PDE rows", ErrSettings)
	}
	pool := append([]int(nil), eligible...)
	for i := 0; i < m; i++ {
		j := i + rng.IntN(len(pool)-i)
		pool[i], pool[j] = pool[j], pool[i]
	}
	return pool[:m], nil
}

// hcProblem is the least-squares problem of one hard constraint: PDE rows,
// condition rows (precomputed as C·B), ridge rows.
type hcProblem struct {
	h     *HardConstraint
	bs    *Basis
	rows  []int
	cb    *mat.Dense // condition rows times B
	ridge float64
	nb    int
	// gram is the constant part of JᵀJ: (CB)ᵀ(CB) + ridge²·I; jp is a
	// scratch Jacobian of the PDE rows.
	gram *mat.SymDense
	jp   *mat.Dense
}

func newHCProblem(h *HardConstraint, bs *Basis, rows []int) *hcProblem {
	_, nb := bs.B.Dims()
	p := &hcProblem{h: h, bs: bs, rows: rows, ridge: h.ridge(), nb: nb}
	p.gram = mat.NewSymDense(nb, nil)
	if nc := h.Conditions.Len(); nc > 0 {
		p.cb = mat.NewDense(nc, nb, nil)
		for k := 0; k < nc; k++ {
			dst := p.cb.RawRowView(k)
			for l, q := range h.Conditions.Idx[k] {
				linalg.Axpy(h.Conditions.W[k][l], bs.B.RawRowView(q), dst)
			}
		}
		p.gram.SymOuterK(1, p.cb.T())
	}
	for n := 0; n < nb; n++ {
		p.gram.SetSym(n, n, p.gram.At(n, n)+p.ridge*p.ridge)
	}
	return p
}

// normal sets r = r(w), JᵀJ = J_pdeᵀJ_pde + gram and g = Jᵀr without
// forming the condition and ridge rows of J (their Gram matrix is
// constant), for [LevenbergMarquardt].
func (p *hcProblem) normal(r []float64, jtj *mat.SymDense, g, w []float64) error {
	m := len(p.rows)
	if m > 0 && p.jp == nil {
		p.jp = mat.NewDense(m, p.nb, nil)
	}
	var jp *mat.Dense
	if m > 0 {
		jp = p.jp
	}
	if err := p.residual(r, jp, w); err != nil {
		return err
	}
	jtj.CopySym(p.gram)
	clear(g)
	if m > 0 {
		jtj.SymRankK(jtj, 1, jp.T())
		mat.NewVecDense(p.nb, g).MulVec(jp.T(), mat.NewVecDense(m, r[:m]))
	}
	if nc := p.h.Conditions.Len(); nc > 0 {
		gc := mat.NewVecDense(p.nb, nil)
		gc.MulVec(p.cb.T(), mat.NewVecDense(nc, r[m:m+nc]))
		linalg.Axpy(1, gc.RawVector().Data, g)
	}
	if p.ridge > 0 {
		linalg.Axpy(p.ridge*p.ridge, w, g)
	}
	return nil
}

// Dims returns the row count (PDE + conditions + ridge) and the basis size.
func (p *hcProblem) Dims() (int, int) {
	m := len(p.rows) + p.h.Conditions.Len()
	if p.ridge > 0 {
		m += p.nb
	}
	return m, p.nb
}

// fields returns u, u_t, u_x, u_xx = (B, B_t, B_x, B_xx)·w at node q.
// The four short dot products share one loop (N is small, so a call per
// product would cost more than the arithmetic).
func (p *hcProblem) fields(q int, w []float64) (u, ut, ux, uxx float64) {
	bs := p.bs
	b, bt, bx, bxx := bs.B.RawRowView(q), bs.Bt.RawRowView(q), bs.Bx.RawRowView(q), bs.Bxx.RawRowView(q)
	n := len(w)
	b, bt, bx, bxx = b[:n], bt[:n], bx[:n], bxx[:n]
	for k, wk := range w {
		u += b[k] * wk
		ut += bt[k] * wk
		ux += bx[k] * wk
		uxx += bxx[k] * wk
	}
	return u, ut, ux, uxx
}

// Residual writes r(w) and, when jac is not nil, the Jacobian.
func (p *hcProblem) Residual(r []float64, jac *mat.Dense, w []float64) error {
	if err := p.residual(r, jac, w); err != nil {
		return err
	}
	if jac == nil {
		return nil
	}
	off := len(p.rows)
	for k := 0; k < p.h.Conditions.Len(); k++ {
		copy(jac.RawRowView(off+k), p.cb.RawRowView(k))
	}
	if p.ridge > 0 {
		off += p.h.Conditions.Len()
		for n := 0; n < p.nb; n++ {
			row := jac.RawRowView(off + n)
			clear(row)
			row[n] = p.ridge
		}
	}
	return nil
}

// residual writes all of r(w) and, when jac is not nil, the Jacobian rows
// of the PDE rows only (jac may then have just those rows).
func (p *hcProblem) residual(r []float64, jac *mat.Dense, w []float64) error {
	bs := p.bs
	for k, q := range p.rows {
		u, ut, ux, uxx := p.fields(q, w)
		f, d := p.h.Residual.Eval(q, u, ut, ux, uxx)
		r[k] = f
		if jac != nil {
			row := jac.RawRowView(k)
			b, bt, bx, bxx := bs.B.RawRowView(q), bs.Bt.RawRowView(q), bs.Bx.RawRowView(q), bs.Bxx.RawRowView(q)
			for n := range row {
				row[n] = d[0]*b[n] + d[1]*bt[n] + d[2]*bx[n] + d[3]*bxx[n]
			}
		}
	}
	off := len(p.rows)
	if nc := p.h.Conditions.Len(); nc > 0 {
		rc := mat.NewVecDense(nc, r[off:off+nc])
		rc.MulVec(p.cb, mat.NewVecDense(p.nb, w))
		for k := 0; k < nc; k++ {
			r[off+k] -= p.h.Conditions.Y[k]
		}
	}
	if p.ridge > 0 {
		off += p.h.Conditions.Len()
		for n := 0; n < p.nb; n++ {
			r[off+n] = p.ridge * w[n]
		}
	}
	return nil
}

// pdeRMS returns the RMS of the PDE rows at w.
func (p *hcProblem) pdeRMS(w []float64) float64 {
	if len(p.rows) == 0 {
		return 0
	}
	var s float64
	for _, q := range p.rows {
		u, ut, ux, uxx := p.fields(q, w)
		f, _ := p.h.Residual.Eval(q, u, ut, ux, uxx)
		s += f * f
	}
	return math.Sqrt(s / float64(len(p.rows)))
}

// cotangent accumulates c += (∂r/∂u)ᵀ v on the grid for row values v (of
// length m), at weights w, marking the touched nodes.
func (p *hcProblem) cotangent(c []float64, touched *nodeSet, v, w []float64) {
	h := p.h
	for k, q := range p.rows {
		u, ut, ux, uxx := p.fields(q, w)
		_, d := h.Residual.Eval(q, u, ut, ux, uxx)
		vk := v[k]
		touched.add(c, q, d[0]*vk)
		for a, s := range []*Stencil{h.Dt, h.Dx, h.Dxx} {
			if d[a+1] == 0 {
				continue
			}
			idx, wt, _ := s.Row(q)
			for l, qq := range idx {
				touched.add(c, qq, wt[l]*d[a+1]*vk)
			}
		}
	}
	off := len(p.rows)
	for k := 0; k < h.Conditions.Len(); k++ {
		for l, q := range h.Conditions.Idx[k] {
			touched.add(c, q, h.Conditions.W[k][l]*v[off+k])
		}
	}
}

// nodeSet records which grid nodes a cotangent touches.
type nodeSet struct {
	seen  []bool
	nodes []int
}

func (s *nodeSet) add(c []float64, q int, v float64) {
	if !s.seen[q] {
		s.seen[q] = true
		s.nodes = append(s.nodes, q)
	}
	c[q] += v
}

// hcGrad is the sparse part of one constraint's backward pass: the
// cotangents c (and, for AffineExact, c2 with its vector a) on the touched
// nodes.
type hcGrad struct {
	c, c2   []float64
	a       []float64
	touched nodeSet
}

// backward computes the direct term of st into gB (on the region only) and
// returns the sparse IFT term, to be applied with apply. gu has one value
// per grid node; only the region's entries are read.
func (h *HardConstraint) backward(st *HCState, gu []float64, gB *mat.Dense) (*hcGrad, error) {
	bs, w := st.basis, st.Omega
	n, nb := bs.B.Dims()
	if len(gu) != n {
		return nil, fmt.Errorf("%w: upstream gradient has %d values, grid %d", ErrDimension, len(gu), n)
	}
	if !linalg.AllFinite(gu) {
		return nil, fmt.Errorf("%w: in the upstream gradient", ErrNotFinite)
	}
	// Direct term and g_ω = B_Ωᵀ g_u.
	gw := make([]float64, nb)
	for _, p := range st.Region {
		if gu[p] == 0 {
			continue
		}
		linalg.Axpy(gu[p], w, gB.RawRowView(p))
		linalg.Axpy(gu[p], bs.B.RawRowView(p), gw)
	}
	// a = (JᵀJ + εI)⁻¹ g_ω, ε = 1e-12·tr/N.
	m, _ := st.prob.Dims()
	r := make([]float64, m)
	jac := mat.NewDense(m, nb, nil)
	if err := st.prob.Residual(r, jac, w); err != nil {
		return nil, err
	}
	jtj := mat.NewSymDense(nb, nil)
	jtj.SymOuterK(1, jac.T())
	var tr float64
	for i := 0; i < nb; i++ {
		tr += jtj.At(i, i)
	}
	// ε = 1e-12·tr/N, raised tenfold (at most six times) if the
	// factorisation fails in rounding.
	eps := 1e-12 * tr / float64(nb)
	var chol mat.Cholesky
	damped := mat.NewSymDense(nb, nil)
	for try := 0; ; try++ {
		damped.CopySym(jtj)
		for i := 0; i < nb; i++ {
			damped.SetSym(i, i, damped.At(i, i)+eps)
		}
		if chol.Factorize(damped) {
			break
		}
		if try == 6 || !(eps > 0) {
			return nil, fmt.Errorf("%w: JᵀJ + εI in the backward pass, ε = %g (keep the ridge rows)", ErrSingular, eps)
		}
		eps *= 10
	}
	a := mat.NewVecDense(nb, nil)
	if err := chol.SolveVecTo(a, mat.NewVecDense(nb, gw)); err != nil && !isCondition(err) {
		return nil, fmt.Errorf("%w: %v", ErrSingular, err)
	}
	v := make([]float64, m)
	mat.NewVecDense(m, v).MulVec(jac, a)
	hg := &hcGrad{c: make([]float64, n), a: a.RawVector().Data, touched: nodeSet{seen: make([]bool, n)}}
	st.prob.cotangent(hg.c, &hg.touched, v, w)
	if h.AffineExact {
		hg.c2 = make([]float64, n)
		st.prob.cotangent(hg.c2, &hg.touched, r, w)
	}
	return hg, nil
}

// apply subtracts the IFT term c·ωᵀ (and c2·aᵀ) from gB on the touched nodes.
func (hg *hcGrad) apply(gB *mat.Dense, w []float64) {
	for _, q := range hg.touched.nodes {
		row := gB.RawRowView(q)
		if c := hg.c[q]; c != 0 {
			linalg.Axpy(-c, w, row)
		}
		if hg.c2 != nil && hg.c2[q] != 0 {
			linalg.Axpy(-hg.c2[q], hg.a, row)
		}
	}
}

// Backward adds to gB (one row per grid node, one column per basis
// function; nil allocates) the gradient with respect to B of a loss whose
// gradient with respect to u on st's region is gu (one value per grid
// node; entries outside the region are ignored), and returns gB: the
// direct term g_u ωᵀ on the region minus the IFT term c ωᵀ, with
// a = (JᵀJ + εI)⁻¹ Bᵀ g_u, ε = 1e-12·tr(JᵀJ)/N, v = J a and
// c = (∂r/∂u)ᵀ v (which reaches outside the region through the stencils
// and the condition rows); if JᵀJ + εI cannot be factorised in rounding, ε
// is raised tenfold, at most six times. It returns ErrDimension for mismatched sizes,
// ErrNotFinite for a non-finite gu and ErrSingular if JᵀJ + εI cannot be
// factorised.
func (h *HardConstraint) Backward(st *HCState, gu []float64, gB *mat.Dense) (_ *mat.Dense, err error) {
	defer recoverUser(&err)
	if st == nil || st.Omega == nil || st.prob == nil {
		return nil, fmt.Errorf("%w: Backward needs the state of a successful Forward", ErrSettings)
	}
	n, nb := st.basis.B.Dims()
	if gB == nil {
		gB = mat.NewDense(n, nb, nil)
	} else if r, c := gB.Dims(); r != n || c != nb {
		return nil, fmt.Errorf("%w: gB is %d×%d, basis %d×%d", ErrDimension, r, c, n, nb)
	}
	hg, err := h.backward(st, gu, gB)
	if err != nil {
		return nil, err
	}
	hg.apply(gB, st.Omega)
	return gB, nil
}
