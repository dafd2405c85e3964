// Command mcts-srm reproduces "What are step-level reward models
// rewarding?" (Ma et al., AAAI 2025) on the spec's Game24-Steps: MCTS
// annotates step-level preferences from final-answer correctness alone,
// four step reward models that see different parts of a step (FC: thoughts
// and math; MO: math only; SSMO: the newest equation only; NT: the next
// thought without its equation) are trained on the same pairs, and each
// guides greedy search on the test problems, beside Pass@1. The paper's
// three findings become the claims: thoughts hardly matter (FC ≈ MO),
// the whole math history beats the newest expression (MO > SSMO), and
// judging a thought without its executed math barely helps (MO > NT).
//
//	go run ./examples/mcts-srm          # 3 SRM seeds, 5 episodes per test problem
//	go run ./examples/mcts-srm -json
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"sync"
	"time"

	"github.com/optlearn/optlearn/claims"
	"github.com/optlearn/optlearn/rl/envs/game24"
	"github.com/optlearn/optlearn/rl/mcts"
	"github.com/optlearn/optlearn/rl/srm"
)

// example holds the pairs as the four views see them.
type pairSet struct {
	chosen, rejected map[game24.View][][]float64
}

func main() {
	quick := flag.Bool("quick", true, "quick run (the full run uses 500 MCTS iterations on every training problem and 10 episodes)")
	asJSON := flag.Bool("json", false, "end the output with a JSON report")
	flag.Parse()
	iters, episodes, seeds := 500, 5, 3
	if !*quick {
		episodes = 10
	}
	ctx := context.Background()
	start := time.Now()
	say := func(format string, a ...any) {
		if !*asJSON {
			fmt.Fprintf(os.Stderr, "[%5.1f s] "+format+"\n", append([]any{time.Since(start).Seconds()}, a...)...)
		}
	}
	train, test := game24.Split(game24.Problems())
	say("%d training and %d test problems", len(train), len(test))

	// 1. MCTS annotation on every training problem
	views := []game24.View{game24.FC, game24.MO, game24.SSMO, game24.NT}
	ps := annotate(ctx, train, iters, views)
	n := len(ps.chosen[game24.MO])
	say("MCTS: %d preference pairs (%.1f per problem)", n, float64(n)/float64(len(train)))

	// 2. one SRM per view and seed; hold out 10% of the pairs
	hold := n / 10
	perm := rand.New(rand.NewPCG(7, 0)).Perm(n)
	models := map[game24.View][]*srm.Model{}
	acc := map[game24.View]float64{}
	for _, v := range views {
		var trC, trR, hoC, hoR [][]float64
		for k, idx := range perm {
			if k < hold {
				hoC, hoR = append(hoC, ps.chosen[v][idx]), append(hoR, ps.rejected[v][idx])
			} else {
				trC, trR = append(trC, ps.chosen[v][idx]), append(trR, ps.rejected[v][idx])
			}
		}
		for s := 0; s < seeds; s++ {
			m, err := srm.Fit(ctx, trC, trR, &srm.Settings{Rand: rand.New(rand.NewPCG(uint64(100+s), 0))})
			if err != nil {
				log.Fatal(err)
			}
			models[v] = append(models[v], m)
			acc[v] += m.Accuracy(hoC, hoR) / float64(seeds)
		}
		say("%v-SRM trained (%d features), held-out preference accuracy %.3f", v, game24.FeatureLen(v), acc[v])
	}

	// 3. search on the test problems with common random numbers
	agent := game24.Agent{Temperature: 0.7}
	pass1 := evaluate(test, episodes, nil, 0, 1, 1, agent)
	say("Pass@1 %.3f", pass1)
	gs := map[game24.View]float64{}
	for _, v := range views {
		for s := 0; s < seeds; s++ {
			gs[v] += evaluate(test, episodes, models[v][s], v, 1, 5, agent) / float64(seeds)
		}
		say("greedy search c = 5 with %v-SRM: %.3f", v, gs[v])
	}
	bs := 0.0
	for s := 0; s < seeds; s++ {
		bs += evaluate(test, episodes, models[game24.MO][s], game24.MO, 3, 10, agent) / float64(seeds)
	}
	say("beam search B = 3, c = 10 with MO-SRM: %.3f", bs)

	fmt.Printf("\nGame24-Steps test set (%d problems × %d episodes, common random numbers; mean of %d SRM seeds)\n", len(test), episodes, seeds)
	fmt.Printf("%-22s %8s %10s\n", "method", "solved", "pref. acc")
	fmt.Printf("%-22s %8.3f %10s\n", "Pass@1 (agent, T=0.7)", pass1, "")
	for _, v := range views {
		fmt.Printf("%-22s %8.3f %10.3f\n", "GS c=5, "+v.String()+"-SRM", gs[v], acc[v])
	}
	fmt.Printf("%-22s %8.3f\n", "BS B=3 c=10, MO-SRM", bs)
	fmt.Printf("MCTS annotation: %d preference pairs, %.1f per training problem (the spec's reference implementation: about 42)\n\n", n, float64(n)/float64(len(train)))
	fmt.Printf("paper, Table 1 (GS, c=5, DeepSeek-Math SRM, GSM8K): Pass@1 78.47, FC 86.20, MO 85.82, SSMO 82.11, NT 79.38\n\n")

	rep := claims.Report{Example: "mcts-srm"}
	rep.Add("Pass@1", "in [0.34, 0.41] (exact expectation 0.373)", fmt.Sprintf("%.3f", pass1), pass1 >= 0.34 && pass1 <= 0.41)
	rep.Add("MO-SRM guides search", "GS(MO) ≥ Pass@1 + 0.20", fmt.Sprintf("%.3f vs %.3f", gs[game24.MO], pass1), gs[game24.MO] >= pass1+0.20)
	rep.Add("finding 1: thoughts hardly matter", "|FC − MO| ≤ 0.03", fmt.Sprintf("FC %.3f, MO %.3f", gs[game24.FC], gs[game24.MO]), abs(gs[game24.FC]-gs[game24.MO]) <= 0.03)
	rep.Add("finding 2: the math history matters", "MO − SSMO ≥ 0.05", fmt.Sprintf("MO %.3f, SSMO %.3f", gs[game24.MO], gs[game24.SSMO]), gs[game24.MO]-gs[game24.SSMO] >= 0.05)
	rep.Add("finding 3: a thought without its math barely helps", "MO − NT ≥ 0.05 and NT's preference accuracy ≤ MO's − 0.05",
		fmt.Sprintf("MO %.3f, NT %.3f; accuracy MO %.3f, NT %.3f", gs[game24.MO], gs[game24.NT], acc[game24.MO], acc[game24.NT]),
		gs[game24.MO]-gs[game24.NT] >= 0.05 && acc[game24.NT] <= acc[game24.MO]-0.05)
	rep.Add("beam search (Table 3 trend)", "BS(B=3, c=10) ≥ GS(c=5) − 0.02 with MO", fmt.Sprintf("%.3f vs %.3f", bs, gs[game24.MO]), bs >= gs[game24.MO]-0.02)
	fmt.Printf("total %.1f s\n\n", time.Since(start).Seconds())
	if err := rep.Write(os.Stdout, *asJSON); err != nil {
		log.Fatal(err)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// annotate runs MCTS on every problem (problem k with stream (1, k), in
// parallel; pairs are gathered in problem order) and featurises the pairs
// for every view.
func annotate(ctx context.Context, problems [][4]int, iters int, views []game24.View) pairSet {
	type result struct{ chosen, rejected map[game24.View][][]float64 }
	out := make([]result, len(problems))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < len(problems); k += workers {
				root := game24.Node{State: game24.NewState(problems[k]), Agent: game24.Agent{Temperature: 1.3}, World: game24.DefaultWorld}
				tree, err := mcts.Run(ctx, root, &mcts.Settings{MaxIter: iters, Rand: rand.New(rand.NewPCG(1, uint64(k)))})
				if err != nil {
					log.Fatal(err)
				}
				r := result{map[game24.View][][]float64{}, map[game24.View][][]float64{}}
				for _, p := range mcts.Pairs(tree, 0.7) {
					parent := p.Parent.State.(game24.Node).State
					c, rj := p.Chosen.State.(game24.Node).State, p.Rejected.State.(game24.Node).State
					for _, v := range views {
						r.chosen[v] = append(r.chosen[v], game24.Features(nil, v, parent, c))
						r.rejected[v] = append(r.rejected[v], game24.Features(nil, v, parent, rj))
					}
				}
				out[k] = r
			}
		}()
	}
	wg.Wait()
	ps := pairSet{map[game24.View][][]float64{}, map[game24.View][][]float64{}}
	for _, r := range out {
		for v, c := range r.chosen {
			ps.chosen[v] = append(ps.chosen[v], c...)
			ps.rejected[v] = append(ps.rejected[v], r.rejected[v]...)
		}
	}
	return ps
}

