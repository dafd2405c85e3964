package learned

import "math"

// layerCache holds one encoder layer's activations for n tokens attending
// within groups of g consecutive tokens.
type layerCache struct {
	n, g                       int
	x, xh1, y1, q, k, v, a, x1 []float64 // n×Dim
	xh2, y2, out               []float64 // n×Dim
	h                          []float64 // n×FF (after ReLU)
	p                          []float64 // (n/g)×g×g
	mask                       []bool    // (n/g)×g×g, true = may attend
	rs1, rs2                   []float64 // n reciprocal std
	dx, dy, dq, dk, dv, da, dh []float64 // backward scratch
	dp                         []float64
}

func (c *layerCache) size(n, g int) {
	c.n, c.g = n, g
	d := n * Dim
	for _, s := range []*[]float64{&c.x, &c.xh1, &c.y1, &c.q, &c.k, &c.v, &c.a, &c.x1, &c.xh2, &c.y2, &c.out, &c.dx, &c.dy, &c.dq, &c.dk, &c.dv, &c.da} {
		*s = resize(*s, d)
	}
	c.h = resize(c.h, n*FF)
	c.dh = resize(c.dh, n*FF)
	c.p = resize(c.p, n*g)
	c.dp = resize(c.dp, n*g)
	c.mask = resize(c.mask, n*g)
	c.rs1 = resize(c.rs1, n)
	c.rs2 = resize(c.rs2, n)
}

// cache holds a whole forward pass, for the backward pass.
type cache struct {
	J       int
	in      *Input
	x0      []float64 // T×Dim token embeddings
	e1, e2  layerCache
	hj, z   []float64 // J×Dim pooled and final job embeddings
	tj, tn  []float64 // J×Hidden head activations
	logits  []float64 // J+1
	logp    []float64 // J+1 log-softmax over legal actions
	dz, dhj []float64
	dt      []float64
	dx0     []float64
	inFeat  []float64 // T×4 input of Linear(4→8)
}

// layerNorm writes xh = (x−μ)/σ and y = g⊙xh + b for each row; rs = 1/σ.
func layerNorm(x, xh, y, rs, g, b []float64, n int) {
	for r := 0; r < n; r++ {
		row := x[r*Dim : (r+1)*Dim]
		var mu float64
		for _, v := range row {
			mu += v
		}
		mu /= Dim
		var va float64
		for _, v := range row {
			va += (v - mu) * (v - mu)
		}
		va /= Dim
		s := 1 / math.Sqrt(va+lnEps)
		rs[r] = s
		for i, v := range row {
			h := (v - mu) * s
			xh[r*Dim+i] = h
			y[r*Dim+i] = g[i]*h + b[i]
		}
	}
}

// linear writes out = in·W + b for n rows (in n×a, W a×c row-major).
func linear(out, in, w, b []float64, n, a, c int) {
	for r := 0; r < n; r++ {
		o := out[r*c : (r+1)*c]
		copy(o, b[:c])
		x := in[r*a : (r+1)*a]
		for i, xv := range x {
			wr := w[i*c : (i+1)*c]
			for j := range o {
				o[j] += xv * wr[j]
			}
		}
	}
}

