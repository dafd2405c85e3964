package game24

// SuccessProb returns the exact probability that the agent, with the
// world model w, solves the problem from s: the expectation over every
// thought path (at most 9216 from the start) of the probability that each
// step executes cleanly (no slip, and no hallucination of a different
// operand) and the last number is 24. Only clean executions can succeed,
// and a clean step's result does not depend on the random draws.
func SuccessProb(s *State, ag Agent, w World) float64 {
	if s.Terminal() {
		return s.Reward()
	}
	ts := s.Thoughts()
	p := ag.Probs(nil, s, ts)
	total := 0.0
	for k, t := range ts {
		if p[k] == 0 {
			continue
		}
		clean := 1 - w.Slip
		if len(s.Steps) > 0 {
			b := s.Avail[t.J]
			diff, n := 0, 0
			for _, st := range s.Steps {
				for _, v := range [2]Rat{st.OperandA, st.OperandB} {
					n++
					if v != b {
						diff++
					}
				}
			}
			clean *= 1 - w.Hallucinate*float64(diff)/float64(n)
		}
		a, b := s.Avail[t.I], s.Avail[t.J]
		c, ok := t.Op.Apply(a, b)
		if !ok {
			continue
		}
		next := &State{Problem: s.Problem, Steps: append(append([]Step(nil), s.Steps...), Step{Thought: t, Eq: Equation{A: a, B: b, C: c, Op: t.Op}, OperandA: a, OperandB: b}),
			Avail: rest(s.Avail, t.I, t.J, c)}
		total += p[k] * clean * SuccessProb(next, ag, w)
	}
	return total
}
