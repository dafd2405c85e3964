package ppo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/optlearn/optlearn/nn"
	"github.com/optlearn/optlearn/rl"
)

// outGain scales the initial weights of a policy's output layer (PPO
// implementations initialise it with gain 0.01 so the first policy is
// nearly uniform / zero-mean).
const outGain = 0.01

// log2Pi is log(2π).
var log2Pi = math.Log(2 * math.Pi)

// newNet returns a tanh [nn.MLP] in → hidden → out (hidden nil: 64, 64)
// with the output layer's weights scaled by gain.
func newNet(in int, hidden []int, out int, rng *rand.Rand, gain float64) (*nn.MLP, error) {
	if rng == nil {
		return nil, fmt.Errorf("%w: nil *rand.Rand", ErrSettings)
	}
	if hidden == nil {
		hidden = []int{64, 64}
	}
	sizes := append(append([]int{in}, hidden...), out)
	m, err := nn.NewMLP(sizes, nn.Tanh, rng)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSettings, err)
	}
	last := len(m.W) - 1
	for i := range m.W[last] {
		m.W[last][i] *= gain
	}
	return m, nil
}

// netBatch is the minibatch state shared by the network models: the
// workspace of the batched passes and a row-major buffer of output
// gradients. It grows to the largest minibatch seen (allocating only then).
type netBatch struct {
	ws   *nn.Workspace
	out  []float64 // rows × Out() network outputs of the last forward
	dout []float64
}

func (b *netBatch) forward(net *nn.MLP, X []float64) ([]float64, int, error) {
	if len(X)%net.In() != 0 {
		return nil, 0, fmt.Errorf("%w: batch has %d values, not a multiple of the input width %d", ErrDimension, len(X), net.In())
	}
	rows := len(X) / net.In()
	if b.ws == nil || b.ws.Rows() < rows {
		ws, err := net.NewWorkspace(max(rows, 1))
		if err != nil {
			return nil, 0, err
		}
		b.ws = ws
		b.dout = make([]float64, rows*net.Out())
	}
	out, err := net.ForwardBatch(b.ws, X, rows)
	if err != nil {
		return nil, 0, err
	}
	b.out = out
	return out, rows, nil
}

// CategoricalMLP is PPO's network policy for discrete actions: a softmax
// π(a|s) ∝ exp(f_a(s)) whose logits f come from a tanh [nn.MLP].
type CategoricalMLP struct {
	Net   *nn.MLP
	grads [][]float64
	buf   []float64
	dout  []float64
	batch netBatch
	acts  []int
}

var _ BatchDifferentiable = (*CategoricalMLP)(nil)

// NewCategoricalMLP returns a policy for obsDim inputs and k actions with
// the given hidden layer sizes (nil means 64, 64). Weights are drawn from
// rng (Glorot uniform); the output layer is scaled by 0.01. It returns an
// error wrapping [ErrSettings] for non-positive or too large sizes or a
// nil rng.
func NewCategoricalMLP(obsDim, k int, hidden []int, rng *rand.Rand) (*CategoricalMLP, error) {
	net, err := newNet(obsDim, hidden, k, rng, outGain)
	if err != nil {
		return nil, err
	}
	return &CategoricalMLP{Net: net, grads: net.ZeroGrads(), buf: make([]float64, k), dout: make([]float64, k)}, nil
}

// softmax turns the logits p into probabilities in place.
func softmax(p []float64) {
	m := slices.Max(p)
	s := 0.0
	for i, v := range p {
		p[i] = math.Exp(v - m)
		s += p[i]
	}
	for i := range p {
		p[i] /= s
	}
}

func (c *CategoricalMLP) probs(obs []float64) []float64 {
	p := c.Net.Predict(c.buf, obs)
	softmax(p)
	return p
}

// Act returns the argmax action (deterministic) or a sample.
func (c *CategoricalMLP) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	a, _ := c.ActLogProb(obs, deterministic, rng)
	return a
}

// ActLogProb returns Act's action and its log-probability from one forward
// pass (it implements [rl.ActLogProber]).
func (c *CategoricalMLP) ActLogProb(obs []float64, deterministic bool, rng *rand.Rand) (rl.Action, float64) {
	p := c.probs(obs)
	a := pick(p, deterministic, rng)
	return rl.Action{Discrete: a}, math.Log(p[a])
}

