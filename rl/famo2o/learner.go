package famo2o

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/rl"
)

// EncDim is the length of the β encoding [Encode].
const EncDim = 6

// encFreq[i] = 10000^(2i/6), i = 0, 1, 2.
var encFreq = [3]float64{1, math.Pow(10000, 2.0/6), math.Pow(10000, 4.0/6)}

// Encode writes enc(β) = [sin u₀, cos u₀, sin u₁, cos u₁, sin u₂, cos u₂]
// with u_i = β/10000^(2i/6) into dst (grown to [EncDim] if short) and
// returns it.
func Encode(dst []float64, beta float64) []float64 {
	if cap(dst) < EncDim {
		dst = make([]float64, EncDim)
	}
	dst = dst[:EncDim]
	for i, f := range encFreq {
		s, c := math.Sincos(beta / f)
		dst[2*i], dst[2*i+1] = s, c
	}
	return dst
}

// encGrad returns d⟨g, enc(β)⟩/dβ.
func encGrad(g []float64, beta float64) float64 {
	d := 0.0
	for i, f := range encFreq {
		s, c := math.Sincos(beta / f)
		d += (g[2*i]*c - g[2*i+1]*s) / f
	}
	return d
}

const (
	logStdMin, logStdMax = -5.0, 2.0
	log2Pi               = 1.8378770664093453
)

// Losses are the quantities of one update (means over the minibatch).
type Losses struct {
	// V is the expectile value loss, Q the sum of the two critic losses,
	// Policy the advantage-weighted policy loss, Balance the balance loss
	// (0 without a balance model).
	V, Q, Policy, Balance float64
	// Alpha is the balance model's entropy temperature (0 without one),
	// Entropy the estimate of its entropy H_b.
	Alpha, Entropy float64
	// MeanBeta is the mean β used in the policy update; MeanWeight the
	// mean advantage weight.
	MeanBeta, MeanWeight float64
}

// net is an MLP with its Adam state, gradient buffers and workspace.
type net struct {
	m    *nn.MLP
	p    [][]float64 // m.Params()
	ws   *nn.Workspace
	g    [][]float64
	adam optim.Adam
}

func newNet(sizes []int, rng *rand.Rand, batch int, lr float64) (*net, error) {
	m, err := nn.NewMLP(sizes, nn.ReLU, rng)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	ws, err := m.NewWorkspace(batch)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	return &net{m: m, p: m.Params(), ws: ws, g: m.ZeroGrads(), adam: optim.Adam{LR: lr}}, nil
}

func (n *net) zero() {
	for _, g := range n.g {
		clear(g)
	}
}

func (n *net) step() error { return n.adam.Step(n.p, n.g) }

// Learner trains IQL, FamO2O or the random-β ablation on a data set and
// then online. Create it with [New]; it is not safe for concurrent use.
type Learner struct {
	set     Settings
	env     rl.Env // online
	evalEnv rl.Env
	space   rl.Space
	od, ad  int
	half    []float64 // action half-range
	mid     []float64 // action centre
	rscale  float64
	rng     *rand.Rand

	q, qt [2]*net
	v     *net
	u     *net
	b     *net // nil unless FamO2O
	uIn   int  // universal input size

	uLogStd, bLogStd, logAlpha    []float64
	uLogStdG, bLogStdG, alphaG    []float64
	uLogStdA, bLogStdA, alphaA    optim.Adam
	uLogStdPG, bLogStdPG, alphaPG [2][][]float64 // {params}, {grads} for Adam

	buf replay

	// minibatch buffers
	idx                        []int
	s, sa, sn, a, r, mask, uin []float64
	qbar, beta, z, eps, epsA   []float64
	tmp, dq, dx, dxu, w        []float64
	dqs                        [2][]float64

	pol     Policy // shares u, b and uLogStd with the learner
	act, na []float64
	rew     [1]float64

	updates, offDone, onDone, envSteps int
	obs                                []float64
	needReset                          bool
	epRet                              float64
	evals                              []Eval
}

// replay is a ring buffer of normalised transitions.
type replay struct {
	od, ad, cap, n, next int
	s, a, r, sn, mask    []float64
}

