package ppo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/optlearn/optlearn/nn/optim"
	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/run"
)

// ctxEvery is how many environment steps a rollout worker takes between
// checks of the context.
const ctxEvery = 64

// advStdEps guards the advantage standardisation (as in the official code).
const advStdEps = 1e-5

// Settings configures PPO. The zero value gives the C-MORL official
// defaults except where noted.
type Settings struct {
	// NumSteps is the rollout length per environment and update. Zero means 2048.
	NumSteps int
	// NumEnvs is the number of environment copies per update. Zero means 4.
	NumEnvs int
	// Workers is the number of goroutines stepping the environments. Zero
	// means 1. Results do not depend on it.
	Workers int
	// Epochs is the number of passes over each batch. Zero means 10.
	Epochs int
	// Minibatches is the number of minibatches per epoch. Zero means 32.
	Minibatches int
	// Gamma is the discount γ. Zero means 0.995.
	Gamma float64
	// GAE switches generalised advantage estimation on with λ = Lambda
	// (zero means 0.95); off, advantages are R̂ − V with bootstrapped
	// discounted returns R̂.
	GAE    bool
	Lambda float64
	// LR is the Adam step size. Zero means 3e-4. AdamEps zero means 1e-5.
	LR, AdamEps float64
	// Clip is the ratio clip range ε (also used for value clipping). Zero means 0.2.
	Clip float64
	// ValueCoef weights the value loss. Zero means 0.5.
	ValueCoef float64
	// EntCoef weights the entropy bonus. Zero means none.
	EntCoef float64
	// MaxGradNorm clips the joint gradient norm of policy and critic. Zero
	// means 0.5; negative disables clipping.
	MaxGradNorm float64
	// NoValueClip disables the clipped value loss.
	NoValueClip bool
	// SGD replaces Adam by plain gradient descent with step LR (useful for
	// tabular models, where Adam's per-coordinate scaling saturates rarely
	// visited states).
	SGD bool
	// RawAdvantage disables the standardisation of scalarised advantages.
	RawAdvantage bool

	// MaxIter is the number of updates [Learner.Run] makes (one iteration
	// is one Update: a rollout and its optimisation epochs). Zero means 100.
	MaxIter int
	// TimeLimit stops [Learner.Run] after this wall time. Zero means none;
	// negative is an error.
	TimeLimit time.Duration
	// Recorder, if not nil, sees every update of [Learner.Run]; an error
	// from it stops the run with Status RecorderStopped.
	Recorder Recorder
	// Rand, if not nil, seeds the run: [New] draws one uint64 from it and
	// uses it in place of its seed argument (environment copy e then draws
	// from rand.NewPCG(that, e)). Nil: the seed argument.
	Rand *rand.Rand
}

func (s *Settings) defaults() Settings {
	var o Settings
	if s != nil {
		o = *s
	}
	o.NumSteps = cmp.Or(o.NumSteps, 2048)
	o.NumEnvs = cmp.Or(o.NumEnvs, 4)
	o.Workers = cmp.Or(o.Workers, 1)
	o.Epochs = cmp.Or(o.Epochs, 10)
	o.Minibatches = cmp.Or(o.Minibatches, 32)
	o.Gamma = cmp.Or(o.Gamma, 0.995)
	o.Lambda = cmp.Or(o.Lambda, 0.95)
	o.LR = cmp.Or(o.LR, 3e-4)
	o.AdamEps = cmp.Or(o.AdamEps, 1e-5)
	o.Clip = cmp.Or(o.Clip, 0.2)
	o.ValueCoef = cmp.Or(o.ValueCoef, 0.5)
	o.MaxGradNorm = cmp.Or(o.MaxGradNorm, 0.5)
	o.MaxIter = cmp.Or(o.MaxIter, 100)
	return o
}

