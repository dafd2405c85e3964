package selective

import (
	"fmt"
	"math"
)

// The log posterior and its gradient in closed form. Each unit contributes
// the log of one cell probability (T=0; T=1, Y=1; T=1, Y=0) as a function
// of its linear predictors a = X·β_Y, e = X·β_D and the noise parameters
// s and α; the derivatives below are those of the closed forms (uniform Z)
// and of the Gauss–Hermite sums (normal Z), written out by hand. Per unit
// the uniform model needs two exponentials, two log1p and one logarithm
// (the unit's cell), plus one exponential and one log1p for P(Y=1|X) under
// the prevalence constraint.

// sig returns σ(x), σ(−x) and e^{−|x|} from one exponential.
func sig(x float64) (p, q, t float64) {
	t = math.Exp(-math.Abs(x))
	r := 1 / (1 + t)
	if x >= 0 {
		return r, t * r, t
	}
	return t * r, r, t
}

// softplus is log(1 + eˣ) without overflow.
func softplus(x float64) float64 { return math.Max(x, 0) + math.Log1p(math.Exp(-math.Abs(x))) }

// unif holds the per-call constants of the uniform noise Z ~ U(0, s).
type unif struct {
	s, inv  float64 // s, 1/s
	k, es   float64 // eˢ − 1, eˢ
	kn, ens float64 // e^{−s} − 1, e^{−s}
	big     bool    // eˢ overflows: use the softplus forms
}

// bigS is the s above which eˢ is not representable.
const bigS = 700

func newUnif(s float64) unif {
	return unif{s: s, inv: 1 / s, k: math.Expm1(s), es: math.Exp(s), kn: math.Expm1(-s), ens: math.Exp(-s), big: s > bigS}
}

// shift returns S(c) = ∫₀ˢ σ(c+z) dz = softplus(c+s) − softplus(c), its
// derivative S'(c) = σ(c+s) − σ(c) and ∂S/∂s = σ(c+s), given p = σ(c) and
// q = σ(−c). With y = σ(c)(eˢ − 1) the closed forms are S = log1p(y),
// S' = σ(c)σ(−c)(eˢ − 1)/(1 + y) and σ(c+s) = σ(c)eˢ/(1 + y): one log1p
// and no cancellation.
func (u *unif) shift(c, p, q float64) (S, dS, sp float64) {
	if u.big {
		sp = sigmoid(c + u.s)
		return softplus(c+u.s) - softplus(c), sp - p, sp
	}
	y := p * u.k
	r := 1 / (1 + y)
	return log1p(y), p * q * u.k * r, p * u.es * r
}

// log1p is log(1 + y) for y > −1: math.Log1p near 0, and math.Log(1 + y)
// from y = 1/2 on, where rounding 1 + y costs at most 1.6 ulp of the
// result (cheaper there).
func log1p(y float64) float64 {
	if y < 0.5 {
		return math.Log1p(y)
	}
	return math.Log(1 + y)
}

// untested returns P0 = s·P(T=0|X) = softplus(−b) − softplus(−b−s) =
// −log(1 + σ(−b)(e^{−s} − 1)) and its derivatives in b and s, given
// p = σ(b) and q = σ(−b). 1 + σ(−b)(e^{−s} − 1) = σ(b) + σ(−b)e^{−s} is
// evaluated as a sum of positive terms when it is below 1/2 and through
// log1p otherwise, so both small and large P0 keep full relative accuracy.
func (u *unif) untested(p, q float64) (P0, dB, dS float64) {
	y := q * u.kn
	den := 1 + y
	if y > -0.5 {
		P0 = -math.Log1p(y)
	} else {
		den = p + q*u.ens
		P0 = -math.Log(den)
	}
	// ∂P0/∂b = σ(−b−s) − σ(−b), ∂P0/∂s = σ(−b−s) = σ(−b)e^{−s}/den
	return P0, y * p / den, q * u.ens / den
}

