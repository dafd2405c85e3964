package sched

import (
	"fmt"
	"math"
)

// Dispatcher is the fast non-delay path: it builds the schedule the
// environment would build with a policy and no No-Op, maintaining only
// est_j = max(r_j, a_μ) (job ready time, machine free time). A Dispatcher
// may be reused; Run does not allocate once its buffers have grown.
type Dispatcher struct {
	obs      Obs
	machFree []int
	scores   []float64
	prio     []float64
	sched    Schedule
	seen     []int // Validate's scratch
	// Decisions counts the dispatching decisions of the last Run.
	Decisions int
}

// NonDelay returns the non-delay schedule of pol on inst: at each decision
// the legal jobs are those whose next operation can start earliest, and
// pol's highest logit (lowest job index on ties) is dispatched. Errors: an
// invalid inst (ErrInstance), a nil pol or a [Random] without Rand
// (ErrSettings), a NaN logit for a legal job (ErrNotFinite). It makes N·M
// policy calls and takes no context; to stop a slow learned policy, use
// [Dispatch].
func NonDelay(inst *Instance, pol Policy) (Schedule, error) {
	var d Dispatcher
	s, err := d.Run(inst, pol)
	if err != nil {
		return Schedule{}, err
	}
	return s.Clone(), nil
}

// Run dispatches pol on inst and returns the schedule, which is owned by d
// and overwritten by the next Run. Errors are those of [NonDelay].
func (d *Dispatcher) Run(inst *Instance, pol Policy) (Schedule, error) {
	if inst == nil {
		return Schedule{}, fmt.Errorf("%w: nil instance", ErrInstance)
	}
	if inst.M > 0 && inst.M <= maxOps {
		d.seen = resizeInt(d.seen, inst.M)
	}
	if err := inst.validate(d.seen); err != nil {
		return Schedule{}, err
	}
	if err := checkPolicy(pol); err != nil {
		return Schedule{}, err
	}
	d.reset(inst)
	if r, ok := pol.(Rule); ok {
		d.dispatchRule(inst, r)
		return d.sched, nil
	}
	if err := d.dispatch(inst, pol, nil); err != nil {
		return Schedule{}, err
	}
	return d.sched, nil
}

// checkPolicy rejects a nil policy, an unknown Rule and a Random without
// a source.
func checkPolicy(pol Policy) error {
	switch p := pol.(type) {
	case nil:
		return fmt.Errorf("%w: nil policy", ErrSettings)
	case Rule:
		if p < SPT || p > FIFO {
			return fmt.Errorf("%w: unknown rule %v", ErrSettings, p)
		}
	case Random:
		if p.Rand == nil {
			return fmt.Errorf("%w: Random policy with a nil Rand", ErrSettings)
		}
	case *Random:
		if p == nil || p.Rand == nil {
			return fmt.Errorf("%w: Random policy with a nil Rand", ErrSettings)
		}
	}
	return nil
}

// dispatchRule is dispatch specialised to a static rule: the logit of every
// operation is precomputed (FIFO uses −r_j on the fly), and one pass per
// decision finds t and the best legal job. It builds the same schedule as
// dispatch, which the tests check.
func (d *Dispatcher) dispatchRule(inst *Instance, r Rule) {
	n, m := inst.N, inst.M
	o := &d.obs
	d.prio = resizeFloat(d.prio, n*m)
	for j := 0; j < n; j++ {
		done, rem := 0, o.Rem[j]
		for k := 0; k < m; k++ {
			p := inst.Dur[j][k]
			var s float64
			switch r {
			case SPT:
				s = float64(p)
			case LPT:
				s = -float64(p)
			case MWKR:
				s = -float64(rem)
			case LWKR:
				s = float64(rem)
			case MOPNR:
				s = -float64(m - k)
			case FDDMWKR:
				s = float64(done+p) / float64(rem)
			}
			d.prio[j*m+k] = -s
			done += p
			rem -= p
		}
	}
	fifo := r == FIFO
	for left := n * m; left > 0; left-- {
		t, best := math.MaxInt, -1
		var bp float64
		for j := 0; j < n; j++ {
			k := o.Next[j]
			if k >= m {
				continue
			}
			e := max(o.Ready[j], d.machFree[inst.Mach[j][k]])
			if e > t {
				continue
			}
			pr := d.prio[j*m+k]
			if fifo {
				pr = -float64(o.Ready[j])
			}
			if e < t || pr > bp {
				t, best, bp = e, j, pr
			}
		}
		d.fix(inst, best, t)
		d.Decisions++
	}
}