// forward runs one pre-LN encoder layer on c.x (already filled), with
// c.mask filled; the result is c.out.
func (c *layerCache) forward(l []float64) {
	n, g := c.n, c.g
	layerNorm(c.x, c.xh1, c.y1, c.rs1, l[lLN1g:], l[lLN1b:], n)
	linear(c.q, c.y1, l[lWq:], l[lBq:], n, Dim, Dim)
	linear(c.k, c.y1, l[lWk:], l[lBk:], n, Dim, Dim)
	linear(c.v, c.y1, l[lWv:], l[lBv:], n, Dim, Dim)
	scale := 1 / math.Sqrt(Dim)
	for q0 := 0; q0 < n; q0 += g {
		for i := 0; i < g; i++ {
			qi := c.q[(q0+i)*Dim : (q0+i+1)*Dim]
			pr := c.p[(q0+i)*g : (q0+i+1)*g]
			mr := c.mask[(q0+i)*g : (q0+i+1)*g]
			// A masked score is s − 1e9, whose exponential underflows to
			// exactly 0 once a key is kept: skip it (same bits, less work
			// on the sparse job–resource mask). A row that keeps no key
			// takes the full additive-mask path.
			kept := false
			for _, m := range mr {
				kept = kept || m
			}
			mx := math.Inf(-1)
			for j := 0; j < g; j++ {
				if kept && !mr[j] {
					continue
				}
				kj := c.k[(q0+j)*Dim : (q0+j+1)*Dim]
				var s float64
				for t := 0; t < Dim; t++ {
					s += qi[t] * kj[t]
				}
				s *= scale
				if !mr[j] {
					s += maskNeg
				}
				pr[j] = s
				mx = max(mx, s)
			}
			var z float64
			for j := range pr {
				if kept && !mr[j] {
					pr[j] = 0
					continue
				}
				pr[j] = math.Exp(pr[j] - mx)
				z += pr[j]
			}
			ai := c.a[(q0+i)*Dim : (q0+i+1)*Dim]
			clear(ai)
			for j := range pr {
				if pr[j] == 0 {
					continue
				}
				pr[j] /= z
				vj := c.v[(q0+j)*Dim : (q0+j+1)*Dim]
				for t := 0; t < Dim; t++ {
					ai[t] += pr[j] * vj[t]
				}
			}
		}
	}
	linear(c.x1, c.a, l[lWo:], l[lBo:], n, Dim, Dim)
	for i := range c.x1 {
		c.x1[i] += c.x[i]
	}
	layerNorm(c.x1, c.xh2, c.y2, c.rs2, l[lLN2g:], l[lLN2b:], n)
	linear(c.h, c.y2, l[lW1:], l[lC1:], n, Dim, FF)
	for i, v := range c.h {
		if v < 0 {
			c.h[i] = 0
		}
	}
	linear(c.out, c.h, l[lW2:], l[lC2:], n, FF, Dim)
	for i := range c.out {
		c.out[i] += c.x1[i]
	}
}

// forward runs the network on in and fills c.logits and c.logp.
func (c *cache) forward(w []float64, in *Input) {
	J := in.J
	T := J * 5
	c.J, c.in = J, in
	c.x0 = resize(c.x0, T*Dim)
	c.inFeat = resize(c.inFeat, T*4)
	for i := 0; i < T; i++ {
		f := c.inFeat[4*i : 4*i+4]
		if r := in.Row[i]; r >= 0 {
			copy(f, w[oTok+4*int(r):oTok+4*int(r)+4])
		} else {
			f[0], f[1], f[2], f[3] = w[oFix+int(in.Fix[i])], w[oLeg+int(in.Leg[i])], in.Start[i], in.Dur[i]
		}
	}
	linear(c.x0, c.inFeat, w[oWin:], w[oBin:], T, 4, Dim)
	for i := 0; i < T; i++ {
		if p := in.Pos[i]; p >= 0 {
			for t := 0; t < Dim; t++ {
				c.x0[i*Dim+t] += pe[p*Dim+t]
			}
		}
	}
	// Enc1 within each job's window, END padding masked.
	c.e1.size(T, 5)
	copy(c.e1.x, c.x0)
	for j := 0; j < J; j++ {
		for i := 0; i < 5; i++ {
			for k := 0; k < 5; k++ {
				c.e1.mask[(j*5+i)*5+k] = !in.Pad[j*5+k]
			}
		}
	}
	c.e1.forward(w[oEnc1 : oEnc1+lSize])
	c.hj = resize(c.hj, J*Dim)
	clear(c.hj)
	for i := 0; i < T; i++ {
		j := i / 5
		for t := 0; t < Dim; t++ {
			c.hj[j*Dim+t] += c.e1.out[i*Dim+t] / 5
		}
	}
	// Enc2 across jobs, masked by the job–resource mask.
	c.e2.size(J, J)
	copy(c.e2.x, c.hj)
	copy(c.e2.mask, in.JobMask)
	c.e2.forward(w[oEnc2 : oEnc2+lSize])
	c.z = resize(c.z, J*Dim)
	for i := range c.z {
		c.z[i] = c.e2.out[i] + c.hj[i]
	}
	// Heads.
	c.tj = resize(c.tj, J*Hidden)
	c.tn = resize(c.tn, J*Hidden)
	c.logits = resize(c.logits, J+1)
	c.logp = resize(c.logp, J+1)
	hj, hn := w[oJob:oJob+hSize], w[oNoop:oNoop+hSize]
	linear(c.tj, c.z, hj[hU:], hj[hA:], J, Dim, Hidden)
	linear(c.tn, c.z, hn[hU:], hn[hA:], J, Dim, Hidden)
	var noop float64
	for j := 0; j < J; j++ {
		a, b := c.tj[j*Hidden:(j+1)*Hidden], c.tn[j*Hidden:(j+1)*Hidden]
		lj, ln := hj[hB], hn[hB]
		for t := 0; t < Hidden; t++ {
			a[t] = math.Tanh(a[t])
			b[t] = math.Tanh(b[t])
			lj += a[t] * hj[hV+t]
			ln += b[t] * hn[hV+t]
		}
		c.logits[j] = lj
		noop += ln
	}
	c.logits[J] = noop / float64(J)
	mx := math.Inf(-1)
	for a := 0; a <= J; a++ {
		if !in.Legal[a] {
			c.logits[a] = math.Inf(-1)
		}
		mx = max(mx, c.logits[a])
	}
	var s float64
	for a := 0; a <= J; a++ {
		if in.Legal[a] {
			s += math.Exp(c.logits[a] - mx)
		}
	}
	ls := mx + math.Log(s)
	for a := 0; a <= J; a++ {
		c.logp[a] = c.logits[a] - ls
	}
}

