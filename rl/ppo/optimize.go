package ppo

import (
	"math"
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

// optimize runs the PPO epochs over the collected batch.
func (l *Learner) optimize(extra []LossTerm, st *Stats) {
	B := l.BatchSize()
	n := l.nobj
	mbSize := B / l.s.Minibatches
	perm := make([]int, B)
	for i := range perm {
		perm[i] = i
	}
	pp, pg := l.agent.Policy.Params()
	cp, cg := l.agent.Critic.Params()
	params := append(append([][]float64{}, pp...), cp...)
	grads := append(append([][]float64{}, pg...), cg...)
	mb := &Minibatch{Objectives: n, Clip: l.s.Clip, MeanEpLen: st.MeanEpLen}
	ratio := make([]float64, mbSize)
	adv := make([]float64, mbSize)
	advVec := make([]float64, mbSize*n)
	w := make([]float64, mbSize)
	v := make([]float64, n)
	dv := make([]float64, n)
	surr := clipped{}
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
		l.rng.Shuffle(B, func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
		last := epoch == l.s.Epochs-1
		if last {
			st.PolicyObjective, st.ValueLoss, st.Entropy, st.ClipFraction = 0, 0, 0, 0
		}
		for m := range l.s.Minibatches {
			idx := perm[m*mbSize : (m+1)*mbSize]
			ent := 0.0
			clipN := 0
			for j, i := range idx {
				lp, h := l.agent.Policy.LogProbGrad(l.obs[i], l.acts[i], 0, 0)
				ratio[j] = math.Exp(lp - l.logp[i])
				if math.Abs(ratio[j]-1) > l.s.Clip {
					clipN++
				}
				ent += h
				adv[j] = l.adv[i]
				copy(advVec[j*n:(j+1)*n], l.raw[i*n:(i+1)*n])
			}
			mb.Ratio, mb.Adv, mb.AdvVec = ratio, adv, advVec
			clear(w)
			obj := surr.Grad(w, mb)
			for _, t := range extra {
				obj += t.Grad(w, mb)
			}
			for _, g := range grads {
				clear(g)
			}
			// Minimise −objective: gradient −w·∇logπ − (EntCoef/|mb|)·∇H.
			ew := -l.s.EntCoef / float64(mbSize)
			for j, i := range idx {
				if w[j] != 0 || ew != 0 {
					l.agent.Policy.LogProbGrad(l.obs[i], l.acts[i], -w[j], ew)
				}
			}
			vl := l.valueGrad(idx, v, dv)
			if l.s.MaxGradNorm > 0 {
				ss := 0.0
				for _, g := range grads {
					for _, x := range g {
						ss += x * x
					}
				}
				if nrm := math.Sqrt(ss); nrm > l.s.MaxGradNorm {
					s := l.s.MaxGradNorm / (nrm + 1e-6)
					for _, g := range grads {
						for k := range g {
							g[k] *= s
						}
					}
				}
			}
			if l.s.SGD {
				for k, p := range params {
					for j, g := range grads[k] {
						p[j] -= l.s.LR * g
					}
				}
			} else {
				l.opt.Step(params, grads)
			}
			if last {
				st.PolicyObjective += obj / float64(l.s.Minibatches)
				st.ValueLoss += vl / float64(l.s.Minibatches)
				st.Entropy += ent / float64(B)
				st.ClipFraction += float64(clipN) / float64(B)
			}
		}
	}
}

// valueGrad adds ValueCoef·∇ of the (clipped) value loss
// 0.5·mean_{i,k} max((V−R)², (V_old + clip(V−V_old, ±ε) − R)²) to the
// critic gradients and returns the loss.
func (l *Learner) valueGrad(idx []int, v, dv []float64) float64 {
	n := l.nobj
	scale := l.s.ValueCoef / float64(len(idx)*n)
	loss := 0.0
	for _, i := range idx {
		l.agent.Critic.ValueGrad(v, l.obs[i], nil)
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
		l.agent.Critic.ValueGrad(v, l.obs[i], dv)
	}
	return loss / float64(len(idx)*n)
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
