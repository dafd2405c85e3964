package morl

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/optlearn/optlearn/rl/envs"
)

func approx(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func TestDSTMetrics(t *testing.T) {
	front := envs.DSTFront()
	hull := [][]float64{{1, -1}, {124, -19}}
	W, err := SimplexGrid(2, 0.01)
	if err != nil {
		t.Fatal(err)
	}
	if len(W) != 101 {
		t.Fatalf("grid has %d weights, want 101", len(W))
	}
	for _, c := range []struct {
		name string
		ps   [][]float64
		ref  []float64
		want float64
	}{
		{"front ref -25", front, []float64{0, -25}, 1155},
		{"front ref -50", front, []float64{0, -50}, 4255},
		{"hull ref -25", hull, []float64{0, -25}, 762},
	} {
		hv, err := Hypervolume(c.ps, c.ref)
		if err != nil || math.Abs(hv-c.want) > 1e-9 {
			t.Errorf("%s: HV = %v (%v), want %v", c.name, hv, err, c.want)
		}
	}
	for _, ps := range [][][]float64{front, hull} {
		eu, err := ExpectedUtility(ps, W)
		if err != nil || math.Abs(eu-135663.0/2525) > 1e-9 {
			t.Errorf("EU = %.12f (%v), want %.12f", eu, err, 135663.0/2525)
		}
	}
	if sp, err := Sparsity(front); err != nil || math.Abs(sp-1313.0/3) > 1e-9 {
		t.Errorf("SP = %v, want %v", sp, 1313.0/3)
	}
}

// bruteHV is inclusion–exclusion over all subsets (small sets only).
func bruteHV(ps [][]float64, ref []float64) float64 {
	m, d := len(ps), len(ref)
	hv := 0.0
	for mask := 1; mask < 1<<m; mask++ {
		lo := make([]float64, d)
		for k := range lo {
			lo[k] = math.Inf(1)
		}
		bits := 0
		for i := range m {
			if mask>>i&1 == 1 {
				bits++
				for k := range lo {
					lo[k] = math.Min(lo[k], ps[i][k])
				}
			}
		}
		v := 1.0
		for k := range lo {
			v *= math.Max(0, lo[k]-ref[k])
		}
		if bits%2 == 1 {
			hv += v
		} else {
			hv -= v
		}
	}
	return hv
}

func TestHypervolumeHighDim(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 0))
	for _, d := range []int{3, 4, 6} {
		for trial := range 5 {
			m := 3 + trial*2
			ps := make([][]float64, m)
			for i := range ps {
				ps[i] = make([]float64, d)
				for k := range ps[i] {
					ps[i][k] = rng.Float64()*10 - 1
				}
			}
			ref := make([]float64, d)
			hv, err := Hypervolume(ps, ref)
			if err != nil {
				t.Fatal(err)
			}
			var kept [][]float64
			for _, p := range ps {
				ok := true
				for _, v := range p {
					if v < 0 {
						ok = false
					}
				}
				if ok {
					kept = append(kept, p)
				}
			}
			if want := bruteHV(kept, ref); !approx(hv, want, 1e-9) {
				t.Errorf("d=%d m=%d: WFG %v, inclusion-exclusion %v", d, m, hv, want)
			}
			mc, ci, err := HypervolumeMC(ps, ref, 200000, rng)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(mc-hv) > 2*ci+1e-12 {
				t.Errorf("d=%d m=%d: MC %v ± %v, exact %v", d, m, mc, ci, hv)
			}
		}
	}
}

func TestMetricErrors(t *testing.T) {
	if _, err := Hypervolume([][]float64{{1, 2, 3}}, []float64{0, 0}); !errors.Is(err, ErrDimension) {
		t.Errorf("dimension: %v", err)
	}
	if _, err := Hypervolume([][]float64{{math.NaN(), 2}}, []float64{0, 0}); !errors.Is(err, ErrNotFinite) {
		t.Errorf("NaN: %v", err)
	}
	if _, err := ExpectedUtility(nil, [][]float64{{1}}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v", err)
	}
	if hv, _ := Hypervolume([][]float64{{-1, -1}}, []float64{0, 0}); hv != 0 {
		t.Errorf("point below ref: HV %v", hv)
	}
}

func TestSimplexGrid(t *testing.T) {
	for _, c := range []struct {
		n    int
		d    float64
		want int
	}{{2, 0.2, 6}, {3, 1, 3}, {6, 1, 6}, {3, 0.5, 6}, {2, 0.01, 101}} {
		W, err := SimplexGrid(c.n, c.d)
		if err != nil || len(W) != c.want {
			t.Errorf("SimplexGrid(%d, %g) has %d vectors (%v), want %d", c.n, c.d, len(W), err, c.want)
		}
		for _, w := range W {
			s := 0.0
			for _, v := range w {
				s += v
			}
			if math.Abs(s-1) > 1e-12 {
				t.Errorf("weights %v sum to %v", w, s)
			}
		}
	}
}
