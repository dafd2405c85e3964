package sched

import (
	"errors"
	"fmt"
)

// ErrReplay is returned by [Replay] when a schedule cannot be reached by
// the environment (compress it with [Compress] first).
var ErrReplay = errors.New("sched: schedule not reachable by the environment")

// ExpertActions appends to dst the spec's expert step for state o and the
// target schedule s: every legal job whose next operation starts at o.Time
// in s, or No-Op (action N) if there is none. s should be semi-active.
func ExpertActions(o *Obs, s Schedule, dst []int) []int {
	dst = dst[:0]
	n := o.Inst.N
	for j := 0; j < n; j++ {
		if o.Legal[j] && s.Start[j][o.Next[j]] == o.Time {
			dst = append(dst, j)
		}
	}
	if len(dst) == 0 {
		dst = append(dst, n)
	}
	return dst
}

// Replay plays the expert path of s from the current state of env until
// every operation is fixed, and returns the number of steps. It returns
// ErrReplay if a step makes no progress or the final schedule differs from
// s (as happens when s is not semi-active).
func Replay(env Env, s Schedule) (steps int, err error) {
	var (
		o    Obs
		acts []int
	)
	for {
		env.Observe(&o)
		if o.Inst.N*o.Inst.M == 0 {
			return steps, nil
		}
		acts = ExpertActions(&o, s, acts)
		if acts[0] == o.Inst.N && !o.Legal[o.Inst.N] {
			return steps, fmt.Errorf("%w: no job starts at t=%d and No-Op is illegal", ErrReplay, o.Time)
		}
		steps++
		if env.Step(acts) {
			break
		}
		if steps > 2*o.Inst.N*o.Inst.M+1 {
			return steps, fmt.Errorf("%w: no progress", ErrReplay)
		}
	}
	got := env.Schedule()
	for j := range got.Start {
		for k := range got.Start[j] {
			if got.Start[j][k] != s.Start[j][k] {
				return steps, fmt.Errorf("%w: op (%d,%d) starts at %d, want %d", ErrReplay, j, k, got.Start[j][k], s.Start[j][k])
			}
		}
	}
	return steps, nil
}

// Prefix returns the fixed operations (with their starts) and the current
// start lower bounds of every operation, ready for [Options.Fixed] and
// [Options.Release]: a solver then completes the current state.
func (e *CPEnv) Prefix() (fixed map[Op]int, release [][]int) {
	fixed = map[Op]int{}
	release = make([][]int, e.n)
	for j := 0; j < e.n; j++ {
		release[j] = make([]int, e.m)
		for k := 0; k < e.m; k++ {
			o := j*e.m + k
			release[j][k] = e.lb[o]
			if e.fixed[o] {
				fixed[Op{j, k}] = e.start[o]
			}
		}
	}
	return fixed, release
}
