package sched

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Obs is a dispatching state. The dispatching fields (Time through Done)
// are filled by every dispatcher; the token fields (Feat through JobMask)
// only by [CPEnv.Observe].
type Obs struct {
	Inst *Instance
	// Time is the current event time t.
	Time int
	// Legal has N+1 entries; Legal[N] is No-Op.
	Legal []bool
	// Next is the index k of each job's next (first unfixed) operation; M
	// when the job is finished.
	Next []int
	// Ready is r_j, the end of the job's last fixed operation (0 if none).
	Ready []int
	// Est is the start lower bound of each job's next operation.
	Est []int
	// Rem is Σ_{l≥k} p_jl, the work remaining including the next operation.
	Rem []int
	// Done is Σ_{l<k} p_jl, the work already fixed.
	Done []int

	// Feat holds W=5 tokens per job, 4 features each, laid out
	// [job][token][feature]: is_fixed, start lower bound (standardised over
	// the state's real tokens), duration (standardised with the instance
	// mean and std), legal. Token 0 is the job's last fixed operation or
	// START; tokens 1..4 are the next operations, padded with END.
	Feat []float64
	// Kind is the token kind per [job][token]: TokenOp, TokenStart, TokenEnd.
	Kind []int
	// OpIndex is the operation index per token, -1 for START and END.
	OpIndex []int
	// Pad is true for masked tokens (every END token after the first).
	Pad []bool
	// JobMask is the N×N job–resource mask: true where job i may attend to
	// job j (identity, plus pairs of legal jobs whose next operations use
	// the same machine).
	JobMask []bool
}

// Token kinds of [Obs.Kind].
const (
	TokenOp = iota
	TokenStart
	TokenEnd
)

// Window is the number of tokens per job in an observation.
const Window = 5

// resize prepares the dispatching fields of o for inst.
func (o *Obs) resize(inst *Instance) {
	n := inst.N
	o.Inst = inst
	o.Legal = resizeBool(o.Legal, n+1)
	o.Next = resizeInt(o.Next, n)
	o.Ready = resizeInt(o.Ready, n)
	o.Est = resizeInt(o.Est, n)
	o.Rem = resizeInt(o.Rem, n)
	o.Done = resizeInt(o.Done, n)
}

func resizeInt(s []int, n int) []int {
	if cap(s) < n {
		return make([]int, n)
	}
	return s[:n]
}

func resizeBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	return s[:n]
}

func resizeFloat(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	return s[:n]
}

// Rule is a static priority dispatching rule (PDR). Each picks the legal job
// of minimum score, ties to the lowest job index, where k is the job's next
// operation:
//
//	SPT      p_jk              LPT   −p_jk
//	MWKR     −Σ_{l≥k} p_jl     LWKR  Σ_{l≥k} p_jl
//	MOPNR    −(M−k)            FIFO  r_j (ready time)
//	FDDMWKR  Σ_{l≤k} p_jl / Σ_{l≥k} p_jl
//
// As a [Policy] it writes logits = −score (No-Op gets −Inf).
type Rule int

// The PDRs of the spec.
const (
	SPT Rule = iota
	LPT
	MWKR
	LWKR
	MOPNR
	FDDMWKR
	FIFO
)

// Rules lists every deterministic PDR in the spec's table order.
var Rules = []Rule{SPT, LPT, MWKR, LWKR, MOPNR, FDDMWKR, FIFO}

var ruleNames = [...]string{"SPT", "LPT", "MWKR", "LWKR", "MOPNR", "FDD/MWKR", "FIFO"}

// String returns the rule's name as in the spec ("FDD/MWKR" for FDDMWKR).
func (r Rule) String() string {
	if r < 0 || int(r) >= len(ruleNames) {
		return fmt.Sprintf("Rule(%d)", int(r))
	}
	return ruleNames[r]
}

var _ Policy = SPT

// Scores writes the logits −score(j) for every job and −Inf for finished
// jobs and No-Op. If o does not fit its instance, dst is shorter than N+1
// or r is not a known rule, every entry of dst is −Inf (so the dispatchers
// report ErrNoAction, or reject the rule up front).
func (r Rule) Scores(o *Obs, dst []float64) {
	if !obsFits(o, dst) || r < SPT || r > FIFO {
		fillInf(dst)
		return
	}
	in := o.Inst
	n := in.N
	dst[n] = math.Inf(-1)
	for j := 0; j < n; j++ {
		k := o.Next[j]
		if k >= in.M {
			dst[j] = math.Inf(-1)
			continue
		}
		p := float64(in.Dur[j][k])
		var s float64
		switch r {
		case SPT:
			s = p
		case LPT:
			s = -p
		case MWKR:
			s = -float64(o.Rem[j])
		case LWKR:
			s = float64(o.Rem[j])
		case MOPNR:
			s = -float64(in.M - k)
		case FDDMWKR:
			s = (float64(o.Done[j]) + p) / float64(o.Rem[j])
		case FIFO:
			s = float64(o.Ready[j])
		}
		dst[j] = -s
	}
}

// Random is the random PDR: uniform choice among the legal jobs.
type Random struct {
	// Rand is the source of randomness; it must not be nil.
	Rand *rand.Rand
}

// Scores writes uniform random logits for the unfinished jobs and −Inf for
// finished jobs and No-Op. Like [Rule.Scores], it writes −Inf everywhere
// when o or dst does not fit, or Rand is nil.
func (r Random) Scores(o *Obs, dst []float64) {
	if !obsFits(o, dst) || r.Rand == nil {
		fillInf(dst)
		return
	}
	n := o.Inst.N
	dst[n] = math.Inf(-1)
	for j := 0; j < n; j++ {
		if o.Next[j] >= o.Inst.M {
			dst[j] = math.Inf(-1)
		} else {
			dst[j] = r.Rand.Float64()
		}
	}
}

// obsFits reports whether o's dispatching fields fit its instance and dst
// has room for N+1 logits.
func obsFits(o *Obs, dst []float64) bool {
	return o != nil && checkObs(o) == nil && len(dst) >= o.Inst.N+1
}

// fillInf sets every entry of dst to −Inf.
func fillInf(dst []float64) {
	for i := range dst {
		dst[i] = math.Inf(-1)
	}
}