func (b *replay) add(s, a []float64, r float64, sn []float64, mask float64) {
	i := b.next
	if b.n < b.cap {
		b.s = append(b.s, s...)
		b.a = append(b.a, a...)
		b.r = append(b.r, r)
		b.sn = append(b.sn, sn...)
		b.mask = append(b.mask, mask)
		b.n++
	} else {
		copy(b.s[i*b.od:], s)
		copy(b.a[i*b.ad:], a)
		b.r[i] = r
		copy(b.sn[i*b.od:], sn)
		b.mask[i] = mask
	}
	b.next = (i + 1) % b.cap
}

// New returns a learner for the data set d on the environment made by
// newEnv (called twice: one copy for online steps, one for evaluation).
// It returns an error wrapping [ErrSettings] for invalid settings (naming
// the field: an empty β range, a batch larger than the data set, ...) or
// an unsuitable environment (several objectives, a discrete or unbounded
// action space), [ErrDimension] if d does not match the environment, and
// the error of [Dataset.Check].
func New(newEnv func() rl.Env, d *Dataset, s *Settings) (*Learner, error) {
	set, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := d.Check(); err != nil {
		return nil, err
	}
	if newEnv == nil {
		return nil, fmt.Errorf("%w: nil environment constructor", ErrSettings)
	}
	env, evalEnv := newEnv(), newEnv()
	if env == nil || evalEnv == nil {
		return nil, fmt.Errorf("%w: the environment constructor returned nil", ErrSettings)
	}
	spec := env.Spec()
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	if spec.Obs.Dim != d.ObsDim || spec.Action.Dim != d.ActDim {
		return nil, fmt.Errorf("%w: data set has (obs, action) dimensions (%d, %d), the environment (%d, %d)", ErrDimension, d.ObsDim, d.ActDim, spec.Obs.Dim, spec.Action.Dim)
	}
	if set.BatchSize > d.Len() {
		return nil, fmt.Errorf("%w: BatchSize %d exceeds the data set's %d transitions", ErrSettings, set.BatchSize, d.Len())
	}
	if set.Capacity < d.Len() {
		return nil, fmt.Errorf("%w: Capacity %d is smaller than the data set (%d transitions)", ErrSettings, set.Capacity, d.Len())
	}
	l := &Learner{set: set, env: env, evalEnv: evalEnv, space: spec.Action, od: d.ObsDim, ad: d.ActDim, rng: set.Rand, needReset: true}
	for i := range l.ad {
		lo, hi := spec.Action.Low[i], spec.Action.High[i]
		l.half = append(l.half, (hi-lo)/2)
		l.mid = append(l.mid, (hi+lo)/2)
	}
	l.rscale = set.RewardScale
	if l.rscale == 0 {
		l.rscale = 1
		if len(d.Returns) > 0 {
			lo, hi := d.Returns[0], d.Returns[0]
			for _, r := range d.Returns {
				lo, hi = min(lo, r), max(hi, r)
			}
			if hi > lo {
				l.rscale = 1000 / (hi - lo)
			}
		}
	}
	B, od, ad := set.BatchSize, l.od, l.ad
	sizes := func(in, out int) []int { return append(append([]int{in}, set.Hidden...), out) }
	for k := range 2 {
		if l.q[k], err = newNet(sizes(od+ad, 1), l.rng, B, set.LR); err != nil {
			return nil, err
		}
		l.qt[k] = &net{m: l.q[k].m.Clone()}
		l.qt[k].p = l.qt[k].m.Params()
		if l.qt[k].ws, err = l.qt[k].m.NewWorkspace(B); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSettings, err)
		}
	}
	if l.v, err = newNet(sizes(od, 1), l.rng, B, set.LR); err != nil {
		return nil, err
	}
	l.uIn = od
	if set.Method != IQL {
		l.uIn = od + EncDim
	}
	if l.u, err = newNet(sizes(l.uIn, ad), l.rng, B, set.LR); err != nil {
		return nil, err
	}
	l.uLogStd, l.uLogStdG = make([]float64, ad), make([]float64, ad)
	l.uLogStdA = optim.Adam{LR: set.LR}
	l.uLogStdPG = [2][][]float64{{l.uLogStd}, {l.uLogStdG}}
	if set.Method == FamO2O {
		if l.b, err = newNet(sizes(od, 1), l.rng, B, set.LR); err != nil {
			return nil, err
		}
		l.bLogStd, l.bLogStdG = []float64{0}, []float64{0}
		l.logAlpha, l.alphaG = []float64{0}, []float64{0}
		l.bLogStdA, l.alphaA = optim.Adam{LR: set.LR}, optim.Adam{LR: set.LR}
		l.bLogStdPG = [2][][]float64{{l.bLogStd}, {l.bLogStdG}}
		l.alphaPG = [2][][]float64{{l.logAlpha}, {l.alphaG}}
	}
	// Replay buffer: the data set with normalised actions and scaled rewards.
	l.buf = replay{od: od, ad: ad, cap: set.Capacity}
	na := make([]float64, ad)
	for i := range d.Len() {
		for j := range ad {
			na[j] = (d.Act[i*ad+j] - l.mid[j]) / l.half[j]
		}
		mask := 1.0
		if d.Terminal[i] {
			mask = 0
		}
		l.buf.add(d.Obs[i*od:(i+1)*od], na, d.Rew[i]*l.rscale, d.Next[i*od:(i+1)*od], mask)
	}
	mk := func(n int) []float64 { return make([]float64, n) }
	l.idx = make([]int, B)
	l.s, l.sa, l.sn, l.a, l.r, l.mask = mk(B*od), mk(B*(od+ad)), mk(B*od), mk(B*ad), mk(B), mk(B)
	l.uin = mk(B * l.uIn)
	l.qbar, l.beta, l.z, l.eps, l.epsA = mk(B), mk(B), mk(B), mk(B), mk(B*ad)
	l.tmp, l.dq, l.w = mk(B), mk(B*ad), mk(B)
	l.dx, l.dxu = mk(B*(od+ad)), mk(B*l.uIn)
	l.dqs = [2][]float64{mk(B), mk(B)}
	l.act, l.na = mk(ad), mk(ad)
	l.pol = Policy{method: set.Method, betaMin: set.BetaMin, betaMax: set.BetaMax, beta: set.Beta,
		u: l.u.m, uLogStd: l.uLogStd, mid: l.mid, half: l.half, space: spec.Action, od: od, ad: ad, uIn: l.uIn,
		in: mk(l.uIn), out: mk(ad)}
	if l.b != nil {
		l.pol.b = l.b.m
	}
	return l, nil
}

