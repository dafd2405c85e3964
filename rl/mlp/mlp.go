package mlp

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/rl"
	"github.com/optlearn/optlearn/rl/ppo"
)

// outGain scales the initial weights of a policy's output layer (PPO
// implementations initialise it with gain 0.01 so the first policy is
// nearly uniform / zero-mean).
const outGain = 0.01

// log2Pi is log(2π).
var log2Pi = math.Log(2 * math.Pi)

func newNet(in int, hidden []int, out int, rng *rand.Rand, gain float64) (*nn.MLP, error) {
	sizes := append(append([]int{in}, hidden...), out)
	m, err := nn.NewMLP(sizes, nn.Tanh, rng)
	if err != nil {
		return nil, err
	}
	last := len(m.W) - 1
	for i := range m.W[last] {
		m.W[last][i] *= gain
	}
	return m, nil
}

// Categorical is a softmax policy π(a|s) ∝ exp(f_a(s)) whose logits f come
// from a tanh MLP.
type Categorical struct {
	Net   *nn.MLP
	grads [][]float64
	buf   []float64
	dout  []float64
}

var _ ppo.Differentiable = (*Categorical)(nil)

// NewCategorical returns a policy for obsDim inputs and k actions with the
// given hidden layer sizes (nil means 64, 64). Weights are drawn from rng;
// the output layer is scaled by 0.01. It returns an error for non-positive
// sizes.
func NewCategorical(obsDim, k int, hidden []int, rng *rand.Rand) (*Categorical, error) {
	if hidden == nil {
		hidden = []int{64, 64}
	}
	net, err := newNet(obsDim, hidden, k, rng, outGain)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	return &Categorical{Net: net, grads: net.ZeroGrads(), buf: make([]float64, k), dout: make([]float64, k)}, nil
}

func (c *Categorical) probs(obs []float64) []float64 {
	p := c.Net.Predict(c.buf, obs)
	m := slices.Max(p)
	s := 0.0
	for i, v := range p {
		p[i] = math.Exp(v - m)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
	return p
}

// Act returns the argmax action (deterministic) or a sample.
func (c *Categorical) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	a, _ := c.ActLogProb(obs, deterministic, rng)
	return a
}

// ActLogProb returns Act's action and its log-probability from one forward
// pass (it implements [rl.ActLogProber]).
func (c *Categorical) ActLogProb(obs []float64, deterministic bool, rng *rand.Rand) (rl.Action, float64) {
	p := c.probs(obs)
	a := c.pick(p, deterministic, rng)
	return rl.Action{Discrete: a}, math.Log(p[a])
}

func (c *Categorical) pick(p []float64, deterministic bool, rng *rand.Rand) int {
	if deterministic {
		best := 0
		for a, q := range p {
			if q > p[best] {
				best = a
			}
		}
		return best
	}
	u := rng.Float64()
	for a, q := range p {
		u -= q
		if u < 0 {
			return a
		}
	}
	return len(p) - 1
}

// LogProb returns log π(a|obs).
func (c *Categorical) LogProb(obs []float64, a rl.Action) float64 {
	return math.Log(c.probs(obs)[a.Discrete])
}

// Clone returns a deep copy.
func (c *Categorical) Clone() rl.Policy {
	net := c.Net.Clone()
	k := net.Out()
	return &Categorical{Net: net, grads: net.ZeroGrads(), buf: make([]float64, k), dout: make([]float64, k)}
}

// Params returns the network parameters and gradient buffers.
func (c *Categorical) Params() (params, grads [][]float64) { return c.Net.Params(), c.grads }

// LogProbGrad implements [ppo.Differentiable].
func (c *Categorical) LogProbGrad(obs []float64, a rl.Action, wLogp, wEnt float64) (logp, ent float64) {
	p := c.probs(obs)
	for _, q := range p {
		if q > 0 {
			ent -= q * math.Log(q)
		}
	}
	logp = math.Log(p[a.Discrete])
	if wLogp == 0 && wEnt == 0 {
		return logp, ent
	}
	for b, q := range p {
		d := -q
		if b == a.Discrete {
			d++
		}
		c.dout[b] = wLogp * d
		if q > 0 {
			c.dout[b] += wEnt * (-q * (math.Log(q) + ent))
		}
	}
	c.Net.Backprop(c.dout, c.grads, nil) // forward done by probs
	return logp, ent
}

// Gaussian is a diagonal Gaussian policy N(f(s), diag(exp(2·LogStd))) with
// the mean from a tanh MLP and a state-independent log standard deviation.
// The deterministic action is the mean. Actions are not squashed; the
// learner clips them into the box before stepping the environment.
type Gaussian struct {
	Net    *nn.MLP
	LogStd []float64
	grads  [][]float64
	gstd   []float64
	buf    []float64
	dout   []float64
}

var _ ppo.Differentiable = (*Gaussian)(nil)

