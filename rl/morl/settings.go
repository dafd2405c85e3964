package morl

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/optlearn/optlearn/rl/ppo"
	"github.com/optlearn/optlearn/run"
)

// Settings configures [Run]. Zero values take the official C-MORL defaults
// noted per field; Ref, TotalSteps and NewAgent are required.
type Settings struct {
	// Ref is the reference point ref ∈ Rⁿ of the archive and hypervolume.
	Ref []float64
	// Delta is the Stage-1 weight step δ. Zero means 0.2.
	Delta float64
	// Beta is the constraint level β ∈ (0, 1]. Zero means 0.9.
	Beta float64
	// Barrier is the log-barrier parameter t. Zero means 20.
	Barrier float64
	// UpdateIter is K, the PPO-IPO updates per (π_r, l) and round. Zero means 20.
	UpdateIter int
	// NumSelect is N_s, the policies selected per round. Zero means 5.
	NumSelect int
	// TotalSteps is T_total and InitSteps T_init (environment steps).
	// InitSteps zero means TotalSteps/2.
	TotalSteps, InitSteps int
	// EvalInterval is the Stage-1 checkpoint interval in PPO updates. Zero
	// means 10 (the discrete scripts use 1). Ignored with ArchiveFinal.
	EvalInterval int
	// EvalEpisodes is the number of deterministic evaluation episodes. Zero means 1.
	EvalEpisodes int
	// EvalGamma is the discount applied to evaluated returns. Zero means 1.
	EvalGamma float64
	// PolicyBuffer is the archive capacity. Zero means 200.
	PolicyBuffer int
	// ArchiveFinal archives only the final evaluation of each trained
	// policy: one point per preference in Stage 1 and the last iterate of
	// each (π_r, l) extension in Stage 2. False (the paper's rule) archives
	// every checkpoint and every Stage-2 iterate.
	ArchiveFinal bool
	// Reselect says what Stage 2 does when every archived vector has been
	// selected before while budget remains: false (the paper's global
	// history) ends Stage 2 with Status Converged and reports
	// Result.Exhausted and Result.UnusedSteps; true forgets the selection
	// history and keeps selecting by crowding distance until the budget is
	// spent.
	Reselect bool
	// RandomSelection replaces crowding-distance selection by uniform
	// sampling of never-selected entries (the ablation).
	RandomSelection bool
	// LSOnly runs the linear-scalarisation baseline: all TotalSteps in
	// Stage 1 with the same δ and archiving, no Stage 2.
	LSOnly bool
	// ExtendPPO configures the learner of the Stage-2 updates. Nil means
	// the default of the policy class (see "Stage-2 step" in the package
	// doc): [TabularExtendPPO] of PPO for a *ppo.Tabular policy, PPO
	// itself otherwise.
	ExtendPPO *ppo.Settings
	// CriticFeasibility decides feasibility at the start of each Stage-2
	// update from the spec's estimate G_old + L̄·mean(A_j), which inherits
	// the critic's bias, instead of the default, the evaluated return of
	// θ_old (see [Barrier]).
	CriticFeasibility bool
	// MaxIter caps the iterations (see [Iter]: the end of Stage 1 is
	// iteration 1, each Stage-2 round one more). Zero means no cap: the
	// step budget decides.
	MaxIter int
	// TimeLimit caps the wall time. Zero means none; negative is an error.
	TimeLimit time.Duration
	// Workers is the number of parallel training tasks. Zero means 1;
	// results do not depend on it.
	Workers int
	// PPO configures the Stage-1 learner and is the base of the Stage-2
	// learner (see ExtendPPO). Its Workers field is ignored: tasks run in
	// parallel instead.
	PPO ppo.Settings
	// NewAgent returns a fresh agent (policy and n-output critic) drawing
	// its initial weights from rng.
	NewAgent func(rng *rand.Rand) *ppo.Agent
	// Rand is the source of every random stream of the run: one uint64 is
	// drawn per task, in task order, before the tasks start, so results do
	// not depend on Workers or GOMAXPROCS. Nil means rand.NewPCG(1, 0).
	Rand *rand.Rand
	// Recorder, if non-nil, sees the run at its start, after Stage 1 and
	// after every Stage-2 round, and at the end; an error from it stops the
	// run with Status RecorderStopped.
	Recorder Recorder
}

// MaxTasks bounds the Stage-1 preference grid of [Run] (the number of
// agents trained in parallel).
const MaxTasks = 10_000

