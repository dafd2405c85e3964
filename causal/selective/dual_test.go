package selective

import "math"

// dn is a forward-mode dual number with four partial derivatives: enough
// to differentiate one observation's log-likelihood with respect to its
// linear predictors and the noise parameters exactly.
type dn struct {
	v float64
	d [4]float64
}

func vr(v float64, i int) dn {
	x := dn{v: v}
	x.d[i] = 1
	return x
}

func (x dn) add(y dn) dn {
	for i := range x.d {
		x.d[i] += y.d[i]
	}
	x.v += y.v
	return x
}

func (x dn) sub(y dn) dn {
	for i := range x.d {
		x.d[i] -= y.d[i]
	}
	x.v -= y.v
	return x
}

func (x dn) scale(c float64) dn {
	for i := range x.d {
		x.d[i] *= c
	}
	x.v *= c
	return x
}

func (x dn) mul(y dn) dn {
	var r dn
	r.v = x.v * y.v
	for i := range r.d {
		r.d[i] = x.d[i]*y.v + x.v*y.d[i]
	}
	return r
}

func (x dn) div(y dn) dn {
	var r dn
	r.v = x.v / y.v
	for i := range r.d {
		r.d[i] = (x.d[i]*y.v - x.v*y.d[i]) / (y.v * y.v)
	}
	return r
}

// chain applies f with f(x.v) = v and f'(x.v) = dv.
func (x dn) chain(v, dv float64) dn {
	r := dn{v: v}
	for i := range r.d {
		r.d[i] = dv * x.d[i]
	}
	return r
}

func (x dn) exp() dn   { e := math.Exp(x.v); return x.chain(e, e) }
func (x dn) log() dn   { return x.chain(math.Log(x.v), 1/x.v) }
func (x dn) expm1() dn { return x.chain(math.Expm1(x.v), math.Exp(x.v)) }

func (x dn) sigmoid() dn {
	s := sigmoid(x.v)
	return x.chain(s, s*(1-s))
}

// softplus returns log(1 + eˣ) with derivative σ(x), from one exponential.
func (x dn) softplus() dn {
	e := math.Exp(-math.Abs(x.v))
	sp := math.Max(x.v, 0) + math.Log1p(e)
	sg := 1 / (1 + e)
	if x.v < 0 {
		sg = e / (1 + e)
	}
	return x.chain(sp, sg)
}

// cellProbs returns, as dual numbers in (a, e, s, α) where a = X·β_Y and
// e = X·β_D, the probabilities P(Y=1|X), P(T=1|X) and P(T=1, Y=1|X).
func (md *Model) cellProbsDual(a, e, s, alpha float64) (py, pt, p11, p0 dn) {
	A, E, S, Al := vr(a, 0), vr(e, 1), vr(s, 2), vr(alpha, 3)
	if md.Noise == Uniform {
		B := A.add(E) // α = 1
		py = uS(A, S).div(S)
		pt = uS(B, S).div(S)
		p11 = uniform11(A, B, S, uS(A, S), uS(B, S))
		// P(T=0|X) = [softplus(−b) − softplus(−b−s)]/s, not 1 − P(T=1|X)
		nb := B.scale(-1)
		p0 = nb.softplus().sub(nb.sub(S).softplus()).div(S)
		return
	}
	sq2 := math.Sqrt2
	for k, t := range md.nodes {
		w := md.wts[k]
		r := A.add(S.scale(sq2 * t))
		sy := r.sigmoid()
		lin := Al.mul(r).add(E)
		st := lin.sigmoid()
		py = py.add(sy.scale(w))
		pt = pt.add(st.scale(w))
		p11 = p11.add(sy.mul(st).scale(w))
		p0 = p0.add(lin.scale(-1).sigmoid().scale(w))
	}
	return
}

// uS is S(c) = ∫₀ˢ σ(c + z) dz = softplus(c + s) − softplus(c).
func uS(c, s dn) dn { return c.add(s).softplus().sub(c.softplus()) }

// uniform11 is P(T=1, Y=1 | X) = (1/s)∫₀ˢ σ(a+z)σ(b+z) dz for uniform Z:
// [S(a) − e^{−d}S(b)] / (s(1 − e^{−d})), d = b − a > 0 (symmetric in a, b),
// and [S(c) − (σ(c+s) − σ(c))]/s at c = (a+b)/2 when |d| < 1e-6.
// sa and sb are S(a) and S(b), which the caller usually has already.
func uniform11(a, b, s, sa, sb dn) dn {
	if b.v < a.v {
		a, b = b, a
		sa, sb = sb, sa
	}
	d := b.sub(a)
	if d.v < smallD {
		c := a.add(b).scale(0.5)
		return uS(c, s).sub(c.add(s).sigmoid().sub(c.sigmoid())).div(s)
	}
	emd := d.scale(-1).exp()
	num := sa.sub(emd.mul(sb))
	den := s.mul(d.scale(-1).expm1().scale(-1))
	return num.div(den)
}

