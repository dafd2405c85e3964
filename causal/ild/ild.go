package ild

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"
)

// Errors; errors returned by the package wrap one of them with detail.
var (
	// ErrSettings: a size, mode, k or setting is out of range.
	ErrSettings = errors.New("ild: invalid settings")
	// ErrDimension: a vector or data set of the wrong length.
	ErrDimension = errors.New("ild: dimension mismatch")
	// ErrDomain: a domain index outside [0, D).
	ErrDomain = errors.New("ild: unknown domain")
	// ErrSingular: a parameter makes a map non-invertible (a zero diagonal
	// entry of S, a singular W, a zero leaky slope).
	ErrSingular = errors.New("ild: non-invertible parameters")
	// ErrNotFinite: NaN or Inf in data or parameters.
	ErrNotFinite = errors.New("ild: NaN or Inf")
)

// Mode selects which latent mechanisms may differ across domains.
type Mode int

// Modes of the latent map (the paper's model variants).
const (
	// Dense: every row of L_d, S_d and b_d is domain-specific (ILD-Dense).
	Dense Mode = iota
	// RelaxCan: rows 0..m−k−1 of L, S and b are shared by all domains
	// (learned), the last k rows are domain-specific (ILD-Relax-Can(k)).
	RelaxCan
	// Can: RelaxCan with the first m−k rows fixed to identity mechanisms
	// (L = 0, S = 1, a shared bias) and domain 0 fixed to L = 0, S = I
	// (ILD-Can(k), the canonical form of Theorem 2).
	Can
)

// String names the mode.
func (m Mode) String() string { return [3]string{"Dense", "RelaxCan", "Can"}[m] }

// Model is an invertible latent domain (ILD) model with a linear
// autoregressive latent map per domain and a shared leaky-ReLU observation
// map:
//
//	z = f_d(ε) = (I − L_d)⁻¹ S_d ε + b_d,   ε ~ N(0, I),
//	x = g(z) = W·LReLU_a(z) + c,
//
// with L_d strictly lower triangular and S_d diagonal. Its domain
// counterfactual of x from domain d to d' is g(f_{d'}(f_d⁻¹(g⁻¹(x)))).
// Fields are the parameters, updated in place by [Fit]; call
// [Model.Validate] after changing them by hand.
type Model struct {
	// M is the dimension m, D the number of domains, K the number of
	// domain-specific (intervened) mechanisms for RelaxCan and Can.
	M, D, K int
	// Mode selects the sharing pattern.
	Mode Mode
	// Slope is the leaky-ReLU slope a (0 < a; 1 makes g linear).
	Slope float64
	// W (m×m, row-major) and C (m) are g's weight and offset.
	W, C []float64
	// L, S, B hold per domain the strictly lower triangular L_d (m×m
	// row-major; entries on and above the diagonal are ignored), the
	// diagonal S_d (m) and the bias b_d (m).
	L, S, B [][]float64
}

// maxDim bounds m, maxDomains bounds D.
const (
	maxDim     = 1 << 10
	maxDomains = 1 << 16
)

// New returns the model at the spec's identical initialisation: W = I,
// c = 0, L = 0, S = 1, b = 0, leaky slope a. It returns an error wrapping
// [ErrSettings] for m < 1, D < 1, k outside [0, m] (for RelaxCan and Can;
// ignored for Dense), a slope that is not positive and finite, or sizes
// beyond 1024 dimensions or 65536 domains.
func New(m, d, k int, mode Mode, slope float64) (*Model, error) {
	if m < 1 || m > maxDim || d < 1 || d > maxDomains || mode < Dense || mode > Can {
		return nil, fmt.Errorf("%w: m %d, D %d, mode %d", ErrSettings, m, d, mode)
	}
	if mode != Dense && (k < 0 || k > m) {
		return nil, fmt.Errorf("%w: k = %d outside [0, %d]", ErrSettings, k, m)
	}
	if !(slope > 0) || math.IsInf(slope, 0) {
		return nil, fmt.Errorf("%w: leaky slope %v must be positive (0 is not invertible)", ErrSingular, slope)
	}
	md := &Model{M: m, D: d, K: k, Mode: mode, Slope: slope, W: eye(m), C: make([]float64, m)}
	for i := 0; i < d; i++ {
		s := make([]float64, m)
		for j := range s {
			s[j] = 1
		}
		md.L = append(md.L, make([]float64, m*m))
		md.S = append(md.S, s)
		md.B = append(md.B, make([]float64, m))
	}
	return md, nil
}