// validate returns an error wrapping [ErrSettings] that names the first
// invalid field of the (defaulted) settings.
func (o *Settings) validate() error {
	for _, f := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"NumSteps", float64(o.NumSteps), o.NumSteps >= 1},
		{"NumEnvs", float64(o.NumEnvs), o.NumEnvs >= 1},
		{"Workers", float64(o.Workers), o.Workers >= 1},
		{"Epochs", float64(o.Epochs), o.Epochs >= 1},
		{"Minibatches", float64(o.Minibatches), o.Minibatches >= 1},
		{"MaxIter", float64(o.MaxIter), o.MaxIter >= 1},
		{"Gamma", o.Gamma, o.Gamma >= 0 && o.Gamma <= 1},
		{"Lambda", o.Lambda, o.Lambda >= 0 && o.Lambda <= 1},
		{"LR", o.LR, o.LR > 0 && !math.IsInf(o.LR, 0)},
		{"AdamEps", o.AdamEps, o.AdamEps > 0 && !math.IsInf(o.AdamEps, 0)},
		{"Clip", o.Clip, o.Clip > 0 && !math.IsInf(o.Clip, 0)},
		{"ValueCoef", o.ValueCoef, o.ValueCoef >= 0 && !math.IsInf(o.ValueCoef, 0)},
		{"EntCoef", o.EntCoef, !math.IsNaN(o.EntCoef) && !math.IsInf(o.EntCoef, 0)},
		{"MaxGradNorm", o.MaxGradNorm, !math.IsNaN(o.MaxGradNorm) && !math.IsInf(o.MaxGradNorm, 0)},
	} {
		if !f.ok {
			return fmt.Errorf("%w: %s = %v", ErrSettings, f.name, f.v)
		}
	}
	if o.Minibatches > o.NumSteps*o.NumEnvs {
		return fmt.Errorf("%w: Minibatches = %d for a batch of %d", ErrSettings, o.Minibatches, o.NumSteps*o.NumEnvs)
	}
	return run.CheckTimeLimit(o.TimeLimit)
}

// Stats summarises one PPO update.
type Stats struct {
	// Episodes is the number of episodes that ended during the rollout;
	// MeanEpLen their mean length (L̄; the rollout length if none ended) and
	// MeanReturn their mean undiscounted raw return vector (nil if none).
	Episodes   int
	MeanEpLen  float64
	MeanReturn []float64
	// PolicyObjective, ValueLoss and Entropy are minibatch means from the last epoch.
	PolicyObjective, ValueLoss, Entropy float64
	// ClipFraction is the fraction of ratios outside [1−ε, 1+ε] in the last epoch.
	ClipFraction float64
}

// Learner runs PPO on an [Agent] with NumEnvs copies of an environment.
// Environment episodes continue across updates.
type Learner struct {
	agent *Agent
	s     Settings
	envs  []rl.MOEnv
	rngs  []*rand.Rand
	rng   *rand.Rand
	nobj  int
	odim  int
	space rl.Space
	opt   optim.Adam

	cur    [][]float64 // current raw observation per env
	epLen  []int
	epRet  [][]float64
	retAcc [][]float64

	// rollout buffers, sample i = e*NumSteps + t
	rawObs  [][]float64
	obs     [][]float64 // rows of obsFlat
	obsFlat []float64
	acts    []rl.Action
	logp    []float64
	rew     []float64 // i*nobj + k, normalised
	val     []float64 // i*nobj + k
	boot    []float64 // i*nobj + k, V(final obs) for truncated steps
	lastV   []float64 // e*nobj + k
	done    []rl.Done
	accs    [][]float64
	epLog   [][]epRecord

	adv, advVec, ret []float64
	raw, rscale      []float64
	sadv             []float64

	steps, updates int
	ob             *optBuffers
}

type epRecord struct {
	len int
	ret []float64
}

