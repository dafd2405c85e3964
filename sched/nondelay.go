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
	// Decisions counts the dispatching decisions of the last Run.
	Decisions int
}

// NonDelay returns the non-delay schedule of pol on inst: at each decision
// the legal jobs are those whose next operation can start earliest, and
// pol's highest logit (lowest job index on ties) is dispatched.
func NonDelay(inst *Instance, pol Policy) (Schedule, error) {
	if err := inst.Validate(); err != nil {
		return Schedule{}, err
	}
	var d Dispatcher
	s := d.Run(inst, pol)
	return s.Clone(), nil
}

// Run dispatches pol on inst and returns the schedule, which is owned by d
// and overwritten by the next Run. inst must be valid (see
// [Instance.Validate]).
func (d *Dispatcher) Run(inst *Instance, pol Policy) Schedule {
	d.reset(inst)
	if r, ok := pol.(Rule); ok && r >= SPT && r <= FIFO {
		d.dispatchRule(inst, r)
	} else {
		d.dispatch(inst, pol, nil)
	}
	return d.sched
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
		d.sched = NewSchedule(n, m)
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
// be nil.
func (d *Dispatcher) dispatch(inst *Instance, pol Policy, release [][]int) {
	n, m := inst.N, inst.M
	o := &d.obs
	for {
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
			return
		}
		o.Time = t
		for j := 0; j < n; j++ {
			o.Legal[j] = o.Next[j] < m && o.Est[j] == t
		}
		o.Legal[n] = false
		pol.Scores(o, d.scores)
		best := -1
		for j := 0; j < n; j++ {
			if o.Legal[j] && (best < 0 || d.scores[j] > d.scores[best]) {
				best = j
			}
		}
		d.fix(inst, best, t)
		d.Decisions++
	}
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
	d.dispatch(inst, pol, release)
	return d.sched
}

// Gap returns the relative gap (c−bks)/bks in percent. It returns NaN when
// bks is not positive.
func Gap(c, bks int) float64 {
	if bks <= 0 {
		return math.NaN()
	}
	return 100 * float64(c-bks) / float64(bks)
}

// String formats an Op as "(j,k)".
func (op Op) String() string { return fmt.Sprintf("(%d,%d)", op.Job, op.Index) }
