package envs

import (
	"errors"
	"math"
	"testing"

	"github.com/optlearn/optlearn/rl"
)

// TestBadInput covers every exported entry point of package envs with bad
// input (issue 16): each returns an error, none panics, and a rejected
// step leaves the state unchanged.
func TestBadInput(t *testing.T) {
	ft, _ := NewFruitTree(6)
	two := make([]float64, 2)
	cases := []struct {
		name string
		want error
		call func() error
	}{
		{"DST.Step reward too short", rl.ErrDimension, func() error {
			e := NewDST()
			e.Reset(nil)
			_, _, err := e.Step(rl.Action{Discrete: 1}, make([]float64, 1))
			if err == nil || e.r != 0 {
				return nil
			}
			return err
		}},
		{"DST.Step reward too long", rl.ErrDimension, func() error { _, _, err := NewDST().Step(rl.Action{Discrete: 1}, make([]float64, 3)); return err }},
		{"DST.Step nil reward", rl.ErrDimension, func() error { _, _, err := NewDST().Step(rl.Action{Discrete: 1}, nil); return err }},
		{"DST.Step action 4", rl.ErrAction, func() error { _, _, err := NewDST().Step(rl.Action{Discrete: 4}, two); return err }},
		{"DST.Step box action", rl.ErrAction, func() error { _, _, err := NewDST().Step(rl.Action{Box: []float64{1}}, two); return err }},
		{"DST zero value", nil, func() error {
			var e DST
			obs := e.Reset(nil)
			_, _, err := e.Step(rl.Action{Discrete: 1}, two)
			if len(obs) != DSTSize*DSTSize || err != nil || e.Spec().Objectives != 2 || len(DSTFront()) != 10 {
				return nil
			}
			return errors.New("ok")
		}},
		{"NewFruitTree depth 7", nil, func() error { _, err := NewFruitTree(7); return err }},
		{"NewFruitTree depth -1", nil, func() error { _, err := NewFruitTree(-1); return err }},
		{"FruitTree.Step reward length", rl.ErrDimension, func() error { ft.Reset(nil); _, _, err := ft.Step(rl.Action{Discrete: 0}, two); return err }},
		{"FruitTree.Step action 2", rl.ErrAction, func() error {
			ft.Reset(nil)
			_, _, err := ft.Step(rl.Action{Discrete: 2}, make([]float64, 6))
			return err
		}},
		{"FruitTree.Step after the end", rl.ErrAction, func() error {
			ft.Reset(nil)
			r := make([]float64, 6)
			for range ft.Depth() {
				ft.Step(rl.Action{Discrete: 1}, r)
			}
			_, _, err := ft.Step(rl.Action{Discrete: 1}, r)
			return err
		}},
		{"FruitTree zero value", rl.ErrSettings, func() error {
			var e FruitTree
			e.Reset(nil)
			_, _, err := e.Step(rl.Action{Discrete: 0}, make([]float64, 6))
			if e.Spec().Objectives != 6 || len(e.Fruits()) != 0 {
				return nil
			}
			return err
		}},
		{"FruitTree.Front NaN", rl.ErrSettings, func() error { _, err := ft.Front(math.NaN()); return err }},
		{"FruitTree.Front 1.5", rl.ErrSettings, func() error { _, err := ft.Front(1.5); return err }},
		{"CartPole.Reset nil rng", rl.ErrRand, func() error {
			e := NewCartPole()
			e.Reset(nil)
			_, _, err := e.Step(rl.Action{Discrete: 1}, make([]float64, 1))
			return err
		}},
		{"CartPole.Step reward length", rl.ErrDimension, func() error { _, _, err := NewCartPole().Step(rl.Action{Discrete: 1}, two); return err }},
		{"CartPole.Step action 2", rl.ErrAction, func() error { _, _, err := NewCartPole().Step(rl.Action{Discrete: 2}, make([]float64, 1)); return err }},
		{"CartPole zero value", nil, func() error {
			var e CartPole
			_, _, err := e.Step(rl.Action{Discrete: 1}, make([]float64, 1))
			if err != nil || e.Spec().Obs.Check() != nil {
				return nil
			}
			return errors.New("ok")
		}},
		{"Pendulum.Reset nil rng", rl.ErrRand, func() error {
			e := NewPendulum(true)
			e.Reset(nil)
			_, _, err := e.Step(rl.Action{Box: []float64{0}}, two)
			return err
		}},
		{"Pendulum.Step reward length", rl.ErrDimension, func() error {
			_, _, err := NewPendulum(true).Step(rl.Action{Box: []float64{0}}, make([]float64, 1))
			return err
		}},
		{"Pendulum.Step NaN torque", rl.ErrAction, func() error {
			_, _, err := NewPendulum(false).Step(rl.Action{Box: []float64{math.NaN()}}, make([]float64, 1))
			return err
		}},
		{"Pendulum.Step torque 3", rl.ErrAction, func() error {
			_, _, err := NewPendulum(false).Step(rl.Action{Box: []float64{3}}, make([]float64, 1))
			return err
		}},
		{"Pendulum zero value", nil, func() error {
			var e Pendulum
			_, _, err := e.Step(rl.Action{Box: []float64{0}}, make([]float64, 1))
			if err != nil || e.Spec().Action.Check() != nil {
				return nil
			}
			return errors.New("ok")
		}},
	}
	for _, c := range cases {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic %v", c.name, r)
					err = errors.New("panicked")
				}
			}()
			return c.call()
		}()
		switch {
		case err == nil:
			t.Errorf("%s: no error", c.name)
		case c.want != nil && !errors.Is(err, c.want):
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	t.Logf("%d bad-input cases", len(cases))
}
