package sched_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
)

// policyFunc adapts a function to a sched.Policy.
type policyFunc func(o *sched.Obs, dst []float64)

func (f policyFunc) Scores(o *sched.Obs, dst []float64) { f(o, dst) }

// brokenEnv is a user Env whose observations or steps are wrong.
type brokenEnv struct {
	inner   *sched.CPEnv
	observe func(o *sched.Obs)
	stuck   bool // Step never makes progress
}

func (e *brokenEnv) Reset()                   { e.inner.Reset() }
func (e *brokenEnv) Time() int                { return e.inner.Time() }
func (e *brokenEnv) Legal() []bool            { return e.inner.Legal() }
func (e *brokenEnv) Schedule() sched.Schedule { return e.inner.Schedule() }
func (e *brokenEnv) Step(acts []int) bool {
	if e.stuck {
		return false
	}
	return e.inner.Step(acts)
}
func (e *brokenEnv) Observe(o *sched.Obs) {
	e.inner.Observe(o)
	if e.observe != nil {
		e.observe(o)
	}
}

// tiny returns a valid 2×2 instance.
func tiny() *sched.Instance {
	return &sched.Instance{Name: "tiny", N: 2, M: 2, Mach: [][]int{{0, 1}, {1, 0}}, Dur: [][]int{{3, 2}, {4, 1}}}
}

