package game24

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestProblems(t *testing.T) {
	ps := Problems()
	train, test := Split(ps)
	if len(ps) != 1362 || len(train) != 1021 || len(test) != 341 {
		t.Fatalf("%d problems, %d train, %d test; want 1362, 1021, 341", len(ps), len(train), len(test))
	}
	if ps[0] != [4]int{1, 1, 1, 8} {
		t.Errorf("first problem %v", ps[0])
	}
}

func TestRationals(t *testing.T) {
	// 8 / (3 − 8/3) = 24 needs exact fractions
	a, _ := Div.Apply(Int(8), Int(3))
	b, _ := Sub.Apply(Int(3), a)
	c, ok := Div.Apply(Int(8), b)
	if !ok || !c.Is24() || a.IsInt() {
		t.Errorf("8/(3−8/3) = %v", c)
	}
	if _, ok := Div.Apply(Int(1), Int(0)); ok {
		t.Error("division by zero accepted")
	}
	if !Solvable([]Rat{Int(3), Int(3), Int(8), Int(8)}) || Solvable([]Rat{Int(1), Int(1), Int(1), Int(1)}) {
		t.Error("solvability oracle")
	}
}

// A clean world model executes exactly, and the verifier accepts 24 only
// without an invalid step.
func TestWorldAndVerifier(t *testing.T) {
	clean := World{}
	rng := rand.New(rand.NewPCG(1, 0))
	s := NewState([4]int{4, 6, 1, 1})                       // avail 6 4 1 1
	s = clean.Execute(s, Thought{Op: Mul, I: 0, J: 1}, rng) // 6 × 4 = 24
	s = clean.Execute(s, Thought{Op: Mul, I: 0, J: 1}, rng) // 24 × 1
	s = clean.Execute(s, Thought{Op: Mul, I: 0, J: 1}, rng) // 24 × 1
	if s.Reward() != 1 || s.Steps[0].Eq.Text() != "6 * 4 = 24" {
		t.Fatalf("reward %v, first equation %q", s.Reward(), s.Steps[0].Eq.Text())
	}
	slippy := World{Slip: 1}
	s2 := slippy.Execute(NewState([4]int{4, 6, 1, 1}), Thought{Op: Mul, I: 0, J: 1}, rng)
	if !s2.Steps[0].Invalid || s2.Steps[0].Eq.C.Is24() {
		t.Errorf("slip not applied: %+v", s2.Steps[0])
	}
	if got := Logit(NewState([4]int{4, 6, 1, 1}), Thought{Op: Div, I: 0, J: 2}); got != 1+2 {
		t.Errorf("logit of 6/1 = %v, want 3 (positive integer, still solvable)", got)
	}
}

// The exact Pass@1 of the agent at temperature 0.7 on a few problems is a
// probability and matches Monte Carlo.
func TestSuccessProbMatchesSampling(t *testing.T) {
	ag := Agent{Temperature: 0.7}
	for _, p := range [][4]int{{1, 2, 3, 4}, {3, 3, 8, 8}, {4, 6, 1, 1}} {
		exact := SuccessProb(NewState(p), ag, DefaultWorld)
		rng := rand.New(rand.NewPCG(2, 0))
		const n = 20000
		hits := 0.0
		for e := 0; e < n; e++ {
			hits += Node{State: NewState(p), Agent: ag, World: DefaultWorld}.Rollout(rng, Steps)
		}
		mc := hits / n
		if se := math.Sqrt(exact*(1-exact)/n) + 1e-3; math.Abs(mc-exact) > 4*se {
			t.Errorf("%v: exact %.4f, Monte Carlo %.4f", p, exact, mc)
		}
	}
}

// Features see only what their view allows: SSMO does not change when the
// history does, and a hallucinated operand shows in MO's state features.
func TestFeatures(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 0))
	p := NewState([4]int{4, 6, 1, 1})
	s1 := World{}.Execute(p, Thought{Op: Mul, I: 0, J: 1}, rng)
	s2 := World{}.Execute(s1, Thought{Op: Add, I: 1, J: 2}, rng)
	for _, v := range []View{MO, FC, SSMO, NT} {
		if f := Features(nil, v, s1, s2); len(f) != FeatureLen(v) {
			t.Errorf("%v: %d features, want %d", v, len(f), FeatureLen(v))
		}
	}
	bad := World{Hallucinate: 1}.Execute(s1, Thought{Op: Add, I: 1, J: 2}, rand.New(rand.NewPCG(9, 0)))
	if bad.Steps[1].Invalid {
		fb := Features(nil, MO, s1, bad)
		if fb[2*sfLen+efLen-2] == 0 && fb[2*sfLen+efLen-1] == 0 {
			t.Error("MO does not see the hallucinated operand")
		}
	}
	a := Features(nil, SSMO, s1, s2)
	b := Features(nil, SSMO, p, World{}.Execute(p, Thought{Op: Add, I: 1, J: 2}, rng))
	if len(a) != len(b) {
		t.Fatal("lengths")
	}
}
