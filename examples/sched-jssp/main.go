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
//	go run ./examples/sched-jssp -quick=false  # the spec's time budgets
//	go run ./examples/sched-jssp -json         # last line: JSON claims
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

var a2 = map[string][7]int{
	"ft06": {88, 77, 61, 83, 59, 67, 65},
	"la01": {751, 822, 735, 933, 763, 747, 772},
}

func main() {
	quick := flag.Bool("quick", true, "quick mode (< 60 s); false runs the spec's time budgets")
	asJSON := flag.Bool("json", false, "print the claims as one JSON line at the end")
	out := flag.String("out", filepath.Join(os.TempDir(), "optlearn-sched-jssp"), "directory for the Gantt charts")
	seed := flag.Uint64("seed", 1, "seed of the tabu search")
	flag.Parse()
	log.SetFlags(0)
	rep := &claims.Report{Example: "sched-jssp"}
	ctx := context.Background()

	// A1: generator.
	ta01, err := instances.Taillard(1)
	if err != nil {
		log.Fatal(err)
	}
	okJob := fmt.Sprint(ta01.Mach[0], ta01.Dur[0]) == "[6 12 4 7 3 2 10 11 8 14 9 13 5 0 1] [94 66 10 53 26 15 65 82 10 27 93 92 96 70 83]"
	rep.Add("A1 Taillard generator", "ta01 job 0 as listed; sum of ta01 durations 11671",
		fmt.Sprintf("job 0 match=%v; sum %d", okJob, ta01.TotalDuration()), okJob && ta01.TotalDuration() == 11671)

	// A2: exact non-delay makespans.
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
			c := s.Makespan(in)
			if c != a2[name][i] || s.Validate(in) != nil {
				mism++
			}
			fmt.Printf(" %14s", fmt.Sprintf("%d [%d]", c, a2[name][i]))
		}
		fmt.Println()
	}
	rep.Add("A2 exact PDR makespans ft06, la01", "14 makespans of the spec's table", fmt.Sprintf("%d of 14 differ", mism), mism == 0)

	// A3: gap table over the 80 Taillard instances.
	var tas [80]*sched.Instance
	for k := 1; k <= 80; k++ {
		if tas[k-1], err = instances.Taillard(k); err != nil {
			log.Fatal(err)
		}
	}
	var d sched.Dispatcher
	var gaps [8][7]float64
	invalid := 0
	begin := time.Now()
	for k, in := range tas {
		for i, r := range sched.Rules {
			s := d.Run(in, r)
			gaps[k/10][i] += sched.Gap(s.Makespan(in), in.BKS) / 10
		}
	}
	pdrTime := time.Since(begin)
	for _, in := range tas { // validity, outside the timing
		for _, r := range sched.Rules {
			if d.Run(in, r).Validate(in) != nil {
				invalid++
			}
		}
	}
	// random PDR: mean over 5 runs per instance
	rng := rand.New(rand.NewPCG(*seed, 0))
	var randGap [8]float64
	for k, in := range tas {
		for rep := 0; rep < 5; rep++ {
			s := d.Run(in, sched.Random{Rand: rng})
			randGap[k/10] += sched.Gap(s.Makespan(in), in.BKS) / 50
		}
	}

	// Tabu over the groups: quick = first instance of each group, 1 s each
	// (ta01–ta10 at the A5 budget); full = all 80 instances.
	a5Budget, groupBudget, perGroup := 2*time.Second, time.Second, 1
	laBudget, ft10Budget := 10*time.Second, 10*time.Second
	if !*quick {
		a5Budget, groupBudget, perGroup = 30*time.Second, 10*time.Second, 10
		ft10Budget = 60 * time.Second
	}
	tabuRes := map[int]sched.Result{}
	solve := func(in *sched.Instance, limit time.Duration, target int) sched.Result {
		var ts sched.Tabu
		res, err := ts.Solve(ctx, in, &sched.Options{TimeLimit: limit, Target: target, Rand: rand.New(rand.NewPCG(*seed, 0))})
		if err != nil {
			log.Fatal(err)
		}
		if res.Schedule.Validate(in) != nil {
			invalid++
		}
		return res
	}
	sum10 := 0.0
	for k := 1; k <= 10; k++ {
		tabuRes[k] = solve(tas[k-1], a5Budget, tas[k-1].BKS)
		sum10 += sched.Gap(tabuRes[k].Makespan, tas[k-1].BKS)
	}
	for g := 1; g < 8; g++ {
		for k := 10*g + 1; k <= 10*g+perGroup; k++ {
			tabuRes[k] = solve(tas[k-1], groupBudget, tas[k-1].BKS)
		}
	}

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
			worst = math.Max(worst, math.Abs(gaps[g][i]-instances.TaillardGroups[g].PDRGaps[i]))
			fmt.Printf(" %13s", fmt.Sprintf("%.2f [%.1f]", gaps[g][i], instances.TaillardGroups[g].PDRGaps[i]))
		}
		tg, cnt := 0.0, 0
		for k := 10*g + 1; k <= 10*g+10; k++ {
			if r, ok := tabuRes[k]; ok {
				tg += sched.Gap(r.Makespan, tas[k-1].BKS)
				cnt++
			}
		}
		budget := groupBudget
		if g == 0 {
			budget = a5Budget
		}
		fmt.Printf(" %7.2f %14s\n", randGap[g], fmt.Sprintf("%.2f (%d@%v)", tg/float64(cnt), cnt, budget))
	}
	rep.Add("A3 PDR group mean gaps", "within ±0.1 of the spec's 8×7 table", fmt.Sprintf("max |difference| %.3f", worst), worst <= 0.1+1e-9)
	rep.Add("PDR speed", "all 7 PDRs on all 80 Taillard instances < 2 s on one core",
		fmt.Sprintf("%.2f s (%d schedules)", pdrTime.Seconds(), 7*80), pdrTime < 2*time.Second)

	// A4: env vs fast path, replay of a compressed solver schedule.
	diff := 0
	replayBad := 0
	for _, name := range []string{"ft06", "la01", "ta01"} {
		in := load(name)
		env, err := sched.NewEnv(in, nil)
		if err != nil {
			log.Fatal(err)
		}
		for _, r := range sched.Rules {
			a, _ := sched.NonDelay(in, r)
			b, err := sched.Dispatch(env, r, 0, nil)
			if err != nil || fmt.Sprint(a.Start) != fmt.Sprint(b.Start) {
				diff++
			}
			if b.Validate(in) != nil {
				invalid++
			}
		}
		res := solve(in, 500*time.Millisecond, in.BKS)
		c, err := sched.Compress(in, res.Schedule, nil)
		if err != nil {
			log.Fatal(err)
		}
		env.Reset()
		if _, err := sched.Replay(env, c); err != nil || env.Schedule().Makespan(in) != res.Makespan {
			replayBad++
		}
	}
	rep.Add("A4 env = fast path; replay", "env with a PDR and no No-Op equals the fast path; replaying a compressed solver schedule reproduces its makespan (ft06, la01, ta01)",
		fmt.Sprintf("%d of 21 schedules differ; %d of 3 replays differ", diff, replayBad), diff == 0 && replayBad == 0)

	// A5: branch and bound on ft06.
	fmt.Println("\nA5: solvers")
	ft06 := load("ft06")
	bb, err := sched.BranchBound{}.Solve(ctx, ft06, &sched.Options{TimeLimit: 5 * time.Second})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("ft06 B&B: %d %v, %d nodes, %v\n", bb.Makespan, bb.Status, bb.Iterations, bb.Elapsed.Round(time.Microsecond))
	rep.Add("A5 ft06 B&B", "ft06 = 55 proven optimal in < 5 s",
		fmt.Sprintf("%d %v in %v", bb.Makespan, bb.Status, bb.Elapsed.Round(time.Microsecond)), bb.Makespan == 55 && bb.Status == sched.Optimal && bb.Elapsed < 5*time.Second)

	if !*quick { // extra (ours): the B&B also closes la01–la05
		for i := 1; i <= 5; i++ {
			in := load(fmt.Sprintf("la%02d", i))
			r, err := sched.BranchBound{}.Solve(ctx, in, &sched.Options{TimeLimit: 30 * time.Second})
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%s B&B: %d %v, %d nodes, %v\n", in.Name, r.Makespan, r.Status, r.Iterations, r.Elapsed.Round(time.Millisecond))
		}
	}
	laOpt := []int{666, 655, 597, 590, 593}
	var laMeas []string
	laOK := true
	for i, want := range laOpt {
		name := fmt.Sprintf("la%02d", i+1)
		res := solve(load(name), laBudget, want)
		laMeas = append(laMeas, fmt.Sprintf("%s %d in %v", name, res.Makespan, res.Elapsed.Round(time.Millisecond)))
		laOK = laOK && res.Makespan <= want
	}
	fmt.Println("la01-05 tabu:", strings.Join(laMeas, ", "))
	rep.Add("A5 la01–la05 tabu", "666/655/597/590/593 within 10 s each", strings.Join(laMeas, "; "), laOK)

	ft10 := load("ft10")
	r10 := solve(ft10, ft10Budget, 951)
	fmt.Printf("ft10 tabu: %d in %v\n", r10.Makespan, r10.Elapsed.Round(time.Millisecond))
	rep.Add("A5 ft10 tabu", "ft10 ≤ 951 within 60 s", fmt.Sprintf("%d in %v (budget %v)", r10.Makespan, r10.Elapsed.Round(time.Millisecond), ft10Budget), r10.Makespan <= 951)

	mean10 := sum10 / 10
	fmt.Printf("ta01-10 tabu at %v each: mean gap %.2f%%\n", a5Budget, mean10)
	rep.Add("A5 ta01–ta10 tabu", "mean gap ≤ 4% at 30 s each (stretch ≤ 2%)", fmt.Sprintf("mean gap %.2f%% at %v each", mean10, a5Budget), mean10 <= 4)
	rep.Add("all schedules valid", "every schedule passes Validate", fmt.Sprintf("%d invalid", invalid), invalid == 0)

	// Gantt charts of the tabu schedule of ta01 and the optimal ft06.
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	for _, f := range []struct {
		file string
		in   *sched.Instance
		s    sched.Schedule
	}{
		{"ft06-bnb.svg", ft06, bb.Schedule},
		{"ft06-bnb.png", ft06, bb.Schedule},
		{"ta01-tabu.svg", ta01, tabuRes[1].Schedule},
		{"ta01-tabu.png", ta01, tabuRes[1].Schedule},
	} {
		title := fmt.Sprintf("%s makespan %d", f.in.Name, f.s.Makespan(f.in))
		if err := sched.SaveGantt(filepath.Join(*out, f.file), f.in, f.s, title, 0, 0); err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println("Gantt charts in", *out)
	fmt.Println()
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		log.Fatal(err)
	}
}

func load(name string) *sched.Instance {
	in, err := instances.Load(name)
	if err != nil {
		log.Fatal(err)
	}
	return in
}