// TestBadInput calls every exported entry point of sched with bad input
// and checks that each returns an error wrapping the documented sentinel,
// never a panic, NaN or number.
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	in := tiny()
	good, err := sched.NonDelay(in, sched.MWKR)
	if err != nil {
		t.Fatal(err)
	}
	ragged := tiny()
	ragged.Dur[1] = []int{4}
	huge := &sched.Instance{N: 1, M: 2, Mach: [][]int{{0, 1}}, Dur: [][]int{{math.MaxInt64, math.MaxInt64}}}
	negBKS := tiny()
	negBKS.BKS = -1
	env, _ := sched.NewEnv(in, nil)
	var zeroEnv sched.CPEnv
	wrongShape := sched.Schedule{Start: [][]int{{0, 3}}}
	farStart := good.Clone()
	farStart.Start[0][0] = sched.MaxTime + 1
	ord, _ := good.MachineOrders(in)
	manyJobs := wide(sched.MaxEnvJobs+1, 1)
	solvers := []struct {
		name string
		sv   sched.Solver
	}{{"tabu", &sched.Tabu{}}, {"bnb", sched.BranchBound{}}}
	stop := errors.New("stop")
	neverInf := policyFunc(func(o *sched.Obs, dst []float64) {
		for i := range dst {
			dst[i] = math.Inf(-1)
		}
	})
	nanPol := policyFunc(func(o *sched.Obs, dst []float64) {
		for i := range dst {
			dst[i] = math.NaN()
		}
	})
	canceled, cancel := context.WithCancel(ctx)
	cancel()

	type tc struct {
		name string
		want error
		call func() error
	}
	cases := []tc{
		// Parsers and instances.
		{"ParseStandard nil reader", sched.ErrFormat, func() error { _, err := sched.ParseStandard(nil, "x"); return err }},
		{"ParseStandard durations overflow", sched.ErrInstance, func() error {
			_, err := sched.ParseStandard(strings.NewReader("1 2\n0 9223372036854775807 1 9223372036854775807\n"), "x")
			return err
		}},
		{"ParseStandard duration beyond int64", sched.ErrFormat, func() error {
			_, err := sched.ParseStandard(strings.NewReader("1 1\n0 99999999999999999999\n"), "x")
			return err
		}},
		{"ParseStandard huge header", sched.ErrFormat, func() error {
			_, err := sched.ParseStandard(strings.NewReader("5000000 5000000\n"), "x")
			return err
		}},
		{"ParseStandard negative machine", sched.ErrInstance, func() error {
			_, err := sched.ParseStandard(strings.NewReader("1 2\n-1 3 0 2\n"), "x")
			return err
		}},
		{"ParseTaillard nil reader", sched.ErrFormat, func() error { _, err := sched.ParseTaillard(nil, "x"); return err }},
		{"ParseTaillard negative bound", sched.ErrInstance, func() error {
			_, err := sched.ParseTaillard(strings.NewReader("Nb\n1 1 1 1 -5 3\nTimes\n5\nMachines\n1\n"), "x")
			return err
		}},
		{"ParseTaillard durations overflow", sched.ErrInstance, func() error {
			_, err := sched.ParseTaillard(strings.NewReader("Nb\n1 2 1 1 5 3\nTimes\n9223372036854775807 9223372036854775807\nMachines\n1 2\n"), "x")
			return err
		}},
		{"WriteStandard nil instance", sched.ErrInstance, func() error { return sched.WriteStandard(&strings.Builder{}, nil) }},
		{"WriteStandard ragged instance", sched.ErrInstance, func() error { return sched.WriteStandard(&strings.Builder{}, ragged) }},
		{"WriteStandard nil writer", nil, func() error { return sched.WriteStandard(nil, in) }},
		{"GenerateTaillard zero jobs", sched.ErrInstance, func() error { _, err := sched.GenerateTaillard(0, 5, 1, 1); return err }},
		{"GenerateTaillard overflowing size", sched.ErrInstance, func() error { _, err := sched.GenerateTaillard(1<<40, 1<<40, 1, 1); return err }},
		{"GenerateTaillard zero seed", sched.ErrInstance, func() error { _, err := sched.GenerateTaillard(3, 3, 0, 1); return err }},
		{"Instance.Validate nil", sched.ErrInstance, func() error { return (*sched.Instance)(nil).Validate() }},
		{"Instance.Validate ragged", sched.ErrInstance, func() error { return ragged.Validate() }},
		{"Instance.Validate rows != N", sched.ErrInstance, func() error { x := tiny(); x.N = 3; return x.Validate() }},
		{"Instance.Validate durations overflow", sched.ErrInstance, func() error { return huge.Validate() }},
		{"Instance.Validate negative BKS", sched.ErrInstance, func() error { return negBKS.Validate() }},
		{"Instance.LowerBound invalid", sched.ErrInstance, func() error { _, err := huge.LowerBound(); return err }},
		// Schedules.
		{"NewSchedule negative", sched.ErrDimension, func() error { _, err := sched.NewSchedule(-1, 2); return err }},
		{"NewSchedule huge", sched.ErrDimension, func() error { _, err := sched.NewSchedule(1<<30, 1<<30); return err }},
		{"Makespan nil instance", sched.ErrInstance, func() error { _, err := good.Makespan(nil); return err }},
		{"Makespan wrong rows", sched.ErrDimension, func() error { _, err := wrongShape.Makespan(in); return err }},
		{"Makespan ragged row", sched.ErrDimension, func() error {
			_, err := sched.Schedule{Start: [][]int{{0, 3}, {0}}}.Makespan(in)
			return err
		}},
		{"Makespan start beyond MaxTime", sched.ErrSchedule, func() error { _, err := farStart.Makespan(in); return err }},
		{"Schedule.Validate wrong shape", sched.ErrDimension, func() error { return wrongShape.Validate(in) }},
		{"Schedule.Validate nil instance", sched.ErrInstance, func() error { return good.Validate(nil) }},
		{"MachineOrders wrong shape", sched.ErrDimension, func() error { _, err := wrongShape.MachineOrders(in); return err }},
		{"SemiActive nil instance", sched.ErrInstance, func() error { _, err := sched.SemiActive(nil, ord, nil); return err }},
		{"SemiActive short orders", sched.ErrDimension, func() error { _, err := sched.SemiActive(in, ord[:1], nil); return err }},
		{"SemiActive not a permutation", sched.ErrDimension, func() error {
			_, err := sched.SemiActive(in, [][]int{{0, 0}, {1, 0}}, nil)
			return err
		}},
		{"SemiActive cycle", sched.ErrCycle, func() error { _, err := sched.SemiActive(in, [][]int{{1, 0}, {0, 1}}, nil); return err }},
		{"SemiActive negative release", sched.ErrSettings, func() error {
			_, err := sched.SemiActive(in, ord, [][]int{{-1, 0}, {0, 0}})
			return err
		}},
		{"SemiActive release beyond MaxTime", sched.ErrSettings, func() error {
			_, err := sched.SemiActive(in, ord, [][]int{{sched.MaxTime + 1, 0}, {0, 0}})
			return err
		}},
		{"SemiActive release shape", sched.ErrDimension, func() error { _, err := sched.SemiActive(in, ord, [][]int{{0, 0}}); return err }},
		{"Compress invalid schedule", sched.ErrSchedule, func() error {
			_, err := sched.Compress(in, sched.Schedule{Start: [][]int{{0, 0}, {0, 0}}}, nil)
			return err
		}},
		// Environment.
		{"NewEnv nil instance", sched.ErrInstance, func() error { _, err := sched.NewEnv(nil, nil); return err }},
		{"NewEnv too many jobs", sched.ErrDimension, func() error { _, err := sched.NewEnv(manyJobs, nil); return err }},
		{"NewEnv release shape", sched.ErrDimension, func() error { _, err := sched.NewEnv(in, [][]int{{0}}); return err }},
		{"CPEnv.LB negative job", sched.ErrDimension, func() error { _, err := env.LB(-1, 0); return err }},
		{"CPEnv.LB op index = M", sched.ErrDimension, func() error { _, err := env.LB(0, 2); return err }},
		{"CPEnv.LB zero env", sched.ErrDimension, func() error { _, err := zeroEnv.LB(0, 0); return err }},
		// Dispatching.
		{"Dispatch nil env", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, nil, sched.MWKR, 0, nil); return err }},
		{"Dispatch nil policy", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, env, nil, 0, nil); return err }},
		{"Dispatch negative T", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, env, sched.MWKR, -1, nil); return err }},
		{"Dispatch NaN T", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, env, sched.MWKR, math.NaN(), nil); return err }},
		{"Dispatch infinite T", sched.ErrSettings, func() error {
			_, err := sched.Dispatch(ctx, env, sched.MWKR, math.Inf(1), rand.New(rand.NewPCG(1, 0)))
			return err
		}},
		{"Dispatch T > 0, nil rng", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, env, sched.MWKR, 1, nil); return err }},
		{"Dispatch zero CPEnv", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, &zeroEnv, sched.MWKR, 0, nil); return err }},
		{"Dispatch Random without Rand", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, env, sched.Random{}, 0, nil); return err }},
		{"Dispatch unknown rule", sched.ErrSettings, func() error { _, err := sched.Dispatch(ctx, env, sched.Rule(99), 0, nil); return err }},
		{"Dispatch policy rejects all", sched.ErrNoAction, func() error { _, err := sched.Dispatch(ctx, env, neverInf, 0, nil); return err }},
		{"Dispatch env with short Legal", sched.ErrDimension, func() error {
			_, err := sched.Dispatch(ctx, &brokenEnv{inner: env, observe: func(o *sched.Obs) { o.Legal = o.Legal[:1] }}, sched.MWKR, 0, nil)
			return err
		}},
		{"Dispatch env with Next out of range", sched.ErrDimension, func() error {
			_, err := sched.Dispatch(ctx, &brokenEnv{inner: env, observe: func(o *sched.Obs) { o.Next[0] = 7 }}, sched.MWKR, 0, nil)
			return err
		}},
		{"Dispatch env without instance", sched.ErrDimension, func() error {
			_, err := sched.Dispatch(ctx, &brokenEnv{inner: env, observe: func(o *sched.Obs) { o.Inst = nil }}, sched.MWKR, 0, nil)
			return err
		}},
		{"Dispatch env that never finishes", sched.ErrNoAction, func() error {
			_, err := sched.Dispatch(ctx, &brokenEnv{inner: env, stuck: true}, sched.MWKR, 0, nil)
			return err
		}},
		{"Dispatch canceled", context.Canceled, func() error { _, err := sched.Dispatch(canceled, env, sched.MWKR, 0, nil); return err }},
		{"NonDelay nil instance", sched.ErrInstance, func() error { _, err := sched.NonDelay(nil, sched.MWKR); return err }},
		{"NonDelay nil policy", sched.ErrSettings, func() error { _, err := sched.NonDelay(in, nil); return err }},
		{"NonDelay unknown rule", sched.ErrSettings, func() error { _, err := sched.NonDelay(in, sched.Rule(-1)); return err }},
		{"NonDelay Random without Rand", sched.ErrSettings, func() error { _, err := sched.NonDelay(in, &sched.Random{}); return err }},
		{"NonDelay NaN logits", sched.ErrNotFinite, func() error { _, err := sched.NonDelay(in, nanPol); return err }},
		{"Dispatcher.Run ragged instance", sched.ErrInstance, func() error { var d sched.Dispatcher; _, err := d.Run(ragged, sched.SPT); return err }},
		{"ExpertActions nil obs", sched.ErrDimension, func() error { _, err := sched.ExpertActions(nil, good, nil); return err }},
		{"ExpertActions empty obs", sched.ErrDimension, func() error { _, err := sched.ExpertActions(&sched.Obs{}, good, nil); return err }},
		{"ExpertActions wrong schedule shape", sched.ErrDimension, func() error {
			var o sched.Obs
			env.Reset()
			env.Observe(&o)
			_, err := sched.ExpertActions(&o, wrongShape, nil)
			return err
		}},
		{"Replay nil env", sched.ErrSettings, func() error { _, err := sched.Replay(nil, good); return err }},
		{"Replay zero CPEnv", sched.ErrSettings, func() error { _, err := sched.Replay(&zeroEnv, good); return err }},
		{"Replay wrong shape", sched.ErrDimension, func() error { env.Reset(); _, err := sched.Replay(env, wrongShape); return err }},
		{"Replay not semi-active", sched.ErrReplay, func() error {
			late := good.Clone()
			for j := range late.Start {
				for k := range late.Start[j] {
					late.Start[j][k] += 5
				}
			}
			env.Reset()
			_, err := sched.Replay(env, late)
			return err
		}},
		{"Gap zero best known", sched.ErrSettings, func() error { _, err := sched.Gap(10, 0); return err }},
		{"Gap negative makespan", sched.ErrSettings, func() error { _, err := sched.Gap(-1, 10); return err }},
		// Tabu parameters and limits.
		{"Tabu nil", sched.ErrSettings, func() error { _, err := (*sched.Tabu)(nil).Solve(ctx, in, nil); return err }},
		{"Tabu negative tenure", sched.ErrSettings, func() error { _, err := (&sched.Tabu{TenureMin: -1}).Solve(ctx, in, nil); return err }},
		{"Tabu negative stall", sched.ErrSettings, func() error { _, err := (&sched.Tabu{Stall: -1}).Solve(ctx, in, nil); return err }},
		{"Tabu negative workers", sched.ErrSettings, func() error { _, err := (&sched.Tabu{Workers: -1}).Solve(ctx, in, nil); return err }},
		{"Tabu too many workers", sched.ErrSettings, func() error { _, err := (&sched.Tabu{Workers: 5000}).Solve(ctx, in, nil); return err }},
		{"Tabu list too large", sched.ErrDimension, func() error { _, err := (&sched.Tabu{}).Solve(ctx, wide(2000, 20), nil); return err }},
		{"BranchBound too many operations", sched.ErrDimension, func() error { _, err := sched.BranchBound{}.Solve(ctx, wide(300, 300), nil); return err }},
	}
	for _, s := range solvers {
		sv := s.sv
		solve := func(inst *sched.Instance, set *sched.Settings) func() error {
			return func() error { _, err := sv.Solve(ctx, inst, set); return err }
		}
		cases = append(cases,
			tc{s.name + " nil instance", sched.ErrInstance, solve(nil, nil)},
			tc{s.name + " overflowing instance", sched.ErrInstance, solve(huge, nil)},
			tc{s.name + " negative TimeLimit", sched.ErrSettings, solve(in, &sched.Settings{TimeLimit: -1})},
			tc{s.name + " negative MaxIter", sched.ErrSettings, solve(in, &sched.Settings{MaxIter: -1})},
			tc{s.name + " negative Target", sched.ErrSettings, solve(in, &sched.Settings{Target: -1})},
			tc{s.name + " release shape", sched.ErrDimension, solve(in, &sched.Settings{Release: [][]int{{0}}})},
			tc{s.name + " pinned op out of range", sched.ErrSettings, solve(in, &sched.Settings{Fixed: map[sched.Op]int{{Job: 5, Index: 0}: 0}})},
			tc{s.name + " pinned ops not a prefix", sched.ErrSettings, solve(in, &sched.Settings{Fixed: map[sched.Op]int{{Job: 0, Index: 1}: 9}})},
			tc{s.name + " pinned start beyond MaxTime", sched.ErrSettings, solve(in, &sched.Settings{Fixed: map[sched.Op]int{{Job: 0, Index: 0}: sched.MaxTime + 1}})},
			tc{s.name + " pinned ops overlap", sched.ErrSettings, solve(in, &sched.Settings{Fixed: map[sched.Op]int{{Job: 0, Index: 0}: 0, {Job: 1, Index: 1}: 1}})},
			tc{s.name + " infeasible warm start", sched.ErrSettings, solve(in, &sched.Settings{Warm: &sched.Schedule{Start: [][]int{{0, 0}, {0, 0}}}})},
			tc{s.name + " warm start of wrong shape", sched.ErrSettings, solve(in, &sched.Settings{Warm: &wrongShape})},
			tc{s.name + " recorder error", run.ErrRecorderStopped, solve(in, &sched.Settings{MaxIter: 10, Recorder: run.RecorderFunc[*sched.Iter](func(*sched.Iter) error { return stop })})},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Fatalf("panic: %v", r)
					}
				}()
				err = c.call()
			}()
			if err == nil {
				t.Fatalf("no error")
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("error %v does not wrap %v", err, c.want)
			}
		})
	}
	t.Logf("%d bad-input cases", len(cases))
}