// joint returns P(T=1, Y=1 | X) = (1/s)∫₀ˢ σ(a+z)σ(b+z) dz and its partial
// derivatives in a, b and s. sa, dsa, spa are S(a), S'(a), σ(a+s) (from
// shift) and ta = e^{−|a|} (from sig), likewise for b. For d = b − a > 0
// (the form is symmetric: a and b are swapped when b < a) it is
// [S(a) − e^{−d}S(b)] / (s(1 − e^{−d})); below |d| = smallD it is the
// midpoint limit [S(c) − (σ(c+s) − σ(c))]/s at c = (a+b)/2.
func (u *unif) joint(a, b, sa, dsa, spa, ta, sb, dsb, spb, tb float64) (p, pa, pb, ps float64) {
	swap := b < a
	if swap {
		a, b, sa, dsa, spa, ta, sb, dsb, spb, tb = b, a, sb, dsb, spb, tb, sa, dsa, spa, ta
	}
	d := b - a
	if d < smallD {
		c := 0.5 * (a + b)
		pc, qc, _ := sig(c)
		sc, delta, _ := u.shift(c, pc, qc)
		pcs, qcs, _ := sig(c + u.s)
		g := sc - delta                 // S(c) − (σ(c+s) − σ(c))
		gc := delta - (pcs*qcs - pc*qc) // ∂g/∂c
		p = g * u.inv
		ps = (pcs*pcs - p) * u.inv // ∂g/∂s = σ(c+s)²
		return p, 0.5 * gc * u.inv, 0.5 * gc * u.inv, ps
	}
	// q = e^{−d} = e^{a−b} from the exponentials sig already took, when d
	// is large enough that 1 − q does not cancel
	var q, omq float64
	switch {
	case d < 0.5:
		omq = -math.Expm1(-d)
		q = 1 - omq // q ≥ e^{−1/2}: no cancellation
	case ta < 1e-250 || tb < 1e-250:
		q = math.Exp(-d)
	case a >= 0:
		q = tb / ta
	case b <= 0:
		q = ta / tb
	default:
		q = ta * tb
	}
	if d >= 0.5 {
		omq = 1 - q
	}
	num := sa - q*sb
	inv := 1 / (u.s * omq)
	p = num * inv
	// ∂q/∂a = q, ∂q/∂b = −q; ∂den/∂a = −sq, ∂den/∂b = sq, ∂den/∂s = 1 − q
	psq := p * u.s * q
	pa = (dsa - q*sb + psq) * inv
	pb = (q*(sb-dsb) - psq) * inv
	ps = (spa - q*spb - p*omq) * inv
	if swap {
		pa, pb = pb, pa
	}
	return p, pa, pb, ps
}

// unitTerms is one unit's contribution: the log of its cell probability
// with its derivatives in a, e, s and α, and P(Y=1|X) with its derivatives
// in a and s (for the prevalence constraint).
type unitTerms struct {
	l, la, le, ls, lal float64
	py, pya, pys       float64
}

// logCell returns log p and the factor 1/p that turns p's derivatives
// into log p's, flooring p at tiny (then the factor is 0: a difference of
// probabilities that rounds to 0 carries no gradient).
func logCell(p float64) (float64, float64) {
	if p < tiny {
		return math.Log(tiny), 0
	}
	return math.Log(p), 1 / p
}

// uniformUnit returns the terms of a unit with decision t and outcome y
// under uniform noise (α = 1, b = a + e); prev asks for P(Y=1|X).
func (u *unif) unit(a, e float64, t, y int, prev bool) unitTerms {
	var r unitTerms
	b := a + e
	pb, qb, tb := sig(b)
	var sa, dsa, spa, ta float64
	if t == 1 || prev {
		var pa, qa float64
		pa, qa, ta = sig(a)
		sa, dsa, spa = u.shift(a, pa, qa)
		if prev {
			r.py = sa * u.inv
			r.pya = dsa * u.inv
			r.pys = (spa - r.py) * u.inv
		}
	}
	if t == 0 {
		P0, dB, dS := u.untested(pb, qb)
		p := P0 / u.s
		l, w := logCell(p)
		r.l = l
		r.le = w * dB * u.inv
		r.la = r.le
		r.ls = w * (dS - p) * u.inv
		return r
	}
	sb, dsb, spb := u.shift(b, pb, qb)
	p, pa, pbb, ps := u.joint(a, b, sa, dsa, spa, ta, sb, dsb, spb, tb)
	if y == 0 {
		// P(T=1, Y=0) = S(b)/s − P(T=1, Y=1)
		pt := sb * u.inv
		p, pa, pbb, ps = pt-p, -pa, dsb*u.inv-pbb, (spb-pt)*u.inv-ps
	}
	l, w := logCell(p)
	r.l = l
	r.le = w * pbb
	r.la = w*pa + r.le // ∂/∂a at fixed e moves b too
	r.ls = w * ps
	return r
}

