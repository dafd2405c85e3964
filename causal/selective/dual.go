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

// sigmoid is σ(x) = 1/(1+e^{−x}), computed without overflow.
func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

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
