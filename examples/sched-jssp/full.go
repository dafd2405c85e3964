package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/run/cputime"
	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

// groupTargets are issue #15's targets for the mean gap (percent) of the
// tabu search per Taillard group at 30 s per instance; -1 means "the best
// known value wherever it equals the lower bound".
var groupTargets = [8]float64{0.3, 1.5, 1.5, 3, 3, -1, -1, -1}

// gecode holds MiniZinc + Gecode LNS gaps at 30 s (one thread) quoted in
// issue #15 for comparison, by Taillard number.
var gecode = map[int]string{1: "4.43 (ta01-10 mean)", 21: "5.8 (ta21)", 41: "12.0 (ta41)", 51: "15.9 (ta51)", 71: "16.2 (ta71)"}

// fullConfig is the -full mode's configuration.
type fullConfig struct {
	limit    time.Duration // per instance
	per      int           // instances per group
	first    int           // first instance of each group, 1-based
	workers  []int
	cpu      bool // budget: limit × iterations per CPU second, calibrated
	seed     uint64
	progress io.Writer
}

// fullRun is one instance solved with a worker count.
type fullRun struct {
	k, workers int
	res        sched.Result
	gap        float64
	cpuRate    float64 // -cpu: calibrated moves per CPU second of the group
}

// fullTable runs the tabu search on the chosen Taillard instances with each
// worker count and prints, per group, the mean gap to the frozen BKS, the
// issue's target and the moves per second per worker; the targets become
// claims.
func fullTable(ctx context.Context, rep *claims.Report, cfg fullConfig) {
	tas := loadTaillard()
	var runs []fullRun
	for g := range 8 {
		budget, rate := 0, 0.0
		if cfg.cpu {
			rate = calibrate(ctx, tas[10*g+cfg.first-1], cfg)
			budget = int(rate * cfg.limit.Seconds())
		}
		for _, w := range cfg.workers {
			for k := 10*g + cfg.first; k < 10*g+cfg.first+cfg.per && k <= 10*g+10; k++ {
				r := solveFull(ctx, tas[k-1], k, w, budget, cfg)
				r.cpuRate = rate
				runs = append(runs, r)
			}
		}
	}
	printFullTable(rep, tas, runs, cfg)
}

// calibrate measures the moves per CPU second of one worker on in (2 s of
// wall time).
func calibrate(ctx context.Context, in *sched.Instance, cfg fullConfig) float64 {
	c0, ok := cputime.Process()
	if !ok {
		log.Fatal("-cpu: process CPU time is not available on this system")
	}
	res, err := (&sched.Tabu{}).Solve(ctx, in, &sched.Settings{TimeLimit: 2 * time.Second, Rand: rand.New(rand.NewPCG(cfg.seed, 0))})
	if err != nil {
		log.Fatal(err)
	}
	c1, _ := cputime.Process()
	rate := float64(res.Iterations) / max((c1-c0).Seconds(), 1e-3)
	if cfg.progress != nil {
		fmt.Fprintf(cfg.progress, "%s: %.0f moves per CPU second; budget %d moves per worker (%v of one core)\n", in.Name, rate, int(rate*cfg.limit.Seconds()), cfg.limit)
	}
	return rate
}

// solveFull solves ta<k> with w workers for cfg.limit, or for budget moves
// per worker when budget > 0.
func solveFull(ctx context.Context, in *sched.Instance, k, w, budget int, cfg fullConfig) fullRun {
	set := &sched.Settings{TimeLimit: cfg.limit, Target: in.BKS, Rand: rand.New(rand.NewPCG(cfg.seed, 0))}
	if budget > 0 {
		set.TimeLimit, set.MaxIter = 0, budget
	}
	if cfg.progress != nil {
		set.Recorder = &sched.Printer{W: cfg.progress, Prefix: fmt.Sprintf("%s %d worker(s): ", in.Name, w), Interval: 10 * time.Second}
	}
	res, err := (&sched.Tabu{Workers: w}).Solve(ctx, in, set)
	if err != nil {
		log.Fatal(err)
	}
	if err := res.Schedule.Validate(in); err != nil {
		log.Fatal(err)
	}
	return fullRun{k: k, workers: w, res: res, gap: gap(res.Makespan, in.BKS)}
}

// printFullTable prints the per-instance results and the group table, and
// adds one claim per group and worker count.
func printFullTable(rep *claims.Report, tas []*sched.Instance, runs []fullRun, cfg fullConfig) {
	budget := fmt.Sprintf("%v per instance (wall)", cfg.limit)
	if cfg.cpu {
		budget = fmt.Sprintf("moves of %v of one core per worker (calibrated)", cfg.limit)
	}
	fmt.Printf("\nTabu search (N6) on Taillard, seed %d, %s\n", cfg.seed, budget)
	fmt.Printf("%-6s %7s %6s %8s %8s %10s %12s\n", "inst", "workers", "Cmax", "BKS", "gap %", "moves", "moves/s/wkr")
	for _, r := range runs {
		fmt.Printf("ta%02d   %7d %6d %8d %8.2f %10d %12.0f\n", r.k, r.workers, r.res.Makespan, tas[r.k-1].BKS, r.gap, r.res.Iterations, float64(r.res.Iterations)/r.res.Elapsed.Seconds())
	}
	fmt.Printf("\n%-13s %7s %10s %8s %12s %12s %s\n", "group", "workers", "mean gap %", "target", "moves/s/wkr", "moves/CPU-s", "Gecode LNS 30 s [issue]")
	for g, grp := range instances.TaillardGroups {
		for _, w := range cfg.workers {
			var sum, rate, cpuRate float64
			var names []string
			atBound := true
			for _, r := range runs {
				if r.workers != w || (r.k-1)/10 != g {
					continue
				}
				sum += r.gap
				rate += float64(r.res.Iterations) / r.res.Elapsed.Seconds()
				cpuRate += r.cpuRate
				names = append(names, fmt.Sprintf("ta%02d", r.k))
				b, _ := instances.Bound(tas[r.k-1].Name)
				if b.LB == tas[r.k-1].BKS && r.res.Makespan > b.LB {
					atBound = false
				}
			}
			if len(names) == 0 {
				continue
			}
			n := float64(len(names))
			target, pass := "BKS = LB", atBound
			if t := groupTargets[g]; t >= 0 {
				target, pass = fmt.Sprintf("≤ %.1f", t), sum/n <= t
			}
			label := fmt.Sprintf("ta%02d-%02d", 10*g+1, 10*g+10)
			cpuCol := "-" // only known with -cpu
			if cfg.cpu {
				cpuCol = fmt.Sprintf("%.0f", cpuRate/n)
			}
			fmt.Printf("%-13s %7d %10.2f %8s %12.0f %12s %s\n", label+" "+grp.Name, w, sum/n, target, rate/n, cpuCol, gecode[10*g+1])
			rep.Add(fmt.Sprintf("tabu %s, %d worker(s)", label, w), "issue #15 target at 30 s: "+targetText(target),
				fmt.Sprintf("mean gap %.2f%% over %s (%s)", sum/n, strings.Join(names, ","), budget), pass)
		}
	}
}

// parseWorkers reads a comma-separated list of worker counts.
func parseWorkers(s string) []int {
	var out []int
	for _, f := range strings.Split(s, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || w < 1 {
			log.Fatalf("-workers: bad count %q", f)
		}
		out = append(out, w)
	}
	return out
}

// targetText words a group target for the claims table.
func targetText(target string) string {
	if target == "BKS = LB" {
		return "the best known value on every instance where it equals the lower bound"
	}
	return "mean gap " + target + " %"
}