// New returns a learner training agent (which it owns and updates in place)
// on NumEnvs environments made by newEnv. Environment copy e draws from
// the stream rand.NewPCG(seed, e) and the minibatch shuffling from
// rand.NewPCG(seed, NumEnvs), so a seed fixes the run whatever Workers is
// (Settings.Rand, if set, supplies that seed instead). It returns an error
// if the agent is incomplete, the environments' specs disagree or a
// setting is invalid.
//
// New checks what it can before a rollout starts: the settings (an error
// wrapping [ErrSettings] names the field), a nil factory or agent, the
// environments' specs and, for this package's models and normalisers,
// that their sizes fit the environment (a tabular policy needs a row per
// observation component and a column per action). Panics of a user's
// factory are returned as errors wrapping [ErrPanic].
func New(newEnv func() rl.MOEnv, agent *Agent, s *Settings, seed uint64) (l *Learner, err error) {
	o := s.defaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	if newEnv == nil {
		return nil, fmt.Errorf("%w: nil environment factory", ErrSettings)
	}
	if agent == nil || agent.Policy == nil || agent.Critic == nil {
		return nil, fmt.Errorf("%w: agent needs a policy and a critic", ErrSettings)
	}
	if o.Rand != nil {
		seed = o.Rand.Uint64()
	}
	defer recoverInto(&err, "environment factory")
	l = &Learner{agent: agent, s: o, opt: optim.Adam{LR: o.LR, Eps: o.AdamEps}}
	for e := range o.NumEnvs {
		env := newEnv()
		if env == nil {
			return nil, fmt.Errorf("%w: environment factory returned nil", ErrSettings)
		}
		sp := env.Spec()
		if e == 0 {
			l.nobj, l.space = sp.Objectives, sp.Action
			l.odim = sp.Obs.Dim
		} else if sp.Objectives != l.nobj || sp.Obs.Dim != l.odim {
			return nil, fmt.Errorf("%w: environment copies disagree", ErrSettings)
		}
		l.envs = append(l.envs, env)
		l.rngs = append(l.rngs, rand.New(rand.NewPCG(seed, uint64(e))))
	}
	if err := l.checkAgent(); err != nil {
		return nil, err
	}
	l.rng = rand.New(rand.NewPCG(seed, uint64(o.NumEnvs)))
	E, T, n := o.NumEnvs, o.NumSteps, l.nobj
	B := E * T
	l.cur = make([][]float64, E)
	l.epLen = make([]int, E)
	l.epRet = make([][]float64, E)
	l.retAcc = make([][]float64, E)
	for e := range E {
		l.cur[e] = append([]float64(nil), l.envs[e].Reset(l.rngs[e])...)
		l.epRet[e] = make([]float64, n)
		l.retAcc[e] = make([]float64, n)
	}
	l.rawObs = make([][]float64, B)
	l.obs = make([][]float64, B)
	l.obsFlat = make([]float64, B*l.odim)
	for i := range B {
		l.rawObs[i] = make([]float64, l.odim)
		l.obs[i] = l.obsFlat[i*l.odim : (i+1)*l.odim]
	}
	l.acts = make([]rl.Action, B)
	l.logp = make([]float64, B)
	l.rew = make([]float64, B*n)
	l.val = make([]float64, B*n)
	l.boot = make([]float64, B*n)
	l.lastV = make([]float64, E*n)
	l.done = make([]rl.Done, B)
	l.accs = make([][]float64, B)
	for i := range B {
		l.accs[i] = make([]float64, n)
	}
	l.epLog = make([][]epRecord, E)
	l.adv = make([]float64, B)
	l.sadv = make([]float64, B)
	l.advVec = make([]float64, B*n)
	l.ret = make([]float64, B*n)
	l.raw = make([]float64, B*n)
	l.rscale = make([]float64, n)
	return l, nil
}

// Agent returns the agent being trained (not a copy).
func (l *Learner) Agent() *Agent { return l.agent }

// Steps returns the environment steps taken so far (all copies).
func (l *Learner) Steps() int { return l.steps }

// Updates returns the number of completed updates.
func (l *Learner) Updates() int { return l.updates }

// SetLR changes the step size for later updates (for schedules). It
// returns an error wrapping [ErrSettings], and changes nothing, for a
// negative or non-finite lr. Zero (the end of a linear schedule) freezes
// the parameters.
func (l *Learner) SetLR(lr float64) error {
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return fmt.Errorf("%w: SetLR(%v)", ErrSettings, lr)
	}
	l.s.LR, l.opt.LR = lr, lr
	return nil
}

// BatchSize returns NumSteps·NumEnvs, the environment steps per update.
func (l *Learner) BatchSize() int { return l.s.NumSteps * l.s.NumEnvs }

