package mcts

import (
	"context"
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

// toy is a hand-made tree: the root expands into A (terminal, reward 1)
// and B (not terminal, rollout reward 0), and B expands into B1
// (terminal, reward 0).
type toy struct {
	name     string
	terminal bool
	reward   float64
	kids     []toy
}

func (t toy) Terminal() bool { return t.terminal }
func (t toy) Expand(_ *rand.Rand, n int) []StepNode {
	out := make([]StepNode, 0, n)
	for _, k := range t.kids[:min(n, len(t.kids))] {
		out = append(out, k)
	}
	return out
}
func (t toy) Rollout(*rand.Rand, int) float64 { return t.reward }

// After 11 iterations with w_exp = 1 (values worked by hand):
// it 1 expands the root and rolls out A (1); it 2 visits B (unvisited
// first; not expanded on its first visit); its 3-10 choose A, whose score
// 1 + sqrt(ln N/N_A) stays above B's sqrt(ln N) until N = 10 (1.506 <
// 1.517); it 11 visits B again, expands it and rolls out B1.
func TestHandComputedTree(t *testing.T) {
	root := toy{name: "R", kids: []toy{
		{name: "A", terminal: true, reward: 1},
		{name: "B", kids: []toy{{name: "B1", terminal: true}}},
	}}
	tree, err := Run(context.Background(), root, &Settings{MaxIter: 11, Children: 2})
	if err != nil {
		t.Fatal(err)
	}
	a, b := tree.Children[0], tree.Children[1]
	if tree.N != 11 || tree.C != 9 || a.N != 9 || a.C != 9 || b.N != 2 || b.C != 0 || len(b.Children) != 1 || b.Children[0].N != 1 {
		t.Fatalf("root %d/%d, A %d/%d, B %d/%d with %d children", tree.C, tree.N, a.C, a.N, b.C, b.N, len(b.Children))
	}
	pairs := Pairs(tree, 0.7)
	if len(pairs) != 1 || pairs[0].Chosen != a || pairs[0].Rejected != b || pairs[0].Parent != tree {
		t.Fatalf("pairs %+v", pairs)
	}
	if len(Pairs(tree, 1)) != 0 {
		t.Error("a gap of exactly 1 must not count (strict)")
	}
	// one iteration less: B has not been expanded
	tree, _ = Run(context.Background(), root, &Settings{MaxIter: 10, Children: 2})
	if b := tree.Children[1]; b.N != 1 || len(b.Children) != 0 {
		t.Errorf("after 10 iterations B has N %d and %d children", b.N, len(b.Children))
	}
}

type badReward struct{ toy }

func (badReward) Rollout(*rand.Rand, int) float64 { return 0.5 }

func TestBadInput(t *testing.T) {
	ctx := context.Background()
	root := toy{kids: []toy{{terminal: true}}}
	for _, c := range []struct {
		name string
		s    *Settings
		root StepNode
		err  error
	}{
		{"nil root", nil, nil, ErrSettings},
		{"negative exploration", &Settings{WExp: -1}, root, ErrSettings},
		{"negative iterations", &Settings{MaxIter: -1}, root, ErrSettings},
		{"zero children", &Settings{Children: -1}, root, ErrSettings},
		{"negative depth", &Settings{MaxDepth: -2}, root, ErrSettings},
		{"reward 0.5", nil, badReward{toy{}}, ErrReward},
	} {
		if _, err := Run(ctx, c.root, c.s); !errors.Is(err, c.err) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// a dead end: a non-terminal state with no legal step is rolled out as is
	tree, err := Run(ctx, toy{}, &Settings{MaxIter: 3})
	if err != nil || tree.N != 3 || len(tree.Children) != 0 {
		t.Errorf("dead end: %v, N %d", err, tree.N)
	}
}

func TestCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_, err := Run(ctx, toy{kids: []toy{{terminal: true}}}, &Settings{MaxIter: 1 << 30})
	if !errors.Is(err, context.Canceled) || time.Since(start) > 100*time.Millisecond {
		t.Errorf("%v after %v", err, time.Since(start))
	}
}