func eye(m int) []float64 {
	w := make([]float64, m*m)
	for i := 0; i < m; i++ {
		w[i*m+i] = 1
	}
	return w
}

// shared reports whether row j of the latent map is shared across domains.
func (md *Model) shared(j int) bool { return md.Mode != Dense && j < md.M-md.K }

// Validate checks shapes, finiteness and invertibility, and makes the
// shared rows of every domain equal to domain 0's (the tied storage).
func (md *Model) Validate() error {
	m := md.M
	if len(md.W) != m*m || len(md.C) != m || len(md.L) != md.D || len(md.S) != md.D || len(md.B) != md.D {
		return fmt.Errorf("%w: parameters do not match m = %d, D = %d", ErrDimension, m, md.D)
	}
	for d := 0; d < md.D; d++ {
		if len(md.L[d]) != m*m || len(md.S[d]) != m || len(md.B[d]) != m {
			return fmt.Errorf("%w: domain %d parameters", ErrDimension, d)
		}
		for j := 0; j < m; j++ {
			if md.S[d][j] == 0 {
				return fmt.Errorf("%w: S[%d][%d] = 0", ErrSingular, d, j)
			}
		}
		for _, v := range [][]float64{md.L[d], md.S[d], md.B[d]} {
			if err := finite(v); err != nil {
				return err
			}
		}
	}
	if err := finite(md.W); err != nil {
		return err
	}
	if err := finite(md.C); err != nil {
		return err
	}
	if !(md.Slope > 0) {
		return fmt.Errorf("%w: leaky slope %v", ErrSingular, md.Slope)
	}
	var lu mat.LU
	lu.Factorize(mat.NewDense(m, m, md.W))
	if det := lu.Det(); det == 0 || math.IsNaN(det) || math.Abs(det) < 1e-300 {
		return fmt.Errorf("%w: W is singular (det %v)", ErrSingular, det)
	}
	md.tie()
	return nil
}

// tie copies the shared rows of domain 0 to every domain.
func (md *Model) tie() {
	m := md.M
	for d := 1; d < md.D; d++ {
		for j := 0; j < m; j++ {
			if !md.shared(j) {
				continue
			}
			copy(md.L[d][j*m:(j+1)*m], md.L[0][j*m:(j+1)*m])
			md.S[d][j] = md.S[0][j]
			md.B[d][j] = md.B[0][j]
		}
	}
}

func finite(v []float64) error {
	for i, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: entry %d is %v", ErrNotFinite, i, x)
		}
	}
	return nil
}

// prepared holds W⁻¹ and log|det W| for a batch of evaluations.
type prepared struct {
	vinv      []float64 // W⁻¹ row-major
	logDetW   float64
	logInvA   float64
	halfLog2P float64
}

func (md *Model) prepare() (prepared, error) {
	m := md.M
	var lu mat.LU
	lu.Factorize(mat.NewDense(m, m, md.W))
	logDet, _ := lu.LogDet()
	var inv mat.Dense
	if err := inv.Inverse(mat.NewDense(m, m, md.W)); err != nil {
		return prepared{}, fmt.Errorf("%w: W: %w", ErrSingular, err)
	}
	return prepared{vinv: inv.RawMatrix().Data, logDetW: logDet, logInvA: -math.Log(md.Slope), halfLog2P: 0.5 * float64(m) * math.Log(2*math.Pi)}, nil
}

// logProb evaluates log p_d(x), filling the work buffers u, z, r, y, eps
// (each of length m) for the gradient.
func (md *Model) logProb(p prepared, x []float64, d int, u, z, r, y, eps []float64) float64 {
	m := md.M
	L, S, B := md.L[d], md.S[d], md.B[d]
	lp := -p.halfLog2P - p.logDetW
	for i := 0; i < m; i++ {
		s := 0.0
		for j := 0; j < m; j++ {
			s += p.vinv[i*m+j] * (x[j] - md.C[j])
		}
		u[i] = s
		if s >= 0 {
			z[i] = s
		} else {
			z[i] = s / md.Slope
			lp += p.logInvA
		}
		r[i] = z[i] - B[i]
	}
	for j := 0; j < m; j++ {
		v := r[j]
		for i := 0; i < j; i++ {
			v -= L[j*m+i] * r[i]
		}
		y[j] = v
		eps[j] = v / S[j]
		lp -= 0.5*eps[j]*eps[j] + math.Log(math.Abs(S[j]))
	}
	return lp
}