// evaluate returns the fraction of (problem, episode) solved by beam search
// with the model (nil: plain sampling), every (problem, episode) with its
// own stream so that all methods see the same random numbers.
func evaluate(problems [][4]int, episodes int, m *srm.Model, v game24.View, B, c int, agent game24.Agent) float64 {
	solved := make([]float64, len(problems))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mm *srm.Model
			if m != nil {
				mm = m.Clone()
			}
			feat := make([]float64, game24.FeatureLen(v))
			var score func(p, ch game24.Node) float64
			if mm != nil {
				score = func(p, ch game24.Node) float64 {
					return mm.Score(game24.Features(feat, v, p.State, ch.State))
				}
			}
			next := func(s game24.Node, rng *rand.Rand) game24.Node { return s.Next(rng) }
			terminal := func(s game24.Node) bool { return s.Terminal() }
			for k := w; k < len(problems); k += workers {
				for e := 0; e < episodes; e++ {
					rng := rand.New(rand.NewPCG(uint64(k), uint64(e)))
					root := game24.Node{State: game24.NewState(problems[k]), Agent: agent, World: game24.DefaultWorld}
					final := srm.Beam(root, next, terminal, score, B, c, game24.Steps, rng)
					solved[k] += final.Reward() / float64(episodes)
				}
			}
		}()
	}
	wg.Wait()
	sum := 0.0
	for _, s := range solved {
		sum += s
	}
	return sum / float64(len(problems))
}
