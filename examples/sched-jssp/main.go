// Command sched-jssp reproduces the non-learned half of Tassel, Gebser and
// Schekotihin, "An End-to-End Reinforcement Learning Approach for Job-Shop
// Scheduling Problems Based on Constraint Programming" (ICAPS 2023, arXiv
// 2306.05747), following the spec's acceptance checks A1–A5: the Taillard
// generator, the non-delay priority dispatching rules (exact makespans and
// Taillard group gaps), the dispatching environment against the fast path,
// branch and bound on ft06 and the N5 tabu search on la01–la05, ft10 and
// the Taillard groups. It writes a Gantt chart (SVG and PNG) of one schedule.
//
//	go run ./examples/sched-jssp               # quick mode, < 60 s
//	go run ./examples/sched-jssp -quick=false  # the spec's time budgets (progress on stderr)
//	go run ./examples/sched-jssp -json         # last line: JSON claims
//	go run ./examples/sched-jssp -full         # issue #15's table: tabu on ta01-80, 30 s each, 1 and 2 workers
//
// The -full table runs 80 instances × 30 s for each worker count (80 min
// for -workers 1,2); -per and -first pick a subset of each group, -limit
// changes the time per instance, and -cpu replaces the wall-time limit by
// the number of moves that -limit of one quiet core allows (measured per
// group from the process's CPU time), for measurements on a busy machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/run"
	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/gantt"
	"github.com/optlearn/optlearn/sched/instances"
)

// a2 is the spec's table of exact non-delay makespans, in sched.Rules order.
var a2 = map[string][7]int{
	"ft06": {88, 77, 61, 83, 59, 67, 65},
	"la01": {751, 822, 735, 933, 763, 747, 772},
}

// budgets are the time limits of the tabu runs.
type budgets struct {
	a5, group, la, ft10 time.Duration
	perGroup            int // Taillard instances per group beyond ta01–ta10
}

func newBudgets(quick bool) budgets {
	if quick { // first instance of each group, 1 s each; ta01–ta10 at 2 s
		return budgets{a5: 2 * time.Second, group: time.Second, la: 10 * time.Second, ft10: 10 * time.Second, perGroup: 1}
	}
	return budgets{a5: 30 * time.Second, group: 10 * time.Second, la: 10 * time.Second, ft10: 60 * time.Second, perGroup: 10}
}

// solver runs the tabu search with the example's seed, counts invalid
// schedules and shows progress of long runs on its progress writer.
type solver struct {
	seed     uint64
	progress io.Writer // nil: no progress lines (-json)
	invalid  int
}

func (sv *solver) solve(ctx context.Context, in *sched.Instance, limit time.Duration, target int) sched.Result {
	set := &sched.Settings{TimeLimit: limit, Target: target, Rand: rand.New(rand.NewPCG(sv.seed, 0))}
	if sv.progress != nil && limit >= 5*time.Second {
		set.Recorder = &sched.Printer{W: sv.progress, Prefix: in.Name + " tabu: "}
	}
	var ts sched.Tabu
	res, err := ts.Solve(ctx, in, set)
	if err != nil {
		log.Fatal(err)
	}
	if res.Schedule.Validate(in) != nil {
		sv.invalid++
	}
	return res
}

func main() {
	quick := flag.Bool("quick", true, "quick mode (< 60 s); false runs the spec's time budgets")
	asJSON := flag.Bool("json", false, "print the claims as one JSON line at the end")
	out := flag.String("out", filepath.Join(os.TempDir(), "optlearn-sched-jssp"), "directory for the Gantt charts")
	seed := flag.Uint64("seed", 1, "seed of the tabu search")
	full := flag.Bool("full", false, "run only the Taillard tabu table of issue #15 (see -limit, -per, -first, -workers, -cpu)")
	limit := flag.Duration("limit", 30*time.Second, "-full: time per instance")
	per := flag.Int("per", 10, "-full: instances per group")
	first := flag.Int("first", 1, "-full: first instance of each group (1-10)")
	workers := flag.String("workers", "1,2", "-full: worker counts")
	cpu := flag.Bool("cpu", false, "-full: budget by moves per CPU second (calibrated) instead of wall time")
	flag.Parse()
	log.SetFlags(0)
	rep := &claims.Report{Example: "sched-jssp"}
	ctx := context.Background()
	sv := &solver{seed: *seed}
	if !*asJSON {
		sv.progress = os.Stderr
	}
	if *full {
		if *per < 1 || *first < 1 || *first > 10 || *limit <= 0 {
			log.Fatal("-full: need -per ≥ 1, -first in 1..10, -limit > 0")
		}
		fullTable(ctx, rep, fullConfig{limit: *limit, per: *per, first: *first, workers: parseWorkers(*workers), cpu: *cpu, seed: *seed, progress: sv.progress})
		if err := rep.Write(os.Stdout, *asJSON); err != nil {
			log.Fatal(err)
		}
		return
	}
	b := newBudgets(*quick)

	tas := loadTaillard()
	checkGenerator(rep, tas[0])
	checkExactPDR(rep)
	pdr := pdrGaps(tas, *seed, sv)
	tabu := tabuGroups(ctx, sv, tas, b)
	printGroupTable(rep, tas, pdr, tabu, b)
	checkEnvReplay(ctx, rep, sv)
	bb := checkBranchBound(ctx, rep, *quick)
	checkTabuSmall(ctx, rep, sv, b)
	checkTabuTaillard(rep, tas, tabu, b)
	rep.Add("all schedules valid", "every schedule passes Validate", fmt.Sprintf("%d invalid", sv.invalid), sv.invalid == 0)
	writeGantts(*out, bb, tas[0], tabu[1].Schedule)
	fmt.Println()
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		log.Fatal(err)
	}
}

