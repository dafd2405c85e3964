package ef21

import (
	"cmp"
	"fmt"
	"math/rand/v2"

	"github.com/optlearn/optlearn/linalg"
)

// ClientSettings configures one [Client].
type ClientSettings struct {
	// Scale is 1/(n·wᵢ): the client's state gᵢ tracks Scale·∇fᵢ. Zero means
	// 1 (plain EF21, wᵢ = 1/n).
	Scale float64
	// P is the probability of taking part in a round (EF21-W-PP). Zero
	// means 1.
	P float64
	// Batch is the minibatch size of EF21-W-SGD. Zero means full gradients.
	Batch int
}

// Client is client i of EF21/EF21-W: it owns its state gᵢ, its random stream
// and its scratch space, receives x each round and produces a compressed
// message cᵢ = C(Scale·∇fᵢ(x) − gᵢ), after which gᵢ ← gᵢ + cᵢ. It never
// reads server state, so it can run in another process: only x (down) and
// the message (up) cross the boundary.
type Client struct {
	i     int
	o     Oracle
	so    StochOracle
	comp  Compressor
	cfg   ClientSettings
	rng   *rand.Rand
	g     []float64 // state gᵢ
	grad  []float64 // ∇fᵢ(x) at the last x (exact; also for monitoring)
	sgrad []float64 // minibatch gradient
	diff  []float64
	f     float64 // fᵢ(x) at the last x
	errSq float64 // ‖gᵢ − Scale·∇fᵢ(x)‖²
	calls [2]int  // Grad, StochGrad calls
	// initCmp is the compress argument of Init in Answer's round 0 (set
	// by Setup.NewClient).
	initCmp bool
}

// NewClient returns client i of o, compressing with c and drawing from rng
// (participation, minibatches, random compressors). It returns an error
// wrapping ErrSettings for an invalid setting or index or a nil rng, and
// ErrDimension for an oracle dimension outside [1, MaxElements].
func NewClient(o Oracle, i int, c Compressor, cfg ClientSettings, rng *rand.Rand) (*Client, error) {
	cfg.Scale = cmp.Or(cfg.Scale, 1)
	cfg.P = cmp.Or(cfg.P, 1)
	switch {
	case o == nil || c == nil:
		return nil, fmt.Errorf("%w: nil oracle or compressor", ErrSettings)
	case i < 0 || i >= o.N():
		return nil, fmt.Errorf("%w: client %d of %d", ErrSettings, i, o.N())
	case !(cfg.Scale > 0) || !finite(cfg.Scale):
		return nil, fmt.Errorf("%w: client %d: scale %v", ErrSettings, i, cfg.Scale)
	case !(cfg.P > 0 && cfg.P <= 1):
		return nil, fmt.Errorf("%w: participation probability %v outside (0,1]", ErrSettings, cfg.P)
	case cfg.Batch < 0:
		return nil, fmt.Errorf("%w: batch %d < 0", ErrSettings, cfg.Batch)
	case rng == nil:
		return nil, fmt.Errorf("%w: client %d: nil random source (rng)", ErrSettings, i)
	}
	d := o.Dim()
	if d < 1 || d > MaxElements {
		return nil, fmt.Errorf("%w: client %d: dimension %d outside [1, %d]", ErrDimension, i, d, MaxElements)
	}
	cl := &Client{i: i, o: o, comp: c, cfg: cfg, rng: rng,
		g: make([]float64, d), grad: make([]float64, d), diff: make([]float64, d)}
	if cfg.Batch > 0 {
		so, ok := o.(StochOracle)
		if !ok {
			return nil, fmt.Errorf("%w: Batch > 0 needs a StochOracle", ErrSettings)
		}
		cl.so = so
		cl.sgrad = make([]float64, d)
	}
	return cl, nil
}

// Init computes gᵢ⁰ = Scale·∇fᵢ(x0), or its compression when compress is
// true, and writes the message that carries it into msg (dense when not
// compressed). It returns an error wrapping ErrNotFinite if the gradient is
// not finite, and ErrDimension for a nil msg or an x0 of the wrong length.
func (c *Client) Init(msg *linalg.Sparse, x0 []float64, compress bool) error {
	if err := c.check(msg, x0); err != nil {
		return err
	}
	c.f = c.o.Grad(c.i, c.grad, x0)
	c.calls[0]++
	if !finite(c.f) || !linalg.AllFinite(c.grad) {
		return fmt.Errorf("%w: client %d: gradient at x0", ErrNotFinite, c.i)
	}
	linalg.ScaleTo(c.diff, c.cfg.Scale, c.grad)
	if compress {
		c.comp.Compress(msg, c.diff, c.rng)
		if err := checkMessage(msg, len(c.g)); err != nil {
			return fmt.Errorf("client %d: %w", c.i, err)
		}
	} else {
		Identity{}.Compress(msg, c.diff, nil)
	}
	linalg.Zero(c.g)
	msg.ScatterAdd(c.g, 1)
	c.errSq = linalg.DistSq(c.g, c.diff)
	return nil
}

