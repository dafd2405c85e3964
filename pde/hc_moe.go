package pde

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Router splits a [Grid] into uniform, non-overlapping boxes, one per
// expert: Splits[0] boxes along t and Splits[1] along x (zero means 1).
// Along an axis of n nodes split into s boxes, the first n mod s boxes get
// one node more (65 x-nodes into 4: 17, 16, 16, 16). Experts are numbered
// time-major: expert k = a·Splits[1] + b for time box a and space box b.
type Router struct {
	Splits [2]int
}

// Experts returns the number of boxes.
func (r Router) Experts() int { return max(r.Splits[0], 1) * max(r.Splits[1], 1) }

// Partition returns the node indices of every box, each in the grid's
// time-major order. It returns ErrSettings for negative splits or more
// boxes than nodes along an axis.
func (r Router) Partition(g *Grid) ([][]int, error) {
	if g == nil {
		return nil, fmt.Errorf("%w: nil grid", ErrSettings)
	}
	st, sx := max(r.Splits[0], 1), max(r.Splits[1], 1)
	if r.Splits[0] < 0 || r.Splits[1] < 0 || st > g.NT || sx > g.NX {
		return nil, fmt.Errorf("%w: splits %v on a %d×%d grid", ErrSettings, r.Splits, g.NT, g.NX)
	}
	bt, bx := bounds(g.NT, st), bounds(g.NX, sx)
	out := make([][]int, 0, st*sx)
	for a := 0; a < st; a++ {
		for b := 0; b < sx; b++ {
			box := make([]int, 0, (bt[a+1]-bt[a])*(bx[b+1]-bx[b]))
			for j := bt[a]; j < bt[a+1]; j++ {
				for i := bx[b]; i < bx[b+1]; i++ {
					box = append(box, g.Index(j, i))
				}
			}
			out = append(out, box)
		}
	}
	return out, nil
}

// bounds returns the s+1 box boundaries of n nodes.
func bounds(n, s int) []int {
	out := make([]int, s+1)
	q, rem := n/s, n%s
	for k := 0; k < s; k++ {
		size := q
		if k < rem {
			size++
		}
		out[k+1] = out[k] + size
	}
	return out
}

// Unpartition assembles per-box values into one grid vector (nil dst
// allocates n values): dst[regions[k][l]] = parts[k][l]. It returns
// ErrDimension for ragged inputs or nodes outside dst.
func (r Router) Unpartition(dst []float64, n int, regions [][]int, parts [][]float64) ([]float64, error) {
	if len(regions) != len(parts) {
		return nil, fmt.Errorf("%w: %d regions, %d parts", ErrDimension, len(regions), len(parts))
	}
	dst, err := dstOf(dst, n, "dst")
	if err != nil {
		return nil, err
	}
	for k, reg := range regions {
		if len(parts[k]) != len(reg) {
			return nil, fmt.Errorf("%w: region %d has %d nodes and %d values", ErrDimension, k, len(reg), len(parts[k]))
		}
		for l, p := range reg {
			if p < 0 || p >= n {
				return nil, fmt.Errorf("%w: node %d outside %d", ErrDimension, p, n)
			}
			dst[p] = parts[k][l]
		}
	}
	return dst, nil
}

// MoEConstraint is PI-HC-MoE: the grid is split by Router, and every expert
// is a copy of Expert that samples its PDE rows in its own box (M rows per
// expert), sees all condition rows, solves for its own weights over the
// shared basis, and outputs u on its box; the backward passes are
// independent and summed (paper Eq. 3). Experts run in parallel
// goroutines. With one box it is exactly [HardConstraint].
type MoEConstraint struct {
	Router Router
	Expert HardConstraint
	// Workers is the number of goroutines. Zero means GOMAXPROCS;
	// negative is an error.
	Workers int
}

// MoEState is what [MoEConstraint.Forward] keeps for the backward pass.
type MoEState struct {
	// Experts holds every expert's state (Region, Rows, Omega, Solve).
	Experts []*HCState
	// U is the assembled output on the whole grid.
	U []float64
}

