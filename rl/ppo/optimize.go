package ppo

import (
	"context"
	"fmt"
	"math"

	"github.com/optlearn/optlearn/rl"
)

// clipped is the PPO clipped surrogate mean_i min(ρ_i A_i, clip(ρ_i) A_i).
type clipped struct{}

func (clipped) Grad(dst []float64, mb *Minibatch) float64 {
	B := float64(len(mb.Ratio))
	val := 0.0
	for i, r := range mb.Ratio {
		a := mb.Adv[i]
		rc := math.Max(1-mb.Clip, math.Min(1+mb.Clip, r))
		if r*a <= rc*a {
			val += r * a
			dst[i] += r * a / B // ∂(ρA)/∂logπ = ρA
		} else {
			val += rc * a
		}
	}
	return val / B
}

// optBuffers are the buffers of the optimisation phase, sized once per
// learner so that an update allocates nothing there.
type optBuffers struct {
	perm          []int
	params, grads [][]float64
	ratio, adv    []float64
	advVec        []float64 // mbSize × nobj
	w, nw         []float64 // ∂objective/∂log π and its negation
	logp, ent     []float64
	X             []float64 // mbSize × odim gathered observations
	acts          []rl.Action
	v, dv         []float64 // mbSize × nobj values and their weights
	mb            Minibatch
}

func (l *Learner) newOptBuffers() *optBuffers {
	B, n := l.BatchSize(), l.nobj
	mbSize := B / l.s.Minibatches
	pp, pg := l.agent.Policy.Params()
	cp, cg := l.agent.Critic.Params()
	o := &optBuffers{
		perm:   make([]int, B),
		params: append(append([][]float64{}, pp...), cp...),
		grads:  append(append([][]float64{}, pg...), cg...),
		ratio:  make([]float64, mbSize), adv: make([]float64, mbSize), advVec: make([]float64, mbSize*n),
		w: make([]float64, mbSize), nw: make([]float64, mbSize),
		logp: make([]float64, mbSize), ent: make([]float64, mbSize),
		X: make([]float64, mbSize*l.odim), acts: make([]rl.Action, mbSize),
		v: make([]float64, mbSize*n), dv: make([]float64, mbSize*n),
	}
	return o
}

// optimize runs the PPO epochs over the collected batch. ctx is checked
// before every minibatch step; on cancellation the agent holds the
// parameters of the last completed step.
func (l *Learner) optimize(ctx context.Context, extra []LossTerm, st *Stats) error {
	if l.ob == nil {
		l.ob = l.newOptBuffers()
	}
	o := l.ob
	for i := range o.perm { // each update shuffles from the identity
		o.perm[i] = i
	}
	B := l.BatchSize()
	mbSize := B / l.s.Minibatches
	o.mb = Minibatch{Objectives: l.nobj, Clip: l.s.Clip, MeanEpLen: st.MeanEpLen}
	var batch *Batch
	for _, t := range extra {
		if u, ok := t.(UpdateStarter); ok {
			if batch == nil {
				batch = l.batchStats(st)
			}
			u.BeginUpdate(batch)
		}
	}
	for epoch := range l.s.Epochs {
		l.rng.Shuffle(B, func(i, j int) { o.perm[i], o.perm[j] = o.perm[j], o.perm[i] })
		last := epoch == l.s.Epochs-1
		if last {
			st.PolicyObjective, st.ValueLoss, st.Entropy, st.ClipFraction = 0, 0, 0, 0
		}
		for m := range l.s.Minibatches {
			if err := ctx.Err(); err != nil {
				return err
			}
			obj, vl, ent, clipN, err := l.step(o, o.perm[m*mbSize:(m+1)*mbSize], extra)
			if err != nil {
				return err
			}
			if last {
				st.PolicyObjective += obj / float64(l.s.Minibatches)
				st.ValueLoss += vl / float64(l.s.Minibatches)
				st.Entropy += ent / float64(B)
				st.ClipFraction += float64(clipN) / float64(B)
			}
		}
	}
	return nil
}

// step takes one gradient step on the minibatch idx: probability ratios,
// the objective's derivative per sample, policy and critic gradients,
// clipping, and the optimiser. It returns the objective, the value loss,
// the summed entropy and the number of clipped ratios.
func (l *Learner) step(o *optBuffers, idx []int, extra []LossTerm) (obj, vl, ent float64, clipN int, err error) {
	n := l.nobj
	if err := l.ratios(o, idx); err != nil {
		return 0, 0, 0, 0, err
	}
	for j, i := range idx {
		if math.Abs(o.ratio[j]-1) > l.s.Clip {
			clipN++
		}
		ent += o.ent[j]
		o.adv[j] = l.adv[i]
		copy(o.advVec[j*n:(j+1)*n], l.raw[i*n:(i+1)*n])
	}
	o.mb.Ratio, o.mb.Adv, o.mb.AdvVec = o.ratio, o.adv, o.advVec
	clear(o.w)
	obj = clipped{}.Grad(o.w, &o.mb)
	for _, t := range extra {
		obj += t.Grad(o.w, &o.mb)
	}
	for _, g := range o.grads {
		clear(g)
	}
	if err := l.policyGrad(o, idx); err != nil {
		return 0, 0, 0, 0, err
	}
	if vl, err = l.valueGrad(o, idx); err != nil {
		return 0, 0, 0, 0, err
	}
	if err := l.applyGrads(o); err != nil {
		return 0, 0, 0, 0, err
	}
	return obj, vl, ent, clipN, nil
}

