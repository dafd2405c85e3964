package sched_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

// gap is sched.Gap, panicking on an error (tests only).
func gap(c, bks int) float64 {
	g, err := sched.Gap(c, bks)
	if err != nil {
		panic(err)
	}
	return g
}

// mk returns the makespan of s, panicking on a shape error (tests only).
func mk(s sched.Schedule, in *sched.Instance) int {
	c, err := s.Makespan(in)
	if err != nil {
		panic(err)
	}
	return c
}

func mustLoad(t testing.TB, name string) *sched.Instance {
	t.Helper()
	in, err := instances.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestA2 checks the spec's exact non-delay PDR makespans on ft06 and la01.
func TestA2(t *testing.T) {
	want := map[string][]int{
		"ft06": {88, 77, 61, 83, 59, 67, 65},
		"la01": {751, 822, 735, 933, 763, 747, 772},
	}
	for name, w := range want {
		in := mustLoad(t, name)
		for i, r := range sched.Rules {
			s, err := sched.NonDelay(in, r)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Validate(in); err != nil {
				t.Fatalf("%s %v: %v", name, r, err)
			}
			if got := mk(s, in); got != w[i] {
				t.Errorf("%s %v: makespan %d, want %d", name, r, got, w[i])
			}
		}
	}
}

// TestA3 checks the Taillard group mean gaps against the spec's table (±0.1).
func TestA3(t *testing.T) {
	var d sched.Dispatcher
	for g, grp := range instances.TaillardGroups {
		var sum [7]float64
		for k := grp.First; k < grp.First+10; k++ {
			in, err := instances.Taillard(k)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range sched.Rules {
				s, err := d.Run(in, r)
				if err != nil {
					t.Fatal(err)
				}
				if g == 0 || k%10 == 1 {
					if err := s.Validate(in); err != nil {
						t.Fatalf("%s %v: %v", in.Name, r, err)
					}
				}
				sum[i] += gap(mk(s, in), in.BKS)
			}
		}
		for i, r := range sched.Rules {
			got := sum[i] / 10
			if math.Abs(got-instances.TaillardGroups[g].PDRGaps[i]) > 0.1+1e-9 {
				t.Errorf("group %s %v: mean gap %.2f, want %.1f±0.1", grp.Name, r, got, instances.TaillardGroups[g].PDRGaps[i])
			}
		}
	}
}

// TestA1 checks the generator against ta01 job 0 and its duration sum, and
// against the shipped ta01 and ta71 files.
func TestA1(t *testing.T) {
	in, err := instances.Taillard(1)
	if err != nil {
		t.Fatal(err)
	}
	wantM := []int{6, 12, 4, 7, 3, 2, 10, 11, 8, 14, 9, 13, 5, 0, 1}
	wantD := []int{94, 66, 10, 53, 26, 15, 65, 82, 10, 27, 93, 92, 96, 70, 83}
	if fmt.Sprint(in.Mach[0]) != fmt.Sprint(wantM) || fmt.Sprint(in.Dur[0]) != fmt.Sprint(wantD) {
		t.Errorf("ta01 job 0: machines %v times %v", in.Mach[0], in.Dur[0])
	}
	if s := in.TotalDuration(); s != 11671 {
		t.Errorf("ta01 duration sum %d, want 11671", s)
	}
	for _, k := range []int{1, 71} {
		gen, _ := instances.Taillard(k)
		file := mustLoad(t, gen.Name)
		if fmt.Sprint(gen.Mach, gen.Dur) != fmt.Sprint(file.Mach, file.Dur) {
			t.Errorf("%s: generated instance differs from the file", gen.Name)
		}
	}
}