// RewardScale returns the factor applied to every reward.
func (l *Learner) RewardScale() float64 { return l.rscale }

// sample draws a minibatch uniformly (with replacement) from the buffer.
func (l *Learner) sample() {
	od, ad := l.od, l.ad
	for i := range l.idx {
		j := l.rng.IntN(l.buf.n)
		l.idx[i] = j
		copy(l.s[i*od:(i+1)*od], l.buf.s[j*od:(j+1)*od])
		copy(l.sn[i*od:(i+1)*od], l.buf.sn[j*od:(j+1)*od])
		copy(l.a[i*ad:(i+1)*ad], l.buf.a[j*ad:(j+1)*ad])
		copy(l.sa[i*(od+ad):], l.buf.s[j*od:(j+1)*od])
		copy(l.sa[i*(od+ad)+od:(i+1)*(od+ad)], l.buf.a[j*ad:(j+1)*ad])
		l.r[i], l.mask[i] = l.buf.r[j], l.buf.mask[j]
	}
}

// minTarget writes min(Q̂₁, Q̂₂) of the rows of x to dst and, if which is
// not nil, the index of the smaller critic.
func (l *Learner) minTarget(dst []float64, x []float64, which []float64) error {
	B := len(dst)
	q0, err := l.qt[0].m.ForwardBatch(l.qt[0].ws, x, B)
	if err != nil {
		return err
	}
	q1, err := l.qt[1].m.ForwardBatch(l.qt[1].ws, x, B)
	if err != nil {
		return err
	}
	for i := range dst {
		dst[i] = q0[i]
		if which != nil {
			which[i] = 0
		}
		if q1[i] < q0[i] {
			dst[i] = q1[i]
			if which != nil {
				which[i] = 1
			}
		}
	}
	return nil
}

