package learned

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/optlearn/optlearn/sched"
)

// Sentinel errors of the package; detailed errors wrap one of them.
var (
	// ErrDimension reports an instance or observation the network cannot
	// take (more operations per job than the positional encoding covers,
	// a malformed observation).
	ErrDimension = errors.New("learned: dimension mismatch")
	// ErrWeights reports a weights file of the wrong format, version or
	// shape; the message names the expected and the found values.
	ErrWeights = errors.New("learned: bad weights")
	// ErrSettings reports invalid settings (the message names the field).
	ErrSettings = errors.New("learned: invalid settings")
	// ErrNotFinite reports a non-finite loss, gradient or weight.
	ErrNotFinite = errors.New("learned: not finite")
)

// Sizes of the network (spec: ~1.5k parameters; ours has NumParams).
const (
	// Dim is the model width d.
	Dim = 8
	// FF is the width of the encoder layers' feed-forward block.
	FF = 32
	// Hidden is the width of the two logit heads.
	Hidden = 32
	// MaxPos is the number of positions of the sinusoidal encoding: the
	// shifted operation index must be below it, so instances may have at
	// most MaxPos operations per job.
	MaxPos = 100
	// maskNeg is the additive attention mask (as in the graph).
	maskNeg = -1e9
	lnEps   = 1e-5
)

// layer offsets inside one encoder layer's parameter block.
const (
	lLN1g = 0
	lLN1b = lLN1g + Dim
	lWq   = lLN1b + Dim
	lBq   = lWq + Dim*Dim
	lWk   = lBq + Dim
	lBk   = lWk + Dim*Dim
	lWv   = lBk + Dim
	lBv   = lWv + Dim*Dim
	lWo   = lBv + Dim
	lBo   = lWo + Dim*Dim
	lLN2g = lBo + Dim
	lLN2b = lLN2g + Dim
	lW1   = lLN2b + Dim
	lC1   = lW1 + Dim*FF
	lW2   = lC1 + FF
	lC2   = lW2 + FF*Dim
	lSize = lC2 + Dim
)

// head offsets inside one logit head's block (8→32 tanh →1).
const (
	hU    = 0
	hA    = hU + Dim*Hidden
	hV    = hA + Hidden
	hB    = hV + Hidden
	hSize = hB + 1
)

// network offsets in Net.W.
const (
	oFix  = 0             // Emb(2,1) of is_fixed
	oLeg  = oFix + 2      // Emb(2,1) of legal
	oTok  = oLeg + 2      // Emb(3,4): START, END, padded END
	oWin  = oTok + 3*4    // Linear 4→8, row-major 4×8
	oBin  = oWin + 4*Dim  // its bias
	oEnc1 = oBin + Dim    // encoder over each job's window
	oEnc2 = oEnc1 + lSize // encoder across jobs
	oJob  = oEnc2 + lSize // job-logit head
	oNoop = oJob + hSize  // No-Op head
	// NumParams is the number of weights of the network.
	NumParams = oNoop + hSize
)

// Net is the spec's policy network. Each job has [sched.Window] tokens (its
// last fixed operation or START, then its next operations padded with END);
// an operation token is [Emb_fix(is_fixed), Emb_legal(legal), start,
// duration], a START/END token a row of Emb(3,4) (START, END, masked END),
// mapped by Linear(4→8) plus a sinusoidal encoding of the shifted operation
// index. Enc1, a pre-LayerNorm Transformer encoder layer (d = 8, one head,
// feed-forward 32, ReLU), runs over each job's window with the END padding
// masked; the mean over the window gives h_j. Enc2, the same layer type,
// runs across jobs masked by the job–resource mask, and z = Enc2(h) + h. The
// job logit is an MLP 8→32 tanh→1 of z_j; the No-Op logit is the mean over
// jobs of a second MLP of the same shape. Illegal actions get −Inf.
//
// W holds all NumParams weights; a Net is safe for concurrent use by
// several [Policy] values as long as nobody writes W.
type Net struct {
	W []float64
}

