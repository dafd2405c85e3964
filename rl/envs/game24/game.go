package game24

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// Steps is the number of operations that solve a problem (4 numbers → 1).
const Steps = 3

// Thought is the agent's next step in words, without values: apply Op to
// the numbers of descending rank I and J (0 = largest) among those still
// available.
type Thought struct {
	Op   Op
	I, J int
}

var rankWords = [4]string{"largest", "second largest", "third largest", "fourth largest"}

// Text renders the thought as the agent would say it.
func (t Thought) Text() string {
	verb := [4]string{"Add", "Subtract", "Multiply", "Divide"}[t.Op]
	prep := [4]string{"to", "from", "by", "by"}[t.Op]
	if t.Op == Add || t.Op == Sub {
		return verb + " the " + rankWords[t.J] + " number " + prep + " the " + rankWords[t.I] + " number."
	}
	return verb + " the " + rankWords[t.I] + " number " + prep + " the " + rankWords[t.J] + " number."
}

// Equation is what the world model writes for a step: A op B = C. B may be
// a hallucinated operand and C a slipped result.
type Equation struct {
	A, B, C Rat
	Op      Op
}

// Text renders the equation.
func (e Equation) Text() string {
	return e.A.String() + " " + e.Op.String() + " " + e.B.String() + " = " + e.C.String()
}

// Step is one executed step: the thought, the written equation, and what
// the verifier knows of it.
type Step struct {
	Thought  Thought
	Eq       Equation
	Invalid  bool // a hallucinated operand, a slip or a division by zero
	OperandA Rat  // the operands the thought consumed (true values)
	OperandB Rat
}

// State is a partial solution: the problem, the steps so far and the
// numbers still available (the problem's, minus those consumed, plus the
// written results).
type State struct {
	Problem [4]int
	Steps   []Step
	Avail   []Rat // sorted in descending order
}

// NewState returns the start state of a problem.
func NewState(problem [4]int) *State {
	s := &State{Problem: problem}
	for _, v := range problem {
		s.Avail = append(s.Avail, Int(int64(v)))
	}
	sortDesc(s.Avail)
	return s
}

func sortDesc(v []Rat) {
	slices.SortStableFunc(v, func(a, b Rat) int {
		switch {
		case b.Less(a):
			return -1
		case a.Less(b):
			return 1
		}
		return 0
	})
}

// Terminal reports whether the state is final (one number left).
func (s *State) Terminal() bool { return len(s.Avail) <= 1 }

// Reward is the strict verifier: 1 if the state is final, the last number
// is 24 and no step was invalid; otherwise 0.
func (s *State) Reward() float64 {
	if !s.Terminal() || len(s.Steps) != Steps || !s.Avail[0].Is24() {
		return 0
	}
	for _, st := range s.Steps {
		if st.Invalid {
			return 0
		}
	}
	return 1
}

// Thoughts lists the 4·n·(n−1) thoughts available in s.
func (s *State) Thoughts() []Thought {
	n := len(s.Avail)
	out := make([]Thought, 0, 4*n*(n-1))
	for op := Add; op <= Div; op++ {
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				if i != j {
					out = append(out, Thought{op, i, j})
				}
			}
		}
	}
	return out
}

// rest returns the available numbers without ranks i and j, plus c.
func rest(avail []Rat, i, j int, c Rat) []Rat {
	out := make([]Rat, 0, len(avail)-1)
	for k, v := range avail {
		if k != i && k != j {
			out = append(out, v)
		}
	}
	out = append(out, c)
	sortDesc(out)
	return out
}

// Logit is the agent's deliberately imperfect intuition for thought t in
// s (the spec's prior): +1 for a positive integer result, −1.5 for a
// result ≤ 0, −0.5 for a non-integer, +2.5 for 24 on the last step, +2 when
// the remaining numbers can still reach 24, −3 for + or × with I > J
// (duplicate ordering), −5 for a division by zero (replacing the rest).
func Logit(s *State, t Thought) float64 {
	a, b := s.Avail[t.I], s.Avail[t.J]
	c, ok := t.Op.Apply(a, b)
	if !ok {
		return -5
	}
	l := 0.0
	switch {
	case c.Num <= 0:
		l -= 1.5
	case c.IsInt():
		l++
	}
	if !c.IsInt() {
		l -= 0.5
	}
	n := len(s.Avail)
	if n == 2 && c.Is24() {
		l += 2.5
	}
	if n > 2 && Solvable(rest(s.Avail, t.I, t.J, c)) {
		l += 2
	}
	if (t.Op == Add || t.Op == Mul) && t.I > t.J {
		l -= 3
	}
	return l
}

// Agent samples thoughts from the softmax of [Logit]/Temperature.
type Agent struct {
	// Temperature of the softmax (> 0).
	Temperature float64
}

