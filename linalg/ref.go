package linalg

import "math"

// dotRef is the reference dot product: a plain loop.
func dotRef(x, y []float64) float64 {
	var s float64
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// axpyRef is the reference y += a*x.
func axpyRef(a float64, x, y []float64) {
	for i, v := range x {
		y[i] += a * v
	}
}

// axpyToRef is the reference dst = a*x + y.
func axpyToRef(dst []float64, a float64, x, y []float64) {
	for i, v := range x {
		dst[i] = a*v + y[i]
	}
}

// collectRef is the reference TopK threshold scan: it appends to idx and mag
// every i with magnitude(x[i]) >= t, in increasing i, starting at offset
// base, and returns the extended slices. magnitude maps NaN to +Inf.
func collectRef(idx []int, mag []float64, x []float64, t float64, base int) ([]int, []float64) {
	for i, v := range x {
		m := magnitude(v)
		if m >= t {
			idx = append(idx, base+i)
			mag = append(mag, m)
		}
	}
	return idx, mag
}

// magnitude is |v| with NaN ranked above every number, so that a NaN in a
// vector is kept by TopK and shows up downstream instead of vanishing.
func magnitude(v float64) float64 {
	if v != v {
		return math.Inf(1)
	}
	return math.Abs(v)
}

// nrm2Ref is the scaled two-norm of LAPACK's dnrm2.
func nrm2Ref(x []float64) float64 {
	scale, ssq := 0.0, 1.0
	for _, v := range x {
		if v == 0 {
			continue
		}
		a := math.Abs(v)
		if math.IsInf(a, 1) {
			return math.Inf(1)
		}
		if a != a {
			// Keep scanning for an infinity, which wins over NaN.
			for _, w := range x {
				if math.IsInf(w, 0) {
					return math.Inf(1)
				}
			}
			return math.NaN()
		}
		if scale < a {
			r := scale / a
			ssq = 1 + ssq*r*r
			scale = a
		} else {
			r := a / scale
			ssq += r * r
		}
	}
	if scale == 0 {
		return 0
	}
	return scale * math.Sqrt(ssq)
}

// collectBits equals collectRef. It compares IEEE bit patterns with the sign
// cleared, whose unsigned order is the order of magnitudes with every NaN
// above +Inf, and tests four entries per branch.
func collectBits(idx []int, mag []float64, x []float64, t float64, base int) ([]int, []float64) {
	const abs = 1<<63 - 1
	tb := math.Float64bits(t) & abs
	if t != t {
		// No magnitude reaches a NaN threshold in collectRef.
		return idx, mag
	}
	i := 0
	for ; i+4 <= len(x); i += 4 {
		b0 := math.Float64bits(x[i]) & abs
		b1 := math.Float64bits(x[i+1]) & abs
		b2 := math.Float64bits(x[i+2]) & abs
		b3 := math.Float64bits(x[i+3]) & abs
		if max(b0, b1, b2, b3) < tb {
			continue
		}
		idx, mag = collectRef(idx, mag, x[i:i+4], t, base+i)
	}
	return collectRef(idx, mag, x[i:], t, base+i)
}