// ratios fills o.ratio (π/π_old) and o.ent for the minibatch idx, in one
// batched forward pass when the policy is a [BatchDifferentiable].
func (l *Learner) ratios(o *optBuffers, idx []int) error {
	if bp, ok := l.agent.Policy.(BatchDifferentiable); ok {
		d := l.odim
		for j, i := range idx {
			copy(o.X[j*d:(j+1)*d], l.obs[i])
			o.acts[j] = l.acts[i]
		}
		if err := bp.LogProbBatch(o.logp, o.ent, o.X, o.acts); err != nil {
			return err
		}
	} else {
		for j, i := range idx {
			o.logp[j], o.ent[j] = l.agent.Policy.LogProbGrad(l.obs[i], l.acts[i], 0, 0)
		}
	}
	for j, i := range idx {
		o.ratio[j] = math.Exp(o.logp[j] - l.logp[i])
		if math.IsNaN(o.ratio[j]) {
			return fmt.Errorf("%w: probability ratio of sample %d is NaN (log π = %v)", ErrNotFinite, i, o.logp[j])
		}
	}
	return nil
}

// policyGrad adds the gradient of −objective, −w·∇log π − (EntCoef/|mb|)·∇H,
// to the policy's gradient buffers.
func (l *Learner) policyGrad(o *optBuffers, idx []int) error {
	ew := -l.s.EntCoef / float64(len(idx))
	if bp, ok := l.agent.Policy.(BatchDifferentiable); ok {
		for j, w := range o.w {
			o.nw[j] = -w
		}
		return bp.GradBatch(o.nw, ew)
	}
	for j, i := range idx {
		if o.w[j] != 0 || ew != 0 {
			l.agent.Policy.LogProbGrad(l.obs[i], l.acts[i], -o.w[j], ew)
		}
	}
	return nil
}

// valueGrad adds ValueCoef·∇ of the (clipped) value loss
// 0.5·mean_{i,k} max((V−R)², (V_old + clip(V−V_old, ±ε) − R)²) to the
// critic gradients and returns the loss; one batched pass each way when
// the critic is a [BatchCritic].
func (l *Learner) valueGrad(o *optBuffers, idx []int) (float64, error) {
	n := l.nobj
	bc, batched := l.agent.Critic.(BatchCritic)
	if batched {
		d := l.odim
		for j, i := range idx {
			copy(o.X[j*d:(j+1)*d], l.obs[i])
		}
		if err := bc.ValuesBatch(o.v, o.X); err != nil {
			return 0, err
		}
	}
	loss := 0.0
	for j, i := range idx {
		v, dv := o.v[j*n:(j+1)*n], o.dv[j*n:(j+1)*n]
		if !batched {
			l.agent.Critic.ValueGrad(v, l.obs[i], nil)
		}
		loss += l.valueLossGrad(dv, v, i)
		if !batched {
			l.agent.Critic.ValueGrad(v, l.obs[i], dv)
		}
	}
	if batched {
		if err := bc.ValueGradBatch(o.dv); err != nil {
			return 0, err
		}
	}
	return loss / float64(len(idx)*n), nil
}

// valueLossGrad writes the derivative of ValueCoef·(value loss)/(|mb|·n)
// for sample i with values v to dv and returns the sample's loss.
func (l *Learner) valueLossGrad(dv, v []float64, i int) float64 {
	n := l.nobj
	scale := l.s.ValueCoef / float64(len(l.ob.w)*n)
	loss := 0.0
	for k := range n {
		R, vo := l.ret[i*n+k], l.val[i*n+k]
		d1 := v[k] - R
		if l.s.NoValueClip {
			loss += 0.5 * d1 * d1
			dv[k] = scale * d1
			continue
		}
		vc := vo + math.Max(-l.s.Clip, math.Min(l.s.Clip, v[k]-vo))
		d2 := vc - R
		if d1*d1 >= d2*d2 {
			loss += 0.5 * d1 * d1
			dv[k] = scale * d1
		} else {
			loss += 0.5 * d2 * d2
			if math.Abs(v[k]-vo) < l.s.Clip {
				dv[k] = scale * d2
			} else {
				dv[k] = 0
			}
		}
	}
	return loss
}

// applyGrads clips the joint gradient norm and steps the parameters. A
// non-finite gradient is an error and leaves the parameters unchanged.
func (l *Learner) applyGrads(o *optBuffers) error {
	ss := 0.0
	for _, g := range o.grads {
		for _, x := range g {
			ss += x * x
		}
	}
	if math.IsNaN(ss) || math.IsInf(ss, 0) {
		return fmt.Errorf("%w: gradient norm² = %v", ErrNotFinite, ss)
	}
	if nrm := math.Sqrt(ss); l.s.MaxGradNorm > 0 && nrm > l.s.MaxGradNorm {
		s := l.s.MaxGradNorm / (nrm + 1e-6)
		for _, g := range o.grads {
			for k := range g {
				g[k] *= s
			}
		}
	}
	if l.s.LR == 0 { // SetLR(0): frozen (Adam would read 0 as its default)
		return nil
	}
	if l.s.SGD {
		for k, p := range o.params {
			for j, g := range o.grads[k] {
				p[j] -= l.s.LR * g
			}
		}
		return nil
	}
	return l.opt.Step(o.params, o.grads)
}

// batchStats returns the batch-level statistics of the current rollout.
func (l *Learner) batchStats(st *Stats) *Batch {
	n := l.nobj
	b := &Batch{Objectives: n, MeanEpLen: st.MeanEpLen, Episodes: st.Episodes, MeanReturn: st.MeanReturn, AdvMean: make([]float64, n)}
	B := l.BatchSize()
	for i := range B {
		for k := range n {
			b.AdvMean[k] += l.raw[i*n+k]
		}
	}
	for k := range n {
		b.AdvMean[k] /= float64(B)
	}
	return b
}
