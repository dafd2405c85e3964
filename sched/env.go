package sched

import (
	"fmt"
	"math"
)

// stdGuard keeps standardisation finite when all values are equal.
const stdGuard = 1e-8

// CPEnv is the spec's dispatching environment over the CP model: every
// operation has a start lower bound lb, propagated to a fixpoint by
// precedence (lb(j,k) ≥ lb(j,k−1)+p) and by no-overlap (fixing [s,e) on a
// machine raises to e the lb of every unfixed operation there whose
// [lb, lb+p) meets [s,e)). The next operation of job j is its first unfixed
// one, est_j its lb and t = min_j est_j. Job j is legal iff est_j = t;
// No-Op (action N) is legal iff a second distinct est value t₂ exists and
// posts lb ≥ t₂ on every job's next operation. Without No-Op the schedules
// equal those of [Dispatcher] (the non-delay path).
type CPEnv struct {
	inst    *Instance
	n, m    int
	release [][]int
	lb      []int // by op id j·M+k
	start   []int
	fixed   []bool
	fixedOn [][]int // per machine: fixed op ids
	onMach  [][]int // per machine: all op ids
	next    []int
	legal   []bool
	t       int
	nFixed  int
	durMean float64
	durStd  float64
}

var _ Env = (*CPEnv)(nil)

// MaxEnvJobs bounds the jobs of an environment: its observations hold an
// N×N job mask.
const MaxEnvJobs = 1 << 13

// NewEnv returns an environment for inst, reset. release may be nil;
// otherwise release[j][k] is an initial lower bound on the start of (j,k).
// It returns an error if inst or release is invalid (ErrInstance,
// ErrDimension, ErrSettings) or inst has more than MaxEnvJobs jobs
// (ErrDimension).
func NewEnv(inst *Instance, release [][]int) (*CPEnv, error) {
	if err := inst.Validate(); err != nil {
		return nil, err
	}
	if inst.N > MaxEnvJobs {
		return nil, fmt.Errorf("%w: %d jobs; the environment's N×N job mask allows at most %d", ErrDimension, inst.N, MaxEnvJobs)
	}
	if err := checkRelease(inst, release); err != nil {
		return nil, err
	}
	n, m := inst.N, inst.M
	e := &CPEnv{inst: inst, n: n, m: m, release: release,
		lb: make([]int, n*m), start: make([]int, n*m), fixed: make([]bool, n*m),
		fixedOn: make([][]int, m), onMach: make([][]int, m), next: make([]int, n), legal: make([]bool, n+1)}
	var s, s2 float64
	for j := 0; j < n; j++ {
		for k := 0; k < m; k++ {
			mu := inst.Mach[j][k]
			e.onMach[mu] = append(e.onMach[mu], j*m+k)
			d := float64(inst.Dur[j][k])
			s += d
			s2 += d * d
		}
	}
	N := float64(n * m)
	e.durMean = s / N
	e.durStd = math.Sqrt(max(0, s2/N-e.durMean*e.durMean))
	for mu := range e.fixedOn {
		e.fixedOn[mu] = make([]int, 0, n)
	}
	e.Reset()
	return e, nil
}

// Reset implements [Env].
func (e *CPEnv) Reset() {
	for j := 0; j < e.n; j++ {
		e.next[j] = 0
		lb := 0
		for k := 0; k < e.m; k++ {
			o := j*e.m + k
			if e.release != nil {
				lb = max(lb, e.release[j][k])
			}
			e.lb[o], e.start[o], e.fixed[o] = lb, -1, false
			lb += e.inst.Dur[j][k]
		}
	}
	for mu := range e.fixedOn {
		e.fixedOn[mu] = e.fixedOn[mu][:0]
	}
	e.nFixed = 0
	e.update()
}

// Time implements [Env]. When every operation is fixed it returns the
// makespan.
func (e *CPEnv) Time() int { return e.t }

