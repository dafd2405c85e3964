package linalg

import (
	"math"
	"math/rand/v2"
	"slices"
)

const (
	// topkSample is the number of evenly spaced entries TopK inspects to guess
	// a threshold that about k entries exceed.
	topkSample = 2048
	// topkMinDim is the smallest dimension for which the sampling guess is
	// worth it; below it TopK selects among all entries.
	topkMinDim = 8 * topkSample
)

// TopK sets dst to the k entries of x with the largest magnitudes, in
// increasing index order. Ties are broken in favour of the lower index, so
// the result is deterministic. NaN entries rank above every number.
// It runs in O(len(x)) expected time (selection, not sorting), and after the
// first call with a given length it does not allocate: dst keeps its
// storage. TopK panics if k < 0 or k > len(x).
func TopK(dst *Sparse, x []float64, k int) {
	d := len(x)
	if k < 0 || k > d {
		panic("linalg: TopK k out of range")
	}
	dst.Reset(d)
	switch {
	case k == 0:
		return
	case k == d:
		for i, v := range x {
			dst.Index = append(dst.Index, i)
			dst.Value = append(dst.Value, v)
		}
		return
	}
	if cap(dst.Index) < d {
		dst.Index = make([]int, 0, d)
	}
	if cap(dst.work) < 2*d {
		dst.work = make([]float64, 0, 2*d)
	}
	// Candidates: their positions in dst.Index, magnitudes in cand.
	cand := dst.work[:0]
	t := 0.0
	if d >= topkMinDim && k <= d/8 {
		if cap(dst.hist) < 2<<radixBits {
			dst.hist = make([]int32, 2<<radixBits)
		}
		t = sampleThreshold(dst.work[d:d+2*topkSample], x, k, dst.hist)
	}
	idx, cand := collectKernel(dst.Index[:0], cand, x, t, 0)
	if len(idx) < k {
		// The guess was too high: every entry is a candidate.
		idx, cand = collectKernel(dst.Index[:0], cand[:0], x, 0, 0)
	}
	// The k-th largest candidate magnitude, found by radix selection on
	// the bit patterns (the candidates are copied only as they narrow).
	if cap(dst.hist) < 2<<radixBits {
		dst.hist = make([]int32, 2<<radixBits)
	}
	kth := radixKth(cand, k, dst.work[d:d+len(cand)], dst.hist)
	// Strictly larger entries are all kept; equal ones in index order.
	above := 0
	for _, m := range cand {
		if m > kth {
			above++
		}
	}
	ties := k - above
	n := 0
	for j, i := range idx {
		m := cand[j]
		if m > kth || (m == kth && ties > 0) {
			if m == kth {
				ties--
			}
			idx[n] = i
			n++
		}
	}
	dst.Index = idx[:n]
	if cap(dst.Value) < k {
		dst.Value = make([]float64, 0, k)
	}
	dst.Value = dst.Value[:n]
	for j, i := range dst.Index {
		dst.Value[j] = x[i]
	}
}

// sampleThreshold returns a magnitude that, judged from evenly spaced
// samples of x, somewhat more than k entries reach. buf (of length
// 2*topkSample) and hist are scratch space.
func sampleThreshold(buf, x []float64, k int, hist []int32) float64 {
	d := len(x)
	sample := buf[:topkSample]
	for j := range sample {
		sample[j] = magnitude(x[j*d/topkSample])
	}
	// Expected sample rank of the k-th largest entry, plus a margin of three
	// standard deviations so that the guess rarely falls short.
	mean := float64(k) * topkSample / float64(d)
	r := int(math.Ceil(mean+3*math.Sqrt(mean))) + 2
	if r >= topkSample {
		return 0
	}
	return radixKth(sample, r, buf[topkSample:], hist)
}

// Radix selection: the digits of a magnitude's bit pattern (the sign bit is
// zero), from the exponent down, radixBits at a time.
const radixBits = 11

var radixShifts = [...]uint{52, 41, 30, 19, 8, 0}