// layerNormBack adds to dx the gradient through y = g⊙xh + b given dy, and
// accumulates dg, db.
func layerNormBack(dx, dy, xh, rs, g, dg, db []float64, n int) {
	for r := 0; r < n; r++ {
		var m1, m2 float64
		var dxh [Dim]float64
		for i := 0; i < Dim; i++ {
			d := dy[r*Dim+i]
			dg[i] += d * xh[r*Dim+i]
			db[i] += d
			dxh[i] = d * g[i]
			m1 += dxh[i]
			m2 += dxh[i] * xh[r*Dim+i]
		}
		m1 /= Dim
		m2 /= Dim
		for i := 0; i < Dim; i++ {
			dx[r*Dim+i] += rs[r] * (dxh[i] - m1 - xh[r*Dim+i]*m2)
		}
	}
}

// linearBack accumulates dW += inᵀ·dout, db += Σ dout and, if din is not
// nil, adds dout·Wᵀ to din.
func linearBack(din, dout, in, w, dw, db []float64, n, a, c int) {
	for r := 0; r < n; r++ {
		d := dout[r*c : (r+1)*c]
		x := in[r*a : (r+1)*a]
		for j, v := range d {
			db[j] += v
		}
		for i, xv := range x {
			wr := w[i*c : (i+1)*c]
			dwr := dw[i*c : (i+1)*c]
			var s float64
			for j, v := range d {
				dwr[j] += xv * v
				s += v * wr[j]
			}
			if din != nil {
				din[r*a+i] += s
			}
		}
	}
}

// backward takes dOut (n×Dim, the gradient of c.out) and writes c.dx, the
// gradient of c.x, accumulating the layer's parameter gradients in gl.
func (c *layerCache) backward(l, gl, dOut []float64) {
	n, g := c.n, c.g
	// out = x1 + W2·relu(W1·LN2(x1))
	dx1 := c.dx // reuse: dx1 first, then becomes dx
	copy(dx1, dOut)
	clear(c.dh)
	linearBack(c.dh, dOut, c.h, l[lW2:], gl[lW2:], gl[lC2:], n, FF, Dim)
	for i, v := range c.h {
		if v <= 0 {
			c.dh[i] = 0
		}
	}
	clear(c.dy)
	linearBack(c.dy, c.dh, c.y2, l[lW1:], gl[lW1:], gl[lC1:], n, Dim, FF)
	layerNormBack(dx1, c.dy, c.xh2, c.rs2, l[lLN2g:], gl[lLN2g:], gl[lLN2b:], n)
	// x1 = x + Wo·attn
	clear(c.da)
	linearBack(c.da, dx1, c.a, l[lWo:], gl[lWo:], gl[lBo:], n, Dim, Dim)
	clear(c.dq)
	clear(c.dk)
	clear(c.dv)
	scale := 1 / math.Sqrt(Dim)
	for q0 := 0; q0 < n; q0 += g {
		for i := 0; i < g; i++ {
			pr := c.p[(q0+i)*g : (q0+i+1)*g]
			dpr := c.dp[(q0+i)*g : (q0+i+1)*g]
			dai := c.da[(q0+i)*Dim : (q0+i+1)*Dim]
			var dot float64
			for j := 0; j < g; j++ {
				vj := c.v[(q0+j)*Dim : (q0+j+1)*Dim]
				dvj := c.dv[(q0+j)*Dim : (q0+j+1)*Dim]
				var s float64
				for t := 0; t < Dim; t++ {
					s += dai[t] * vj[t]
					dvj[t] += pr[j] * dai[t]
				}
				dpr[j] = s
				dot += s * pr[j]
			}
			qi := c.q[(q0+i)*Dim : (q0+i+1)*Dim]
			dqi := c.dq[(q0+i)*Dim : (q0+i+1)*Dim]
			for j := 0; j < g; j++ {
				ds := pr[j] * (dpr[j] - dot) * scale
				if ds == 0 {
					continue
				}
				kj := c.k[(q0+j)*Dim : (q0+j+1)*Dim]
				dkj := c.dk[(q0+j)*Dim : (q0+j+1)*Dim]
				for t := 0; t < Dim; t++ {
					dqi[t] += ds * kj[t]
					dkj[t] += ds * qi[t]
				}
			}
		}
	}
	clear(c.dy)
	linearBack(c.dy, c.dq, c.y1, l[lWq:], gl[lWq:], gl[lBq:], n, Dim, Dim)
	linearBack(c.dy, c.dk, c.y1, l[lWk:], gl[lWk:], gl[lBk:], n, Dim, Dim)
	linearBack(c.dy, c.dv, c.y1, l[lWv:], gl[lWv:], gl[lBv:], n, Dim, Dim)
	layerNormBack(dx1, c.dy, c.xh1, c.rs1, l[lLN1g:], gl[lLN1g:], gl[lLN1b:], n)
	// c.dx (= dx1) now holds the gradient of x.
}

