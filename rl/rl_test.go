package rl_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
)

func TestSpaceContains(t *testing.T) {
	d := rl.Discrete(3)
	b := rl.Box([]float64{-1, 0}, []float64{1, 2})
	for _, c := range []struct {
		s  rl.Space
		a  rl.Action
		ok bool
	}{
		{d, rl.Action{Discrete: 2}, true},
		{d, rl.Action{Discrete: 3}, false},
		{d, rl.Action{Discrete: -1}, false},
		{b, rl.Action{Box: []float64{0, 1}}, true},
		{b, rl.Action{Box: []float64{0, 3}}, false},
		{b, rl.Action{Box: []float64{0}}, false},
		{b, rl.Action{Box: []float64{math.NaN(), 1}}, false},
	} {
		err := c.s.Contains(c.a)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, rl.ErrAction)) {
			t.Errorf("Contains(%+v) = %v, want ok=%v", c.a, err, c.ok)
		}
	}
	if got := b.Clip(rl.Action{Box: []float64{-3, 5}}); got.Box[0] != -1 || got.Box[1] != 2 {
		t.Errorf("Clip = %v", got.Box)
	}
}

func TestCheckWeights(t *testing.T) {
	for _, c := range []struct {
		w  []float64
		ok bool
	}{
		{[]float64{0.3, 0.7}, true},
		{[]float64{0.3, 0.6}, false},
		{[]float64{1}, false},
		{[]float64{-0.5, 1.5}, false},
		{[]float64{math.NaN(), 1}, false},
	} {
		if err := rl.CheckWeights(c.w, 2); (err == nil) != c.ok {
			t.Errorf("CheckWeights(%v) = %v", c.w, err)
		}
	}
}

// down always moves down: in DST that reaches treasure 1 in one step.
type down struct{}

func (down) Act([]float64, bool, *rand.Rand) rl.Action { return rl.Action{Discrete: 1} }
func (down) LogProb([]float64, rl.Action) float64      { return 0 }
func (d down) Clone() rl.Policy                        { return d }

func TestScalarizeEvaluate(t *testing.T) {
	env, err := rl.Scalarize(envs.NewDST(), []float64{0.25, 0.75})
	if err != nil {
		t.Fatal(err)
	}
	g, l, err := rl.Evaluate(env, down{}, 2, 1, true, 0, nil)
	if err != nil || l != 1 || g[0] != 0.25*1-0.75 {
		t.Errorf("Evaluate = %v %v %v", g, l, err)
	}
	if _, err := rl.Scalarize(envs.NewDST(), []float64{1, 1}); !errors.Is(err, rl.ErrWeights) {
		t.Errorf("Scalarize with bad weights: %v", err)
	}
}