// loadTaillard generates ta01–ta80.
func loadTaillard() []*sched.Instance {
	tas := make([]*sched.Instance, 80)
	for k := range tas {
		in, err := instances.Taillard(k + 1)
		if err != nil {
			log.Fatal(err)
		}
		tas[k] = in
	}
	return tas
}

// checkGenerator is A1: ta01 regenerated from its seeds.
func checkGenerator(rep *claims.Report, ta01 *sched.Instance) {
	okJob := fmt.Sprint(ta01.Mach[0], ta01.Dur[0]) == "[6 12 4 7 3 2 10 11 8 14 9 13 5 0 1] [94 66 10 53 26 15 65 82 10 27 93 92 96 70 83]"
	rep.Add("A1 Taillard generator", "ta01 job 0 as listed; sum of ta01 durations 11671",
		fmt.Sprintf("job 0 match=%v; sum %d", okJob, ta01.TotalDuration()), okJob && ta01.TotalDuration() == 11671)
}

// checkExactPDR is A2: the exact non-delay makespans of ft06 and la01.
func checkExactPDR(rep *claims.Report) {
	fmt.Println("A2: non-delay PDR makespans (spec value in brackets)")
	fmt.Printf("%-6s", "inst")
	for _, r := range sched.Rules {
		fmt.Printf(" %14s", r)
	}
	fmt.Println()
	mism := 0
	for _, name := range []string{"ft06", "la01"} {
		in := load(name)
		fmt.Printf("%-6s", name)
		for i, r := range sched.Rules {
			s, err := sched.NonDelay(in, r)
			if err != nil {
				log.Fatal(err)
			}
			c := makespan(in, s)
			if c != a2[name][i] || s.Validate(in) != nil {
				mism++
			}
			fmt.Printf(" %14s", fmt.Sprintf("%d [%d]", c, a2[name][i]))
		}
		fmt.Println()
	}
	rep.Add("A2 exact PDR makespans ft06, la01", "14 makespans of the spec's table", fmt.Sprintf("%d of 14 differ", mism), mism == 0)
}

// pdrResult holds the A3 group mean gaps of the PDRs and the random rule.
type pdrResult struct {
	gaps    [8][7]float64
	randGap [8]float64
	elapsed time.Duration // all 7 PDRs on all 80 instances
}

