package learned

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// Settings configure [Train]. Zero fields take the defaults given; the
// spec's defaults are kept where the scale allows (see the package doc for
// the scaled-down training run that made the shipped weights).
type Settings struct {
	// Updates is the number of updates u = 1..Updates. Zero means 100.
	Updates int
	// Episodes is the number of episodes played per update. Zero means 8.
	Episodes int
	// PerInstance is the number of episodes that share one instance in an
	// update (the advantages are normalised per instance over the batch).
	// Zero means 4; Episodes must be a multiple of it.
	PerInstance int
	// Instances is the training pool: update u plays instance
	// (u·G + g) mod len(Instances) for its G = Episodes/PerInstance groups.
	// Nil means [TrainingInstances](Rand, 16): fresh generator instances
	// alternating 10×10 and 15×15.
	Instances []*sched.Instance
	// Epochs and Minibatches shape the optimisation of each loss: Epochs
	// passes over the samples, each split into Minibatches Adam steps.
	// Zero means 20 and 20.
	Epochs, Minibatches int
	// LR is Adam's initial step size, decayed linearly to 0 over the
	// updates. Zero means 2e-4.
	LR float64
	// AdamEps is Adam's ε. Zero means 1e-5.
	AdamEps float64
	// Clip is the ratio clip ε. Zero means 0.3.
	Clip float64
	// TargetKL stops a loss's epochs early when a minibatch's mean approx-KL
	// ((ρ−1) − log ρ) exceeds it (that minibatch's step is not taken). Zero
	// means 0.01; negative turns the test off.
	TargetKL float64
	// SolverIter is the tabu search's move budget for completing a prefix
	// (it stands in for the CP solver's time limit; moves, not time, keep
	// the run deterministic). Zero means 2000.
	SolverIter int
	// Workers is the number of goroutines for episodes, completions and
	// gradients. Zero means GOMAXPROCS. The result does not depend on it.
	Workers int
	// TimeLimit bounds the wall time (checked between minibatches). Zero
	// means none; negative is an error.
	TimeLimit time.Duration
	// Rand is the source of randomness; every episode draws its own stream
	// from it in index order. Nil means rand.New(rand.NewPCG(0, 0)).
	Rand *rand.Rand
	// Recorder, if not nil, sees an [Iter] at the start, after every update
	// and at the end.
	Recorder Recorder
}

// Iter is the training state after an update, for a [Recorder].
type Iter struct {
	run.Progress
	// Net is the network being trained (read it, do not write it; save a
	// checkpoint with [Net.Save]).
	Net *Net
	// Prefix is the shared prefix length k of the update.
	Prefix int
	// Agent and Solver are the mean makespans of the agent's episodes and
	// of the solver's completions; Improved is the fraction of episodes the
	// solver improved; Dropped counts episodes without a usable completion.
	Agent, Solver, Improved float64
	Dropped                 int
	// Samples1 and Samples2 are the sample counts of the two losses; Loss1,
	// Loss2, KL1, KL2 their last minibatch's loss and approx-KL; Steps1 and
	// Steps2 the Adam steps taken.
	Samples1, Samples2 int
	Loss1, Loss2       float64
	KL1, KL2           float64
	Steps1, Steps2     int
	// LR is the step size of the update.
	LR float64
}

// Summary returns a progress line.
func (it *Iter) Summary() string {
	return fmt.Sprintf("k %d agent %.1f solver %.1f improved %.2f drop %d | loss1 %.4f kl %.4f steps %d | loss2 %.4f kl %.4f steps %d",
		it.Prefix, it.Agent, it.Solver, it.Improved, it.Dropped, it.Loss1, it.KL1, it.Steps1, it.Loss2, it.KL2, it.Steps2)
}

// Recorder receives training states; a non-nil error stops the run with
// Status RecorderStopped.
type Recorder = run.Recorder[*Iter]

// Printer writes a progress line at most every 2 s.
type Printer = run.Printer[*Iter]

