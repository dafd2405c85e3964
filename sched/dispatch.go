package sched

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// ErrNoAction is returned by [Dispatch] when the policy gives −Inf to every
// legal action.
var ErrNoAction = errors.New("sched: policy rejects every legal action")

// Dispatch resets env and plays one episode with pol. At each state it
// submits the ordered list of legal actions with finite logits as one
// multi-action step: with T = 0 sorted by logit (ties to the lower index);
// with T > 0 a sample without replacement from softmax(logits/T), drawn by
// Gumbel-top-k with rng. It returns the final schedule. Errors: ErrNoAction;
// ErrSettings for a nil env or pol, a negative or non-finite T, or a nil
// rng with T > 0; ErrDimension when the env's observation does not fit its
// instance; ErrNoAction also when the env makes no progress in 2·N·M+2
// steps. It checks ctx before every step and returns the partial schedule
// with ctx.Err() when the context ends.
func Dispatch(ctx context.Context, env Env, pol Policy, T float64, rng *rand.Rand) (Schedule, error) {
	if err := checkDispatch(env, pol, T, rng); err != nil {
		return Schedule{}, err
	}
	env.Reset()
	var (
		o      Obs
		scores []float64
		keys   []float64
		acts   []int
	)
	for step := 0; ; step++ {
		if err := ctx.Err(); err != nil {
			return env.Schedule(), err
		}
		env.Observe(&o)
		if err := checkObs(&o); err != nil {
			return env.Schedule(), err
		}
		if step > 2*o.Inst.N*o.Inst.M+1 {
			return env.Schedule(), fmt.Errorf("%w: no progress after %d steps", ErrNoAction, step)
		}
		na := len(o.Legal)
		scores = resizeFloat(scores, na)
		keys = resizeFloat(keys, na)
		pol.Scores(&o, scores)
		acts = acts[:0]
		for a := 0; a < na; a++ {
			if !o.Legal[a] || math.IsInf(scores[a], -1) || math.IsNaN(scores[a]) {
				continue
			}
			keys[a] = scores[a]
			if T > 0 {
				keys[a] = scores[a]/T - math.Log(-math.Log(1-rng.Float64()))
			}
			acts = append(acts, a)
		}
		if len(acts) == 0 {
			return env.Schedule(), ErrNoAction
		}
		slices.SortStableFunc(acts, func(a, b int) int {
			switch {
			case keys[a] > keys[b]:
				return -1
			case keys[a] < keys[b]:
				return 1
			}
			return 0
		})
		if env.Step(acts) {
			return env.Schedule(), nil
		}
	}
}

// checkDispatch validates the arguments of Dispatch.
func checkDispatch(env Env, pol Policy, T float64, rng *rand.Rand) error {
	switch {
	case env == nil:
		return fmt.Errorf("%w: nil env", ErrSettings)
	case T < 0 || math.IsNaN(T) || math.IsInf(T, 0):
		return fmt.Errorf("%w: temperature %v (want finite, ≥ 0)", ErrSettings, T)
	case T > 0 && rng == nil:
		return fmt.Errorf("%w: Dispatch with T > 0 needs a rng", ErrSettings)
	}
	if e, ok := env.(*CPEnv); ok && (e == nil || e.inst == nil) {
		return fmt.Errorf("%w: CPEnv not made by NewEnv", ErrSettings)
	}
	return checkPolicy(pol)
}

// checkObs checks that an observation filled by an Env fits its instance.
func checkObs(o *Obs) error {
	in := o.Inst
	if in == nil {
		return fmt.Errorf("%w: observation without an instance", ErrDimension)
	}
	n := in.N
	if n <= 0 || len(o.Legal) != n+1 || len(o.Next) != n || len(o.Ready) != n || len(o.Est) != n || len(o.Rem) != n || len(o.Done) != n {
		return fmt.Errorf("%w: observation fields do not have N = %d (+1) entries", ErrDimension, n)
	}
	if len(in.Dur) != n || len(in.Mach) != n {
		return fmt.Errorf("%w: observation's instance has %d rows for N = %d", ErrDimension, len(in.Dur), n)
	}
	for j, k := range o.Next {
		if k < 0 || k > in.M || len(in.Dur[j]) != in.M {
			return fmt.Errorf("%w: job %d: next operation %d of %d", ErrDimension, j, k, in.M)
		}
	}
	return nil
}
