package famo2o

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/optlearn/optlearn/run"
)

// Method selects what [Learner] trains.
type Method int

const (
	// FamO2O trains the universal policy π_u(a|s, enc β) with β ~ U[β_min,
	// β_max] offline and β ~ π_b(·|s) online, and the balance model π_b
	// that picks β per state (acting uses its deterministic β(s)).
	FamO2O Method = iota
	// IQL is the base algorithm: an unconditioned policy trained by
	// advantage-weighted regression with the fixed inverse temperature
	// Settings.Beta.
	IQL
	// RandomBeta is the ablation: the universal policy trained with β ~ U
	// in both phases and acting with a fresh β ~ U at every state; no
	// balance model.
	RandomBeta
)

// String returns "FamO2O", "IQL" or "random-beta".
func (m Method) String() string {
	switch m {
	case FamO2O:
		return "FamO2O"
	case IQL:
		return "IQL"
	case RandomBeta:
		return "random-beta"
	}
	return fmt.Sprintf("Method(%d)", int(m))
}

// Phase is the training phase of an update.
type Phase int

const (
	// Offline updates use only the data set and take no environment step.
	Offline Phase = iota
	// Online updates follow one environment step each and sample the
	// replay buffer (data set plus online transitions).
	Online
)

// String returns "offline" or "online".
func (p Phase) String() string {
	if p == Offline {
		return "offline"
	}
	if p == Online {
		return "online"
	}
	return fmt.Sprintf("Phase(%d)", int(p))
}

// Settings configures a [Learner]. The zero value gives the official
// defaults except for the budgets, which default to the spec's Pendulum
// scale. One iteration of [Learner.Run] is one gradient update.
type Settings struct {
	// Method is FamO2O (default), IQL or RandomBeta.
	Method Method
	// Hidden are the hidden layer widths of every network (ReLU). Nil
	// means {256, 256} (the official size).
	Hidden []int
	// BatchSize is the minibatch size. Zero means 256. It may not exceed
	// the data set size.
	BatchSize int
	// LR is Adam's step size for every network and for log α. Zero means 3e-4.
	LR float64
	// Gamma is the discount. Zero means 0.99.
	Gamma float64
	// Tau is the target-network averaging rate. Zero means 0.005.
	Tau float64
	// Expectile is IQL's τ_e. Zero means 0.7 (locomotion).
	Expectile float64
	// BetaMin and BetaMax bound the balance coefficient β (the inverse
	// temperature of the advantage weights). Both zero means [1, 5]; the
	// range must be non-empty (BetaMin < BetaMax) and BetaMin ≥ 0.
	BetaMin, BetaMax float64
	// Beta is the fixed inverse temperature of Method IQL. Zero means 3.
	Beta float64
	// TargetEntropy is the balance model's entropy target H*. Zero means −0.5.
	TargetEntropy float64
	// WeightCap caps the advantage weights exp(β·A). Zero means 100.
	WeightCap float64
	// OfflineSteps is the number of offline updates. Zero means 15000;
	// negative means none.
	OfflineSteps int
	// OnlineSteps is the number of online environment steps (one update
	// each). Zero means 15000; negative means none.
	OnlineSteps int
	// EvalEvery is the number of online steps between evaluations. Zero
	// means 1500.
	EvalEvery int
	// EvalEpisodes is the number of deterministic evaluation episodes.
	// Zero means 20. Episode i resets from rand.NewPCG(EvalSeed, i), so
	// every method is evaluated on the same start states.
	EvalEpisodes int
	// EvalSeed seeds the evaluation resets (see EvalEpisodes).
	EvalSeed uint64
	// Capacity is the replay buffer capacity (transitions, the data set
	// included; the oldest are overwritten). Zero means 2·10⁶.
	Capacity int
	// RewardScale multiplies every reward. Zero means 1000/(R_max − R_min)
	// over the data set's episode returns (1 if they are all equal);
	// negative is an error.
	RewardScale float64
	// TimeLimit bounds the wall time of [Learner.Run]; zero means none.
	TimeLimit time.Duration
	// Rand is the source of all randomness (initialisation, minibatches,
	// noise, online resets). Nil means rand.New(rand.NewPCG(1, 2)).
	Rand *rand.Rand
	// Recorder, if not nil, sees the state after every update.
	Recorder Recorder
}

