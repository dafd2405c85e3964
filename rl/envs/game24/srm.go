package game24

import (
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl/mcts"
)

// Node adapts a State to MCTS annotation and to search (packages rl/mcts
// and rl/srm): children are sampled by Agent and executed by World.
type Node struct {
	*State
	Agent Agent
	World World
}

var _ mcts.StepNode = Node{}

// Expand samples k thoughts and executes each.
func (n Node) Expand(rng *rand.Rand, k int) []mcts.StepNode {
	out := make([]mcts.StepNode, k)
	for i := range out {
		out[i] = n.Next(rng)
	}
	return out
}

// Next samples one thought and executes it.
func (n Node) Next(rng *rand.Rand) Node {
	t := n.Agent.Sample(n.State, rng)
	return Node{State: n.World.Execute(n.State, t, rng), Agent: n.Agent, World: n.World}
}

// Rollout plays the agent and the world model to the end (at most
// maxDepth steps) and returns the verifier's reward.
func (n Node) Rollout(rng *rand.Rand, maxDepth int) float64 {
	s := n.State
	for d := 0; d < maxDepth && !s.Terminal(); d++ {
		s = n.World.Execute(s, n.Agent.Sample(s, rng), rng)
	}
	return s.Reward()
}

// View says what a step reward model sees of a candidate step (the paper's
// four SRM inputs).
type View int

// Views.
const (
	// MO: math only, every written equation so far and the new one
	// (state features before, the new equation, state features after).
	MO View = iota
	// FC: full context, MO plus every thought so far.
	FC
	// SSMO: single-step math only, the new equation alone.
	SSMO
	// NT: next thought, the state before, the thoughts so far and the new
	// thought, without its equation.
	NT
)

// String returns MO, FC, SSMO or NT.
func (v View) String() string { return [4]string{"MO", "FC", "SSMO", "NT"}[v] }

// Feature sizes.
const (
	nfLen = 4
	efLen = 3*nfLen + 4 + 2
	sfLen = 4*(nfLen+1) + 4 + 2
	tfLen = 12
)

// FeatureLen returns the length of the feature vector of view v.
func FeatureLen(v View) int {
	switch v {
	case MO:
		return 2*sfLen + efLen
	case FC:
		return 2*sfLen + efLen + Steps*tfLen
	case SSMO:
		return efLen
	}
	return sfLen + (Steps-1)*tfLen + tfLen
}

// Features writes the features of the step from parent to child (child's
// last step) as view v sees it into dst (allocated when nil) and returns
// it. They read only what the view can see: the problem, the written
// equations (replayed by value, so a hallucinated operand or a slip shows),
// and the thoughts.
func Features(dst []float64, v View, parent, child *State) []float64 {
	if len(dst) != FeatureLen(v) {
		dst = make([]float64, FeatureLen(v))
	}
	clear(dst)
	last := child.Steps[len(child.Steps)-1]
	k := 0
	switch v {
	case MO, FC:
		k += sf(dst[k:], parent)
		k += ef(dst[k:], last.Eq)
		k += sf(dst[k:], child)
		if v == FC {
			for i, st := range child.Steps {
				tf(dst[k+i*tfLen:], st.Thought)
			}
		}
	case SSMO:
		ef(dst, last.Eq)
	case NT:
		k += sf(dst[k:], parent)
		for i, st := range parent.Steps {
			tf(dst[k+i*tfLen:], st.Thought)
		}
		k += (Steps - 1) * tfLen
		tf(dst[k:], last.Thought)
	}
	return dst
}

// nf: [sign·ln(1+|x|), 1{integer}, 1{x = 24}, clip(x/24, ±10)].
func nf(dst []float64, x Rat) int {
	f := x.Float()
	dst[0] = math.Copysign(math.Log1p(math.Abs(f)), f)
	if x.IsInt() {
		dst[1] = 1
	}
	if x.Is24() {
		dst[2] = 1
	}
	dst[3] = math.Max(-10, math.Min(10, f/24))
	return nfLen
}

// ef: nf(a) ++ nf(b) ++ nf(c) ++ onehot(op) ++ [sign·ln(1+|c − a op b|), 1{c = a op b}].
func ef(dst []float64, e Equation) int {
	k := nf(dst, e.A)
	k += nf(dst[k:], e.B)
	k += nf(dst[k:], e.C)
	dst[k+int(e.Op)] = 1
	k += 4
	want, ok := e.Op.Apply(e.A, e.B)
	if ok {
		d := e.C.Float() - want.Float()
		dst[k] = math.Copysign(math.Log1p(math.Abs(d)), d)
		if want == e.C {
			dst[k+1] = 1
		}
	} else {
		dst[k] = math.Log1p(1e6) // a division by zero written as a result
	}
	return efLen
}

// sf replays the visible equations from the problem: the available
// numbers (up to 4, sorted, each nf plus a presence flag), onehot(count),
// the number of equations that used an operand not available, and the
// number with an arithmetic mismatch.
func sf(dst []float64, s *State) int {
	avail := make([]Rat, 0, 4)
	for _, v := range s.Problem {
		avail = append(avail, Int(int64(v)))
	}
	unavailable, mismatch := 0.0, 0.0
	take := func(x Rat) bool {
		for i, v := range avail {
			if v == x {
				avail = append(avail[:i], avail[i+1:]...)
				return true
			}
		}
		return false
	}
	for _, st := range s.Steps {
		e := st.Eq
		okA, okB := take(e.A), take(e.B)
		if !okA || !okB {
			unavailable++
		}
		if want, ok := e.Op.Apply(e.A, e.B); !ok || want != e.C {
			mismatch++
		}
		avail = append(avail, e.C)
	}
	sortDesc(avail)
	k := 0
	for i := 0; i < 4; i++ {
		if i < len(avail) {
			nf(dst[k:], avail[i])
			dst[k+nfLen] = 1
		}
		k += nfLen + 1
	}
	if n := len(avail); n >= 1 && n <= 4 {
		dst[k+n-1] = 1
	}
	k += 4
	dst[k], dst[k+1] = unavailable, mismatch
	return sfLen
}

// tf: onehot(op) ++ onehot(i) ++ onehot(j).
func tf(dst []float64, t Thought) {
	dst[int(t.Op)] = 1
	dst[4+t.I] = 1
	dst[8+t.J] = 1
}