// TestScoresDoNotPanic checks that the built-in policies write −Inf, never
// panic, when the observation or the destination does not fit.
func TestScoresDoNotPanic(t *testing.T) {
	in := tiny()
	env, _ := sched.NewEnv(in, nil)
	var o sched.Obs
	env.Observe(&o)
	short := []float64{1}
	for _, pol := range []sched.Policy{sched.MWKR, sched.Rule(42), sched.Random{}} {
		pol.Scores(&o, short)
		pol.Scores(&sched.Obs{}, short)
		pol.Scores(nil, short)
		if !math.IsInf(short[0], -1) {
			t.Errorf("%v: got %v, want -Inf", pol, short)
		}
	}
}

// wide returns a valid n×m instance (job j visits the machines in order
// rotated by j, all durations 1).
func wide(n, m int) *sched.Instance {
	in := &sched.Instance{N: n, M: m, Mach: make([][]int, n), Dur: make([][]int, n)}
	for j := range in.Mach {
		in.Mach[j], in.Dur[j] = make([]int, m), make([]int, m)
		for k := range in.Mach[j] {
			in.Mach[j][k], in.Dur[j][k] = (j+k)%m, 1
		}
	}
	return in
}

// TestNoPanicOnOddCalls calls the methods that return no error with odd
// arguments or on a zero environment and checks that none panics.
func TestNoPanicOnOddCalls(t *testing.T) {
	env, _ := sched.NewEnv(tiny(), nil)
	env.Step([]int{-5, 99, 2, 2})
	var zero sched.CPEnv
	var o sched.Obs
	zero.Reset()
	zero.Observe(&o)
	zero.Step([]int{0})
	zero.Prefix()
	zero.Schedule()
	zero.Legal()
	_ = (*sched.Instance)(nil).TotalDuration()
	_ = sched.Rule(77).String()
	_ = sched.Schedule{}.Clone()
}