func (d *Dispatcher) reset(inst *Instance) {
	n, m := inst.N, inst.M
	o := &d.obs
	o.resize(inst)
	d.machFree = resizeInt(d.machFree, m)
	d.scores = resizeFloat(d.scores, n+1)
	if len(d.sched.Start) != n || (n > 0 && len(d.sched.Start[0]) != m) {
		d.sched = newSchedule(n, m)
	}
	for mu := range d.machFree {
		d.machFree[mu] = 0
	}
	for j := 0; j < n; j++ {
		rem := 0
		for _, p := range inst.Dur[j] {
			rem += p
		}
		o.Next[j], o.Ready[j], o.Rem[j], o.Done[j] = 0, 0, rem, 0
		for k := range d.sched.Start[j] {
			d.sched.Start[j][k] = -1
		}
	}
	d.Decisions = 0
}

// fix starts operation Next[j] of job j at t.
func (d *Dispatcher) fix(inst *Instance, j, t int) {
	o := &d.obs
	k := o.Next[j]
	p := inst.Dur[j][k]
	d.sched.Start[j][k] = t
	d.machFree[inst.Mach[j][k]] = t + p
	o.Ready[j] = t + p
	o.Next[j] = k + 1
	o.Rem[j] -= p
	o.Done[j] += p
}

// pin fixes the given prefix operations (starts from fixed, per job a
// prefix), in any order: machine free times become the latest pinned end.
func (d *Dispatcher) pin(inst *Instance, fixed Schedule, count []int) {
	o := &d.obs
	for j := 0; j < inst.N; j++ {
		for k := 0; k < count[j]; k++ {
			t := fixed.Start[j][k]
			p := inst.Dur[j][k]
			d.sched.Start[j][k] = t
			mu := inst.Mach[j][k]
			d.machFree[mu] = max(d.machFree[mu], t+p)
			o.Ready[j] = t + p
			o.Next[j] = k + 1
			o.Rem[j] -= p
			o.Done[j] += p
		}
	}
}

// dispatch runs the non-delay loop until every job is finished. release may
// be nil. A NaN logit of a legal job is an error wrapping ErrNotFinite.
func (d *Dispatcher) dispatch(inst *Instance, pol Policy, release [][]int) error {
	n := inst.N
	o := &d.obs
	for {
		t := d.nextTime(inst, release)
		if t == math.MaxInt {
			return nil
		}
		pol.Scores(o, d.scores)
		best := -1
		for j := 0; j < n; j++ {
			if !o.Legal[j] {
				continue
			}
			if math.IsNaN(d.scores[j]) {
				return fmt.Errorf("%w: policy logit of job %d is NaN at t=%d", ErrNotFinite, j, t)
			}
			if best < 0 || d.scores[j] > d.scores[best] {
				best = j
			}
		}
		d.fix(inst, best, t)
		d.Decisions++
	}
}

// nextTime sets the est, time and legal mask of the next decision and
// returns t, or math.MaxInt when every job is finished.
func (d *Dispatcher) nextTime(inst *Instance, release [][]int) int {
	n, m := inst.N, inst.M
	o := &d.obs
	t := math.MaxInt
	for j := 0; j < n; j++ {
		k := o.Next[j]
		if k >= m {
			continue
		}
		e := max(o.Ready[j], d.machFree[inst.Mach[j][k]])
		if release != nil {
			e = max(e, release[j][k])
		}
		o.Est[j] = e
		t = min(t, e)
	}
	if t == math.MaxInt {
		return t
	}
	o.Time = t
	for j := 0; j < n; j++ {
		o.Legal[j] = o.Next[j] < m && o.Est[j] == t
	}
	o.Legal[n] = false
	return t
}

// listSchedule builds a non-delay schedule of pol that respects the pinned
// prefix (count[j] pinned operations of job j, starts in fixed) and release
// dates; free operations follow pinned ones on every machine.
func listSchedule(inst *Instance, pol Policy, fixed Schedule, count []int, release [][]int) Schedule {
	var d Dispatcher
	d.reset(inst)
	if count != nil {
		d.pin(inst, fixed, count)
	}
	d.dispatch(inst, pol, release) // rules never give NaN
	return d.sched
}

// Gap returns the relative gap 100·(c−bks)/bks in percent, or an error
// wrapping ErrSettings when bks is not positive or c is negative.
func Gap(c, bks int) (float64, error) {
	if bks <= 0 || c < 0 {
		return 0, fmt.Errorf("%w: gap of makespan %d to best known %d (want c ≥ 0, bks > 0)", ErrSettings, c, bks)
	}
	return 100 * float64(c-bks) / float64(bks), nil
}

// String formats an Op as "(j,k)".
func (op Op) String() string { return fmt.Sprintf("(%d,%d)", op.Job, op.Index) }