// History keeps every training state, for plots (Iter.Net of every entry
// is the same, final network).
type History = run.History[Iter, *Iter]

// Result is the outcome of [Train].
type Result struct {
	// Net is the trained network (the one passed to Train, updated in place).
	Net *Net
	// Iterations is the number of updates done.
	Iterations int
	// Status is IterationLimit after all updates, or TimeLimit, Canceled,
	// RecorderStopped.
	Status run.Status
	// Elapsed is the wall time.
	Elapsed time.Duration
}

// TrainingInstances returns count fresh Taillard-generator instances,
// alternating 10×10 and 15×15, whose time and machine seeds are drawn from
// rng (the chance that one equals one of Taillard's 160 seeds is below
// 1e-7).
func TrainingInstances(rng *rand.Rand, count int) ([]*sched.Instance, error) {
	if rng == nil || count <= 0 {
		return nil, fmt.Errorf("%w: TrainingInstances needs a rng and count > 0 (got %d)", ErrSettings, count)
	}
	out := make([]*sched.Instance, count)
	for i := range out {
		n := 10
		if i%2 == 1 {
			n = 15
		}
		ts, ms := 1+rng.Int64N(2147483646), 1+rng.Int64N(2147483646)
		inst, err := sched.GenerateTaillard(n, n, ts, ms)
		if err != nil {
			return nil, err
		}
		inst.Name = fmt.Sprintf("gen%dx%d-%d-%d", n, n, ts, ms)
		out[i] = inst
	}
	return out, nil
}

// withDefaults validates s and fills the defaults.
func (s *Settings) withDefaults() (Settings, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	if err := run.CheckTimeLimit(c.TimeLimit); err != nil {
		return c, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"LR", c.LR}, {"AdamEps", c.AdamEps}, {"Clip", c.Clip}, {"TargetKL", c.TargetKL}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return c, fmt.Errorf("%w: %s = %v is not finite", ErrSettings, f.name, f.v)
		}
	}
	def := func(p *int, v int, name string) error {
		if *p < 0 {
			return fmt.Errorf("%w: %s = %d is negative", ErrSettings, name, *p)
		}
		if *p == 0 {
			*p = v
		}
		return nil
	}
	for _, f := range []struct {
		p    *int
		v    int
		name string
	}{{&c.Updates, 100, "Updates"}, {&c.Episodes, 8, "Episodes"}, {&c.PerInstance, 4, "PerInstance"},
		{&c.Epochs, 20, "Epochs"}, {&c.Minibatches, 20, "Minibatches"}, {&c.SolverIter, 2000, "SolverIter"},
		{&c.Workers, runtime.GOMAXPROCS(0), "Workers"}} {
		if err := def(f.p, f.v, f.name); err != nil {
			return c, err
		}
	}
	if c.Episodes%c.PerInstance != 0 {
		return c, fmt.Errorf("%w: Episodes %d is not a multiple of PerInstance %d", ErrSettings, c.Episodes, c.PerInstance)
	}
	if c.LR < 0 || c.AdamEps < 0 || c.Clip < 0 {
		return c, fmt.Errorf("%w: LR %v, AdamEps %v and Clip %v must not be negative", ErrSettings, c.LR, c.AdamEps, c.Clip)
	}
	c.LR = cmp.Or(c.LR, 2e-4)
	c.AdamEps = cmp.Or(c.AdamEps, 1e-5)
	c.Clip = cmp.Or(c.Clip, 0.3)
	c.TargetKL = cmp.Or(c.TargetKL, 0.01)
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(0, 0))
	}
	if c.Instances == nil {
		var err error
		if c.Instances, err = TrainingInstances(c.Rand, 16); err != nil {
			return c, err
		}
	}
	for i, in := range c.Instances {
		if in == nil {
			return c, fmt.Errorf("%w: Instances[%d] is nil", ErrSettings, i)
		}
		if err := in.Validate(); err != nil {
			return c, fmt.Errorf("%w: Instances[%d]: %w", ErrSettings, i, err)
		}
		if in.M > MaxPos {
			return c, fmt.Errorf("%w: Instances[%d] has %d operations per job; the positional encoding supports %d", ErrDimension, i, in.M, MaxPos)
		}
	}
	if len(c.Instances) == 0 {
		return c, fmt.Errorf("%w: empty Instances", ErrSettings)
	}
	return c, nil
}

