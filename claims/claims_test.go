package claims

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRoundTrip(t *testing.T) {
	r := Report{Example: "demo"}
	r.Add("a", "paper says 1", "measured 1", true)
	r.Add("b", "paper says 2", "measured 3", false)
	var buf bytes.Buffer
	buf.WriteString("some table\nmore lines\n")
	if err := r.Write(&buf, true); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(r, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	if got.Passed() {
		t.Error("Passed with a failed claim")
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "\n\n", "not json\n", `{"example":"x","claims":[]}`, `{"claims":[{"name":"a"}]}`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) gave no error", in)
		}
	}
}

func TestSpearman(t *testing.T) {
	if r := Spearman([]float64{1, 2, 3, 4}, []float64{10, 20, 15, 40}); math.Abs(r-0.8) > 1e-12 {
		t.Fatalf("Spearman = %v, want 0.8", r)
	}
	if r := Spearman([]float64{1, 2, 3}, []float64{1, 1, 2}); math.Abs(r-math.Sqrt(3)/2) > 1e-12 {
		t.Fatalf("Spearman with ties = %v", r)
	}
}
