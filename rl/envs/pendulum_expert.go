package envs

import "math"

// PendulumExpert is a hand-written swing-up and balance controller for
// [Pendulum] (the behaviour source of the FamO2O spec's offline data sets).
// From the observation (cos θ, sin θ, θ̇) it recovers a = angle_norm(θ);
// near the top (|a| < 0.6 and |θ̇| < 3) it returns the PD torque
// clip(−(10a + 2θ̇), ±2); otherwise, with the energy E = 0.5θ̇² + 15(cos θ − 1),
// it pumps (+2 if θ̇ ≥ 0, −2 otherwise) while E < 0 and damps (−0.5θ̇,
// clipped) once E ≥ 0. Its mean return over 2000 episodes is about −150
// (uniform random torques: about −1230). obs must have 3 components.
func PendulumExpert(obs []float64) float64 {
	c, s, thd := obs[0], obs[1], obs[2]
	a := math.Atan2(s, c)
	clip := func(u float64) float64 { return math.Max(-pdMaxTorque, math.Min(pdMaxTorque, u)) }
	if math.Abs(a) < 0.6 && math.Abs(thd) < 3 {
		return clip(-(10*a + 2*thd))
	}
	e := 0.5*thd*thd + 15*(c-1)
	if e < 0 {
		if thd >= 0 {
			return pdMaxTorque
		}
		return -pdMaxTorque
	}
	return clip(-0.5 * thd)
}
