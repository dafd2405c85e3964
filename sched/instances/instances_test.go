package instances_test

import (
	"fmt"
	"testing"

	"github.com/optlearn/optlearn/sched/instances"
)

func TestLoadAll(t *testing.T) {
	for _, name := range instances.Names {
		in, err := instances.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := instances.Bound(name)
		lb, err := in.LowerBound()
		if !ok || err != nil || b.N != in.N || b.M != in.M || in.BKS <= 0 || lb > in.BKS {
			t.Errorf("%s: bounds %+v, instance %dx%d BKS %d", name, b, in.N, in.M, in.BKS)
		}
	}
	if _, err := instances.Load("nope"); err == nil {
		t.Error("unknown instance loaded")
	}
	for k := 1; k <= 80; k++ {
		in, err := instances.Taillard(k)
		if err != nil {
			t.Fatal(err)
		}
		b, ok := instances.Bound(in.Name)
		lb, err := in.LowerBound()
		if !ok || err != nil || b.N != in.N || b.M != in.M || b.UB2020 != in.BKS || lb > b.LB {
			t.Errorf("%s: bounds %+v vs BKS %d", in.Name, b, in.BKS)
		}
	}
	if _, err := instances.Taillard(81); err == nil {
		t.Error("ta81 generated")
	}
}

func ExampleTaillard() {
	in, _ := instances.Taillard(71)
	b, _ := instances.Bound("ta71")
	fmt.Println(in.Name, in.N, in.M, in.BKS, b.UB)
	// Output:
	// ta71 100 20 5464 5464
}

// TestBadInput checks that unknown names and indices are errors.
func TestBadInput(t *testing.T) {
	for _, name := range []string{"", "nope", "ta00", "ta81", "ta1", "ft06.txt", "../x"} {
		if _, err := instances.Load(name); err == nil {
			t.Errorf("Load(%q): no error", name)
		}
	}
	for _, k := range []int{-1, 0, 81} {
		if _, err := instances.Taillard(k); err == nil {
			t.Errorf("Taillard(%d): no error", k)
		}
	}
	if _, ok := instances.Bound("nope"); ok {
		t.Error("Bound(nope) found")
	}
}
