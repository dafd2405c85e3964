// Package sched implements the non-learned half of
//
//	P. Tassel, M. Gebser, K. Schekotihin, "An End-to-End Reinforcement
//	Learning Approach for Job-Shop Scheduling Problems Based on Constraint
//	Programming", ICAPS 2023, pp. 614–622, arXiv:2306.05747
//	(official code: ingambe/End2End-Job-Shop-Scheduling-CP, ingambe/JobShopCPEnv)
//
// for the job-shop scheduling problem (JSSP): n jobs, m machines, job j is
// an ordered list of operations (machine μ_jk, duration p_jk ≥ 1), one
// operation at a time per machine, no preemption, minimise the makespan
// Cmax. The learned dispatching rule itself is a separate package; this one
// provides everything it needs:
//
//   - [Instance]: [ParseStandard] (OR-Library format), [ParseTaillard]
//     (Taillard's original format), [GenerateTaillard] (Taillard 1993,
//     exact from the seeds) and [Instance.Validate]. Package
//     sched/instances embeds ft06, ft10, la01–la05 and the bounds, and
//     regenerates ta01–ta80 with the frozen best-known makespans.
//   - [Schedule]: [Schedule.Makespan], [Schedule.Validate], [SemiActive]
//     and [Compress] (spec step 4). Gantt charts are drawn by the
//     sub-package sched/gantt, so that sched itself does not import
//     gonum/plot.
//   - [CPEnv], the spec's dispatching environment over the CP model (start
//     lower bounds lb propagated by precedence and no-overlap, event time t,
//     legal jobs, No-Op, multi-action steps), [Dispatch] to play a [Policy]
//     in it, [ExpertActions] and [Replay] for the expert path, and the fast
//     non-delay path [NonDelay] / [Dispatcher], which builds exactly the
//     same schedules without No-Op.
//   - The priority dispatching rules [Rule] (SPT, LPT, MWKR, LWKR, MOPNR,
//     FDD/MWKR, FIFO; minimum score, ties to the lowest job index) and
//     [Random].
//   - Solvers behind [Solver], replacing the paper's CP Optimizer: the
//     Giffler–Thompson [BranchBound] (proves optimality on small instances)
//     and the [Tabu] search (N6 neighbourhood, Balas & Vazacopoulos 1998,
//     or N5, Nowicki & Smutnicki 1996; parallel workers). Both accept a
//     warm start, pinned prefix operations and release dates through
//     [Settings], take a context first and return a semi-active schedule
//     with a [run.Status] (Optimal, TargetReached, IterationLimit,
//     TimeLimit, Canceled, RecorderStopped).
//
// # Run control
//
// The solvers follow the library's conventions (package run): [Settings]
// with MaxIter (one iteration is a tabu move or a search-tree node),
// TimeLimit (zero none, negative an error), Target (zero none), Rand (nil
// means a fixed seed) and a [Recorder] that sees an [Iter] at the start,
// after every iteration and at the end ([History], [Printer]). Errors wrap
// the sentinels ErrFormat, ErrInstance, ErrSchedule, ErrDimension,
// ErrSettings, ErrNotFinite, ErrCycle, ErrNoAction and ErrReplay. No
// exported function panics on bad input; all sums of times are bounded by
// [MaxTime] so none overflows.
//
// Symbols: p_jk = Instance.Dur[j][k], μ_jk = Instance.Mach[j][k], the start
// of operation (j,k) is Schedule.Start[j][k], est_j = Obs.Est[j],
// r_j = Obs.Ready[j], t = Obs.Time, the remaining work Σ_{l≥k} p_jl =
// Obs.Rem[j].
//
// # Deviations
//
// The official code standardises the start lower bounds with the mean and
// std of window slot 1 across all features, which looks like a slip; Obs
// standardises over the state's real (operation) tokens instead, as the
// spec asks. Instances with zero durations (orb07) are rejected by
// [Instance.Validate], as the spec requires p ≥ 1. Pinned operations must
// form a prefix of every job and precede all free operations on their
// machines (always true for prefixes taken from [CPEnv.Prefix]).
//
// # Usage
//
//	inst, _ := instances.Load("ft06")
//	s, _ := sched.NonDelay(inst, sched.MWKR) // makespan 61
//	res, err := (&sched.Tabu{}).Solve(ctx, inst, &sched.Settings{Warm: &s, MaxIter: 10000})
//	fmt.Println(res.Makespan, res.Status, err) // 55 IterationLimit <nil> (55 is optimal; BranchBound proves it)
//	_ = gantt.Save("ft06.svg", inst, res.Schedule, "ft06", 0, 0)
package sched
