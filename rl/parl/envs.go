package parl

import "fmt"

// LavaGrid5 returns the spec's LavaGrid-5: [Grid] with n = 5, horizon 10
// and lava at (2,0), (3,0), (3,1), (2,1), (4,1), (4,2).
func LavaGrid5() *MDP {
	m, err := Grid(5, 10, [][2]int{{2, 0}, {3, 0}, {3, 1}, {2, 1}, {4, 1}, {4, 2}})
	if err != nil {
		panic(err) // unreachable: the arguments are valid
	}
	return m
}

// maxGrid bounds the side of a [Grid].
const maxGrid = 1024

// Grid returns a deterministic n×n lava grid: start (0,0), goal
// (n−1,n−1) (terminal), the given lava cells (not terminal), actions up,
// down, left, right (a move off the grid stays in place and earns that
// cell's reward again), the given horizon. State r·n+c is cell (r, c).
// True reward on entering a cell: +1 goal, −1 lava, −0.02 otherwise.
// Features φ(s') = [1{s' = goal}, row/(n−1), col/(n−1)]: lava cannot be
// expressed, on purpose (the reward class is misspecified). It returns an
// error wrapping [ErrMDP] for n < 2 or n > 1024, horizon < 1, or a lava
// cell off the grid or on the start or goal.
func Grid(n, horizon int, lava [][2]int) (*MDP, error) {
	if n < 2 || n > maxGrid || horizon < 1 {
		return nil, fmt.Errorf("%w: grid side %d (want 2..%d), horizon %d", ErrMDP, n, maxGrid, horizon)
	}
	goal := n*n - 1
	isLava := make([]bool, n*n)
	for _, c := range lava {
		s := c[0]*n + c[1]
		if c[0] < 0 || c[0] >= n || c[1] < 0 || c[1] >= n || s == 0 || s == goal {
			return nil, fmt.Errorf("%w: lava cell %v off the grid or on the start or goal", ErrMDP, c)
		}
		isLava[s] = true
	}
	m := &MDP{
		States: n * n, Actions: 4, Horizon: horizon,
		Next:       make([][][]Transition, n*n),
		Start:      make([]float64, n*n),
		Terminal:   make([]bool, n*n),
		Features:   make([][]float64, n*n),
		TrueReward: make([]float64, n*n),
	}
	m.Start[0] = 1
	m.Terminal[goal] = true
	moves := [4][2]int{{-1, 0}, {1, 0}, {0, -1}, {0, 1}}
	scale := float64(n - 1)
	for r := 0; r < n; r++ {
		for c := 0; c < n; c++ {
			s := r*n + c
			m.Next[s] = make([][]Transition, 4)
			for a, mv := range moves {
				nr, nc := r+mv[0], c+mv[1]
				if nr < 0 || nr >= n || nc < 0 || nc >= n {
					nr, nc = r, c
				}
				m.Next[s][a] = []Transition{{To: nr*n + nc, P: 1}}
			}
			isGoal := 0.0
			switch {
			case s == goal:
				isGoal = 1
				m.TrueReward[s] = 1
			case isLava[s]:
				m.TrueReward[s] = -1
			default:
				m.TrueReward[s] = -0.02
			}
			m.Features[s] = []float64{isGoal, float64(r) / scale, float64(c) / scale}
		}
	}
	return m, nil
}

// PreferenceTree returns the spec's two-step tree for the preference
// test: the root (state 0) takes action 0 to state 1 or action 1 to state
// 2; state 1's actions reach leaves 0 and 1, state 2's leaves 2 and 3
// (states 3 to 6, terminal). Rewards are earned only on entering a leaf:
// φ is one-hot of the leaf (zero elsewhere), γ = 1, horizon 2. TrueReward
// holds the teacher's leaf rewards R* = (1, 0, 0.5, −0.5).
func PreferenceTree() *MDP {
	m := &MDP{
		States: 7, Actions: 2, Horizon: 2,
		Next:       make([][][]Transition, 7),
		Start:      []float64{1, 0, 0, 0, 0, 0, 0},
		Terminal:   []bool{false, false, false, true, true, true, true},
		Features:   make([][]float64, 7),
		TrueReward: []float64{0, 0, 0, 1, 0, 0.5, -0.5},
	}
	m.Next[0] = [][]Transition{{{To: 1, P: 1}}, {{To: 2, P: 1}}}
	m.Next[1] = [][]Transition{{{To: 3, P: 1}}, {{To: 4, P: 1}}}
	m.Next[2] = [][]Transition{{{To: 5, P: 1}}, {{To: 6, P: 1}}}
	for s := 3; s < 7; s++ {
		m.Next[s] = [][]Transition{nil, nil}
	}
	for s := range m.Features {
		m.Features[s] = make([]float64, 4)
		if s >= 3 {
			m.Features[s][s-3] = 1
		}
	}
	return m
}
