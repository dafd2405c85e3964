package envs

import (
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
)

// DSTSize is the side of the Deep Sea Treasure grid.
const DSTSize = 11

// DSTMaxSteps is the episode length at which Deep Sea Treasure truncates.
const DSTMaxSteps = 100

// dstRock marks a rock cell in the DST map.
const dstRock = -10

// dstMap is the concave Deep Sea Treasure map of Vamplew et al. (2011):
// rows top to bottom, 0 is sea, -10 rock, positive values treasures.
var dstMap = func() (m [DSTSize][DSTSize]float64) {
	rock := func(r, c0, c1 int) {
		for c := c0; c <= c1; c++ {
			m[r][c] = dstRock
		}
	}
	rock(2, 0, 0)
	rock(3, 0, 1)
	rock(4, 0, 2)
	rock(5, 0, 5)
	rock(6, 0, 5)
	rock(7, 0, 5)
	rock(8, 0, 7)
	rock(9, 0, 7)
	rock(10, 0, 8)
	for _, t := range []struct {
		r, c int
		v    float64
	}{{1, 0, 1}, {2, 1, 2}, {3, 2, 3}, {4, 3, 5}, {4, 4, 8}, {4, 5, 16}, {7, 6, 24}, {7, 7, 50}, {9, 8, 74}, {10, 9, 124}} {
		m[t.r][t.c] = t.v
	}
	return m
}()

// DSTFront returns the undiscounted Pareto front of Deep Sea Treasure as
// (treasure, −steps) pairs ordered by treasure.
func DSTFront() [][]float64 {
	return [][]float64{{1, -1}, {2, -3}, {3, -5}, {5, -7}, {8, -8}, {16, -9}, {24, -13}, {50, -14}, {74, -17}, {124, -19}}
}

// DST is the Deep Sea Treasure environment with the concave map: an 11×11
// grid, start (0,0), actions 0 up, 1 down, 2 left, 3 right. Moving off the
// grid or into rock leaves the agent in place. Every step yields
// (treasure, −1) where treasure is the value of the entered cell; entering a
// treasure ends the episode, and episodes truncate after 100 steps. The
// observation is the one-hot encoding of the cell r·11+c (121 entries).
type DST struct {
	r, c, t int
	obs     []float64
}

var _ rl.MOEnv = (*DST)(nil)

// NewDST returns a Deep Sea Treasure environment.
func NewDST() *DST { return &DST{obs: make([]float64, DSTSize*DSTSize)} }

// Spec returns the spaces: one-hot box of 121 cells, 4 actions, 2 objectives.
func (e *DST) Spec() rl.Spec {
	lo, hi := make([]float64, DSTSize*DSTSize), make([]float64, DSTSize*DSTSize)
	for i := range hi {
		hi[i] = 1
	}
	return rl.Spec{Obs: rl.Box(lo, hi), Action: rl.Discrete(4), Objectives: 2}
}

// Reset puts the agent at (0,0). The environment is deterministic; rng is unused.
func (e *DST) Reset(*rand.Rand) []float64 {
	e.r, e.c, e.t = 0, 0, 0
	return e.observe()
}

func (e *DST) observe() []float64 {
	if len(e.obs) != DSTSize*DSTSize {
		e.obs = make([]float64, DSTSize*DSTSize)
	}
	clear(e.obs)
	e.obs[e.r*DSTSize+e.c] = 1
	return e.obs
}

// Step moves the agent and writes (treasure, −1) into r. It returns an
// error wrapping [rl.ErrAction] for an action outside {0..3} and
// [rl.ErrDimension] if r does not have length 2; the state is then
// unchanged.
func (e *DST) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	if err := checkReward(r, 2, "DST"); err != nil {
		return e.observe(), rl.Running, err
	}
	if a.Box != nil || a.Discrete < 0 || a.Discrete > 3 {
		return e.observe(), rl.Running, fmt.Errorf("%w: DST action %d not in {0..3}", rl.ErrAction, a.Discrete)
	}
	nr, nc := e.r, e.c
	switch a.Discrete {
	case 0:
		nr--
	case 1:
		nr++
	case 2:
		nc--
	case 3:
		nc++
	}
	if nr >= 0 && nr < DSTSize && nc >= 0 && nc < DSTSize && dstMap[nr][nc] != dstRock {
		e.r, e.c = nr, nc
	}
	e.t++
	v := dstMap[e.r][e.c]
	r[0], r[1] = v, -1
	done := rl.Running
	switch {
	case v > 0:
		done = rl.Terminated
	case e.t >= DSTMaxSteps:
		done = rl.Truncated
	}
	return e.observe(), done, nil
}

// checkReward returns an error wrapping [rl.ErrDimension] unless r has
// length n.
func checkReward(r []float64, n int, env string) error {
	if len(r) != n {
		return fmt.Errorf("%w: %s reward slice of length %d, want %d", rl.ErrDimension, env, len(r), n)
	}
	return nil
}