// pdrGaps computes the A3 group mean gaps of every PDR (timed: the PDR
// speed claim) and of the random rule (mean of 5 runs per instance).
func pdrGaps(tas []*sched.Instance, seed uint64, sv *solver) pdrResult {
	var d sched.Dispatcher
	var res pdrResult
	begin := time.Now()
	for k, in := range tas {
		for i, r := range sched.Rules {
			s, err := d.Run(in, r)
			if err != nil {
				log.Fatal(err)
			}
			res.gaps[k/10][i] += gap(makespan(in, s), in.BKS) / 10
		}
	}
	res.elapsed = time.Since(begin)
	for _, in := range tas { // validity, outside the timing
		for _, r := range sched.Rules {
			if s, err := d.Run(in, r); err != nil || s.Validate(in) != nil {
				sv.invalid++
			}
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	for k, in := range tas {
		for range 5 {
			s, err := d.Run(in, sched.Random{Rand: rng})
			if err != nil {
				log.Fatal(err)
			}
			res.randGap[k/10] += gap(makespan(in, s), in.BKS) / 50
		}
	}
	return res
}

// tabuGroups runs the tabu search on ta01–ta10 at the A5 budget and on the
// first perGroup instances of every other group at the group budget. The
// result is keyed by Taillard number.
func tabuGroups(ctx context.Context, sv *solver, tas []*sched.Instance, b budgets) map[int]sched.Result {
	res := map[int]sched.Result{}
	for k := 1; k <= 10; k++ {
		res[k] = sv.solve(ctx, tas[k-1], b.a5, tas[k-1].BKS)
	}
	for g := 1; g < 8; g++ {
		for k := 10*g + 1; k <= 10*g+b.perGroup; k++ {
			res[k] = sv.solve(ctx, tas[k-1], b.group, tas[k-1].BKS)
		}
	}
	return res
}

// printGroupTable prints the A3 table (PDR gaps against the spec, random
// rule, tabu search) and adds the A3 claim.
func printGroupTable(rep *claims.Report, tas []*sched.Instance, pdr pdrResult, tabu map[int]sched.Result, b budgets) {
	fmt.Println("\nA3: mean gap % to the frozen BKS per Taillard group, non-delay PDRs [spec], and tabu search")
	fmt.Printf("%-7s", "group")
	for _, r := range sched.Rules {
		fmt.Printf(" %13s", r)
	}
	fmt.Printf(" %7s %14s\n", "random", "tabu")
	worst := 0.0
	for g, grp := range instances.TaillardGroups {
		fmt.Printf("%-7s", grp.Name)
		for i := range sched.Rules {
			worst = math.Max(worst, math.Abs(pdr.gaps[g][i]-grp.PDRGaps[i]))
			fmt.Printf(" %13s", fmt.Sprintf("%.2f [%.1f]", pdr.gaps[g][i], grp.PDRGaps[i]))
		}
		tg, cnt := 0.0, 0
		for k := 10*g + 1; k <= 10*g+10; k++ {
			if r, ok := tabu[k]; ok {
				tg += gap(r.Makespan, tas[k-1].BKS)
				cnt++
			}
		}
		budget := b.group
		if g == 0 {
			budget = b.a5
		}
		fmt.Printf(" %7.2f %14s\n", pdr.randGap[g], fmt.Sprintf("%.2f (%d@%v)", tg/float64(cnt), cnt, budget))
	}
	rep.Add("A3 PDR group mean gaps", "within ±0.1 of the spec's 8×7 table", fmt.Sprintf("max |difference| %.3f", worst), worst <= 0.1+1e-9)
	rep.Add("PDR speed", "all 7 PDRs on all 80 Taillard instances < 2 s on one core",
		fmt.Sprintf("%.2f s (%d schedules)", pdr.elapsed.Seconds(), 7*80), pdr.elapsed < 2*time.Second)
}

// checkEnvReplay is A4: the environment without No-Op equals the fast path,
// and replaying a compressed solver schedule reproduces its makespan.
func checkEnvReplay(ctx context.Context, rep *claims.Report, sv *solver) {
	diff, replayBad := 0, 0
	for _, name := range []string{"ft06", "la01", "ta01"} {
		in := load(name)
		env, err := sched.NewEnv(in, nil)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range sched.Rules {
			a, _ := sched.NonDelay(in, r)
			b, err := sched.Dispatch(ctx, env, r, 0, nil)
			if err != nil || fmt.Sprint(a.Start) != fmt.Sprint(b.Start) {
				diff++
			}
			if b.Validate(in) != nil {
				sv.invalid++
			}
		}
		res := sv.solve(ctx, in, 500*time.Millisecond, in.BKS)
		c, err := sched.Compress(in, res.Schedule, nil)
		if err != nil {
			log.Fatal(err)
		}
		env.Reset()
		if _, err := sched.Replay(env, c); err != nil || makespan(in, env.Schedule()) != res.Makespan {
			replayBad++
		}
	}
	rep.Add("A4 env = fast path; replay", "env with a PDR and no No-Op equals the fast path; replaying a compressed solver schedule reproduces its makespan (ft06, la01, ta01)",
		fmt.Sprintf("%d of 21 schedules differ; %d of 3 replays differ", diff, replayBad), diff == 0 && replayBad == 0)
}

// checkBranchBound is A5 for the branch and bound: ft06 proven optimal
// (and, outside quick mode, la01–la05 for information). It returns the
// ft06 schedule.
func checkBranchBound(ctx context.Context, rep *claims.Report, quick bool) sched.Result {
	fmt.Println("\nA5: solvers")
	ft06 := load("ft06")
	bb, err := sched.BranchBound{}.Solve(ctx, ft06, &sched.Settings{TimeLimit: 5 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ft06 B&B: %d %v, %d nodes, %v\n", bb.Makespan, bb.Status, bb.Iterations, bb.Elapsed.Round(time.Microsecond))
	rep.Add("A5 ft06 B&B", "ft06 = 55 proven optimal in < 5 s",
		fmt.Sprintf("%d %v in %v", bb.Makespan, bb.Status, bb.Elapsed.Round(time.Microsecond)), bb.Makespan == 55 && bb.Status == run.Optimal && bb.Elapsed < 5*time.Second)
	if !quick { // extra (ours): the B&B also closes la01–la05
		for i := 1; i <= 5; i++ {
			in := load(fmt.Sprintf("la%02d", i))
			r, err := sched.BranchBound{}.Solve(ctx, in, &sched.Settings{TimeLimit: 30 * time.Second})
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%s B&B: %d %v, %d nodes, %v\n", in.Name, r.Makespan, r.Status, r.Iterations, r.Elapsed.Round(time.Millisecond))
		}
	}
	return bb
}

// checkTabuSmall is A5 for the tabu search on la01–la05 and ft10.
func checkTabuSmall(ctx context.Context, rep *claims.Report, sv *solver, b budgets) {
	laOpt := []int{666, 655, 597, 590, 593}
	var laMeas []string
	laOK := true
	for i, want := range laOpt {
		name := fmt.Sprintf("la%02d", i+1)
		res := sv.solve(ctx, load(name), b.la, want)
		laMeas = append(laMeas, fmt.Sprintf("%s %d in %v", name, res.Makespan, res.Elapsed.Round(time.Millisecond)))
		laOK = laOK && res.Makespan <= want
	}
	fmt.Println("la01-05 tabu:", strings.Join(laMeas, ", "))
	rep.Add("A5 la01–la05 tabu", "666/655/597/590/593 within 10 s each", strings.Join(laMeas, "; "), laOK)

	r10 := sv.solve(ctx, load("ft10"), b.ft10, 951)
	fmt.Printf("ft10 tabu: %d in %v\n", r10.Makespan, r10.Elapsed.Round(time.Millisecond))
	rep.Add("A5 ft10 tabu", "ft10 ≤ 951 within 60 s", fmt.Sprintf("%d in %v (budget %v)", r10.Makespan, r10.Elapsed.Round(time.Millisecond), b.ft10), r10.Makespan <= 951)
}

// checkTabuTaillard is A5 for the tabu search on ta01–ta10.
func checkTabuTaillard(rep *claims.Report, tas []*sched.Instance, tabu map[int]sched.Result, b budgets) {
	sum := 0.0
	for k := 1; k <= 10; k++ {
		sum += gap(tabu[k].Makespan, tas[k-1].BKS)
	}
	mean := sum / 10
	fmt.Printf("ta01-10 tabu at %v each: mean gap %.2f%%\n", b.a5, mean)
	rep.Add("A5 ta01–ta10 tabu", "mean gap ≤ 4% at 30 s each (stretch ≤ 2%)", fmt.Sprintf("mean gap %.2f%% at %v each", mean, b.a5), mean <= 4)
}

// writeGantts writes the Gantt charts of the optimal ft06 and the tabu
// schedule of ta01, as SVG and PNG.
func writeGantts(dir string, bb sched.Result, ta01 *sched.Instance, s sched.Schedule) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		log.Fatal(err)
	}
	ft06 := load("ft06")
	for _, f := range []struct {
		file string
		in   *sched.Instance
		s    sched.Schedule
	}{
		{"ft06-bnb.svg", ft06, bb.Schedule},
		{"ft06-bnb.png", ft06, bb.Schedule},
		{"ta01-tabu.svg", ta01, s},
		{"ta01-tabu.png", ta01, s},
	} {
		title := fmt.Sprintf("%s makespan %d", f.in.Name, makespan(f.in, f.s))
		if err := gantt.Save(filepath.Join(dir, f.file), f.in, f.s, title, 0, 0); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("Gantt charts in", dir)
}

func load(name string) *sched.Instance {
	in, err := instances.Load(name)
	if err != nil {
		log.Fatal(err)
	}
	return in
}

func makespan(in *sched.Instance, s sched.Schedule) int {
	c, err := s.Makespan(in)
	if err != nil {
		log.Fatal(err)
	}
	return c
}

func gap(c, bks int) float64 {
	g, err := sched.Gap(c, bks)
	if err != nil {
		log.Fatal(err)
	}
	return g
}
