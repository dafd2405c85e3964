package envs

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
)

// CartPole constants of Gymnasium's CartPole-v1 (Barto, Sutton and Anderson 1983).
const (
	cpGravity      = 9.8
	cpMassCart     = 1.0
	cpMassPole     = 0.1
	cpTotalMass    = cpMassPole + cpMassCart
	cpLength       = 0.5 // half the pole length
	cpPoleMassLen  = cpMassPole * cpLength
	cpForceMag     = 10.0
	cpTau          = 0.02
	cpThetaLimit   = 12 * 2 * math.Pi / 360
	cpXLimit       = 2.4
	CartPoleMaxLen = 500 // CartPoleMaxLen is the v1 time limit.
)

// CartPole is Gymnasium's CartPole-v1 with Euler integration: observation
// (x, ẋ, θ, θ̇), actions 0 (push left) and 1 (push right), reward +1 per
// step, termination when |x| > 2.4 or |θ| > 12°, truncation at 500 steps.
// Reset draws each state component uniformly from [−0.05, 0.05].
type CartPole struct {
	s     [4]float64
	t     int
	obs   []float64
	noRNG bool // the last Reset had no *rand.Rand
}

var _ rl.Env = (*CartPole)(nil)

// NewCartPole returns a CartPole-v1 environment.
func NewCartPole() *CartPole { return &CartPole{obs: make([]float64, 4)} }

// Spec returns the spaces: 4-dimensional box, 2 actions, 1 objective.
func (e *CartPole) Spec() rl.Spec {
	inf := math.Inf(1)
	hi := []float64{2 * cpXLimit, inf, 2 * cpThetaLimit, inf}
	lo := []float64{-hi[0], -inf, -hi[2], -inf}
	return rl.Spec{Obs: rl.Box(lo, hi), Action: rl.Discrete(2), Objectives: 1}
}

// Reset draws the initial state from rng. A nil rng cannot draw: the
// state is set to zero and the next Step returns an error wrapping
// [rl.ErrRand] (Reset itself has no error result in [rl.MOEnv]).
func (e *CartPole) Reset(rng *rand.Rand) []float64 {
	e.noRNG = rng == nil
	for i := range e.s {
		e.s[i] = 0
		if rng != nil {
			e.s[i] = -0.05 + 0.1*rng.Float64()
		}
	}
	e.t = 0
	return e.observe()
}

func (e *CartPole) observe() []float64 {
	if len(e.obs) != 4 {
		e.obs = make([]float64, 4)
	}
	copy(e.obs, e.s[:])
	return e.obs
}

// Step applies a push and writes the reward 1 into r[0]. It returns an
// error wrapping [rl.ErrAction] for an action outside {0, 1},
// [rl.ErrDimension] if r does not have length 1 and [rl.ErrRand] after a
// Reset(nil); the state is then unchanged.
func (e *CartPole) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	if e.noRNG {
		return e.observe(), rl.Running, fmt.Errorf("%w: CartPole.Reset was given a nil *rand.Rand", rl.ErrRand)
	}
	if err := checkReward(r, 1, "CartPole"); err != nil {
		return e.observe(), rl.Running, err
	}
	if a.Box != nil || a.Discrete < 0 || a.Discrete > 1 {
		return e.observe(), rl.Running, fmt.Errorf("%w: cartpole action %d not in {0, 1}", rl.ErrAction, a.Discrete)
	}
	x, xd, th, thd := e.s[0], e.s[1], e.s[2], e.s[3]
	force := -cpForceMag
	if a.Discrete == 1 {
		force = cpForceMag
	}
	c, s := math.Cos(th), math.Sin(th)
	temp := (force + cpPoleMassLen*thd*thd*s) / cpTotalMass
	thacc := (cpGravity*s - c*temp) / (cpLength * (4.0/3.0 - cpMassPole*c*c/cpTotalMass))
	xacc := temp - cpPoleMassLen*thacc*c/cpTotalMass
	x += cpTau * xd
	xd += cpTau * xacc
	th += cpTau * thd
	thd += cpTau * thacc
	e.s = [4]float64{x, xd, th, thd}
	e.t++
	e.observe()
	r[0] = 1
	switch {
	case x < -cpXLimit || x > cpXLimit || th < -cpThetaLimit || th > cpThetaLimit:
		return e.obs, rl.Terminated, nil
	case e.t >= CartPoleMaxLen:
		return e.obs, rl.Truncated, nil
	}
	return e.obs, rl.Running, nil
}