// LogProb returns log p_d(x), the exact log-density of x in domain d by
// change of variables. It returns an error wrapping [ErrDomain] or
// [ErrDimension] for a bad domain or length, or the error of
// [Model.Validate].
func (md *Model) LogProb(x []float64, d int) (float64, error) {
	if err := md.check(x, d); err != nil {
		return 0, err
	}
	p, err := md.prepare()
	if err != nil {
		return 0, err
	}
	m := md.M
	buf := make([]float64, 5*m)
	return md.logProb(p, x, d, buf[:m], buf[m:2*m], buf[2*m:3*m], buf[3*m:4*m], buf[4*m:]), nil
}

func (md *Model) check(x []float64, ds ...int) error {
	if err := md.Validate(); err != nil {
		return err
	}
	if len(x) != md.M {
		return fmt.Errorf("%w: x has %d coordinates, m = %d", ErrDimension, len(x), md.M)
	}
	for _, d := range ds {
		if d < 0 || d >= md.D {
			return fmt.Errorf("%w: %d (D = %d)", ErrDomain, d, md.D)
		}
	}
	return finite(x)
}

// Encode writes ε = f_d⁻¹(g⁻¹(x)) into dst (allocated when nil).
func (md *Model) Encode(dst, x []float64, d int) ([]float64, error) {
	if err := md.check(x, d); err != nil {
		return nil, err
	}
	p, err := md.prepare()
	if err != nil {
		return nil, err
	}
	m := md.M
	if dst == nil {
		dst = make([]float64, m)
	}
	buf := make([]float64, 4*m)
	md.logProb(p, x, d, buf[:m], buf[m:2*m], buf[2*m:3*m], buf[3*m:], dst)
	return dst, nil
}

// Decode writes x = g(f_d(ε)) into dst (allocated when nil).
func (md *Model) Decode(dst, eps []float64, d int) ([]float64, error) {
	if err := md.check(eps, d); err != nil {
		return nil, err
	}
	m := md.M
	if dst == nil {
		dst = make([]float64, m)
	}
	z := make([]float64, m)
	md.decode(dst, z, eps, d)
	return dst, nil
}

func (md *Model) decode(dst, z, eps []float64, d int) {
	m := md.M
	L, S, B := md.L[d], md.S[d], md.B[d]
	// (I − L) r = S ε by forward substitution; z = r + b
	for j := 0; j < m; j++ {
		v := S[j] * eps[j]
		for i := 0; i < j; i++ {
			v += L[j*m+i] * (z[i] - B[i])
		}
		z[j] = v + B[j]
	}
	for i := 0; i < m; i++ {
		s := md.C[i]
		for j := 0; j < m; j++ {
			zj := z[j]
			if zj < 0 {
				zj *= md.Slope
			}
			s += md.W[i*m+j] * zj
		}
		dst[i] = s
	}
}

// Counterfactual returns the domain counterfactual of x, observed in
// domain d, in domain dp: g(f_dp(f_d⁻¹(g⁻¹(x)))), written into dst
// (allocated when nil).
func (md *Model) Counterfactual(dst, x []float64, d, dp int) ([]float64, error) {
	if err := md.check(x, d, dp); err != nil {
		return nil, err
	}
	eps, err := md.Encode(nil, x, d)
	if err != nil {
		return nil, err
	}
	if dst == nil {
		dst = make([]float64, md.M)
	}
	md.decode(dst, make([]float64, md.M), eps, dp)
	return dst, nil
}

// Sample draws n points of domain d with rng.
func (md *Model) Sample(n, d int, rng *rand.Rand) ([][]float64, error) {
	if err := md.check(make([]float64, md.M), d); err != nil {
		return nil, err
	}
	if rng == nil || n < 0 {
		return nil, fmt.Errorf("%w: nil rng or n = %d", ErrSettings, n)
	}
	out := make([][]float64, n)
	eps, z := make([]float64, md.M), make([]float64, md.M)
	for i := range out {
		for j := range eps {
			eps[j] = rng.NormFloat64()
		}
		out[i] = make([]float64, md.M)
		md.decode(out[i], z, eps, d)
	}
	return out, nil
}

// Clone returns a deep copy.
func (md *Model) Clone() *Model {
	c := *md
	c.W, c.C = append([]float64(nil), md.W...), append([]float64(nil), md.C...)
	c.L, c.S, c.B = make([][]float64, md.D), make([][]float64, md.D), make([][]float64, md.D)
	for d := 0; d < md.D; d++ {
		c.L[d] = append([]float64(nil), md.L[d]...)
		c.S[d] = append([]float64(nil), md.S[d]...)
		c.B[d] = append([]float64(nil), md.B[d]...)
	}
	return &c
}