// radixKth returns the k-th largest (1-based, 1 <= k <= len(a)) of a, whose
// values are magnitudes (non-negative, no NaN), exactly: non-negative
// float64 values order as their bit patterns do, so it counts the values per
// digit of the bit pattern from the top, keeps the bucket that holds the
// k-th largest, and goes on with the next digit among those; it stops early
// when the values left are all equal, and when few are left selectKth
// finishes. a is not modified; scratch (len(a) long) receives the kept
// values, and hist (of length 2<<radixBits) the counts (two tables,
// alternate entries, so that runs of one digit do not wait on each other's
// increments).
func radixKth(a []float64, k int, scratch []float64, hist []int32) float64 {
	src := a
	var prefix uint64
	for _, shift := range radixShifts {
		if len(src) <= 32 {
			if len(src) > 0 && &src[0] != &scratch[0] {
				src = append(scratch[:0], src...)
			}
			return selectKth(src, k)
		}
		const nb = 1 << radixBits
		h0, h1 := hist[:nb:nb], hist[nb:2*nb:2*nb]
		clear(h0)
		clear(h1)
		const mask = nb - 1
		lo, hi := uint64(math.MaxUint64), uint64(0)
		i := 0
		for ; i+2 <= len(src); i += 2 {
			b0, b1 := math.Float64bits(src[i]), math.Float64bits(src[i+1])
			h0[(b0>>shift)&mask]++
			h1[(b1>>shift)&mask]++
			lo, hi = min(lo, b0, b1), max(hi, b0, b1)
		}
		if i < len(src) {
			b0 := math.Float64bits(src[i])
			h0[(b0>>shift)&mask]++
			lo, hi = min(lo, b0), max(hi, b0)
		}
		if lo == hi {
			// All equal (heavy ties): that value is the k-th largest.
			return math.Float64frombits(lo)
		}
		b := nb - 1
		c := 0
		for ; b > 0; b-- {
			c = int(h0[b]) + int(h1[b])
			if k <= c {
				break
			}
			k -= c
		}
		prefix |= uint64(b) << shift
		if shift == 0 {
			break
		}
		if b == 0 {
			c = int(h0[0]) + int(h1[0])
		}
		if c == len(src) {
			continue // every value has this digit: nothing to drop
		}
		// Keep the values whose digit is b (all share the higher digits).
		out := scratch[:len(src)]
		n := 0
		for _, v := range src {
			out[n] = v
			diff := (math.Float64bits(v)>>shift)&mask ^ uint64(b)
			n += int((diff - 1) >> 63) // 1 when diff == 0
		}
		src = out[:n]
	}
	return math.Float64frombits(prefix)
}

// selectKth returns the k-th largest value of a (1-based), reordering a.
// It is Hoare's quickselect with a median-of-three pivot.
func selectKth(a []float64, k int) float64 {
	lo, hi := 0, len(a)-1
	target := k - 1 // position in descending order
	for lo < hi {
		mid := lo + (hi-lo)/2
		// Median of three, ordered descending.
		if a[mid] > a[lo] {
			a[mid], a[lo] = a[lo], a[mid]
		}
		if a[hi] > a[lo] {
			a[hi], a[lo] = a[lo], a[hi]
		}
		if a[hi] > a[mid] {
			a[hi], a[mid] = a[mid], a[hi]
		}
		p := a[mid]
		i, j := lo, hi
		for i <= j {
			for a[i] > p {
				i++
			}
			for a[j] < p {
				j--
			}
			if i <= j {
				a[i], a[j] = a[j], a[i]
				i++
				j--
			}
		}
		switch {
		case target <= j:
			hi = j
		case target >= i:
			lo = i
		default:
			return a[target]
		}
	}
	return a[target]
}

// RandK sets dst to k entries of x at positions drawn uniformly without
// replacement, unscaled, in increasing index order. It draws exactly k
// numbers from rng (Floyd's algorithm) and, after the first call with a
// given length, does not allocate. RandK panics (a programmer error, as
// for a length mismatch) if k < 0, k > len(x) or rng is nil.
func RandK(dst *Sparse, x []float64, k int, rng *rand.Rand) {
	d := len(x)
	if k < 0 || k > d {
		panic("linalg: RandK k out of range")
	}
	if rng == nil {
		panic("linalg: RandK nil rng")
	}
	dst.Reset(d)
	if k == 0 {
		return
	}
	words := (d + 63) / 64
	if cap(dst.words) < words {
		dst.words = make([]uint64, words)
	}
	set := dst.words[:words]
	for j := d - k; j < d; j++ {
		t := rng.IntN(j + 1)
		if set[t>>6]&(1<<(t&63)) != 0 {
			t = j
		}
		set[t>>6] |= 1 << (t & 63)
		dst.Index = append(dst.Index, t)
	}
	slices.Sort(dst.Index)
	for _, i := range dst.Index {
		set[i>>6] = 0
		dst.Value = append(dst.Value, x[i])
	}
}