// Round runs client i's part of one round at the broadcast point x. If the
// client takes part (probability P) it sets msg to
// cᵢ = C(Scale·∇̂fᵢ(x) − gᵢ), updates gᵢ ← gᵢ + cᵢ and returns sent = true;
// otherwise msg is empty, gᵢ is unchanged and sent is false. ∇̂fᵢ is the
// exact gradient, or a minibatch one when Batch > 0.
//
// For monitoring, Round also evaluates fᵢ(x) and ∇fᵢ(x) exactly (free in
// the full-gradient case, one extra oracle call otherwise); see
// [Client.Diagnostics]. It returns an error wrapping ErrNotFinite if a
// gradient is not finite (the state is then unchanged), and ErrDimension for
// a nil msg or an x of the wrong length.
func (c *Client) Round(msg *linalg.Sparse, x []float64) (sent bool, err error) {
	if err := c.check(msg, x); err != nil {
		return false, err
	}
	d := len(c.g)
	sent = c.cfg.P >= 1 || c.rng.Float64() < c.cfg.P
	c.f = c.o.Grad(c.i, c.grad, x)
	c.calls[0]++
	if !finite(c.f) || !linalg.AllFinite(c.grad) {
		msg.Reset(d)
		return false, fmt.Errorf("%w: client %d: gradient", ErrNotFinite, c.i)
	}
	if !sent {
		msg.Reset(d)
		c.errSq = c.stateErr()
		return false, nil
	}
	src := c.grad
	if c.so != nil {
		c.so.StochGrad(c.i, c.sgrad, x, c.cfg.Batch, c.rng)
		c.calls[1]++
		if !linalg.AllFinite(c.sgrad) {
			msg.Reset(d)
			return false, fmt.Errorf("%w: client %d: stochastic gradient", ErrNotFinite, c.i)
		}
		src = c.sgrad
	}
	s := c.cfg.Scale
	diff, g := c.diff[:d], c.g[:d]
	for j, v := range src[:d] {
		diff[j] = s*v - g[j]
	}
	c.comp.Compress(msg, diff, c.rng)
	if err := checkMessage(msg, d); err != nil {
		msg.Reset(d)
		return false, fmt.Errorf("client %d: %w", c.i, err)
	}
	msg.ScatterAdd(g, 1)
	c.errSq = c.stateErr()
	return true, nil
}

// checkMessage returns an error wrapping ErrDimension unless msg, as a
// Compressor left it, is a vector of dimension d with one value per index
// and indices in [0, d).
func checkMessage(msg *linalg.Sparse, d int) error {
	if msg.N != d || len(msg.Value) < len(msg.Index) {
		return fmt.Errorf("%w: compressed message of dimension %d with %d indices and %d values, want dimension %d", ErrDimension, msg.N, len(msg.Index), len(msg.Value), d)
	}
	for _, j := range msg.Index {
		if j < 0 || j >= d {
			return fmt.Errorf("%w: compressed message index %d outside [0, %d)", ErrDimension, j, d)
		}
	}
	return nil
}

// check returns an error wrapping ErrDimension for a nil msg or an x of
// the wrong length.
func (c *Client) check(msg *linalg.Sparse, x []float64) error {
	if msg == nil {
		return fmt.Errorf("%w: client %d: nil message", ErrDimension, c.i)
	}
	if len(x) != len(c.g) {
		return fmt.Errorf("%w: client %d: len(x) = %d, dimension %d", ErrDimension, c.i, len(x), len(c.g))
	}
	return nil
}

// stateErr returns ‖gᵢ − Scale·∇fᵢ(x)‖².
func (c *Client) stateErr() float64 {
	s := c.cfg.Scale
	e := 0.0
	g := c.g[:len(c.grad)]
	for j, v := range c.grad {
		r := g[j] - s*v
		e += r * r
	}
	return e
}

// State returns the client's state gᵢ, owned by the client: read only.
func (c *Client) State() []float64 { return c.g }

// Diagnostics returns fᵢ, ∇fᵢ (read only) and ‖gᵢ − Scale·∇fᵢ‖² at the last
// point the client saw. They are for monitoring the run and are not part of
// the protocol (nothing here is counted as communication).
func (c *Client) Diagnostics() (f float64, grad []float64, errSq float64) {
	return c.f, c.grad, c.errSq
}
