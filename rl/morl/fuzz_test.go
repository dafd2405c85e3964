package morl

import (
	"math"
	"testing"
)

// FuzzHypervolume checks the exact hypervolume (2-D sweep and WFG) against
// inclusion–exclusion on small point sets decoded from the fuzzer's bytes,
// and that the metrics return errors rather than panic on ragged input.
func FuzzHypervolume(f *testing.F) {
	f.Add([]byte{3, 10, 20, 30, 5, 7, 9, 1, 2, 3}, uint8(2))
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, dim uint8) {
		d := int(dim%4) + 1
		m := min(len(data)/d, 8)
		ps := make([][]float64, m)
		for i := range ps {
			ps[i] = make([]float64, d)
			for k := range d {
				ps[i][k] = float64(data[i*d+k]%32) - 4
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
				ok = ok && v >= 0
			}
			if ok {
				kept = append(kept, p)
			}
		}
		if want := bruteHV(kept, ref); math.Abs(hv-want) > 1e-9*math.Max(1, want) {
			t.Fatalf("points %v: hypervolume %v, inclusion–exclusion %v", ps, hv, want)
		}
		if m >= 2 {
			ps[0] = ps[0][:d-1]
			if _, err := CrowdingDistance(ps); err == nil && d > 1 {
				t.Fatal("ragged set accepted by CrowdingDistance")
			}
			if _, err := Sparsity(ps); err == nil && d > 1 {
				t.Fatal("ragged set accepted by Sparsity")
			}
		}
	})
}