// sample is one (observation, action) pair of a path.
type sample struct {
	in  *Input
	a   int
	old float64 // log π_old(a | in)
	w   float64 // loss weight
}

// episode is one rollout and its completion.
type episode struct {
	inst  *sched.Instance
	group int
	rng   *rand.Rand
	steps [][]sample // the agent's applied actions, per env step
	agent sched.Schedule
	cA    int
	// completion
	ok     bool
	cCP    int
	imp    float64
	expert []sample
}

// parallel runs f(i, w) for i in [0, n) on up to workers goroutines (w is
// the goroutine index). It returns the error of the lowest failing i and
// turns a panic into an error.
func parallel(n, workers int, f func(i, w int) error) error {
	if workers > n {
		workers = n
	}
	errs := make([]error, n)
	var next atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || failed.Load() {
					return
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							errs[i] = fmt.Errorf("learned: internal error in worker: %v", r)
						}
					}()
					errs[i] = f(i, w)
				}()
				if errs[i] != nil {
					failed.Store(true)
				}
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// maxSteps guards the env loops against a path that makes no progress.
func maxSteps(inst *sched.Instance) int { return 2*inst.N*inst.M + 2 }

// rollout plays one episode: at every step a full ordering of the legal
// actions sampled by Gumbel-top-k (T = 1), applied as one multi-action
// step; each applied action is recorded with the observation it was
// applied in and its log-probability there.
func rollout(ctx context.Context, net *Net, ep *episode) error {
	env, err := sched.NewEnv(ep.inst, nil)
	if err != nil {
		return err
	}
	N := ep.inst.N
	var (
		o     sched.Obs
		in    Input
		c     cache
		keys  = make([]float64, N+1)
		order []int
	)
	for s := 0; !env.Done(); s++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		if s > maxSteps(ep.inst) {
			return fmt.Errorf("%w: rollout makes no progress", ErrSettings)
		}
		env.Observe(&o)
		if err := Encode(&o, &in); err != nil {
			return err
		}
		c.forward(net.W, &in)
		order = order[:0]
		for a := 0; a <= N; a++ {
			if in.Legal[a] && !math.IsInf(c.logits[a], -1) {
				keys[a] = c.logits[a] - math.Log(-math.Log(1-ep.rng.Float64()))
				order = append(order, a)
			}
		}
		if len(order) == 0 {
			return sched.ErrNoAction
		}
		slices.SortStableFunc(order, func(a, b int) int { return -cmpFloat(keys[a], keys[b]) })
		t0 := env.Time()
		var step []sample
		for i, a := range order {
			if env.Done() || env.Time() != t0 {
				break
			}
			if !env.Legal()[a] {
				continue
			}
			if i > 0 {
				env.Observe(&o)
				if err := Encode(&o, &in); err != nil {
					return err
				}
				c.forward(net.W, &in)
			}
			step = append(step, sample{in: in.Clone(), a: a, old: c.logp[a]})
			env.Step([]int{a})
			if a == N {
				break
			}
		}
		ep.steps = append(ep.steps, step)
	}
	ep.agent = env.Schedule()
	ep.cA, err = ep.agent.Makespan(ep.inst)
	return err
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// complete replays the first k steps, completes the prefix with the tabu
// search (warm start: the agent's schedule; pinned prefix and release
// dates: the environment's state), compresses the result and plays the
// expert path from the prefix, recording its samples. A completion that
// cannot be replayed leaves ep.ok false.
func complete(ctx context.Context, net *Net, ep *episode, k, iters int) error {
	env, err := sched.NewEnv(ep.inst, nil)
	if err != nil {
		return err
	}
	for _, st := range ep.steps[:k] {
		for _, s := range st {
			env.Step([]int{s.a})
		}
	}
	fixed, release := env.Prefix()
	ts := &sched.Tabu{}
	res, err := ts.Solve(ctx, ep.inst, &sched.Settings{Warm: &ep.agent, Fixed: fixed, Release: release, MaxIter: iters, Rand: ep.rng})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return nil // no solution: drop the episode
	}
	comp, err := sched.Compress(ep.inst, res.Schedule, release)
	if err != nil {
		return nil
	}
	N := ep.inst.N
	var (
		o    sched.Obs
		in   Input
		c    cache
		acts []int
	)
	for s := 0; !env.Done(); s++ {
		if s > maxSteps(ep.inst) {
			return nil
		}
		env.Observe(&o)
		if acts, err = sched.ExpertActions(&o, comp, acts); err != nil {
			return nil
		}
		if acts[0] == N && !o.Legal[N] {
			return nil
		}
		t0 := env.Time()
		for _, a := range acts {
			if env.Done() || env.Time() != t0 {
				break
			}
			if !env.Legal()[a] {
				continue
			}
			env.Observe(&o)
			if err := Encode(&o, &in); err != nil {
				return err
			}
			c.forward(net.W, &in)
			ep.expert = append(ep.expert, sample{in: in.Clone(), a: a, old: c.logp[a]})
			env.Step([]int{a})
			if a == N {
				break
			}
		}
	}
	got := env.Schedule()
	for j := range got.Start {
		if !slices.Equal(got.Start[j], comp.Start[j]) {
			ep.expert = nil
			return nil
		}
	}
	if ep.cCP, err = comp.Makespan(ep.inst); err != nil {
		return nil
	}
	ep.ok = true
	if ep.cCP < ep.cA {
		ep.imp = float64(ep.cA-ep.cCP) / float64(ep.cA)
	}
	return nil
}

