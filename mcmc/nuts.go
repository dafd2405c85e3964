package mcmc

import (
	"context"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
)

// metric is an inverse mass matrix M⁻¹: it draws momenta from N(0, M),
// and gives the kinetic energy ½pᵀM⁻¹p and the velocity M⁻¹p.
type metric interface {
	momentum(p []float64, rng *rand.Rand)
	kinetic(p []float64) float64
	velocity(v, p []float64)
	// drift moves x by eps·M⁻¹p (v is scratch of x's length).
	drift(x, v, p []float64, eps float64)
	estimate(win [][]float64)
}

// diagMetric is a diagonal M⁻¹ (variances).
type diagMetric struct{ minv []float64 }

func (m *diagMetric) momentum(p []float64, rng *rand.Rand) {
	for i := range p {
		p[i] = rng.NormFloat64() / math.Sqrt(m.minv[i])
	}
}

func (m *diagMetric) kinetic(p []float64) float64 { return kinetic(p, m.minv) }

func (m *diagMetric) velocity(v, p []float64) {
	for i := range v {
		v[i] = m.minv[i] * p[i]
	}
}

func (m *diagMetric) drift(x, _, p []float64, eps float64) {
	for i := range x {
		x[i] += eps * m.minv[i] * p[i]
	}
}

func (m *diagMetric) estimate(win [][]float64) { setVariances(m.minv, win) }

func newMetric(set Settings, d int) metric {
	scale := make([]float64, d)
	for i := range scale {
		scale[i] = 1
		if set.Scale != nil {
			scale[i] = set.Scale[i]
		}
	}
	if set.DenseMass {
		return newDenseMetric(scale)
	}
	minv := make([]float64, d)
	for i, s := range scale {
		minv[i] = s * s
	}
	return &diagMetric{minv}
}

// NUTS samples p by the No-U-Turn Sampler (Hoffman and Gelman, 2014) in
// the multinomial form Stan uses (Betancourt, 2017): each draw doubles a
// leapfrog trajectory forwards or backwards in time until the generalised
// no-U-turn criterion holds between its ends (checked on every subtree
// and across merged subtrees), the energy error exceeds 1000 (a
// divergence), or 2^MaxDepth − 1 steps; the draw is taken from the
// trajectory with probability proportional to exp(−H), by biased
// progressive sampling across subtrees. The path length thus adapts to
// the posterior's local scale, where [HMC] uses a fixed random one. Step
// size and mass matrix are adapted in warm-up as in [HMC] (dual averaging
// of the mean acceptance statistic to TargetAccept; diagonal or, with
// DenseMass, dense metric from two windows). Settings.MaxSteps is ignored.
// Result.Divergences counts divergent kept draws: where there are some,
// the step size is too large for part of the posterior and its draws are
// biased there; raise TargetAccept (Stan's adapt_delta) toward 0.95–0.99.
// Errors are those of [HMC].
func NUTS(ctx context.Context, p LogDensity, starts [][]float64, s *Settings) (Result, error) {
	return run(ctx, p, starts, s, true, nutsChain)
}

// point is a phase-space state with its gradient and log-density.
type point struct {
	x, p, g []float64
	lp      float64
}

func newPoint(d int) point {
	return point{x: make([]float64, d), p: make([]float64, d), g: make([]float64, d)}
}

func (a *point) set(b *point) {
	copy(a.x, b.x)
	copy(a.p, b.p)
	copy(a.g, b.g)
	a.lp = b.lp
}

// nuts holds one chain's buffers. Subtrees of depth k use level k's
// buffers, so a draw allocates nothing.
type nuts struct {
	p     LogDensity
	met   metric
	rng   *rand.Rand
	eps   float64
	h0    float64
	vel   []float64
	grads int64
	// per-level scratch: the proposal of the subtree and the momentum sums
	// and end momenta of its left and right halves
	prop               []point
	rhoL, rhoR         [][]float64
	pEndL, pBegR       [][]float64
	sumAcc             float64
	nLeap              int
	divergent          bool
	maxDepth           int
	tmpA, tmpB, tmpC   []float64
	left, right        point
	rho, rhoSub        []float64
	pL, pR, pBeg, pEnd []float64
}