// Legal implements [Env].
func (e *CPEnv) Legal() []bool { return e.legal }

// Done reports whether every operation is fixed.
func (e *CPEnv) Done() bool { return e.nFixed == e.n*e.m }

// LB returns the start lower bound of operation (j,k) in the current state,
// or an error wrapping ErrDimension if (j,k) is not an operation of the
// instance.
func (e *CPEnv) LB(j, k int) (int, error) {
	if j < 0 || j >= e.n || k < 0 || k >= e.m {
		return 0, fmt.Errorf("%w: operation (%d,%d) of a %d x %d instance", ErrDimension, j, k, e.n, e.m)
	}
	return e.lb[j*e.m+k], nil
}

// Step implements [Env]. Actions out of range are ignored like illegal ones;
// a No-Op ends the step.
func (e *CPEnv) Step(acts []int) bool {
	t0 := e.t
	for _, a := range acts {
		if e.Done() || e.t != t0 {
			break
		}
		if a < 0 || a > e.n || !e.legal[a] {
			continue
		}
		if a == e.n {
			e.noop()
			break
		}
		e.fix(a)
	}
	return e.Done()
}

func (e *CPEnv) fix(j int) {
	m := e.m
	k := e.next[j]
	o := j*m + k
	p := e.inst.Dur[j][k]
	mu := e.inst.Mach[j][k]
	t := e.t
	e.start[o], e.fixed[o], e.lb[o] = t, true, t
	e.fixedOn[mu] = append(e.fixedOn[mu], o)
	e.next[j]++
	e.nFixed++
	for _, x := range e.onMach[mu] {
		if !e.fixed[x] && e.lb[x] < t+p && e.lb[x]+e.inst.Dur[x/m][x%m] > t {
			e.raise(x, t+p)
		}
	}
	if k+1 < m {
		e.raise(o+1, t+p)
	}
	e.update()
}

// raise sets lb(x) ≥ v and propagates to a fixpoint along the job.
func (e *CPEnv) raise(x, v int) {
	m := e.m
	for {
		if v <= e.lb[x] {
			return
		}
		e.lb[x] = v
		j, k := x/m, x%m
		p := e.inst.Dur[j][k]
		for changed := true; changed; {
			changed = false
			for _, f := range e.fixedOn[e.inst.Mach[j][k]] {
				s := e.start[f]
				end := s + e.inst.Dur[f/m][f%m]
				if e.lb[x] < end && e.lb[x]+p > s {
					e.lb[x] = end
					changed = true
				}
			}
		}
		if k+1 == m {
			return
		}
		v = e.lb[x] + p
		x++
	}
}

func (e *CPEnv) noop() {
	t2 := math.MaxInt
	for j := 0; j < e.n; j++ {
		if k := e.next[j]; k < e.m {
			if l := e.lb[j*e.m+k]; l > e.t {
				t2 = min(t2, l)
			}
		}
	}
	for j := 0; j < e.n; j++ {
		if k := e.next[j]; k < e.m {
			e.raise(j*e.m+k, t2)
		}
	}
	e.update()
}

// update recomputes t and the legal mask.
func (e *CPEnv) update() {
	t := math.MaxInt
	for j := 0; j < e.n; j++ {
		if k := e.next[j]; k < e.m {
			t = min(t, e.lb[j*e.m+k])
		}
	}
	if t == math.MaxInt {
		t = 0
		for o, s := range e.start {
			t = max(t, s+e.inst.Dur[o/e.m][o%e.m])
		}
		e.t = t
		for a := range e.legal {
			e.legal[a] = false
		}
		return
	}
	e.t = t
	second := false
	for j := 0; j < e.n; j++ {
		k := e.next[j]
		e.legal[j] = k < e.m && e.lb[j*e.m+k] == t
		if k < e.m && e.lb[j*e.m+k] != t {
			second = true
		}
	}
	e.legal[e.n] = second
}