// Forward draws one uint64 per expert from rng (in expert order) and seeds
// expert k's sampling stream with rand.NewPCG(seed_k, k), so the result
// does not depend on Workers or GOMAXPROCS; then solves the experts in
// parallel. It returns the errors of [HardConstraint.Forward] (the first in
// expert order), ctx's error on cancellation, and an error wrapping
// ErrSettings if an expert panics (the panic is recovered).
func (c *MoEConstraint) Forward(ctx context.Context, bs *Basis, rng *rand.Rand) (*MoEState, error) {
	g, err := c.Expert.grid()
	if err != nil {
		return nil, err
	}
	if _, _, err := checkBasis(bs, g); err != nil {
		return nil, err
	}
	if rng == nil {
		return nil, fmt.Errorf("%w: nil *rand.Rand", ErrSettings)
	}
	regions, err := c.Router.Partition(g)
	if err != nil {
		return nil, err
	}
	seeds := make([]uint64, len(regions))
	for k := range seeds {
		seeds[k] = rng.Uint64()
	}
	st := &MoEState{Experts: make([]*HCState, len(regions))}
	err = c.parallel(ctx, len(regions), func(ctx context.Context, k int) error {
		e := c.Expert
		s, err := e.Forward(ctx, bs, regions[k], rand.New(rand.NewPCG(seeds[k], uint64(k))))
		st.Experts[k] = s
		return err
	})
	if err != nil {
		return st, err
	}
	parts := make([][]float64, len(regions))
	for k, s := range st.Experts {
		parts[k] = s.U
	}
	st.U, err = c.Router.Unpartition(nil, g.Size(), regions, parts)
	return st, err
}

// Backward returns the gradient with respect to B of a loss with gradient
// gu (one value per grid node) with respect to the assembled u: the sum
// over experts of [HardConstraint.Backward] on their boxes. The experts'
// solves run in parallel; their IFT terms are added in expert order, so
// the result is deterministic. Errors are those of HardConstraint.Backward.
func (c *MoEConstraint) Backward(ctx context.Context, st *MoEState, gu []float64) (*mat.Dense, error) {
	if st == nil || len(st.Experts) == 0 {
		return nil, fmt.Errorf("%w: Backward needs the state of a successful Forward", ErrSettings)
	}
	for _, s := range st.Experts {
		if s == nil || s.Omega == nil || s.prob == nil {
			return nil, fmt.Errorf("%w: Backward needs the state of a successful Forward", ErrSettings)
		}
	}
	n, nb := st.Experts[0].basis.B.Dims()
	gB := mat.NewDense(n, nb, nil)
	grads := make([]*hcGrad, len(st.Experts))
	// The direct terms write disjoint rows (the regions do not overlap).
	err := c.parallel(ctx, len(st.Experts), func(_ context.Context, k int) error {
		hg, err := c.Expert.backward(st.Experts[k], gu, gB)
		grads[k] = hg
		return err
	})
	if err != nil {
		return nil, err
	}
	for k, hg := range grads {
		hg.apply(gB, st.Experts[k].Omega)
	}
	return gB, nil
}

// parallel runs f(ctx, k) for k < n on Workers goroutines, recovering
// panics, and returns the first error in index order (ctx's error first if
// it ended).
func (c *MoEConstraint) parallel(ctx context.Context, n int, f func(context.Context, int) error) error {
	if c.Workers < 0 {
		return fmt.Errorf("%w: Workers = %d", ErrSettings, c.Workers)
	}
	workers := c.Workers
	workers = cmp.Or(workers, runtime.GOMAXPROCS(0))
	workers = min(workers, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				errs[k] = protect(ctx, k, f)
			}
		}()
	}
	for k := 0; k < n; k++ {
		next <- k
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return firstErr(errs)
}

// protect runs f and turns a panic into an error.
func protect(ctx context.Context, k int, f func(context.Context, int) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: expert %d panicked: %v", ErrSettings, k, r)
		}
	}()
	return f(ctx, k)
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