// Train trains net (nil: a new network from [NewNet] with set.Rand) with
// the spec's CP-guided clipped updates, the tabu search standing in for the
// CP solver. Each update: every episode is played by the current network
// (in parallel); a prefix length k ~ U{1..L_min−1} is drawn for the batch;
// each prefix is completed by the solver warm-started from the agent's
// schedule, compressed to a semi-active schedule, and its expert path
// replayed; imp = (C_agent − C_cp)/C_agent if better, else 0; per instance
// A = (imp − min)/(max − min + 1e-8) and z = (C_cp − mean)/(std + 1e-8).
// Loss 1 (expert samples weight +A, the agent's own samples after the
// prefix weight −A) and loss 2 (prefix samples weight z) are each minimised
// for Epochs × Minibatches Adam steps of the clipped objectives, stopping
// when a minibatch's approx-KL exceeds TargetKL. The run is deterministic
// for a given seed and settings, whatever Workers and GOMAXPROCS.
func Train(ctx context.Context, net *Net, set *Settings) (Result, error) {
	s, err := set.withDefaults()
	if err != nil {
		return Result{}, err
	}
	if net == nil {
		if net, err = NewNet(s.Rand); err != nil {
			return Result{}, err
		}
	}
	if len(net.W) != NumParams {
		return Result{}, fmt.Errorf("%w: network has %d weights, want %d", ErrWeights, len(net.W), NumParams)
	}
	loop := run.Loop[*Iter]{Recorder: s.Recorder, MaxIter: s.Updates, TimeLimit: s.TimeLimit}
	it := &Iter{Net: net}
	res := Result{Net: net}
	if err := loop.Start(it); err != nil {
		return res, loop.End(it, run.RecorderStopped, err)
	}
	opt := &nn.Adam{Eps: s.AdamEps}
	G := s.Episodes / s.PerInstance
	tr := &trainer{s: &s, net: net, opt: opt, loop: &loop}
	for u := 0; ; u++ {
		opt.LR = s.LR * (1 - float64(u)/float64(s.Updates))
		*it = Iter{Net: net, LR: opt.LR}
		eps := make([]*episode, s.Episodes)
		for e := range eps {
			g := e / s.PerInstance
			eps[e] = &episode{inst: s.Instances[(u*G+g)%len(s.Instances)], group: g,
				rng: rand.New(rand.NewPCG(s.Rand.Uint64(), s.Rand.Uint64()))}
		}
		if err := parallel(len(eps), s.Workers, func(i, _ int) error { return rollout(ctx, net, eps[i]) }); err != nil {
			st, cerr := loop.Check(ctx)
			if st == run.NotTerminated {
				st, cerr = run.Failure, err
			}
			res.Iterations, res.Status, res.Elapsed = u, st, loop.Elapsed()
			return res, loop.End(it, st, cerr)
		}
		lmin := math.MaxInt
		for _, ep := range eps {
			lmin = min(lmin, len(ep.steps))
		}
		k := 1
		if lmin > 2 {
			k = 1 + s.Rand.IntN(lmin-1)
		}
		it.Prefix = k
		if err := parallel(len(eps), s.Workers, func(i, _ int) error { return complete(ctx, net, eps[i], k, s.SolverIter) }); err != nil {
			st, cerr := loop.Check(ctx)
			if st == run.NotTerminated {
				st, cerr = run.Failure, err
			}
			res.Iterations, res.Status, res.Elapsed = u, st, loop.Elapsed()
			return res, loop.End(it, st, cerr)
		}
		s1, s2 := weigh(eps, G, k, it)
		st, err := tr.optimise(ctx, s1, &it.Loss1, &it.KL1, &it.Steps1)
		if st == run.NotTerminated {
			st, err = tr.optimise(ctx, s2, &it.Loss2, &it.KL2, &it.Steps2)
		}
		if st != run.NotTerminated {
			res.Iterations, res.Status, res.Elapsed = u, st, loop.Elapsed()
			return res, loop.End(it, st, err)
		}
		it.Samples1, it.Samples2 = len(s1), len(s2)
		if st, err := loop.Next(ctx, it, false); st != run.NotTerminated {
			res.Iterations, res.Status, res.Elapsed = u+1, st, loop.Elapsed()
			return res, loop.End(it, st, err)
		}
	}
}