// defaults validates s and returns a copy with the documented defaults.
func (s *Settings) defaults() (Settings, error) {
	if s == nil {
		return Settings{}, fmt.Errorf("%w: nil settings (Ref, TotalSteps and NewAgent are required)", ErrSettings)
	}
	o := *s
	o.Delta = cmp.Or(o.Delta, 0.2)
	o.Beta = cmp.Or(o.Beta, 0.9)
	o.Barrier = cmp.Or(o.Barrier, 20)
	o.EvalGamma = cmp.Or(o.EvalGamma, 1)
	o.UpdateIter = cmp.Or(o.UpdateIter, 20)
	o.NumSelect = cmp.Or(o.NumSelect, 5)
	o.InitSteps = cmp.Or(o.InitSteps, o.TotalSteps/2)
	o.EvalInterval = cmp.Or(o.EvalInterval, 10)
	o.EvalEpisodes = cmp.Or(o.EvalEpisodes, 1)
	o.PolicyBuffer = cmp.Or(o.PolicyBuffer, DefaultPolicyBuffer)
	o.Workers = cmp.Or(o.Workers, 1)
	if o.Rand == nil {
		o.Rand = rand.New(rand.NewPCG(1, 0))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"Delta", o.Delta}, {"Beta", o.Beta}, {"Barrier", o.Barrier}, {"EvalGamma", o.EvalGamma}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return o, fmt.Errorf("%w: %s = %g", ErrNotFinite, f.name, f.v)
		}
	}
	for i, v := range o.Ref {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return o, fmt.Errorf("%w: Ref[%d] = %g", ErrNotFinite, i, v)
		}
	}
	switch {
	case len(o.Ref) == 0:
		return o, fmt.Errorf("%w: Ref is empty", ErrSettings)
	case o.NewAgent == nil:
		return o, fmt.Errorf("%w: NewAgent is nil", ErrSettings)
	case o.TotalSteps <= 0 || o.InitSteps <= 0 || o.InitSteps > o.TotalSteps:
		return o, fmt.Errorf("%w: TotalSteps %d, InitSteps %d (want 0 < InitSteps ≤ TotalSteps)", ErrSettings, o.TotalSteps, o.InitSteps)
	case !(o.Beta > 0 && o.Beta <= 1):
		return o, fmt.Errorf("%w: Beta %g outside (0, 1]", ErrSettings, o.Beta)
	case !(o.Delta > 0 && o.Delta <= 1):
		return o, fmt.Errorf("%w: Delta %g outside (0, 1]", ErrSettings, o.Delta)
	case o.Barrier < 0:
		return o, fmt.Errorf("%w: Barrier %g is negative", ErrSettings, o.Barrier)
	case o.EvalGamma < 0 || o.EvalGamma > 1:
		return o, fmt.Errorf("%w: EvalGamma %g outside [0, 1]", ErrSettings, o.EvalGamma)
	case o.UpdateIter < 0 || o.NumSelect < 0 || o.Workers < 0 || o.EvalInterval < 0 || o.EvalEpisodes < 0 || o.PolicyBuffer < 0 || o.MaxIter < 0:
		return o, fmt.Errorf("%w: negative count (UpdateIter %d, NumSelect %d, Workers %d, EvalInterval %d, EvalEpisodes %d, PolicyBuffer %d, MaxIter %d)",
			ErrSettings, o.UpdateIter, o.NumSelect, o.Workers, o.EvalInterval, o.EvalEpisodes, o.PolicyBuffer, o.MaxIter)
	}
	if err := run.CheckTimeLimit(o.TimeLimit); err != nil {
		return o, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	return o, nil
}

// Round describes the archive after one archive update of [Run] or one
// round of [Extend].
type Round struct {
	// Stage is 1 for the archive after Stage 1 and 2 for a Stage-2 round.
	Stage int
	// Round is the Stage-2 round (0, 1, ...; −1 for Stage 1).
	Round int
	// Selected holds the objective vectors of the policies extended in the
	// round (nil for Stage 1).
	Selected [][]float64
	// Size and HV are the archive size and hypervolume after the update.
	Size int
	HV   float64
	// Steps counts environment steps since the start of the run.
	Steps int
}

// Iter is what a [Recorder] sees of a run of [Run] or [Extend]. One
// iteration is one archive update: for Run the end of Stage 1 is iteration
// 1 and each Stage-2 round one more; for Extend each round is one. At Start
// the Round fields are zero (Run) or describe the archive handed in
// (Extend).
type Iter struct {
	run.Progress
	Round
}

// Summary implements [run.Summarizer].
func (it *Iter) Summary() string {
	if it.Stage == 0 {
		return "stage 1: training one agent per preference"
	}
	return fmt.Sprintf("stage %d  archive %d  HV %.6g  steps %d", it.Stage, it.Size, it.HV, it.Steps)
}

// Clone returns a copy of it whose Selected slices are copied (for
// [History]).
func (it *Iter) Clone() Iter {
	c := *it
	c.Selected = make([][]float64, len(it.Selected))
	for i, g := range it.Selected {
		c.Selected[i] = slices.Clone(g)
	}
	return c
}

// Recorder observes a run; see [run.Recorder].
type Recorder = run.Recorder[*Iter]

// History is a [Recorder] keeping every state, for plots.
type History = run.History[Iter, *Iter]

// Printer is a [Recorder] writing progress lines.
type Printer = run.Printer[*Iter]

// Result is the outcome of [Run].
type Result struct {
	// Archive is the final Pareto archive EP.
	Archive *Archive
	// Stage1Size and Stage1HV describe the archive after Stage 1.
	Stage1Size int
	Stage1HV   float64
	// Rounds traces Stage 2, one entry per round.
	Rounds []Round
	// Steps counts environment steps (training only), Updates PPO updates.
	Steps, Updates int
	// Stage2 counts what the Stage-2 updates did (for tracing).
	Stage2 Stage2Stats
	// Iterations counts archive updates (Stage 1 is one, each Stage-2
	// round one more).
	Iterations int
	// Exhausted reports that Stage 2 ended because every archived vector
	// had been selected before (and Reselect was off); UnusedSteps is the
	// part of TotalSteps left unspent, by that or because the remainder
	// cannot fund one update of every extension of a round.
	Exhausted   bool
	UnusedSteps int
	// Status says why the run stopped: Completed when the step budget was
	// spent, Converged when Stage 2 was exhausted, IterationLimit,
	// TimeLimit, Canceled, RecorderStopped, or Failure.
	Status run.Status
}
