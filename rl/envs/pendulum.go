package envs

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/rl"
)

// Pendulum constants of Gymnasium's Pendulum-v1.
const (
	pdMaxSpeed     = 8.0
	pdMaxTorque    = 2.0
	pdDt           = 0.05
	pdG            = 10.0
	pdM            = 1.0
	pdL            = 1.0
	PendulumMaxLen = 200 // PendulumMaxLen is the v1 time limit.
)

// Pendulum is Gymnasium's Pendulum-v1: observation (cos θ, sin θ, θ̇), one
// torque in [−2, 2], reward −(θ² + 0.1θ̇² + 0.001u²) with θ normalised to
// [−π, π), θ̇ clipped to [−8, 8], dt 0.05, g 10, truncation at 200 steps.
// Reset draws θ ~ U(−π, π) and θ̇ ~ U(−1, 1).
//
// With Energy set it is the two-objective task "Pendulum with energy cost":
// objective 1 is −(θ² + 0.1θ̇²) (be upright and still) and objective 2 is
// −u² (spend no energy). Swinging up needs torque, so the objectives
// conflict: the zero-torque policy is optimal for objective 2 and leaves
// the pendulum hanging, while swinging up and balancing costs energy.
type Pendulum struct {
	Energy bool
	th     float64
	thd    float64
	t      int
	obs    []float64
	noRNG  bool // the last Reset had no *rand.Rand
}

var _ rl.MOEnv = (*Pendulum)(nil)

// NewPendulum returns Pendulum-v1 (energy=false) or the two-objective
// energy-cost variant (energy=true).
func NewPendulum(energy bool) *Pendulum { return &Pendulum{Energy: energy, obs: make([]float64, 3)} }

// objectives returns 2 for the energy-cost variant and 1 otherwise.
func (e *Pendulum) objectives() int {
	if e.Energy {
		return 2
	}
	return 1
}

// Spec returns the spaces: (cos, sin, θ̇) box, torque box [−2, 2], and 1 or 2 objectives.
func (e *Pendulum) Spec() rl.Spec {
	n := e.objectives()
	return rl.Spec{
		Obs:        rl.Box([]float64{-1, -1, -pdMaxSpeed}, []float64{1, 1, pdMaxSpeed}),
		Action:     rl.Box([]float64{-pdMaxTorque}, []float64{pdMaxTorque}),
		Objectives: n,
	}
}

// Reset draws the initial angle and velocity from rng. A nil rng cannot
// draw: the state is set to zero and the next Step returns an error
// wrapping [rl.ErrRand].
func (e *Pendulum) Reset(rng *rand.Rand) []float64 {
	e.noRNG = rng == nil
	e.th, e.thd = 0, 0
	if rng != nil {
		e.th = -math.Pi + 2*math.Pi*rng.Float64()
		e.thd = -1 + 2*rng.Float64()
	}
	e.t = 0
	return e.observe()
}

func (e *Pendulum) observe() []float64 {
	if len(e.obs) != 3 {
		e.obs = make([]float64, 3)
	}
	e.obs[0], e.obs[1], e.obs[2] = math.Cos(e.th), math.Sin(e.th), e.thd
	return e.obs
}

func angleNormalize(x float64) float64 {
	return math.Mod(math.Mod(x+math.Pi, 2*math.Pi)+2*math.Pi, 2*math.Pi) - math.Pi
}

// Step applies torque a.Box[0] (which must lie in [−2, 2]). It returns an
// error wrapping [rl.ErrAction] for another action, [rl.ErrDimension] if
// r does not have one entry per objective and [rl.ErrRand] after a
// Reset(nil); the state is then unchanged.
func (e *Pendulum) Step(a rl.Action, r []float64) ([]float64, rl.Done, error) {
	if e.noRNG {
		return e.observe(), rl.Running, fmt.Errorf("%w: Pendulum.Reset was given a nil *rand.Rand", rl.ErrRand)
	}
	if err := checkReward(r, e.objectives(), "Pendulum"); err != nil {
		return e.observe(), rl.Running, err
	}
	if len(a.Box) != 1 || !(a.Box[0] >= -pdMaxTorque && a.Box[0] <= pdMaxTorque) {
		return e.observe(), rl.Running, fmt.Errorf("%w: pendulum torque %v not in [-2, 2]", rl.ErrAction, a.Box)
	}
	u := a.Box[0]
	an := angleNormalize(e.th)
	state := an*an + 0.1*e.thd*e.thd
	if e.Energy {
		r[0], r[1] = -state, -u*u
	} else {
		r[0] = -(state + 0.001*u*u)
	}
	nthd := e.thd + (3*pdG/(2*pdL)*math.Sin(e.th)+3/(pdM*pdL*pdL)*u)*pdDt
	nthd = math.Max(-pdMaxSpeed, math.Min(pdMaxSpeed, nthd))
	e.th += nthd * pdDt
	e.thd = nthd
	e.t++
	done := rl.Running
	if e.t >= PendulumMaxLen {
		done = rl.Truncated
	}
	return e.observe(), done, nil
}