// NewGaussian returns a Gaussian policy for obsDim inputs and actDim action
// components (hidden nil means 64, 64), LogStd 0 and output layer scaled by
// 0.01. It returns an error for non-positive sizes.
func NewGaussian(obsDim, actDim int, hidden []int, rng *rand.Rand) (*Gaussian, error) {
	if hidden == nil {
		hidden = []int{64, 64}
	}
	net, err := newNet(obsDim, hidden, actDim, rng, outGain)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	g := &Gaussian{Net: net, LogStd: make([]float64, actDim)}
	g.alloc()
	return g, nil
}

func (g *Gaussian) alloc() {
	k := len(g.LogStd)
	g.grads = append(g.Net.ZeroGrads(), make([]float64, k))
	g.gstd = g.grads[len(g.grads)-1]
	g.buf = make([]float64, k)
	g.dout = make([]float64, k)
}

// Act returns the mean (deterministic) or a sample.
func (g *Gaussian) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	return g.act(g.Net.Predict(g.buf, obs), deterministic, rng)
}

func (g *Gaussian) act(mu []float64, deterministic bool, rng *rand.Rand) rl.Action {
	a := make([]float64, len(mu))
	for i, m := range mu {
		a[i] = m
		if !deterministic {
			a[i] += math.Exp(g.LogStd[i]) * rng.NormFloat64()
		}
	}
	return rl.Action{Box: a}
}

// ActLogProb returns Act's action and its log-probability from one forward
// pass (it implements [rl.ActLogProber]).
func (g *Gaussian) ActLogProb(obs []float64, deterministic bool, rng *rand.Rand) (rl.Action, float64) {
	mu := g.Net.Predict(g.buf, obs)
	a := g.act(mu, deterministic, rng)
	return a, g.logProb(mu, a)
}

// LogProb returns log N(a; f(obs), σ²).
func (g *Gaussian) LogProb(obs []float64, a rl.Action) float64 {
	return g.logProb(g.Net.Predict(g.buf, obs), a)
}

func (g *Gaussian) logProb(mu []float64, a rl.Action) float64 {
	lp := 0.0
	for i, m := range mu {
		z := (a.Box[i] - m) / math.Exp(g.LogStd[i])
		lp += -0.5*z*z - g.LogStd[i] - 0.5*log2Pi
	}
	return lp
}

// Clone returns a deep copy.
func (g *Gaussian) Clone() rl.Policy {
	c := &Gaussian{Net: g.Net.Clone(), LogStd: slices.Clone(g.LogStd)}
	c.alloc()
	return c
}

// Params returns the network parameters followed by LogStd, and gradients.
func (g *Gaussian) Params() (params, grads [][]float64) {
	return append(g.Net.Params(), g.LogStd), g.grads
}

// LogProbGrad implements [ppo.Differentiable]: ∂log π/∂μ = (a−μ)/σ²,
// ∂log π/∂log σ = z² − 1, ∂H/∂log σ = 1.
func (g *Gaussian) LogProbGrad(obs []float64, a rl.Action, wLogp, wEnt float64) (logp, ent float64) {
	mu := g.Net.Predict(g.buf, obs)
	for i, m := range mu {
		sd := math.Exp(g.LogStd[i])
		z := (a.Box[i] - m) / sd
		logp += -0.5*z*z - g.LogStd[i] - 0.5*log2Pi
		ent += g.LogStd[i] + 0.5*(log2Pi+1)
		g.dout[i] = wLogp * z / sd
		g.gstd[i] += wLogp*(z*z-1) + wEnt
	}
	if wLogp == 0 && wEnt == 0 {
		return logp, ent
	}
	g.Net.Backprop(g.dout, g.grads[:len(g.grads)-1], nil) // forward done above
	return logp, ent
}

// Critic is an MLP vector critic V(s) ∈ Rⁿ.
type Critic struct {
	Net   *nn.MLP
	grads [][]float64
}

var _ ppo.Critic = (*Critic)(nil)

// NewCritic returns a critic for obsDim inputs and n objectives (hidden nil
// means 64, 64). It returns an error for non-positive sizes.
func NewCritic(obsDim, n int, hidden []int, rng *rand.Rand) (*Critic, error) {
	if hidden == nil {
		hidden = []int{64, 64}
	}
	net, err := newNet(obsDim, hidden, n, rng, 1)
	if err != nil {
		return nil, fmt.Errorf("mlp: %w", err)
	}
	return &Critic{Net: net, grads: net.ZeroGrads()}, nil
}

// Values writes V(obs) into dst.
func (c *Critic) Values(dst, obs []float64) { c.Net.Predict(dst[:0:len(dst)], obs) }

// ValueGrad writes V(obs) to v and adds Σ_k dv[k]∇V_k to the gradients.
func (c *Critic) ValueGrad(v, obs, dv []float64) {
	if dv == nil {
		c.Net.Predict(v[:0:len(v)], obs)
		return
	}
	c.Net.Backward(v, obs, dv, c.grads, nil)
}

// Params returns the network parameters and gradient buffers.
func (c *Critic) Params() (params, grads [][]float64) { return c.Net.Params(), c.grads }

// CloneCritic returns a deep copy.
func (c *Critic) CloneCritic() ppo.Critic {
	net := c.Net.Clone()
	return &Critic{Net: net, grads: net.ZeroGrads()}
}