// fillUIn writes the universal policy's input rows [s, enc β] (or s for IQL).
func (l *Learner) fillUIn() {
	od, ui := l.od, l.uIn
	for i := range l.idx {
		row := l.uin[i*ui : (i+1)*ui]
		copy(row, l.s[i*od:(i+1)*od])
		if ui > od {
			Encode(row[od:], l.beta[i])
		}
	}
}

func (l *Learner) uStd(j int) float64 { return l.pol.std(j) }

// Update makes one gradient update on a minibatch from the replay buffer
// in the spec's order (V, balance, temperature, policy, Q, targets) and
// returns its losses. phase selects how the policy update draws β
// (uniform offline, from the balance model online, for FamO2O). It
// returns an error wrapping [ErrNotFinite] if a loss or gradient becomes
// NaN or Inf (the update is then incomplete).
func (l *Learner) Update(phase Phase) (Losses, error) {
	var ls Losses
	B := float64(len(l.idx))
	ad := l.ad
	l.sample()
	// Q̄(s, a) from the target critics.
	if err := l.minTarget(l.qbar, l.sa, nil); err != nil {
		return ls, l.wrap("target critics", err)
	}
	// 1. V update.
	vout, err := l.v.m.ForwardBatch(l.v.ws, l.s, len(l.idx))
	if err != nil {
		return ls, l.wrap("value", err)
	}
	for i, q := range l.qbar {
		u := q - vout[i]
		w := l.set.Expectile
		if u < 0 {
			w = 1 - w
		}
		ls.V += w * u * u / B
		l.tmp[i] = -2 * w * u / B
	}
	l.v.zero()
	if err := l.v.m.BackwardBatch(l.v.ws, l.tmp, l.v.g, nil); err != nil {
		return ls, l.wrap("value", err)
	}
	if err := l.v.step(); err != nil {
		return ls, l.wrap("value", err)
	}
	// β for the policy update: uniform, or from the balance model (drawn
	// with its pre-update parameters, then detached).
	switch {
	case l.set.Method == IQL:
		for i := range l.beta {
			l.beta[i] = l.set.Beta
		}
	case l.set.Method == RandomBeta || phase == Offline:
		for i := range l.beta {
			l.beta[i] = l.set.BetaMin + (l.set.BetaMax-l.set.BetaMin)*l.rng.Float64()
		}
	}
	// 2.-3. Balance model and temperature.
	if l.b != nil {
		if err := l.updateBalance(&ls); err != nil {
			return ls, l.wrap("balance model", err)
		}
		if phase == Offline {
			for i := range l.beta {
				l.beta[i] = l.set.BetaMin + (l.set.BetaMax-l.set.BetaMin)*l.rng.Float64()
			}
		}
	}
	// 4. Policy (universal) update with the new V.
	vout, err = l.v.m.ForwardBatch(l.v.ws, l.s, len(l.idx))
	if err != nil {
		return ls, l.wrap("value", err)
	}
	for i := range l.w {
		l.w[i] = math.Min(math.Exp(l.beta[i]*(l.qbar[i]-vout[i])), l.set.WeightCap)
		ls.MeanWeight += l.w[i] / B
		ls.MeanBeta += l.beta[i] / B
	}
	l.fillUIn()
	uo, err := l.u.m.ForwardBatch(l.u.ws, l.uin, len(l.idx))
	if err != nil {
		return ls, l.wrap("policy", err)
	}
	clear(l.uLogStdG)
	for i := range l.idx {
		for j := range ad {
			mu := math.Tanh(uo[i*ad+j])
			ls0 := math.Max(logStdMin, math.Min(logStdMax, l.uLogStd[j]))
			sd := math.Exp(ls0)
			e := (l.a[i*ad+j] - mu) / sd
			ls.Policy -= l.w[i] * (-0.5*e*e - ls0 - 0.5*log2Pi) / B
			l.dq[i*ad+j] = -l.w[i] / B * e / sd * (1 - mu*mu)
			if ls0 == l.uLogStd[j] {
				l.uLogStdG[j] -= l.w[i] / B * (e*e - 1)
			}
		}
	}
	l.u.zero()
	if err := l.u.m.BackwardBatch(l.u.ws, l.dq, l.u.g, nil); err != nil {
		return ls, l.wrap("policy", err)
	}
	if err := l.u.step(); err != nil {
		return ls, l.wrap("policy", err)
	}
	if err := l.uLogStdA.Step(l.uLogStdPG[0], l.uLogStdPG[1]); err != nil {
		return ls, l.wrap("policy log-std", err)
	}
	clampLogStd(l.uLogStd)
	// 5. Q update with the new V at s'.
	vn, err := l.v.m.ForwardBatch(l.v.ws, l.sn, len(l.idx))
	if err != nil {
		return ls, l.wrap("value", err)
	}
	for i := range l.tmp {
		l.tmp[i] = l.r[i] + l.set.Gamma*l.mask[i]*vn[i] // target y
	}
	for k := range 2 {
		qo, err := l.q[k].m.ForwardBatch(l.q[k].ws, l.sa, len(l.idx))
		if err != nil {
			return ls, l.wrap("critic", err)
		}
		d := l.dqs[k]
		for i := range d {
			u := qo[i] - l.tmp[i]
			ls.Q += u * u / B
			d[i] = 2 * u / B
		}
		l.q[k].zero()
		if err := l.q[k].m.BackwardBatch(l.q[k].ws, d, l.q[k].g, nil); err != nil {
			return ls, l.wrap("critic", err)
		}
		if err := l.q[k].step(); err != nil {
			return ls, l.wrap("critic", err)
		}
	}
	// 6. Targets.
	tau := l.set.Tau
	for k := range 2 {
		src, dst := l.q[k].p, l.qt[k].p
		for p := range src {
			for j, v := range src[p] {
				dst[p][j] += tau * (v - dst[p][j])
			}
		}
	}
	l.updates++
	for _, v := range []float64{ls.V, ls.Q, ls.Policy, ls.Balance} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return ls, fmt.Errorf("%w: a loss is %v after update %d", ErrNotFinite, v, l.updates)
		}
	}
	return ls, nil
}