func newNUTS(p LogDensity, met metric, rng *rand.Rand, maxDepth int) *nuts {
	d := p.Dim()
	vec := func() []float64 { return make([]float64, d) }
	vecs := func() [][]float64 {
		v := make([][]float64, maxDepth+1)
		for i := range v {
			v[i] = vec()
		}
		return v
	}
	n := &nuts{p: p, met: met, rng: rng, maxDepth: maxDepth, vel: vec(),
		rhoL: vecs(), rhoR: vecs(), pEndL: vecs(), pBegR: vecs(),
		tmpA: vec(), tmpB: vec(), tmpC: vec(), left: newPoint(d), right: newPoint(d),
		rho: vec(), rhoSub: vec(), pL: vec(), pR: vec(), pBeg: vec(), pEnd: vec()}
	n.prop = make([]point, maxDepth+1)
	for i := range n.prop {
		n.prop[i] = newPoint(d)
	}
	return n
}

func (n *nuts) leapfrog(z *point, dir float64) {
	e := dir * n.eps
	for i := range z.p {
		z.p[i] += 0.5 * e * z.g[i]
	}
	n.met.drift(z.x, n.vel, z.p, e)
	z.lp = n.p.LogProb(z.g, z.x)
	n.grads++
	for i := range z.p {
		z.p[i] += 0.5 * e * z.g[i]
	}
}

// uturn reports whether the trajectory with momentum sum rho and end
// momenta pm (backward end) and pp (forward end) has turned back.
func (n *nuts) uturn(rho, pm, pp []float64) bool {
	n.met.velocity(n.tmpA, pm)
	n.met.velocity(n.tmpB, pp)
	return linalg.Dot(n.tmpA, rho) <= 0 || linalg.Dot(n.tmpB, rho) <= 0
}

func logAddExp(a, b float64) float64 {
	if math.IsInf(a, -1) {
		return b
	}
	if a < b {
		a, b = b, a
	}
	return a + math.Log1p(math.Exp(b-a))
}

// build extends the trajectory end z by a subtree of 2^depth leapfrog
// steps in direction dir. z is advanced to the subtree's far end; the
// subtree's proposal is left in n.prop[depth], its momentum sum in rho,
// and its first and last momenta in pBeg and pEnd (in the order of
// integration). It returns the subtree's log total weight and whether it
// is valid (no divergence, no U-turn inside).
func (n *nuts) build(z *point, depth int, dir float64, rho, pBeg, pEnd []float64) (float64, bool) {
	if depth == 0 {
		n.leapfrog(z, dir)
		h := -z.lp + n.met.kinetic(z.p)
		if math.IsNaN(h) {
			h = math.Inf(1)
		}
		n.sumAcc += math.Min(1, math.Exp(n.h0-h))
		n.nLeap++
		if h-n.h0 > 1000 {
			n.divergent = true
			return math.Inf(-1), false
		}
		n.prop[0].set(z)
		copy(rho, z.p)
		copy(pBeg, z.p)
		copy(pEnd, z.p)
		return n.h0 - h, true
	}
	// first half
	rhoL, rhoR := n.rhoL[depth], n.rhoR[depth]
	pEndL, pBegR := n.pEndL[depth], n.pBegR[depth]
	wL, ok := n.build(z, depth-1, dir, rhoL, pBeg, pEndL)
	if !ok {
		return 0, false
	}
	n.prop[depth].set(&n.prop[depth-1])
	// second half
	wR, ok := n.build(z, depth-1, dir, rhoR, pBegR, pEnd)
	if !ok {
		return 0, false
	}
	w := logAddExp(wL, wR)
	if math.Log(n.rng.Float64()) < wR-w { // uniform progressive sampling
		n.prop[depth].set(&n.prop[depth-1])
	}
	for i := range rho {
		rho[i] = rhoL[i] + rhoR[i]
	}
	// the whole subtree, then across the halves (Stan's extra checks)
	if n.uturn(rho, pBeg, pEnd) {
		return 0, false
	}
	for i := range rho {
		n.tmpC[i] = rhoL[i] + pBegR[i]
	}
	if n.uturn(n.tmpC, pBeg, pBegR) {
		return 0, false
	}
	for i := range rho {
		n.tmpC[i] = rhoR[i] + pEndL[i]
	}
	if n.uturn(n.tmpC, pEndL, pEnd) {
		return 0, false
	}
	return w, true
}