// pick returns the argmax of p (lowest index on ties) or a sample from it.
func pick(p []float64, deterministic bool, rng *rand.Rand) int {
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

// LogProb returns log π(a|obs), or NaN for an action out of range.
func (c *CategoricalMLP) LogProb(obs []float64, a rl.Action) float64 {
	if a.Discrete < 0 || a.Discrete >= c.Net.Out() {
		return math.NaN()
	}
	return math.Log(c.probs(obs)[a.Discrete])
}

// Clone returns a deep copy.
func (c *CategoricalMLP) Clone() rl.Policy {
	net := c.Net.Clone()
	k := net.Out()
	return &CategoricalMLP{Net: net, grads: net.ZeroGrads(), buf: make([]float64, k), dout: make([]float64, k)}
}

// Params returns the network parameters and gradient buffers.
func (c *CategoricalMLP) Params() (params, grads [][]float64) { return c.Net.Params(), c.grads }

// entropyGrad writes wLogp·∂log π(a)/∂f + wEnt·∂H/∂f for the probabilities p
// to d and returns log π(a) and H: ∂log π(a)/∂f_b = 1[a=b] − π_b and
// ∂H/∂f_b = −π_b (log π_b + H).
func entropyGrad(d, p []float64, a int, wLogp, wEnt float64) (logp, ent float64) {
	for _, q := range p {
		if q > 0 {
			ent -= q * math.Log(q)
		}
	}
	logp = math.Log(p[a])
	if d == nil {
		return logp, ent
	}
	for b, q := range p {
		g := -q
		if b == a {
			g++
		}
		d[b] = wLogp * g
		if q > 0 {
			d[b] += wEnt * (-q * (math.Log(q) + ent))
		}
	}
	return logp, ent
}

// LogProbGrad implements [Differentiable]. For an action out of range it
// returns NaN and adds nothing.
func (c *CategoricalMLP) LogProbGrad(obs []float64, a rl.Action, wLogp, wEnt float64) (logp, ent float64) {
	if a.Discrete < 0 || a.Discrete >= c.Net.Out() {
		return math.NaN(), math.NaN()
	}
	p := c.probs(obs)
	if wLogp == 0 && wEnt == 0 {
		return entropyGrad(nil, p, a.Discrete, 0, 0)
	}
	logp, ent = entropyGrad(c.dout, p, a.Discrete, wLogp, wEnt)
	c.Net.Backprop(c.dout, c.grads, nil) // forward done by probs
	return logp, ent
}

// LogProbBatch implements [BatchDifferentiable]: one batched forward pass
// over the rows of X.
func (c *CategoricalMLP) LogProbBatch(logp, ent, X []float64, acts []rl.Action) error {
	out, rows, err := c.batch.forward(c.Net, X)
	if err != nil {
		return err
	}
	if len(acts) != rows || len(logp) != rows || len(ent) != rows {
		return fmt.Errorf("%w: %d rows, %d actions, %d+%d outputs", ErrDimension, rows, len(acts), len(logp), len(ent))
	}
	k := c.Net.Out()
	c.acts = c.acts[:0]
	for r := range rows {
		a := acts[r].Discrete
		if a < 0 || a >= k {
			return fmt.Errorf("%w: row %d has action %d of %d", rl.ErrAction, r, a, k)
		}
		c.acts = append(c.acts, a)
		p := out[r*k : (r+1)*k]
		softmax(p) // the logits are not needed again: keep probabilities
		logp[r], ent[r] = entropyGrad(nil, p, a, 0, 0)
	}
	return nil
}

// GradBatch implements [BatchDifferentiable]: one batched backward pass.
func (c *CategoricalMLP) GradBatch(wLogp []float64, wEnt float64) error {
	rows, k := len(c.acts), c.Net.Out()
	if len(wLogp) != rows || rows == 0 {
		return fmt.Errorf("%w: %d weights for the %d rows of the last LogProbBatch", ErrDimension, len(wLogp), rows)
	}
	d := c.batch.dout[:rows*k]
	for r, a := range c.acts {
		entropyGrad(d[r*k:(r+1)*k], c.batch.out[r*k:(r+1)*k], a, wLogp[r], wEnt)
	}
	return c.Net.BackwardBatch(c.batch.ws, d, c.grads, nil)
}

// GaussianMLP is PPO's network policy for box actions: a diagonal Gaussian
// N(f(s), diag(exp(2·LogStd))) with the mean from a tanh [nn.MLP] and a
// state-independent log standard deviation. The deterministic action is
// the mean. Actions are not squashed; the learner clips them into the box
// before stepping the environment.
type GaussianMLP struct {
	Net    *nn.MLP
	LogStd []float64
	grads  [][]float64
	gstd   []float64
	buf    []float64
	dout   []float64
	batch  netBatch
	acts   [][]float64
}

var _ BatchDifferentiable = (*GaussianMLP)(nil)

// NewGaussianMLP returns a Gaussian policy for obsDim inputs and actDim
// action components (hidden nil means 64, 64), LogStd 0 and output layer
// scaled by 0.01. Errors are as for [NewCategoricalMLP].
func NewGaussianMLP(obsDim, actDim int, hidden []int, rng *rand.Rand) (*GaussianMLP, error) {
	net, err := newNet(obsDim, hidden, actDim, rng, outGain)
	if err != nil {
		return nil, err
	}
	g := &GaussianMLP{Net: net, LogStd: make([]float64, actDim)}
	g.alloc()
	return g, nil
}

func (g *GaussianMLP) alloc() {
	k := len(g.LogStd)
	g.grads = append(g.Net.ZeroGrads(), make([]float64, k))
	g.gstd = g.grads[len(g.grads)-1]
	g.buf = make([]float64, k)
	g.dout = make([]float64, k)
}

// Act returns the mean (deterministic) or a sample.
func (g *GaussianMLP) Act(obs []float64, deterministic bool, rng *rand.Rand) rl.Action {
	return g.act(g.Net.Predict(g.buf, obs), deterministic, rng)
}

func (g *GaussianMLP) act(mu []float64, deterministic bool, rng *rand.Rand) rl.Action {
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
func (g *GaussianMLP) ActLogProb(obs []float64, deterministic bool, rng *rand.Rand) (rl.Action, float64) {
	mu := g.Net.Predict(g.buf, obs)
	a := g.act(mu, deterministic, rng)
	return a, g.logProb(mu, a.Box)
}

// LogProb returns log N(a; f(obs), σ²), or NaN if a does not have one
// component per action dimension.
func (g *GaussianMLP) LogProb(obs []float64, a rl.Action) float64 {
	if len(a.Box) != len(g.LogStd) {
		return math.NaN()
	}
	return g.logProb(g.Net.Predict(g.buf, obs), a.Box)
}

func (g *GaussianMLP) logProb(mu, a []float64) float64 {
	lp := 0.0
	for i, m := range mu {
		z := (a[i] - m) / math.Exp(g.LogStd[i])
		lp += -0.5*z*z - g.LogStd[i] - 0.5*log2Pi
	}
	return lp
}

// Clone returns a deep copy.
func (g *GaussianMLP) Clone() rl.Policy {
	c := &GaussianMLP{Net: g.Net.Clone(), LogStd: slices.Clone(g.LogStd)}
	c.alloc()
	return c
}

// Params returns the network parameters followed by LogStd, and gradients.
func (g *GaussianMLP) Params() (params, grads [][]float64) {
	return append(g.Net.Params(), g.LogStd), g.grads
}

// gaussGrad writes wLogp·∂log π/∂μ to d, adds wLogp·∂log π/∂log σ + wEnt·∂H/∂log σ
// to gstd and returns log π and H: ∂log π/∂μ = (a−μ)/σ², ∂log π/∂log σ =
// z² − 1, ∂H/∂log σ = 1.
func (g *GaussianMLP) gaussGrad(d, mu, a []float64, wLogp, wEnt float64) (logp, ent float64) {
	for i, m := range mu {
		sd := math.Exp(g.LogStd[i])
		z := (a[i] - m) / sd
		logp += -0.5*z*z - g.LogStd[i] - 0.5*log2Pi
		ent += g.LogStd[i] + 0.5*(log2Pi+1)
		if d != nil {
			d[i] = wLogp * z / sd
			g.gstd[i] += wLogp*(z*z-1) + wEnt
		}
	}
	return logp, ent
}

// LogProbGrad implements [Differentiable]. For an action of the wrong
// length it returns NaN and adds nothing.
func (g *GaussianMLP) LogProbGrad(obs []float64, a rl.Action, wLogp, wEnt float64) (logp, ent float64) {
	if len(a.Box) != len(g.LogStd) {
		return math.NaN(), math.NaN()
	}
	mu := g.Net.Predict(g.buf, obs)
	if wLogp == 0 && wEnt == 0 {
		return g.gaussGrad(nil, mu, a.Box, 0, 0)
	}
	logp, ent = g.gaussGrad(g.dout, mu, a.Box, wLogp, wEnt)
	g.Net.Backprop(g.dout, g.grads[:len(g.grads)-1], nil) // forward done above
	return logp, ent
}

// LogProbBatch implements [BatchDifferentiable].
func (g *GaussianMLP) LogProbBatch(logp, ent, X []float64, acts []rl.Action) error {
	mu, rows, err := g.batch.forward(g.Net, X)
	if err != nil {
		return err
	}
	if len(acts) != rows || len(logp) != rows || len(ent) != rows {
		return fmt.Errorf("%w: %d rows, %d actions, %d+%d outputs", ErrDimension, rows, len(acts), len(logp), len(ent))
	}
	k := len(g.LogStd)
	g.acts = g.acts[:0]
	for r := range rows {
		a := acts[r].Box
		if len(a) != k {
			return fmt.Errorf("%w: row %d has an action of %d components, want %d", rl.ErrAction, r, len(a), k)
		}
		g.acts = append(g.acts, a)
		logp[r], ent[r] = g.gaussGrad(nil, mu[r*k:(r+1)*k], a, 0, 0)
	}
	return nil
}

// GradBatch implements [BatchDifferentiable].
func (g *GaussianMLP) GradBatch(wLogp []float64, wEnt float64) error {
	rows, k := len(g.acts), len(g.LogStd)
	if len(wLogp) != rows || rows == 0 {
		return fmt.Errorf("%w: %d weights for the %d rows of the last LogProbBatch", ErrDimension, len(wLogp), rows)
	}
	d := g.batch.dout[:rows*k]
	for r, a := range g.acts {
		g.gaussGrad(d[r*k:(r+1)*k], g.batch.out[r*k:(r+1)*k], a, wLogp[r], wEnt)
	}
	return g.Net.BackwardBatch(g.batch.ws, d, g.grads[:len(g.grads)-1], nil)
}

// CriticMLP is PPO's network critic: a tanh [nn.MLP] V(s) ∈ Rⁿ with one
// output per objective.
type CriticMLP struct {
	Net   *nn.MLP
	grads [][]float64
	batch netBatch
}

var _ BatchCritic = (*CriticMLP)(nil)

// NewCriticMLP returns a critic for obsDim inputs and n objectives (hidden
// nil means 64, 64). Errors are as for [NewCategoricalMLP].
func NewCriticMLP(obsDim, n int, hidden []int, rng *rand.Rand) (*CriticMLP, error) {
	net, err := newNet(obsDim, hidden, n, rng, 1)
	if err != nil {
		return nil, err
	}
	return &CriticMLP{Net: net, grads: net.ZeroGrads()}, nil
}

// Values writes V(obs) into dst.
func (c *CriticMLP) Values(dst, obs []float64) { c.Net.Predict(dst[:0:len(dst)], obs) }

// ValueGrad writes V(obs) to v and adds Σ_k dv[k]∇V_k to the gradients.
func (c *CriticMLP) ValueGrad(v, obs, dv []float64) {
	if dv == nil {
		c.Net.Predict(v[:0:len(v)], obs)
		return
	}
	c.Net.Backward(v, obs, dv, c.grads, nil)
}

// ValuesBatch implements [BatchCritic].
func (c *CriticMLP) ValuesBatch(v, X []float64) error {
	out, _, err := c.batch.forward(c.Net, X)
	if err != nil {
		return err
	}
	if len(v) != len(out) {
		return fmt.Errorf("%w: %d values for %d outputs", ErrDimension, len(v), len(out))
	}
	copy(v, out)
	return nil
}

// ValueGradBatch implements [BatchCritic].
func (c *CriticMLP) ValueGradBatch(dv []float64) error {
	return c.Net.BackwardBatch(c.batch.ws, dv, c.grads, nil)
}

// Params returns the network parameters and gradient buffers.
func (c *CriticMLP) Params() (params, grads [][]float64) { return c.Net.Params(), c.grads }

// CloneCritic returns a deep copy.
func (c *CriticMLP) CloneCritic() Critic {
	net := c.Net.Clone()
	return &CriticMLP{Net: net, grads: net.ZeroGrads()}
}