func (l *Learner) wrap(what string, err error) error {
	return fmt.Errorf("%w: %s at update %d: %w", ErrNotFinite, what, l.updates+1, err)
}

// updateBalance makes the balance and temperature updates (steps 2 and 3)
// with the universal policy and the critics frozen. It leaves the sampled
// β (pre-update parameters) in l.beta.
func (l *Learner) updateBalance(ls *Losses) error {
	for i := range l.eps {
		l.eps[i] = l.rng.NormFloat64()
	}
	for i := range l.epsA {
		l.epsA[i] = l.rng.NormFloat64()
	}
	alpha := math.Exp(l.logAlpha[0])
	loss, ent, err := l.balanceGrad(alpha)
	if err != nil {
		return err
	}
	ls.Alpha, ls.Balance, ls.Entropy = alpha, loss, ent
	if err := l.b.step(); err != nil {
		return err
	}
	if err := l.bLogStdA.Step(l.bLogStdPG[0], l.bLogStdPG[1]); err != nil {
		return err
	}
	clampLogStd(l.bLogStd)
	// Temperature: L_α = α(H_b − H*), optimised in log space.
	l.alphaG[0] = alpha * (ent - l.set.TargetEntropy)
	return l.alphaA.Step(l.alphaPG[0], l.alphaPG[1])
}