// Schedule implements [Env].
func (e *CPEnv) Schedule() Schedule {
	s := Schedule{Start: make([][]int, e.n)}
	for j := range s.Start {
		s.Start[j] = append([]int(nil), e.start[j*e.m:(j+1)*e.m]...)
	}
	return s
}

// Observe implements [Env]: it fills the dispatching fields and the token
// features of o (see [Obs]).
func (e *CPEnv) Observe(o *Obs) {
	if e.inst == nil { // a zero CPEnv, not made by NewEnv
		*o = Obs{}
		return
	}
	e.observeJobs(o)
	e.observeTokens(o)
	e.observeMask(o)
}

// observeJobs fills the dispatching fields of o.
func (e *CPEnv) observeJobs(o *Obs) {
	inst := e.inst
	n, m := e.n, e.m
	o.resize(inst)
	o.Time = e.t
	copy(o.Legal, e.legal)
	for j := 0; j < n; j++ {
		k := e.next[j]
		o.Next[j] = k
		o.Ready[j], o.Rem[j], o.Done[j] = 0, 0, 0
		for l := 0; l < m; l++ {
			if l < k {
				o.Done[j] += inst.Dur[j][l]
			} else {
				o.Rem[j] += inst.Dur[j][l]
			}
		}
		if k > 0 {
			o.Ready[j] = e.start[j*m+k-1] + inst.Dur[j][k-1]
		}
		if k < m {
			o.Est[j] = e.lb[j*m+k]
		} else {
			o.Est[j] = o.Ready[j]
		}
	}
}

// observeTokens fills the token features of o: W tokens per job, the lower
// bounds standardised over the state's operation tokens.
func (e *CPEnv) observeTokens(o *Obs) {
	inst := e.inst
	n, m := e.n, e.m
	T := n * Window
	o.Feat = resizeFloat(o.Feat, 4*T)
	o.Kind = resizeInt(o.Kind, T)
	o.OpIndex = resizeInt(o.OpIndex, T)
	o.Pad = resizeBool(o.Pad, T)
	var s, s2, cnt float64
	for j := 0; j < n; j++ {
		k := e.next[j]
		for w := 0; w < Window; w++ {
			i := j*Window + w
			l := k - 1 + w // op index of this token
			f := o.Feat[4*i : 4*i+4]
			f[0], f[1], f[2], f[3] = 0, 0, 0, 0
			o.Pad[i] = false
			switch {
			case l < 0:
				o.Kind[i], o.OpIndex[i] = TokenStart, -1
			case l >= m:
				o.Kind[i], o.OpIndex[i] = TokenEnd, -1
				o.Pad[i] = l > m
			default:
				x := j*m + l
				o.Kind[i], o.OpIndex[i] = TokenOp, l
				if e.fixed[x] {
					f[0] = 1
				}
				f[1] = float64(e.lb[x])
				f[2] = (float64(inst.Dur[j][l]) - e.durMean) / (e.durStd + stdGuard)
				if l == k && e.legal[j] {
					f[3] = 1
				}
				s += f[1]
				s2 += f[1] * f[1]
				cnt++
			}
		}
	}
	if cnt > 0 {
		mean := s / cnt
		std := math.Sqrt(max(0, s2/cnt-mean*mean))
		for i := 0; i < T; i++ {
			if o.Kind[i] == TokenOp {
				o.Feat[4*i+1] = (o.Feat[4*i+1] - mean) / (std + stdGuard)
			}
		}
	}
}

// observeMask fills the job–resource mask of o.
func (e *CPEnv) observeMask(o *Obs) {
	inst := e.inst
	n := e.n
	o.JobMask = resizeBool(o.JobMask, n*n)
	for a := 0; a < n; a++ {
		for b := 0; b < n; b++ {
			v := a == b
			if !v && e.legal[a] && e.legal[b] {
				v = inst.Mach[a][e.next[a]] == inst.Mach[b][e.next[b]]
			}
			o.JobMask[a*n+b] = v
		}
	}
}