// weigh computes A and z per instance group and returns the samples of the
// two losses.
func weigh(eps []*episode, G, k int, it *Iter) (s1, s2 []sample) {
	var nOK int
	for g := 0; g < G; g++ {
		lo, hi := math.Inf(1), math.Inf(-1)
		var sum, sum2, cnt float64
		for _, ep := range eps {
			if ep.group != g || !ep.ok {
				continue
			}
			lo, hi = min(lo, ep.imp), max(hi, ep.imp)
			c := float64(ep.cCP)
			sum += c
			sum2 += c * c
			cnt++
		}
		if cnt == 0 {
			continue
		}
		mean := sum / cnt
		std := math.Sqrt(max(0, sum2/cnt-mean*mean))
		for _, ep := range eps {
			if ep.group != g || !ep.ok {
				continue
			}
			A := (ep.imp - lo) / (hi - lo + 1e-8)
			z := (float64(ep.cCP) - mean) / (std + 1e-8)
			for _, x := range ep.expert {
				x.w = A
				s1 = append(s1, x)
			}
			for _, st := range ep.steps[k:] {
				for _, x := range st {
					x.w = -A
					s1 = append(s1, x)
				}
			}
			for _, st := range ep.steps[:k] {
				for _, x := range st {
					x.w = z
					s2 = append(s2, x)
				}
			}
		}
	}
	for _, ep := range eps {
		it.Agent += float64(ep.cA) / float64(len(eps))
		if !ep.ok {
			it.Dropped++
			continue
		}
		nOK++
		it.Solver += float64(ep.cCP)
		if ep.imp > 0 {
			it.Improved++
		}
	}
	if nOK > 0 {
		it.Solver /= float64(nOK)
		it.Improved /= float64(nOK)
	}
	return s1, s2
}