func (s *Settings) withDefaults() (Settings, error) {
	var c Settings
	if s != nil {
		c = *s
	}
	if c.Hidden == nil {
		c.Hidden = []int{256, 256}
	}
	c.Hidden = append([]int(nil), c.Hidden...)
	def := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	defi := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	defi(&c.BatchSize, 256)
	def(&c.LR, 3e-4)
	def(&c.Gamma, 0.99)
	def(&c.Tau, 0.005)
	def(&c.Expectile, 0.7)
	if c.BetaMin == 0 && c.BetaMax == 0 {
		c.BetaMin, c.BetaMax = 1, 5
	}
	def(&c.Beta, 3)
	def(&c.TargetEntropy, -0.5)
	def(&c.WeightCap, 100)
	defi(&c.OfflineSteps, 15000)
	defi(&c.OnlineSteps, 15000)
	c.OfflineSteps, c.OnlineSteps = max(c.OfflineSteps, 0), max(c.OnlineSteps, 0)
	defi(&c.EvalEvery, 1500)
	defi(&c.EvalEpisodes, 20)
	defi(&c.Capacity, 2_000_000)
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(1, 2))
	}
	bad := func(name string, v float64, ok bool) error {
		if ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
			return nil
		}
		return fmt.Errorf("%w: %s = %v", ErrSettings, name, v)
	}
	for _, e := range []error{
		bad("LR", c.LR, c.LR > 0),
		bad("Gamma", c.Gamma, c.Gamma > 0 && c.Gamma <= 1),
		bad("Tau", c.Tau, c.Tau > 0 && c.Tau <= 1),
		bad("Expectile", c.Expectile, c.Expectile > 0 && c.Expectile < 1),
		bad("BetaMin", c.BetaMin, c.BetaMin >= 0),
		bad("BetaMax", c.BetaMax, c.BetaMax >= 0 && c.BetaMax <= 1e6),
		bad("Beta", c.Beta, c.Beta > 0 && c.Beta <= 1e6),
		bad("TargetEntropy", c.TargetEntropy, true),
		bad("WeightCap", c.WeightCap, c.WeightCap > 0),
		bad("RewardScale", c.RewardScale, c.RewardScale >= 0),
	} {
		if e != nil {
			return c, e
		}
	}
	if !(c.BetaMin < c.BetaMax) {
		return c, fmt.Errorf("%w: empty β range [BetaMin, BetaMax] = [%g, %g]", ErrSettings, c.BetaMin, c.BetaMax)
	}
	if c.Method < FamO2O || c.Method > RandomBeta {
		return c, fmt.Errorf("%w: Method = %d", ErrSettings, int(c.Method))
	}
	switch {
	case c.BatchSize < 0:
		return c, fmt.Errorf("%w: BatchSize = %d", ErrSettings, c.BatchSize)
	case c.EvalEvery < 0:
		return c, fmt.Errorf("%w: EvalEvery = %d", ErrSettings, c.EvalEvery)
	case c.EvalEpisodes < 0:
		return c, fmt.Errorf("%w: EvalEpisodes = %d", ErrSettings, c.EvalEpisodes)
	case c.Capacity < 0:
		return c, fmt.Errorf("%w: Capacity = %d", ErrSettings, c.Capacity)
	case len(c.Hidden) == 0:
		return c, fmt.Errorf("%w: Hidden is empty", ErrSettings)
	}
	for i, h := range c.Hidden {
		if h < 1 || h > 1<<14 {
			return c, fmt.Errorf("%w: Hidden[%d] = %d", ErrSettings, i, h)
		}
	}
	if err := run.CheckTimeLimit(c.TimeLimit); err != nil {
		return c, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	return c, nil
}