// normalUnit returns the terms of a unit under normal noise Z ~ N(0, s²)
// by Gauss–Hermite quadrature: r_k = a + √2·s·t_k, lin_k = α r_k + e, and
// the cell is Σ_k w_k σ(r_k)σ(lin_k) (T=1, Y=1), Σ_k w_k σ(−r_k)σ(lin_k)
// (T=1, Y=0) or Σ_k w_k σ(−lin_k) (T=0).
func (md *Model) normalUnit(a, e, s, alpha float64, t, y int, prev bool) unitTerms {
	var P, Pa, Pe, Ps, Pal, py, pya, pys float64
	needY := t == 1 || prev
	for k, node := range md.nodes {
		w := md.wts[k]
		dr := math.Sqrt2 * node // ∂r/∂s
		r := a + s*dr
		lin := alpha*r + e
		pl, ql, _ := sig(lin)
		var pr, qr float64
		if needY {
			pr, qr, _ = sig(r)
			if prev {
				py += w * pr
				pya += w * pr * qr
				pys += w * dr * pr * qr
			}
		}
		var f, fr, fl float64 // the integrand and its partials in r (direct) and lin
		switch {
		case t == 0:
			f, fl = ql, -pl*ql
		case y == 1:
			f, fr, fl = pr*pl, pr*qr*pl, pr*pl*ql
		default:
			f, fr, fl = qr*pl, -pr*qr*pl, qr*pl*ql
		}
		ga := fr + alpha*fl // total derivative through r
		P += w * f
		Pa += w * ga
		Pe += w * fl
		Ps += w * dr * ga
		Pal += w * r * fl
	}
	l, inv := logCell(P)
	return unitTerms{l: l, la: inv * Pa, le: inv * Pe, ls: inv * Ps, lal: inv * Pal, py: py, pya: pya, pys: pys}
}

// maxStack is the number of features up to which LogProb keeps its
// scratch on the stack (no allocation).
const maxStack = 64

// noise returns s and α for θ.
func (md *Model) noise(theta []float64) (s, alpha float64) {
	last := math.Exp(theta[len(theta)-1])
	switch {
	case md.Noise == Uniform:
		return last, 1
	case md.FixAlpha > 0:
		return last, md.FixAlpha
	}
	return md.FixSigma, last
}

// LogProb returns the log posterior of θ (likelihood, priors, the
// log-Jacobian of log s or log α, and the prevalence penalty) and writes
// its gradient into grad (of length Dim; nil computes the value only).
// It is mcmc.LogDensity's method, safe for concurrent use, and does not
// allocate for up to 64 features. It panics if len(theta) ≠ Dim or grad
// is neither nil nor of length Dim (a programmer error, checked by the
// callers of this package).
func (md *Model) LogProb(grad, theta []float64) float64 {
	m, nf := md.m, len(md.Free)
	if len(theta) != m+nf+1 || (grad != nil && len(grad) != len(theta)) {
		panic(fmt.Sprintf("selective: LogProb: θ of length %d and gradient of length %d, want %d", len(theta), len(grad), m+nf+1))
	}
	s, alpha := md.noise(theta)
	betaY := theta[:m]
	prevOn := md.Lambda > 0
	var stack [maxStack]float64
	var gYp []float64 // Σ_i ∂P(Y_i=1|X_i)/∂a · X_i
	if prevOn && grad != nil {
		if m <= maxStack {
			gYp = stack[:m]
		} else {
			gYp = make([]float64, m)
		}
	}
	for i := range grad {
		grad[i] = 0
	}
	var u unif
	if md.Noise == Uniform {
		u = newUnif(s)
	}
	var lp, gS, gA, prev, gSp float64
	for i := 0; i < md.n; i++ {
		row := md.xs[i*m : (i+1)*m]
		a, e := 0.0, 0.0
		for j, x := range row {
			a += x * betaY[j]
		}
		for k, j := range md.Free {
			e += row[j] * theta[m+k]
		}
		var c unitTerms
		if md.Noise == Uniform {
			c = u.unit(a, e, md.T[i], md.Y[i], prevOn)
		} else {
			c = md.normalUnit(a, e, s, alpha, md.T[i], md.Y[i], prevOn)
		}
		lp += c.l
		prev += c.py
		if grad == nil {
			continue
		}
		for j, x := range row {
			grad[j] += c.la * x
		}
		for k, j := range md.Free {
			grad[m+k] += c.le * row[j]
		}
		gS += c.ls
		gA += c.lal
		if prevOn {
			for j, x := range row {
				gYp[j] += c.pya * x
			}
			gSp += c.pys
		}
	}
	if prevOn {
		n := float64(md.n)
		pi := prev / n
		c := -2 * md.Lambda * (pi - md.Prevalence) / n
		lp -= md.Lambda * (pi - md.Prevalence) * (pi - md.Prevalence)
		for j := range gYp {
			grad[j] += c * gYp[j]
		}
		gS += c * gSp
	}
	// priors N(0, 3²) on β; half-normal N⁺(0, 3²) on s (or α) and the
	// log-Jacobian of its logarithm
	const v9 = 9
	for j := 0; j < m+nf; j++ {
		lp -= theta[j] * theta[j] / (2 * v9)
		if grad != nil {
			grad[j] -= theta[j] / v9
		}
	}
	v, gv := s, gS
	if md.Noise == Normal && md.FixSigma > 0 {
		v, gv = alpha, gA
	}
	lp += -v*v/(2*v9) + math.Log(v)
	if grad != nil {
		grad[m+nf] = v*gv - v*v/v9 + 1
	}
	return lp
}