// Update collects one rollout batch and optimises the PPO objective
//
//	mean_i min(ρ_i A_i, clip(ρ_i, 1±ε) A_i) + EntCoef·H + Σ extra terms
//
// with A_i = ω·A⃗_i the scalarised advantage (standardised), together with
// the clipped vector value loss, for Epochs passes of Minibatches
// minibatches. It returns an error wrapping [rl.ErrWeights] for invalid ω,
// [rl.ErrAction] or [rl.ErrReward] for a bad action or non-finite reward
// (the agent is then unchanged), [ErrNotFinite] for a NaN ratio or
// gradient (the agent keeps the parameters of the last finite step),
// [ErrPanic] for a panic in the environment or policy during the rollout,
// or ctx.Err() when ctx ends: it is checked every 64 environment steps of
// each rollout worker and before every minibatch step, so Update returns
// within a few milliseconds of cancel, with the environments and the
// agent partway through the update.
func (l *Learner) Update(ctx context.Context, w []float64, extra ...LossTerm) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if err := rl.CheckWeights(w, l.nobj); err != nil {
		return Stats{}, err
	}
	if err := l.rollout(ctx); err != nil {
		return Stats{}, err
	}
	st := l.summarize()
	l.advantages(w)
	if err := l.optimize(ctx, extra, &st); err != nil {
		return st, err
	}
	l.steps += l.BatchSize()
	l.updates++
	return st, nil
}

// Rollout collects one batch (NumSteps steps of every environment copy,
// advancing their episodes and the normalisers) without optimising, and
// returns its episode statistics. It is meant for diagnostics and
// benchmarks; Update does the same collection before optimising.
func (l *Learner) Rollout(ctx context.Context) (Stats, error) {
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	if err := l.rollout(ctx); err != nil {
		return Stats{}, err
	}
	l.steps += l.BatchSize()
	return l.summarize(), nil
}

