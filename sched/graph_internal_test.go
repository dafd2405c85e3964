package sched

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSwapEvalMatchesEval checks the incremental evaluation against a full
// evaluation after random critical swaps, with and without release dates.
func TestSwapEvalMatchesEval(t *testing.T) {
	for _, withRel := range []bool{false, true} {
		inst, _ := GenerateTaillard(15, 10, 12345, 678)
		s0, _ := NonDelay(inst, SPT)
		st := &tabuState{g: newGraph(inst), n: inst.N, m: inst.M, locked: make([]int, inst.M)}
		ref := newGraph(inst)
		rng := rand.New(rand.NewPCG(1, 0))
		if withRel {
			rel := make([][]int, inst.N)
			for j := range rel {
				rel[j] = make([]int, inst.M)
				rel[j][rng.IntN(inst.M)] = rng.IntN(300)
			}
			st.g.setRelease(rel)
			ref.setRelease(rel)
		}
		st.g.setOrders(s0.machineOrders(inst))
		st.g.eval()
		for it := 0; it < 1000; it++ {
			st.criticalPath(rng)
			st.n1Moves()
			if len(st.moves) == 0 {
				break
			}
			mv := st.moves[rng.IntN(len(st.moves))]
			st.g.swapEval(mv.mu, mv.i)
			ref.setOrders(ordersOf(st.g))
			if !ref.eval() {
				t.Fatalf("iteration %d: cycle", it)
			}
			if ref.cmax != st.g.cmax || fmt.Sprint(ref.head) != fmt.Sprint(st.g.head) || fmt.Sprint(ref.tail) != fmt.Sprint(st.g.tail) {
				t.Fatalf("iteration %d (release %v): incremental cmax %d, full %d", it, withRel, st.g.cmax, ref.cmax)
			}
			if st.g.tail[st.g.end] != 0 || st.g.head[st.g.end]+st.g.dur[st.g.end] != st.g.cmax {
				t.Fatalf("iteration %d: bad end op", it)
			}
		}
	}
}

// TestMoveEvalMatchesEval checks the incremental evaluation of N6 moves
// (and the acyclicity promised by their feasibility test) against a full
// evaluation, with and without release dates.
func TestMoveEvalMatchesEval(t *testing.T) {
	for _, withRel := range []bool{false, true} {
		inst, _ := GenerateTaillard(20, 10, 4321, 876)
		s0, _ := NonDelay(inst, SPT)
		st := &tabuState{g: newGraph(inst), n: inst.N, m: inst.M, locked: make([]int, inst.M)}
		ref := newGraph(inst)
		rng := rand.New(rand.NewPCG(2, 0))
		if withRel {
			rel := make([][]int, inst.N)
			for j := range rel {
				rel[j] = make([]int, inst.M)
				rel[j][rng.IntN(inst.M)] = rng.IntN(300)
			}
			st.g.setRelease(rel)
			ref.setRelease(rel)
		}
		st.g.setOrders(s0.machineOrders(inst))
		st.g.eval()
		long := 0
		for it := 0; it < 2000; it++ {
			st.criticalPath(rng)
			st.n6Moves()
			if len(st.moves) == 0 {
				break
			}
			mv := st.moves[rng.IntN(len(st.moves))]
			if d := mv.to - mv.i; d > 1 || d < -1 {
				long++
			}
			est := st.estimateMove(&mv)
			st.g.moveEval(mv.mu, mv.i, mv.to)
			ref.setOrders(ordersOf(st.g))
			if !ref.eval() {
				t.Fatalf("iteration %d: move %+v made a cycle", it, mv)
			}
			if ref.cmax != st.g.cmax || fmt.Sprint(ref.head) != fmt.Sprint(st.g.head) || fmt.Sprint(ref.tail) != fmt.Sprint(st.g.tail) {
				t.Fatalf("iteration %d (release %v): incremental cmax %d, full %d", it, withRel, st.g.cmax, ref.cmax)
			}
			if d := mv.to - mv.i; (d == 1 || d == -1) && est > st.g.cmax {
				// exact through the pair, so a lower bound; for longer moves
				// the estimate uses old heads and tails and is approximate
				t.Fatalf("iteration %d: estimate %d of a swap above the new makespan %d", it, est, st.g.cmax)
			}
		}
		if long < 100 {
			t.Errorf("only %d non-adjacent moves tried", long)
		}
	}
}

func ordersOf(g *graph) [][]int {
	out := make([][]int, g.m)
	for mu, s := range g.seq {
		for _, o := range s {
			out[mu] = append(out[mu], o/g.m)
		}
	}
	return out
}

// TestEnvWithReleaseEqualsListSchedule checks the environment with release
// dates against the fast path with release dates.
func TestEnvWithReleaseEqualsListSchedule(t *testing.T) {
	inst, _ := GenerateTaillard(12, 6, 4242, 99)
	rng := rand.New(rand.NewPCG(2, 0))
	rel := make([][]int, inst.N)
	for j := range rel {
		rel[j] = make([]int, inst.M)
		for k := range rel[j] {
			if rng.IntN(3) == 0 {
				rel[j][k] = rng.IntN(400)
			}
		}
	}
	env, err := NewEnv(inst, rel)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules {
		a := listSchedule(inst, r, Schedule{}, nil, rel)
		b, err := Dispatch(context.Background(), env, r, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(a.Start) != fmt.Sprint(b.Start) {
			t.Errorf("%v: env and fast path differ with release dates", r)
		}
		if err := b.Validate(inst); err != nil {
			t.Fatal(err)
		}
	}
}