// backward accumulates into gw the gradient of Σ_a dlogit[a]·logit[a]
// (finite entries only) for the pass held in c.
func (c *cache) backward(w, gw, dlogit []float64) {
	J := c.J
	T := J * 5
	in := c.in
	c.dz = resize(c.dz, J*Dim)
	clear(c.dz)
	c.dt = resize(c.dt, J*Hidden)
	hj, hn := w[oJob:oJob+hSize], w[oNoop:oNoop+hSize]
	ghj, ghn := gw[oJob:oJob+hSize], gw[oNoop:oNoop+hSize]
	for head := 0; head < 2; head++ {
		hw, gh, tt := hj, ghj, c.tj
		if head == 1 {
			hw, gh, tt = hn, ghn, c.tn
		}
		for j := 0; j < J; j++ {
			d := dlogit[j]
			if head == 1 {
				d = dlogit[J] / float64(J)
			}
			gh[hB] += d
			for t := 0; t < Hidden; t++ {
				a := tt[j*Hidden+t]
				gh[hV+t] += d * a
				c.dt[j*Hidden+t] = d * hw[hV+t] * (1 - a*a)
			}
		}
		linearBack(c.dz, c.dt, c.z, hw[hU:], gh[hU:], gh[hA:], J, Dim, Hidden)
	}
	// z = Enc2(h) + h
	c.e2.backward(w[oEnc2:oEnc2+lSize], gw[oEnc2:oEnc2+lSize], c.dz)
	c.dhj = resize(c.dhj, J*Dim)
	for i := range c.dhj {
		c.dhj[i] = c.dz[i] + c.e2.dx[i]
	}
	// mean pool over the window
	c.dx0 = resize(c.dx0, T*Dim)
	for i := 0; i < T; i++ {
		for t := 0; t < Dim; t++ {
			c.dx0[i*Dim+t] = c.dhj[(i/5)*Dim+t] / 5
		}
	}
	c.e1.backward(w[oEnc1:oEnc1+lSize], gw[oEnc1:oEnc1+lSize], c.dx0)
	// x0 = Linear(feat) + PE
	du := c.dx0 // reuse as T×4 scratch (T×Dim ≥ T×4)
	du = du[:T*4]
	clear(du)
	linearBack(du, c.e1.dx, c.inFeat, w[oWin:], gw[oWin:], gw[oBin:], T, 4, Dim)
	for i := 0; i < T; i++ {
		f := du[4*i : 4*i+4]
		if r := in.Row[i]; r >= 0 {
			for t := 0; t < 4; t++ {
				gw[oTok+4*int(r)+t] += f[t]
			}
		} else {
			gw[oFix+int(in.Fix[i])] += f[0]
			gw[oLeg+int(in.Leg[i])] += f[1]
		}
	}
}