// draw makes one NUTS transition from cur (updated in place) and returns
// its mean acceptance statistic.
func (n *nuts) draw(cur *point) float64 {
	n.met.momentum(cur.p, n.rng)
	n.h0 = -cur.lp + n.met.kinetic(cur.p)
	n.left.set(cur)
	n.right.set(cur)
	copy(n.rho, cur.p)
	copy(n.pL, cur.p) // momenta at the backward and forward ends
	copy(n.pR, cur.p)
	logW := 0.0
	n.sumAcc, n.nLeap, n.divergent = 0, 0, false
	sample := &n.prop[n.maxDepth]
	sample.set(cur)
	for depth := 0; depth < n.maxDepth; depth++ {
		fwd := n.rng.Float64() < 0.5
		var wSub float64
		var ok bool
		if fwd {
			wSub, ok = n.build(&n.right, depth, 1, n.rhoSub, n.pBeg, n.pEnd)
		} else {
			wSub, ok = n.build(&n.left, depth, -1, n.rhoSub, n.pBeg, n.pEnd)
		}
		if !ok {
			break
		}
		if wSub > logW || math.Log(n.rng.Float64()) < wSub-logW { // biased progressive sampling
			sample.set(&n.prop[depth])
		}
		logW = logAddExp(logW, wSub)
		// The old tree and the new subtree, in time order: back = (rho of
		// the back part, its ends), front likewise. pBeg is the subtree's
		// end next to the old tree.
		for i := range n.tmpC {
			n.tmpC[i] = n.rho[i] + n.pBeg[i] // old tree + the subtree's near end
		}
		var stop bool
		if fwd {
			// back = old tree [pL … pR], front = subtree [pBeg … pEnd]
			stop = n.uturn(n.tmpC, n.pL, n.pBeg)
			for i := range n.tmpC {
				n.tmpC[i] = n.rhoSub[i] + n.pR[i]
			}
			stop = stop || n.uturn(n.tmpC, n.pR, n.pEnd)
			copy(n.pR, n.pEnd)
		} else {
			// back = subtree [pEnd … pBeg], front = old tree [pL … pR]
			stop = n.uturn(n.tmpC, n.pBeg, n.pR)
			for i := range n.tmpC {
				n.tmpC[i] = n.rhoSub[i] + n.pL[i]
			}
			stop = stop || n.uturn(n.tmpC, n.pEnd, n.pL)
			copy(n.pL, n.pEnd)
		}
		for i := range n.rho {
			n.rho[i] += n.rhoSub[i]
		}
		if stop || n.uturn(n.rho, n.pL, n.pR) {
			break
		}
	}
	cur.set(sample)
	return n.sumAcc / float64(n.nLeap)
}

func nutsChain(ctx context.Context, p LogDensity, x []float64, set Settings, rng *rand.Rand) ([][]float64, float64, float64, int64, int, error) {
	d := p.Dim()
	met := newMetric(set, d)
	n := newNUTS(p, met, rng, set.MaxDepth)
	cur := newPoint(d)
	copy(cur.x, x)
	cur.lp = p.LogProb(cur.g, cur.x)
	n.grads = 1
	n.eps = findStep(p, cur.x, cur.g, cur.lp, met, rng)
	da := newDual(n.eps, set.TargetAccept)
	var draws [][]float64
	accSum := 0.0
	divergent := 0
	w := newWindows(set.Warmup)
	for it := 0; it < set.Warmup+set.Draws; it++ {
		if err := ctx.Err(); err != nil {
			return nil, 0, 0, 0, 0, err
		}
		acc := n.draw(&cur)
		if it < set.Warmup {
			n.eps = da.update(acc)
			if w.add(it, cur.x, met) {
				n.eps = findStep(p, cur.x, cur.g, cur.lp, met, rng)
				da = newDual(n.eps, set.TargetAccept)
			}
			if it == set.Warmup-1 {
				n.eps = da.final()
			}
			continue
		}
		accSum += acc
		if n.divergent {
			divergent++
		}
		draws = append(draws, append([]float64(nil), cur.x...))
	}
	return draws, accSum / float64(set.Draws), n.eps, n.grads, divergent, nil
}