// NewNet returns a network initialised as the official code does (PyTorch
// defaults): embeddings N(0,1), Linear(4→8) Xavier-uniform with bias 0,
// attention projections Xavier-uniform with zero biases, feed-forward
// layers U(±1/√fan_in), LayerNorm gain 1 and bias 0, heads orthogonal with
// gain √2 and 0.01 for the last layer, biases 0. rng must not be nil.
func NewNet(rng *rand.Rand) (*Net, error) {
	if rng == nil {
		return nil, fmt.Errorf("%w: nil rng", ErrSettings)
	}
	w := make([]float64, NumParams)
	for i := oFix; i < oWin; i++ {
		w[i] = rng.NormFloat64()
	}
	uniform(w[oWin:oWin+4*Dim], math.Sqrt(6.0/(4+Dim)), rng)
	for _, off := range []int{oEnc1, oEnc2} {
		l := w[off : off+lSize]
		for i := 0; i < Dim; i++ {
			l[lLN1g+i], l[lLN2g+i] = 1, 1
		}
		b := math.Sqrt(6.0 / (Dim + 3*Dim)) // PyTorch's in_proj is one 3d×d matrix
		uniform(l[lWq:lWq+Dim*Dim], b, rng)
		uniform(l[lWk:lWk+Dim*Dim], b, rng)
		uniform(l[lWv:lWv+Dim*Dim], b, rng)
		uniform(l[lWo:lWo+Dim*Dim], 1/math.Sqrt(Dim), rng)
		uniform(l[lW1:lW1+Dim*FF], 1/math.Sqrt(Dim), rng)
		uniform(l[lC1:lC1+FF], 1/math.Sqrt(Dim), rng)
		uniform(l[lW2:lW2+FF*Dim], 1/math.Sqrt(FF), rng)
		uniform(l[lC2:lC2+Dim], 1/math.Sqrt(FF), rng)
	}
	for _, off := range []int{oJob, oNoop} {
		h := w[off : off+hSize]
		orthogonal(h[hU:hU+Dim*Hidden], Dim, Hidden, math.Sqrt2, rng)
		orthogonal(h[hV:hV+Hidden], Hidden, 1, 0.01, rng)
	}
	return &Net{W: w}, nil
}

// Clone returns a deep copy of n.
func (n *Net) Clone() *Net { return &Net{W: append([]float64(nil), n.W...)} }

func uniform(dst []float64, b float64, rng *rand.Rand) {
	for i := range dst {
		dst[i] = (2*rng.Float64() - 1) * b
	}
}

// orthogonal fills the r×c row-major dst with a (semi-)orthogonal matrix
// times gain: Gram–Schmidt on Gaussian vectors along the smaller side.
func orthogonal(dst []float64, r, c int, gain float64, rng *rand.Rand) {
	short, long := r, c
	if c < r {
		short, long = c, r
	}
	vs := make([][]float64, short)
	for i := range vs {
		for {
			v := make([]float64, long)
			for t := range v {
				v[t] = rng.NormFloat64()
			}
			for _, u := range vs[:i] {
				var d float64
				for t := range v {
					d += v[t] * u[t]
				}
				for t := range v {
					v[t] -= d * u[t]
				}
			}
			var nrm float64
			for _, x := range v {
				nrm += x * x
			}
			if nrm = math.Sqrt(nrm); nrm > 1e-8 {
				for t := range v {
					v[t] /= nrm
				}
				vs[i] = v
				break
			}
		}
	}
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if r <= c {
				dst[i*c+j] = gain * vs[i][j]
			} else {
				dst[i*c+j] = gain * vs[j][i]
			}
		}
	}
}

// pe is the sinusoidal positional encoding, MaxPos×Dim.
var pe = func() []float64 {
	t := make([]float64, MaxPos*Dim)
	for p := 0; p < MaxPos; p++ {
		for i := 0; i < Dim; i += 2 {
			f := float64(p) / math.Pow(10000, float64(i)/Dim)
			t[p*Dim+i] = math.Sin(f)
			t[p*Dim+i+1] = math.Cos(f)
		}
	}
	return t
}()

