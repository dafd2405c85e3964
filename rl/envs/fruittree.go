package envs

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
)

// FruitTree is the Fruit Tree environment of Yang et al. (2019) with the
// reward vectors published with MO-Gymnasium: a full binary tree of depth
// 5 or 6 whose leaves hold a fruit with six nutrient values. The agent
// starts at the root and picks left (0) or right (1) at each node; each step
// yields the 6-vector of the entered node (zero for inner nodes), and the
// episode terminates on reaching a leaf, after Depth steps. The observation
// is the one-hot encoding of the node index (2^(Depth+1)−1 nodes, root 0,
// children of node i at 2i+1 and 2i+2).
type FruitTree struct {
	depth int
	node  int
	row   int
	fr    [][6]float64
	obs   []float64
}

var _ rl.MOEnv = (*FruitTree)(nil)

// NewFruitTree returns a Fruit Tree of the given depth (5 or 6); other
// depths return an error.
func NewFruitTree(depth int) (*FruitTree, error) {
	var fr [][6]float64
	switch depth {
	case 5:
		fr = fruits5
	case 6:
		fr = fruits6
	default:
		return nil, fmt.Errorf("envs: fruit tree depth %d not in {5, 6}", depth)
	}
	return &FruitTree{depth: depth, fr: fr, obs: make([]float64, 1<<(depth+1)-1)}, nil
}

// Depth returns the tree depth (the episode length).
func (e *FruitTree) Depth() int { return e.depth }

// Spec returns the spaces: one-hot node box, 2 actions, 6 objectives.
func (e *FruitTree) Spec() rl.Spec {
	lo, hi := make([]float64, len(e.obs)), make([]float64, len(e.obs))
	for i := range hi {
		hi[i] = 1
	}
	return rl.Spec{Obs: rl.Box(lo, hi), Action: rl.Discrete(2), Objectives: 6}
}

// Reset puts the agent at the root. rng is unused.
func (e *FruitTree) Reset(*rand.Rand) []float64 {
	e.node, e.row = 0, 0
	if len(e.obs) == 0 {
		e.obs = make([]float64, 1)
	}
	clear(e.obs)
	e.obs[0] = 1
	return e.obs
}

// Step moves to the left (0) or right (1) child.
func (e *FruitTree) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	if err := checkReward(r, 6, "fruit tree"); err != nil {
		return e.obs, rl.Running, err
	}
	if e.fr == nil {
		return e.obs, rl.Running, fmt.Errorf("%w: fruit tree not made by NewFruitTree", rl.ErrSettings)
	}
	if a.Box != nil || a.Discrete < 0 || a.Discrete > 1 {
		return e.obs, rl.Running, fmt.Errorf("%w: fruit tree action %d not in {0, 1}", rl.ErrAction, a.Discrete)
	}
	if e.row >= e.depth {
		return e.obs, rl.Terminated, fmt.Errorf("%w: step after the episode ended", rl.ErrAction)
	}
	e.obs[e.node] = 0
	e.node = 2*e.node + 1 + a.Discrete
	e.row++
	e.obs[e.node] = 1
	clear(r)
	if e.row == e.depth {
		copy(r, e.fr[e.node-(1<<e.depth-1)][:])
		return e.obs, rl.Terminated, nil
	}
	return e.obs, rl.Running, nil
}

// Fruits returns a copy of the leaf reward vectors, left to right.
func (e *FruitTree) Fruits() [][]float64 {
	out := make([][]float64, len(e.fr))
	for i := range e.fr {
		out[i] = append([]float64(nil), e.fr[i][:]...)
	}
	return out
}

// Front returns the true Pareto front of the γ-discounted returns, found by
// enumerating every root-to-leaf path: the non-dominated leaf vectors scaled
// by γ^(Depth−1). It returns an error wrapping [rl.ErrSettings] for γ
// outside [0, 1] (NaN included).
func (e *FruitTree) Front(gamma float64) ([][]float64, error) {
	if !(gamma >= 0 && gamma <= 1) {
		return nil, fmt.Errorf("%w: discount %g outside [0, 1]", rl.ErrSettings, gamma)
	}
	s := math.Pow(gamma, float64(e.depth-1))
	all := e.Fruits()
	for _, p := range all {
		for k := range p {
			p[k] *= s
		}
	}
	return nonDominated(all), nil
}

// nonDominated returns the points of ps no other point dominates (≥ in every
// component, > in one), in input order, without duplicates.
func nonDominated(ps [][]float64) [][]float64 {
	var out [][]float64
outer:
	for i, p := range ps {
		for j, q := range ps {
			if i == j {
				continue
			}
			ge, gt, eq := true, false, true
			for k := range p {
				if q[k] < p[k] {
					ge = false
				}
				if q[k] > p[k] {
					gt = true
				}
				if q[k] != p[k] {
					eq = false
				}
			}
			if (ge && gt) || (eq && j < i) {
				continue outer
			}
		}
		out = append(out, p)
	}
	return out
}
