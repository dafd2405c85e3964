package linalg

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// topkSorted is TopK by full sort: the specification TopK must equal.
func topkSorted(x []float64, k int) []int {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ma, mb := magnitude(x[a]), magnitude(x[b])
		switch {
		case ma > mb:
			return -1
		case ma < mb:
			return 1
		}
		return a - b
	})
	idx = idx[:k]
	slices.Sort(idx)
	return idx
}

func checkTopK(t *testing.T, x []float64, k int, sp *Sparse) {
	t.Helper()
	TopK(sp, x, k)
	want := topkSorted(x, k)
	if !slices.Equal(sp.Index, want) {
		t.Fatalf("d=%d k=%d: TopK indices %v, want %v", len(x), k, head(sp.Index), head(want))
	}
	if sp.N != len(x) || len(sp.Value) != k {
		t.Fatalf("d=%d k=%d: N=%d len(Value)=%d", len(x), k, sp.N, len(sp.Value))
	}
	for j, i := range sp.Index {
		if math.Float64bits(sp.Value[j]) != math.Float64bits(x[i]) {
			t.Fatalf("value %d = %v, want x[%d] = %v", j, sp.Value[j], i, x[i])
		}
	}
}

func head(a []int) []int {
	if len(a) > 10 {
		return a[:10]
	}
	return a
}

func TestTopKMatchesSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 0))
	var sp Sparse // reused across sizes on purpose
	for _, d := range []int{1, 2, 3, 7, 16, 67, 100, 1000, topkMinDim, 3*topkMinDim + 5} {
		x := make([]float64, d)
		for trial := 0; trial < 3; trial++ {
			switch trial {
			case 0:
				randVec(rng, x)
			case 1: // many ties
				for i := range x {
					x[i] = float64(rng.IntN(5) - 2)
				}
			case 2: // ties, signs, a NaN and infinities
				for i := range x {
					x[i] = float64(rng.IntN(50)-25) * 0.5
				}
				x[rng.IntN(d)] = math.NaN()
				x[rng.IntN(d)] = math.Inf(-1)
			}
			for _, k := range []int{0, 1, 2, d / 100, d / 10, d / 2, d - 1, d} {
				if k < 0 || k > d {
					continue
				}
				checkTopK(t, x, k, &sp)
			}
		}
	}
}

// An adversarial layout: the large entries sit exactly between the sampled
// positions, so the sampled threshold is too high and TopK must fall back.
func TestTopKSampleMiss(t *testing.T) {
	d := 4 * topkMinDim
	x := make([]float64, d)
	for i := range x {
		x[i] = 1
	}
	step := d / topkSample
	for j := 0; j < topkSample; j++ {
		x[j*step] = 0.5
	}
	for j := 0; j < 300; j++ {
		x[j*step+1] = 10 + float64(j)
	}
	var sp Sparse
	for _, k := range []int{1, 100, 299, 300, 301, 1000, d / 8} {
		checkTopK(t, x, k, &sp)
	}
}

func TestTopKCollectPaths(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 0))
	for name, collect := range collectPaths {
		for _, n := range lengths() {
			x := make([]float64, n)
			randVec(rng, x)
			if n > 3 {
				x[n/2] = math.NaN()
				x[n/3] = math.Inf(-1)
			}
			for _, th := range []float64{0, 1e-3, 1, math.Inf(1)} {
				wi, wm := collectRef(nil, nil, x, th, 10)
				gi, gm := collect(nil, nil, x, th, 10)
				if !slices.Equal(wi, gi) || !slices.Equal(wm, gm) {
					t.Fatalf("%s: n=%d t=%v: got %v, want %v", name, n, th, gi, wi)
				}
			}
		}
	}
}

// TestTopKCollectRoom runs every collect path as TopK does, appending to
// slices that already hold entries and have room for all of x (the assembly
// path needs that room), on vectors with NaN, ±Inf, ±0, subnormals and runs
// of equal magnitudes, and checks that no path writes beyond the room it
// was given.
func TestTopKCollectRoom(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 0))
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), 5e-324, -5e-324, 1, -1, math.MaxFloat64}
	for name, collect := range collectPaths {
		for _, n := range lengths() {
			x := make([]float64, n)
			randVec(rng, x)
			for i := range x {
				if rng.IntN(4) == 0 {
					x[i] = special[rng.IntN(len(special))]
				}
			}
			for _, th := range []float64{0, 5e-324, 1e-3, 1, math.MaxFloat64, math.Inf(1)} {
				const pre, guard = 3, 16
				bi := make([]int, pre, pre+n+guard)
				bm := make([]float64, pre, pre+n+guard)
				for i := range bi[:cap(bi)] {
					bi[:cap(bi)][i] = -7
					bm[:cap(bm)][i] = -7
				}
				wi, wm := collectRef(slices.Clone(bi), slices.Clone(bm), x, th, 10)
				gi, gm := collect(bi[:pre:pre+n], bm[:pre:pre+n], x, th, 10)
				if !slices.Equal(wi, gi) || !slices.Equal(wm, gm) {
					t.Fatalf("%s: n=%d t=%v: got %v %v, want %v %v", name, n, th, gi, gm, wi, wm)
				}
				for i := pre + n; i < cap(bi); i++ {
					if bi[:cap(bi)][i] != -7 || bm[:cap(bm)][i] != -7 {
						t.Fatalf("%s: n=%d t=%v: wrote beyond the room at %d", name, n, th, i)
					}
				}
			}
		}
	}
}

