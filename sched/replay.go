package sched

import (
	"errors"
	"fmt"
)

// ErrReplay is returned by [Replay] when a schedule cannot be reached by
// the environment (compress it with [Compress] first).
var ErrReplay = errors.New("sched: schedule not reachable by the environment")

// ExpertActions appends to dst[:0] the spec's expert step for state o and
// the target schedule s: every legal job whose next operation starts at
// o.Time in s, or No-Op (action N) if there is none. s should be
// semi-active. It returns an error wrapping ErrDimension if o does not fit
// its instance or s does not have the instance's shape.
func ExpertActions(o *Obs, s Schedule, dst []int) ([]int, error) {
	if o == nil {
		return dst[:0], fmt.Errorf("%w: nil observation", ErrDimension)
	}
	if err := checkObs(o); err != nil {
		return dst[:0], err
	}
	if err := s.checkShape(o.Inst); err != nil {
		return dst[:0], err
	}
	dst = dst[:0]
	n := o.Inst.N
	for j := 0; j < n; j++ {
		if o.Legal[j] && o.Next[j] < o.Inst.M && s.Start[j][o.Next[j]] == o.Time {
			dst = append(dst, j)
		}
	}
	if len(dst) == 0 {
		dst = append(dst, n)
	}
	return dst, nil
}

// Replay plays the expert path of s from the current state of env until
// every operation is fixed, and returns the number of steps. It returns
// ErrReplay if a step makes no progress or the final schedule differs from
// s (as happens when s is not semi-active), ErrSettings for a nil env and
// ErrDimension when s does not fit the env's instance.
func Replay(env Env, s Schedule) (steps int, err error) {
	if env == nil {
		return 0, fmt.Errorf("%w: nil env", ErrSettings)
	}
	if e, ok := env.(*CPEnv); ok && (e == nil || e.inst == nil) {
		return 0, fmt.Errorf("%w: CPEnv not made by NewEnv", ErrSettings)
	}
	var (
		o    Obs
		acts []int
	)
	for {
		env.Observe(&o)
		if acts, err = ExpertActions(&o, s, acts); err != nil {
			return steps, err
		}
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
	return steps, replayMatches(env.Schedule(), s)
}

// replayMatches checks that the replayed schedule got equals s.
func replayMatches(got, s Schedule) error {
	for j := range got.Start {
		for k := range got.Start[j] {
			if j >= len(s.Start) || k >= len(s.Start[j]) || got.Start[j][k] != s.Start[j][k] {
				return fmt.Errorf("%w: op (%d,%d) differs from the target", ErrReplay, j, k)
			}
		}
	}
	return nil
}

// Prefix returns the fixed operations (with their starts) and the current
// start lower bounds of every operation, ready for [Settings.Fixed] and
// [Settings.Release]: a solver then completes the current state.
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