// chunk is the number of samples whose gradient one goroutine sums; chunk
// sums are added in chunk order, so results do not depend on scheduling.
const chunk = 16

// trainer holds the optimisation state of a run.
type trainer struct {
	s      *Settings
	net    *Net
	opt    *nn.Adam
	loop   *run.Loop[*Iter]
	caches []cache
	grads  [][]float64
	stats  [][2]float64
	sum    []float64
}

// optimise minimises the clipped loss mean_i max(−w_i ρ_i, −w_i clip(ρ_i))
// over the samples for Epochs × Minibatches steps with the KL early stop.
func (t *trainer) optimise(ctx context.Context, ss []sample, loss, kl *float64, steps *int) (run.Status, error) {
	if len(ss) == 0 {
		return run.NotTerminated, nil
	}
	s := t.s
	nb := min(s.Minibatches, len(ss))
	idx := make([]int, len(ss))
	for i := range idx {
		idx[i] = i
	}
	for ep := 0; ep < s.Epochs; ep++ {
		s.Rand.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		for b := 0; b < nb; b++ {
			if st, err := t.loop.Check(ctx); st != run.NotTerminated {
				return st, err
			}
			mb := idx[b*len(idx)/nb : (b+1)*len(idx)/nb]
			l, k, err := t.grad(ss, mb)
			if err != nil {
				return run.Failure, err
			}
			*loss, *kl = l, k
			if s.TargetKL > 0 && k > s.TargetKL {
				return run.NotTerminated, nil
			}
			if err := t.opt.Step([][]float64{t.net.W}, [][]float64{t.sum}); err != nil {
				return run.Failure, fmt.Errorf("%w: %w", ErrNotFinite, err)
			}
			*steps++
		}
	}
	return run.NotTerminated, nil
}

// grad writes into t.sum the gradient of the minibatch's mean clipped loss
// and returns the loss and the mean approx-KL.
func (t *trainer) grad(ss []sample, mb []int) (loss, kl float64, err error) {
	nc := (len(mb) + chunk - 1) / chunk
	for len(t.grads) < nc {
		t.grads = append(t.grads, make([]float64, NumParams))
		t.stats = append(t.stats, [2]float64{})
	}
	if len(t.caches) < t.s.Workers {
		t.caches = make([]cache, t.s.Workers)
	}
	eps := t.s.Clip
	inv := 1 / float64(len(mb))
	err = parallel(nc, t.s.Workers, func(ci, w int) error {
		g := t.grads[ci]
		clear(g)
		c := &t.caches[w]
		var l, k float64
		var dl []float64
		for _, i := range mb[ci*chunk : min(len(mb), (ci+1)*chunk)] {
			x := &ss[i]
			c.forward(t.net.W, x.in)
			lp := c.logp[x.a]
			rho := math.Exp(lp - x.old)
			cl := min(max(rho, 1-eps), 1+eps)
			u, v := -x.w*rho, -x.w*cl
			l += max(u, v)
			k += (rho - 1) - (lp - x.old)
			if u < v || x.w == 0 {
				continue
			}
			d := -x.w * rho * inv // d loss / d logp(a)
			dl = resize(dl, x.in.J+1)
			for b := range dl {
				dl[b] = 0
				if x.in.Legal[b] {
					dl[b] = -d * math.Exp(c.logp[b])
				}
			}
			dl[x.a] += d
			c.backward(t.net.W, g, dl)
		}
		t.stats[ci] = [2]float64{l, k}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	t.sum = resize(t.sum, NumParams)
	clear(t.sum)
	for ci := 0; ci < nc; ci++ {
		for i, v := range t.grads[ci] {
			t.sum[i] += v
		}
		loss += t.stats[ci][0]
		kl += t.stats[ci][1]
	}
	return loss * inv, kl * inv, nil
}