// TestTopKRadixKth checks radixKth against sorting, on magnitudes with
// many orders, heavy ties, zeros, subnormals and +Inf, for every k of small
// sets and spread-out k of larger ones.
func TestTopKRadixKth(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 0))
	hist := make([]int32, 2<<radixBits)
	special := []float64{0, 5e-324, 1e-310, 1, 1.0000000000000002, math.MaxFloat64, math.Inf(1)}
	for _, n := range []int{1, 2, 3, 31, 32, 33, 100, 1000, 20000} {
		for trial := 0; trial < 4; trial++ {
			a := make([]float64, n)
			for i := range a {
				switch trial {
				case 0:
					a[i] = magnitude(rng.NormFloat64())
				case 1:
					a[i] = math.Abs(rng.NormFloat64()) * math.Pow(10, float64(rng.IntN(40)-20))
				case 2:
					a[i] = float64(rng.IntN(4))
				case 3:
					a[i] = special[rng.IntN(len(special))]
				}
			}
			sorted := slices.Clone(a)
			slices.Sort(sorted)
			orig := slices.Clone(a)
			scratch := make([]float64, n)
			for k := 1; k <= n; k += 1 + k/8 {
				got := radixKth(a, k, scratch, hist)
				if want := sorted[n-k]; math.Float64bits(got) != math.Float64bits(want) {
					t.Fatalf("n=%d trial=%d k=%d: got %v, want %v", n, trial, k, got, want)
				}
				if !slices.Equal(a, orig) {
					t.Fatalf("n=%d trial=%d k=%d: radixKth modified its input", n, trial, k)
				}
			}
		}
	}
}

func TestTopKRange(t *testing.T) {
	for _, k := range []int{-1, 4} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("TopK k=%d of 3 did not panic", k)
				}
			}()
			var sp Sparse
			TopK(&sp, []float64{1, 2, 3}, k)
		}()
	}
}

func TestRandK(t *testing.T) {
	const d, k, draws = 20, 5, 20000
	x := make([]float64, d)
	for i := range x {
		x[i] = float64(i) + 0.5
	}
	rng := rand.New(rand.NewPCG(6, 0))
	var sp Sparse
	count := make([]int, d)
	for range draws {
		RandK(&sp, x, k, rng)
		if len(sp.Index) != k || !slices.IsSorted(sp.Index) {
			t.Fatalf("RandK indices %v", sp.Index)
		}
		for j := 1; j < k; j++ {
			if sp.Index[j] == sp.Index[j-1] {
				t.Fatalf("repeated index in %v", sp.Index)
			}
		}
		for j, i := range sp.Index {
			if sp.Value[j] != x[i] {
				t.Fatalf("value %v at %d, want %v", sp.Value[j], i, x[i])
			}
			count[i]++
		}
	}
	// Each index is kept with probability k/d; a chi-square statistic over
	// 20 cells has mean 19 and is below 50 with probability > 0.9999.
	exp := float64(draws) * k / d
	var chi2 float64
	for _, c := range count {
		chi2 += (float64(c) - exp) * (float64(c) - exp) / exp
	}
	if chi2 > 50 {
		t.Errorf("RandK not uniform: chi2 = %.1f, counts %v", chi2, count)
	}
	// Same seed, same draws; a fresh Sparse gives the same result.
	var a, b Sparse
	r1 := rand.New(rand.NewPCG(7, 0))
	r2 := rand.New(rand.NewPCG(7, 0))
	RandK(&a, x, 3, r1)
	RandK(&b, x, 3, r2)
	RandK(&a, x, k, r1)
	var fresh Sparse
	RandK(&fresh, x, k, r2)
	if !slices.Equal(a.Index, fresh.Index) {
		t.Errorf("RandK depends on the destination's history: %v vs %v", a.Index, fresh.Index)
	}
}

func TestRandKEdges(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 0))
	var sp Sparse
	x := []float64{1, 2, 3}
	RandK(&sp, x, 0, rng)
	if sp.NNZ() != 0 || sp.N != 3 {
		t.Errorf("k=0: %+v", sp)
	}
	RandK(&sp, x, 3, rng)
	if !slices.Equal(sp.Index, []int{0, 1, 2}) {
		t.Errorf("k=d: %v", sp.Index)
	}
}

func FuzzTopK(f *testing.F) {
	f.Add(uint64(1), uint16(10), uint16(3), uint8(0))
	f.Add(uint64(2), uint16(40000), uint16(400), uint8(3))
	f.Fuzz(func(t *testing.T, seed uint64, d, k uint16, levels uint8) {
		if d == 0 {
			return
		}
		k %= d + 1
		rng := rand.New(rand.NewPCG(seed, 0))
		x := make([]float64, d)
		for i := range x {
			if levels > 0 {
				x[i] = float64(rng.IntN(int(levels)+1)) - float64(levels)/2
			} else {
				x[i] = rng.NormFloat64()
			}
		}
		var sp Sparse
		checkTopK(t, x, int(k), &sp)
	})
}