// logProbDual is the previous LogProb (forward-mode dual numbers with four
// partials), kept as the baseline the analytic derivatives are tested and
// benchmarked against. It returns the log posterior of θ (likelihood, priors, the
// log-Jacobian of log s or log α, and the prevalence penalty) and writes
// its gradient into grad (allocated when nil, of length Dim). It is
// mcmc.LogDensity's method; it panics if len(theta) ≠ Dim (a programmer
// error, checked by the callers of this package).
func (md *Model) logProbDual(grad, theta []float64) float64 {
	m, nf := md.m, len(md.Free)
	betaY, betaD, s, alpha := md.params(theta)
	gY := make([]float64, m) // ∂/∂a per feature, accumulated
	gD := make([]float64, m) // ∂/∂e per feature
	var gS, gA float64       // ∂/∂s, ∂/∂α
	prev := dn{}             // Σ P(Y=1|X) with its partials
	gYp, gDp := make([]float64, m), make([]float64, m)
	lp := 0.0
	for i := 0; i < md.n; i++ {
		row := md.xs[i*m : (i+1)*m]
		a, e := 0.0, 0.0
		for j, x := range row {
			a += x * betaY[j]
			e += x * betaD[j]
		}
		var l, py dn
		if md.Noise == Uniform {
			// only the cells this unit needs (the closed forms are the
			// cost of a gradient)
			A, E, S := vr(a, 0), vr(e, 1), vr(s, 2)
			B := A.add(E)
			var sa dn // S(a), needed by the tested cells and the prevalence
			switch {
			case md.T[i] == 0:
				nb := B.scale(-1)
				l = clampLog(nb.softplus().sub(nb.sub(S).softplus()).div(S))
				if md.Lambda > 0 {
					sa = uS(A, S)
				}
			default:
				var sb dn
				sa, sb = uS(A, S), uS(B, S)
				p11 := uniform11(A, B, S, sa, sb)
				if md.Y[i] == 1 {
					l = clampLog(p11)
				} else {
					l = clampLog(sb.div(S).sub(p11))
				}
			}
			if md.Lambda > 0 {
				py = sa.div(S)
			}
		} else {
			var pt, p11, p0 dn
			py, pt, p11, p0 = md.cellProbsDual(a, e, s, alpha)
			switch {
			case md.T[i] == 0:
				l = clampLog(p0)
			case md.Y[i] == 1:
				l = clampLog(p11)
			default:
				l = clampLog(pt.sub(p11))
			}
		}
		lp += l.v
		for j, x := range row {
			gY[j] += l.d[0] * x
			gD[j] += l.d[1] * x
			if md.Lambda > 0 {
				gYp[j] += py.d[0] * x
				gDp[j] += py.d[1] * x
			}
		}
		gS += l.d[2]
		gA += l.d[3]
		if md.Lambda > 0 {
			prev = prev.add(py)
		}
	}
	if md.Lambda > 0 {
		n := float64(md.n)
		pi := prev.v / n
		c := -2 * md.Lambda * (pi - md.Prevalence) / n
		lp -= md.Lambda * (pi - md.Prevalence) * (pi - md.Prevalence)
		for j := 0; j < m; j++ {
			gY[j] += c * gYp[j]
			gD[j] += c * gDp[j]
		}
		gS += c * prev.d[2]
		gA += c * prev.d[3]
	}
	// priors N(0, 3²) on β; half-normal N⁺(0, 3²) on s (or α) and the
	// log-Jacobian of its logarithm
	const v9 = 9
	for j := 0; j < m; j++ {
		lp -= betaY[j] * betaY[j] / (2 * v9)
		grad[j] = gY[j] - betaY[j]/v9
	}
	for k, j := range md.Free {
		lp -= betaD[j] * betaD[j] / (2 * v9)
		grad[m+k] = gD[j] - betaD[j]/v9
	}
	if md.Noise == Uniform || md.FixAlpha > 0 {
		lp += -s*s/(2*v9) + math.Log(s)
		grad[m+nf] = s*gS - s*s/v9 + 1
	} else {
		lp += -alpha*alpha/(2*v9) + math.Log(alpha)
		grad[m+nf] = alpha*gA - alpha*alpha/v9 + 1
	}
	return lp
}

func clampLog(p dn) dn {
	if p.v < tiny {
		return dn{v: math.Log(tiny)}
	}
	return p.log()
}
