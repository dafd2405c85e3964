package rl_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/envs"
)

// TestBadInput covers every exported entry point of package rl with bad
// input (issue 16): each returns an error, none panics.
func TestBadInput(t *testing.T) {
	nan := math.NaN()
	dst := func() rl.MOEnv { return envs.NewDST() }
	var zero rl.Scalarized
	cases := []struct {
		name string
		want error
		call func() error
	}{
		{"CheckWeights NaN", rl.ErrWeights, func() error { return rl.CheckWeights([]float64{nan, 1}, 2) }},
		{"CheckWeights length", rl.ErrWeights, func() error { return rl.CheckWeights([]float64{1}, 2) }},
		{"CheckWeights negative", rl.ErrWeights, func() error { return rl.CheckWeights([]float64{-1, 2}, 2) }},
		{"CheckWeights sum", rl.ErrWeights, func() error { return rl.CheckWeights([]float64{0.5, 0.6}, 2) }},
		{"Scalarize nil env", rl.ErrSettings, func() error { _, err := rl.Scalarize(nil, []float64{1}); return err }},
		{"Scalarize bad weights", rl.ErrWeights, func() error { _, err := rl.Scalarize(dst(), []float64{1, 1}); return err }},
		{"Scalarized.Step zero value", rl.ErrSettings, func() error { _, _, err := zero.Step(rl.Action{}, make([]float64, 1)); return err }},
		{"Scalarized.Spec/Reset zero value", nil, func() error {
			if zero.Spec().Objectives != 0 || zero.Reset(nil) != nil {
				return nil
			}
			return errors.New("ok")
		}},
		{"Scalarized.Step reward length", rl.ErrDimension, func() error {
			s, _ := rl.Scalarize(dst(), []float64{0.5, 0.5})
			s.Reset(nil)
			_, _, err := s.Step(rl.Action{Discrete: 1}, nil)
			return err
		}},
		{"Scalarized.Step bad action", rl.ErrAction, func() error {
			s, _ := rl.Scalarize(dst(), []float64{0.5, 0.5})
			s.Reset(nil)
			_, _, err := s.Step(rl.Action{Discrete: 9}, make([]float64, 1))
			return err
		}},
		{"Evaluate nil env", rl.ErrSettings, func() error { _, _, err := rl.Evaluate(nil, down{}, 1, 1, true, 0, nil); return err }},
		{"Evaluate nil policy", rl.ErrSettings, func() error { _, _, err := rl.Evaluate(dst(), nil, 1, 1, true, 0, nil); return err }},
		{"Evaluate NaN discount", rl.ErrSettings, func() error { _, _, err := rl.Evaluate(dst(), down{}, 1, nan, true, 0, nil); return err }},
		{"Evaluate discount 1.5", rl.ErrSettings, func() error { _, _, err := rl.Evaluate(dst(), down{}, 1, 1.5, true, 0, nil); return err }},
		{"Evaluate negative episodes", rl.ErrSettings, func() error { _, _, err := rl.Evaluate(dst(), down{}, -1, 1, true, 0, nil); return err }},
		{"Evaluate sampling without rng", rl.ErrSettings, func() error { _, _, err := rl.Evaluate(dst(), down{}, 1, 1, false, 0, nil); return err }},
		{"Evaluate CartPole without rng", rl.ErrRand, func() error {
			_, _, err := rl.Evaluate(envs.NewCartPole(), down{}, 1, 1, true, 0, nil)
			return err
		}},
		{"Evaluate action outside the space", rl.ErrAction, func() error { _, _, err := rl.Evaluate(dst(), bad{}, 1, 1, true, 0, nil); return err }},
		{"Evaluate malformed action space", rl.ErrSpace, func() error { _, _, err := rl.Evaluate(malformed{}, down{}, 1, 1, true, 0, nil); return err }},
		{"Evaluate NaN reward", rl.ErrReward, func() error {
			_, _, err := rl.Evaluate(nanEnv{}, down{}, 1, 1, true, 0, nil)
			return err
		}},
		{"Box length mismatch", rl.ErrSpace, func() error { return rl.Box([]float64{0}, []float64{1, 2}).Check() }},
		{"Box NaN bound", rl.ErrSpace, func() error { return rl.Box([]float64{nan}, []float64{1}).Check() }},
		{"Box low > high", rl.ErrSpace, func() error { return rl.Box([]float64{2}, []float64{1}).Check() }},
		{"Discrete 0", rl.ErrSpace, func() error { return rl.Discrete(0).Check() }},
		{"Contains on a malformed box", rl.ErrSpace, func() error { return rl.Box([]float64{0}, nil).Contains(rl.Action{Box: []float64{0}}) }},
		{"Contains wrong kind", rl.ErrAction, func() error { return rl.Discrete(2).Contains(rl.Action{Box: []float64{0}}) }},
		{"Clip malformed box unchanged", nil, func() error {
			a := rl.Box([]float64{0}, nil).Clip(rl.Action{Box: []float64{5}})
			if a.Box[0] != 5 || rl.Discrete(2).IsDiscrete() != true {
				return nil
			}
			return errors.New("ok")
		}},
		{"OneHotIndex empty", nil, func() error {
			if rl.OneHotIndex(nil) != 0 {
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

// bad always plays action 7.
type bad struct{}

func (bad) Act([]float64, bool, *rand.Rand) rl.Action { return rl.Action{Discrete: 7} }
func (bad) LogProb([]float64, rl.Action) float64      { return 0 }
func (b bad) Clone() rl.Policy                        { return b }

// malformed has a discrete action space of size −1.
type malformed struct{ nanEnv }

func (malformed) Spec() rl.Spec { return rl.Spec{Action: rl.Space{N: -1}, Objectives: 1} }

// nanEnv returns a NaN reward.
type nanEnv struct{}

func (nanEnv) Spec() rl.Spec {
	return rl.Spec{Obs: rl.Discrete(1), Action: rl.Discrete(2), Objectives: 1}
}
func (nanEnv) Reset(*rand.Rand) []float64 { return []float64{1} }
func (nanEnv) Step(_ rl.Action, r []float64) ([]float64, rl.Done, error) {
	r[0] = math.NaN()
	return []float64{1}, rl.Terminated, nil
}