// Input is one observation in the network's terms (see [Encode]).
type Input struct {
	// J is the number of jobs; there are J·sched.Window tokens.
	J int
	// Row is -1 for an operation token, else its Emb(3,4) row: 0 START,
	// 1 END, 2 masked END.
	Row []int8
	// Fix and Leg are the is_fixed and legal flags (0/1) of each token.
	Fix, Leg []uint8
	// Start and Dur are the standardised start lower bound and duration.
	Start, Dur []float64
	// Pos is the shifted operation index (−1 for START/END).
	Pos []int
	// Pad marks the masked tokens.
	Pad []bool
	// JobMask is the J×J job–resource mask; Legal has J+1 entries.
	JobMask, Legal []bool
}

// Encode converts an observation filled by [sched.CPEnv.Observe] into in,
// reusing its slices. It returns an error wrapping ErrDimension when the
// token fields do not fit the instance or the shifted operation index
// reaches MaxPos (instances with more than MaxPos operations per job).
func Encode(o *sched.Obs, in *Input) error {
	if o == nil || o.Inst == nil {
		return fmt.Errorf("%w: nil observation", ErrDimension)
	}
	J := o.Inst.N
	T := J * sched.Window
	if J <= 0 || len(o.Feat) != 4*T || len(o.Kind) != T || len(o.OpIndex) != T || len(o.Pad) != T || len(o.JobMask) != J*J || len(o.Legal) != J+1 {
		return fmt.Errorf("%w: observation tokens do not fit %d jobs (filled by CPEnv.Observe?)", ErrDimension, J)
	}
	if o.Inst.M > MaxPos {
		return fmt.Errorf("%w: %d operations per job; the positional encoding supports at most %d", ErrDimension, o.Inst.M, MaxPos)
	}
	in.J = J
	in.Row = resize(in.Row, T)
	in.Fix = resize(in.Fix, T)
	in.Leg = resize(in.Leg, T)
	in.Start = resize(in.Start, T)
	in.Dur = resize(in.Dur, T)
	in.Pos = resize(in.Pos, T)
	in.Pad = resize(in.Pad, T)
	in.JobMask = append(in.JobMask[:0], o.JobMask...)
	in.Legal = append(in.Legal[:0], o.Legal...)
	minIdx := math.MaxInt
	for i := 0; i < T; i++ {
		if o.Kind[i] == sched.TokenOp {
			minIdx = min(minIdx, o.OpIndex[i])
		}
	}
	for i := 0; i < T; i++ {
		f := o.Feat[4*i : 4*i+4]
		in.Pad[i] = o.Pad[i]
		in.Fix[i], in.Leg[i], in.Start[i], in.Dur[i], in.Pos[i] = 0, 0, 0, 0, -1
		switch o.Kind[i] {
		case sched.TokenOp:
			in.Row[i] = -1
			if f[0] != 0 {
				in.Fix[i] = 1
			}
			if f[3] != 0 {
				in.Leg[i] = 1
			}
			in.Start[i], in.Dur[i] = f[1], f[2]
			p := o.OpIndex[i] - minIdx
			if p < 0 || p >= MaxPos {
				return fmt.Errorf("%w: shifted operation index %d outside [0,%d)", ErrDimension, p, MaxPos)
			}
			in.Pos[i] = p
		case sched.TokenStart:
			in.Row[i] = 0
		default:
			in.Row[i] = 1
			if o.Pad[i] {
				in.Row[i] = 2
			}
		}
		if math.IsNaN(in.Start[i]) || math.IsInf(in.Start[i], 0) || math.IsNaN(in.Dur[i]) || math.IsInf(in.Dur[i], 0) {
			return fmt.Errorf("%w: token %d has a non-finite feature", ErrNotFinite, i)
		}
	}
	return nil
}

func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

// Clone returns a deep copy of in.
func (in *Input) Clone() *Input {
	return &Input{J: in.J, Row: clone(in.Row), Fix: clone(in.Fix), Leg: clone(in.Leg),
		Start: clone(in.Start), Dur: clone(in.Dur), Pos: clone(in.Pos), Pad: clone(in.Pad),
		JobMask: clone(in.JobMask), Legal: clone(in.Legal)}
}

func clone[T any](s []T) []T { return append([]T(nil), s...) }

var negInf = math.Inf(-1)
