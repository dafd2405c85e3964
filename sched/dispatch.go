package sched

import (
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
// Gumbel-top-k with rng. It returns the final schedule; errors are
// ErrNoAction, or a nil rng with T > 0.
func Dispatch(env Env, pol Policy, T float64, rng *rand.Rand) (Schedule, error) {
	if T < 0 || math.IsNaN(T) {
		return Schedule{}, fmt.Errorf("sched: temperature %v", T)
	}
	if T > 0 && rng == nil {
		return Schedule{}, errors.New("sched: Dispatch with T > 0 needs a rng")
	}
	env.Reset()
	var (
		o      Obs
		scores []float64
		keys   []float64
		acts   []int
	)
	for {
		env.Observe(&o)
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