// smallD is the |b − a| below which the closed form of P(T=1, Y=1) for
// uniform Z switches to its midpoint limit (error O(d²) < 1e-12; the
// general form cancels catastrophically there).
const smallD = 1e-6

// tiny floors probabilities before the log (a difference can round to 0).
const tiny = 1e-300

// cells returns P(Y=1|X), P(T=1|X), P(T=1,Y=1|X) and P(T=0|X).
func (md *Model) cells(a, e, s, alpha float64) (py, pt, p11, p0 float64) {
	if md.Noise == Uniform {
		u := newUnif(s)
		b := a + e
		pa, qa, ta := sig(a)
		pb, qb, tb := sig(b)
		sa, dsa, spa := u.shift(a, pa, qa)
		sb, dsb, spb := u.shift(b, pb, qb)
		p11, _, _, _ = u.joint(a, b, sa, dsa, spa, ta, sb, dsb, spb, tb)
		P0, _, _ := u.untested(pb, qb)
		return sa / s, sb / s, p11, P0 / s
	}
	for k, node := range md.nodes {
		w := md.wts[k]
		r := a + math.Sqrt2*s*node
		pr, _, _ := sig(r)
		pl, ql, _ := sig(alpha*r + e)
		py += w * pr
		pt += w * pl
		p11 += w * pr * pl
		p0 += w * ql
	}
	return py, pt, p11, p0
}

// risk returns P(Y=1|X) for the linear predictor a.
func (md *Model) risk(a, s float64) float64 {
	if md.Noise == Uniform {
		u := newUnif(s)
		p, q, _ := sig(a)
		sa, _, _ := u.shift(a, p, q)
		return sa / s
	}
	py := 0.0
	for k, node := range md.nodes {
		p, _, _ := sig(a + math.Sqrt2*s*node)
		py += md.wts[k] * p
	}
	return py
}

// ImpliedPrevalence returns π(θ) = mean_i P(Y_i = 1 | X_i) over all units.
// It panics if len(theta) ≠ Dim.
func (md *Model) ImpliedPrevalence(theta []float64) float64 {
	if len(theta) != md.Dim() {
		panic(fmt.Sprintf("selective: ImpliedPrevalence: θ of length %d, want %d", len(theta), md.Dim()))
	}
	s, _ := md.noise(theta)
	sum := 0.0
	for i := 0; i < md.n; i++ {
		a := 0.0
		for j, x := range md.xs[i*md.m : (i+1)*md.m] {
			a += x * theta[j]
		}
		sum += md.risk(a, s)
	}
	return sum / float64(md.n)
}

// Risk returns P(Y = 1 | x) under θ for a feature row x (with the
// intercept first). It panics if len(theta) ≠ Dim or len(x) ≠ M.
func (md *Model) Risk(theta, x []float64) float64 {
	if len(theta) != md.Dim() || len(x) != md.m {
		panic(fmt.Sprintf("selective: Risk: θ of length %d and x of length %d, want %d and %d", len(theta), len(x), md.Dim(), md.m))
	}
	s, _ := md.noise(theta)
	a := 0.0
	for j := range x {
		a += x[j] * theta[j]
	}
	return md.risk(a, s)
}

// CellProbs returns P(Y=1|X), P(T=1|X), P(T=1,Y=1|X) and P(T=0|X) for the
// linear predictors a = X·β_Y, e = X·β_D and the noise parameters (for
// checking the closed forms against quadrature).
func (md *Model) CellProbs(a, e, s, alpha float64) (py, pt, p11, p0 float64) {
	return md.cells(a, e, s, alpha)
}
