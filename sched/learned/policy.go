package learned

import (
	"fmt"
	"math"

	"github.com/optlearn/optlearn/sched"
)

// Policy is the network as a [sched.Policy]: the fast inference pass, which
// builds no graph and allocates nothing per decision once its buffers have
// grown. A Policy is not safe for concurrent use; make one per goroutine
// with [Net.Policy] (they share the read-only weights).
type Policy struct {
	net *Net
	in  Input
	c   cache
	err error
}

var _ sched.Policy = (*Policy)(nil)

// Policy returns a new inference policy reading n's weights.
func (n *Net) Policy() *Policy { return &Policy{net: n} }

// Logits runs the network on the observation o (filled by
// [sched.CPEnv.Observe]) and writes its N+1 logits into dst (−Inf for
// illegal actions; dst[N] is No-Op). dst nil allocates; a non-nil dst of
// the wrong length is an error. Errors wrap ErrDimension (see [Encode]) or
// ErrWeights (a network without NumParams weights).
func (p *Policy) Logits(o *sched.Obs, dst []float64) ([]float64, error) {
	if p == nil || p.net == nil || len(p.net.W) != NumParams {
		return dst, fmt.Errorf("%w: network is nil or does not have %d weights", ErrWeights, NumParams)
	}
	if err := Encode(o, &p.in); err != nil {
		return dst, err
	}
	if dst == nil {
		dst = make([]float64, p.in.J+1)
	}
	if len(dst) != p.in.J+1 {
		return dst, fmt.Errorf("%w: dst has %d entries, want N+1 = %d", ErrDimension, len(dst), p.in.J+1)
	}
	p.c.forward(p.net.W, &p.in)
	copy(dst, p.c.logits)
	return dst, nil
}

// Scores implements [sched.Policy] with [Policy.Logits]. On an error it
// writes −Inf everywhere (so that [sched.Dispatch] stops with
// sched.ErrNoAction) and keeps the error for [Policy.Err].
func (p *Policy) Scores(o *sched.Obs, dst []float64) {
	if o != nil && o.Inst != nil && len(dst) >= o.Inst.N+1 {
		if _, err := p.Logits(o, dst[:o.Inst.N+1]); err == nil {
			return
		} else {
			p.err = err
		}
	} else {
		p.err = fmt.Errorf("%w: Scores with a nil observation or a short dst", ErrDimension)
	}
	for i := range dst {
		dst[i] = math.Inf(-1)
	}
}

// Err returns the error of the last failed [Policy.Scores] call, if any.
func (p *Policy) Err() error { return p.err }
