package mcts

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// StepNode is a state of a step-structured problem with a verifiable
// terminal reward: the MCTS of this package expands it into sampled next
// steps and estimates it by rollouts.
type StepNode interface {
	// Terminal reports whether the episode has ended at this node.
	Terminal() bool
	// Expand samples n next states (children may repeat, as samples from a
	// language model would).
	Expand(rng *rand.Rand, n int) []StepNode
	// Rollout simulates from this node to a terminal state or maxDepth
	// further steps and returns the verifier's reward (1 correct, 0 not).
	Rollout(rng *rand.Rand, maxDepth int) float64
}

// Node is a node of a search tree.
type Node struct {
	// State is the step state.
	State StepNode
	// Parent is nil at the root.
	Parent *Node
	// Children are the expanded next steps, in sampling order.
	Children []*Node
	// N is the visit count and C the number of correct rollouts through
	// the node.
	N, C int
	// Depth is the number of steps from the root.
	Depth int
}

// Q returns C/N, the node's estimated success probability (NaN if unvisited).
func (n *Node) Q() float64 {
	if n.N == 0 {
		return math.NaN()
	}
	return float64(n.C) / float64(n.N)
}

// Settings configures [Run]. The zero value is the spec's search: 500
// iterations, 6 children per expansion, exploration weight 1, depth 8.
type Settings struct {
	// MaxIter is the number of MCTS iterations (selection, expansion,
	// rollout, backpropagation). Zero means 500.
	MaxIter int
	// Children is the number n of next steps sampled per expansion. Zero
	// means 6.
	Children int
	// WExp is the exploration weight w_exp of the selection rule
	// c/N + w_exp·sqrt(ln N(parent)/N). Zero means 1; it must not be
	// negative (use a tiny positive value for pure exploitation).
	WExp float64
	// MaxDepth limits rollouts. Zero means 8.
	MaxDepth int
	// Rand drives expansion and rollouts. Nil means rand.New(rand.NewPCG(1, 0)).
	Rand *rand.Rand
}

// Errors.
var (
	// ErrSettings: a setting is out of range.
	ErrSettings = errors.New("mcts: invalid settings")
	// ErrReward: a rollout returned a reward outside [0, 1] or NaN.
	ErrReward = errors.New("mcts: reward outside [0, 1]")
)

// Run builds a search tree from root by AlphaZero-style MCTS as the paper
// uses it to annotate steps (Ma et al., AAAI 2025):
//
//  1. Selection: from the root, descend to the child maximising
//     c/N + w_exp·sqrt(ln N(s)/N(s')), an unvisited child first (+∞), until
//     a node without children.
//  2. Expansion: if that leaf is not terminal and is the root or has been
//     visited, sample n children and move to the first.
//  3. Rollout from the reached node (depth limit MaxDepth), reward 1/0.
//  4. Backpropagation: N += 1 and C += reward on the path.
//
// ctx is checked every iteration. It returns an error wrapping
// [ErrSettings] for bad settings, [ErrReward] for a reward outside {0, 1}
// (counts are integers), and the context's error with the tree so far.
func Run(ctx context.Context, root StepNode, s *Settings) (*Node, error) {
	var set Settings
	if s != nil {
		set = *s
	}
	set.MaxIter = cmp.Or(set.MaxIter, 500)
	set.Children = cmp.Or(set.Children, 6)
	set.WExp = cmp.Or(set.WExp, 1)
	set.MaxDepth = cmp.Or(set.MaxDepth, 8)
	if set.Rand == nil {
		set.Rand = rand.New(rand.NewPCG(1, 0))
	}
	if root == nil || set.MaxIter < 0 || set.Children < 1 || !(set.WExp > 0) || math.IsInf(set.WExp, 0) || set.MaxDepth < 1 {
		return nil, fmt.Errorf("%w: root %v, MaxIter %d, Children %d, WExp %v, MaxDepth %d", ErrSettings, root != nil, set.MaxIter, set.Children, set.WExp, set.MaxDepth)
	}
	tree := &Node{State: root}
	for it := 0; it < set.MaxIter; it++ {
		if err := ctx.Err(); err != nil {
			return tree, err
		}
		leaf := selectLeaf(tree, set.WExp)
		if !leaf.State.Terminal() && (leaf.Parent == nil || leaf.N > 0) {
			for _, c := range leaf.State.Expand(set.Rand, set.Children) {
				leaf.Children = append(leaf.Children, &Node{State: c, Parent: leaf, Depth: leaf.Depth + 1})
			}
			if len(leaf.Children) > 0 {
				leaf = leaf.Children[0]
			}
		}
		r := leaf.State.Rollout(set.Rand, set.MaxDepth)
		if r != 0 && r != 1 {
			return tree, fmt.Errorf("%w: %v", ErrReward, r)
		}
		for n := leaf; n != nil; n = n.Parent {
			n.N++
			n.C += int(r)
		}
	}
	return tree, nil
}

// selectLeaf descends by the UCT rule to a node without children.
func selectLeaf(n *Node, wexp float64) *Node {
	for len(n.Children) > 0 {
		best, score := n.Children[0], math.Inf(-1)
		lnN := math.Log(float64(n.N))
		for _, c := range n.Children {
			sc := math.Inf(1)
			if c.N > 0 {
				sc = float64(c.C)/float64(c.N) + wexp*math.Sqrt(lnN/float64(c.N))
			}
			if sc > score {
				best, score = c, sc
			}
		}
		n = best
	}
	return n
}

// Pair is a step-level preference: at Parent, the step to Chosen was
// better than the step to Rejected by their rollout estimates.
type Pair struct {
	Parent, Chosen, Rejected *Node
}

// Pairs returns, for every node of the tree, each ordered pair of visited
// children (i, j) with Q_i − Q_j > minGap (strictly), in tree order (the
// spec's annotation uses 0.7). Unvisited children are never compared.
func Pairs(root *Node, minGap float64) []Pair {
	var out []Pair
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, a := range n.Children {
			for _, b := range n.Children {
				if a != b && a.N > 0 && b.N > 0 && a.Q()-b.Q() > minGap {
					out = append(out, Pair{Parent: n, Chosen: a, Rejected: b})
				}
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return out
}