// Probs writes the agent's distribution over ts into dst (allocated when
// nil) and returns it.
func (ag Agent) Probs(dst []float64, s *State, ts []Thought) []float64 {
	if len(dst) != len(ts) {
		dst = make([]float64, len(ts))
	}
	mx := math.Inf(-1)
	for k, t := range ts {
		dst[k] = Logit(s, t) / ag.Temperature
		mx = math.Max(mx, dst[k])
	}
	sum := 0.0
	for k := range dst {
		dst[k] = math.Exp(dst[k] - mx)
		sum += dst[k]
	}
	for k := range dst {
		dst[k] /= sum
	}
	return dst
}

// Sample draws one thought.
func (ag Agent) Sample(s *State, rng *rand.Rand) Thought {
	ts := s.Thoughts()
	p := ag.Probs(nil, s, ts)
	u := rng.Float64()
	for k, pk := range p {
		if u < pk {
			return ts[k]
		}
		u -= pk
	}
	return ts[len(ts)-1]
}

// World is the world model that executes thoughts, with its error rates.
type World struct {
	// Hallucinate is the probability of writing a previously consumed
	// operand in place of B (the spec's p_hall = 0.05).
	Hallucinate float64
	// Slip is the probability of adding δ ∈ {−2, −1, 1, 2} to the result
	// (p_slip = 0.10).
	Slip float64
}

// DefaultWorld is the spec's world model: p_hall = 0.05, p_slip = 0.10.
var DefaultWorld = World{Hallucinate: 0.05, Slip: 0.10}

// Execute applies thought t to s and returns the new state (s is not
// modified). It draws, in this order, the hallucination coin, the
// hallucinated operand (if any), the slip coin and the slip (if any).
func (w World) Execute(s *State, t Thought, rng *rand.Rand) *State {
	a, b := s.Avail[t.I], s.Avail[t.J]
	step := Step{Thought: t, OperandA: a, OperandB: b}
	written := b
	if rng.Float64() < w.Hallucinate && len(s.Steps) > 0 {
		var consumed []Rat
		for _, st := range s.Steps {
			consumed = append(consumed, st.OperandA, st.OperandB)
		}
		written = consumed[rng.IntN(len(consumed))]
		if written != b {
			step.Invalid = true
		}
	}
	c, ok := t.Op.Apply(a, written)
	if !ok {
		step.Invalid = true
	}
	if rng.Float64() < w.Slip {
		c, _ = Add.Apply(c, Int([4]int64{-2, -1, 1, 2}[rng.IntN(4)]))
		step.Invalid = true
	}
	step.Eq = Equation{A: a, B: written, C: c, Op: t.Op}
	next := &State{Problem: s.Problem, Steps: append(slices.Clone(s.Steps), step), Avail: rest(s.Avail, t.I, t.J, c)}
	return next
}

var solvable sync.Map // key → bool

// Solvable reports whether the numbers can reach exactly 24 with +, −, ×,
// ÷ (memoised over sorted multisets; safe for concurrent use).
func Solvable(nums []Rat) bool {
	if len(nums) == 1 {
		return nums[0].Is24()
	}
	k := key(nums)
	if v, ok := solvable.Load(k); ok {
		return v.(bool)
	}
	res := false
	for i := 0; i < len(nums) && !res; i++ {
		for j := 0; j < len(nums) && !res; j++ {
			if i == j {
				continue
			}
			for op := Add; op <= Div && !res; op++ {
				c, ok := op.Apply(nums[i], nums[j])
				if ok && Solvable(rest(nums, i, j, c)) {
					res = true
				}
			}
		}
	}
	solvable.Store(k, res)
	return res
}

// multiset is a comparable key of up to four numbers, sorted.
type multiset struct {
	n int
	v [4]Rat
}

func key(nums []Rat) multiset {
	var k multiset
	k.n = copy(k.v[:], nums)
	sortDesc(k.v[:k.n])
	return k
}

// Problems returns the solvable problems: the multisets of four integers
// in 1..13, in lexicographic order of their nondecreasing tuples, that can
// reach 24 (1362 of the 1820).
func Problems() [][4]int {
	var out [][4]int
	for a := 1; a <= 13; a++ {
		for b := a; b <= 13; b++ {
			for c := b; c <= 13; c++ {
				for d := c; d <= 13; d++ {
					p := [4]int{a, b, c, d}
					if Solvable(NewState(p).Avail) {
						out = append(out, p)
					}
				}
			}
		}
	}
	return out
}

// Split returns the spec's test set (index k mod 4 = 0 in [Problems]'
// order, 341 problems) and training set (the other 1021).
func Split(problems [][4]int) (train, test [][4]int) {
	for k, p := range problems {
		if k%4 == 0 {
			test = append(test, p)
		} else {
			train = append(train, p)
		}
	}
	return train, test
}