// balanceGrad computes the balance loss L_b = E[α log π_b(z|s) − Q̄(s, a')]
// for the current minibatch and the noises l.eps (z) and l.epsA (a'),
// writes its gradient with respect to the balance model's parameters to
// l.b.g and l.bLogStdG, and returns L_b and the entropy estimate
// −E[log π_b]. The sampled β are left in l.beta. The universal policy and
// the target critics are only differentiated through, never changed.
func (l *Learner) balanceGrad(alpha float64) (loss, entropy float64, err error) {
	B := float64(len(l.idx))
	od, ad, ui := l.od, l.ad, l.uIn
	span := l.set.BetaMax - l.set.BetaMin
	bls := l.bLogStd[0]
	bsd := math.Exp(bls)
	mz, err := l.b.m.ForwardBatch(l.b.ws, l.s, len(l.idx))
	if err != nil {
		return 0, 0, err
	}
	logp := 0.0
	for i := range l.idx {
		e := l.eps[i]
		t := math.Tanh(mz[i] + bsd*e)
		l.z[i] = t
		l.beta[i] = l.set.BetaMin + (t+1)/2*span
		logp += (-0.5*e*e - bls - 0.5*log2Pi - math.Log(1-t*t+1e-6)) / B
	}
	// a' = tanh(o) + σ_u ε from the universal policy at [s, enc β].
	l.fillUIn()
	uo, err := l.u.m.ForwardBatch(l.u.ws, l.uin, len(l.idx))
	if err != nil {
		return 0, 0, err
	}
	for i := range l.idx {
		copy(l.sa[i*(od+ad):], l.s[i*od:(i+1)*od]) // sa rows become (s, a')
		for j := range ad {
			l.sa[i*(od+ad)+od+j] = math.Tanh(uo[i*ad+j]) + l.uStd(j)*l.epsA[i*ad+j]
		}
	}
	qa := l.tmp
	if err := l.minTarget(qa, l.sa, l.w); err != nil {
		return 0, 0, err
	}
	meanQ := 0.0
	for _, q := range qa {
		meanQ += q / B
	}
	loss, entropy = alpha*logp-meanQ, -logp
	// dL/dQ̄ = −1/B, routed to the smaller target critic of each row.
	clear(l.dq)
	for k := range 2 {
		for i := range l.idx {
			l.dqs[k][i] = 0
			if int(l.w[i]) == k {
				l.dqs[k][i] = -1 / B
			}
		}
		// The workspaces still hold minTarget's forward pass on (s, a').
		if err := l.qt[k].m.BackwardBatch(l.qt[k].ws, l.dqs[k], nil, l.dx); err != nil {
			return 0, 0, err
		}
		for i := range l.idx {
			for j := range ad {
				l.dq[i*ad+j] += l.dx[i*(od+ad)+od+j]
			}
		}
	}
	// Through a' = tanh(o) + σε into o, then the universal net's input.
	for i := range l.idx {
		for j := range ad {
			mu := math.Tanh(uo[i*ad+j])
			l.dq[i*ad+j] *= 1 - mu*mu
		}
	}
	if err := l.u.m.BackwardBatch(l.u.ws, l.dq, nil, l.dxu); err != nil {
		return 0, 0, err
	}
	// Into β (through sin/cos), t = tanh(z), z = μ + σε. The Gaussian part
	// of log π_b(z) is −ε²/2 − log σ − log(2π)/2 at a reparameterised z, so
	// only the tanh correction depends on μ.
	gls := -alpha
	for i := range l.idx {
		t := l.z[i]
		dbeta := encGrad(l.dxu[i*ui+od:(i+1)*ui], l.beta[i])
		dz := dbeta * span / 2 * (1 - t*t)
		dz += alpha / B * 2 * t * (1 - t*t) / (1 - t*t + 1e-6)
		l.tmp[i] = dz
		gls += dz * bsd * l.eps[i]
	}
	l.b.zero()
	if err := l.b.m.BackwardBatch(l.b.ws, l.tmp, l.b.g, nil); err != nil {
		return 0, 0, err
	}
	l.bLogStdG[0] = gls
	// Restore the (s, a) rows of the minibatch.
	for i, j := range l.idx {
		copy(l.sa[i*(od+ad)+od:(i+1)*(od+ad)], l.buf.a[j*ad:(j+1)*ad])
	}
	return loss, entropy, nil
}

// clampLogStd keeps log-standard deviations in [−5, 2].
func clampLogStd(v []float64) {
	for i, x := range v {
		v[i] = math.Max(logStdMin, math.Min(logStdMax, x))
	}
}

// RecentStates appends the last n observations added to the replay
// buffer (online states once online steps were taken; fewer if the buffer
// holds fewer) to dst and returns it.
func (l *Learner) RecentStates(dst []float64, n int) []float64 {
	n = min(max(n, 0), l.buf.n)
	for k := n; k >= 1; k-- {
		i := (l.buf.next - k + l.buf.cap) % l.buf.cap
		dst = append(dst, l.buf.s[i*l.od:(i+1)*l.od]...)
	}
	return dst
}