// rollout fills the buffers with NumSteps steps of every environment.
func (l *Learner) rollout(ctx context.Context) error {
	E, W := l.s.NumEnvs, l.s.Workers
	for k := range l.rscale {
		l.rscale[k] = 1
		if rn := l.agent.RetNorm; rn != nil {
			l.rscale[k] = math.Sqrt(rn.Var[k] + normEps)
		}
	}
	if W > E {
		W = E
	}
	errs := make([]error, E)
	var wg sync.WaitGroup
	for w := range W {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer recoverInto(&errs[w], "rollout")
			pol, ok := l.agent.Policy.Clone().(Differentiable)
			if !ok {
				errs[w] = fmt.Errorf("%w: the policy's Clone does not return a Differentiable", ErrSettings)
				return
			}
			cr := l.agent.Critic.CloneCritic()
			r := make([]float64, l.nobj)
			for e := w; e < E; e += W {
				if errs[e] = l.rolloutEnv(ctx, e, pol, cr, r); errs[e] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	// Update the normalisers in environment order (deterministic).
	if l.agent.ObsNorm != nil {
		if err := l.agent.ObsNorm.Update(l.rawObs); err != nil {
			return fmt.Errorf("observations: %w", err)
		}
	}
	if l.agent.RetNorm != nil {
		if err := l.agent.RetNorm.Update(l.accs); err != nil {
			return fmt.Errorf("returns: %w", err)
		}
	}
	return nil
}

func (l *Learner) normObs(dst, raw []float64) {
	if l.agent.ObsNorm != nil {
		l.agent.ObsNorm.normalize(dst, raw)
	} else {
		copy(dst, raw)
	}
}

func (l *Learner) rolloutEnv(ctx context.Context, e int, pol Differentiable, cr Critic, r []float64) error {
	T, n := l.s.NumSteps, l.nobj
	env, rng := l.envs[e], l.rngs[e]
	l.epLog[e] = l.epLog[e][:0]
	tmp := make([]float64, l.odim)
	// Work on goroutine-local copies of the per-environment episode state
	// (adjacent entries of shared slices would false-share cache lines).
	epLen := l.epLen[e]
	epRet := slices.Clone(l.epRet[e])
	retAcc := slices.Clone(l.retAcc[e])
	defer func() {
		l.epLen[e] = epLen
		copy(l.epRet[e], epRet)
		copy(l.retAcc[e], retAcc)
	}()
	for t := range T {
		if t%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		i := e*T + t
		copy(l.rawObs[i], l.cur[e])
		l.normObs(l.obs[i], l.cur[e])
		var a rl.Action
		if alp, ok := pol.(rl.ActLogProber); ok {
			a, l.logp[i] = alp.ActLogProb(l.obs[i], false, rng)
		} else {
			a = pol.Act(l.obs[i], false, rng)
			l.logp[i] = pol.LogProb(l.obs[i], a)
		}
		l.acts[i] = a
		cr.Values(l.val[i*n:(i+1)*n], l.obs[i])
		ea := a
		if !l.space.IsDiscrete() {
			ea = l.space.Clip(a)
		}
		next, done, err := env.Step(ea, r)
		if err != nil {
			return err
		}
		for k, v := range r {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("%w: objective %d = %g", rl.ErrReward, k, v)
			}
		}
		l.done[i] = done
		epLen++
		for k, v := range r {
			epRet[k] += v
			retAcc[k] = retAcc[k]*l.s.Gamma + v
			l.accs[i][k] = retAcc[k]
			if l.agent.RetNorm != nil {
				v = math.Max(-normClip, math.Min(normClip, v/l.rscale[k]))
			}
			l.rew[i*n+k] = v
		}
		if done == rl.Truncated {
			l.normObs(tmp, next)
			cr.Values(l.boot[i*n:(i+1)*n], tmp)
		}
		if done != rl.Running {
			l.epLog[e] = append(l.epLog[e], epRecord{len: epLen, ret: slices.Clone(epRet)})
			epLen = 0
			clear(epRet)
			clear(retAcc)
			next = env.Reset(rng)
		}
		copy(l.cur[e], next)
	}
	l.normObs(tmp, l.cur[e])
	cr.Values(l.lastV[e*n:(e+1)*n], tmp)
	return nil
}

func (l *Learner) summarize() Stats {
	var st Stats
	tot := 0
	for _, log := range l.epLog {
		for _, r := range log {
			if st.MeanReturn == nil {
				st.MeanReturn = make([]float64, l.nobj)
			}
			st.Episodes++
			tot += r.len
			for k, v := range r.ret {
				st.MeanReturn[k] += v
			}
		}
	}
	if st.Episodes > 0 {
		st.MeanEpLen = float64(tot) / float64(st.Episodes)
		for k := range st.MeanReturn {
			st.MeanReturn[k] /= float64(st.Episodes)
		}
	} else {
		st.MeanEpLen = float64(l.s.NumSteps)
	}
	return st
}

// advantages computes per-objective advantages and returns, and the
// scalarised (standardised) advantage.
func (l *Learner) advantages(w []float64) {
	T, n, g := l.s.NumSteps, l.nobj, l.s.Gamma
	lam := 1.0
	if l.s.GAE {
		lam = l.s.Lambda
	}
	for e := range l.s.NumEnvs {
		for k := range n {
			nextV := l.lastV[e*n+k]
			nextA := 0.0
			for t := T - 1; t >= 0; t-- {
				i := e*T + t
				v := l.val[i*n+k]
				var nv, cont float64
				switch l.done[i] {
				case rl.Terminated:
				case rl.Truncated:
					nv = l.boot[i*n+k]
				default:
					nv, cont = nextV, 1
				}
				delta := l.rew[i*n+k] + g*nv - v
				a := delta + g*lam*cont*nextA
				l.advVec[i*n+k] = a
				l.ret[i*n+k] = a + v
				nextV, nextA = v, a
			}
		}
	}
	mean := 0.0
	for i := range l.adv {
		s := 0.0
		for k := range n {
			s += w[k] * l.advVec[i*n+k]
		}
		l.adv[i] = s
		mean += s
	}
	if !l.s.RawAdvantage {
		mean /= float64(len(l.adv))
		v := 0.0
		for _, a := range l.adv {
			v += (a - mean) * (a - mean)
		}
		sd := math.Sqrt(v / float64(len(l.adv)-1+boolInt(len(l.adv) == 1)))
		for i := range l.adv {
			l.adv[i] = (l.adv[i] - mean) / (sd + advStdEps)
		}
	}
	// Raw advantages in reward units for loss terms.
	if l.agent.RetNorm != nil {
		for i := range l.adv {
			for k := range n {
				l.raw[i*n+k] = l.advVec[i*n+k] * l.rscale[k]
			}
		}
	} else {
		copy(l.raw, l.advVec)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
