package sched_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/instances"
)

const ft06 = `6 6
2 1 0 3 1 6 3 7 5 3 4 6
1 8 2 5 4 10 5 10 0 10 3 4
2 5 3 4 5 8 0 9 1 1 4 7
1 5 0 5 2 5 3 3 4 8 5 9
2 9 1 3 4 5 5 4 0 3 3 1
1 3 3 3 5 9 0 10 4 4 2 1
`

func TestParseStandard(t *testing.T) {
	in, err := sched.ParseStandard(strings.NewReader(ft06), "ft06")
	if err != nil {
		t.Fatal(err)
	}
	emb := mustLoad(t, "ft06")
	if fmt.Sprint(in.Mach, in.Dur) != fmt.Sprint(emb.Mach, emb.Dur) || emb.BKS != 55 {
		t.Fatalf("ft06 parse differs from the embedded file (BKS %d)", emb.BKS)
	}
	// Header text, comments, tabs and +++ lines are skipped.
	var b bytes.Buffer
	b.WriteString("+++++++\n instance ft06\n+++++++\n# a comment\nFisher and Thompson 6x6 instance\n")
	b.WriteString(strings.ReplaceAll(ft06, " ", "\t"))
	in2, err := sched.ParseStandard(&b, "x")
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(in2.Mach, in2.Dur) != fmt.Sprint(in.Mach, in.Dur) {
		t.Errorf("header/tab variant differs")
	}
	// Round trip.
	b.Reset()
	if err := sched.WriteStandard(&b, in); err != nil {
		t.Fatal(err)
	}
	if b.String() != ft06 {
		t.Errorf("WriteStandard:\n%s", b.String())
	}
}

func TestParseBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       error
		line       string
	}{
		{"empty", "", sched.ErrFormat, "line 0"},
		{"only text", "hello world\n", sched.ErrFormat, "line 1"},
		{"repeated machine", "2 2\n0 1 0 2\n1 1 0 1\n", sched.ErrInstance, "line 2"},
		{"zero duration", "2 2\n0 1 1 0\n1 1 0 1\n", sched.ErrInstance, "line 2"},
		{"negative duration", "2 2\n0 1 1 2\n1 -1 0 1\n", sched.ErrInstance, "line 3"},
		{"machine out of range", "2 2\n0 1 2 2\n1 1 0 1\n", sched.ErrInstance, "line 2"},
		{"ragged", "2 2\n0 1 1 2\n1 1 0\n", sched.ErrFormat, "line 3"},
		{"truncated", "3 2\n0 1 1 2\n1 1 0 1\n", sched.ErrFormat, "truncated"},
		{"non-integer", "2 2\n0 1 1 x\n1 1 0 1\n", sched.ErrFormat, "line 2"},
		{"bad size", "0 2\n", sched.ErrFormat, "line 1"},
	} {
		_, err := sched.ParseStandard(strings.NewReader(tc.text), tc.name)
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.line) {
			t.Errorf("%s: err %v, want %v mentioning %q", tc.name, err, tc.want, tc.line)
		}
	}
}

// taillardText formats instances in Taillard's original format.
func taillardText(ins []*sched.Instance, seeds [][2]int64) string {
	var b strings.Builder
	for i, in := range ins {
		fmt.Fprintf(&b, "Nb of jobs, Nb of Machines, Time seed, Machine seed, Upper bound, Lower bound\n")
		lb, _ := in.LowerBound()
		fmt.Fprintf(&b, "%d %d %d %d %d %d\nTimes\n", in.N, in.M, seeds[i][0], seeds[i][1], in.BKS, lb)
		for _, row := range in.Dur {
			b.WriteString(strings.Trim(fmt.Sprint(row), "[]") + "\n")
		}
		b.WriteString("Machines\n")
		for _, row := range in.Mach {
			for k, mu := range row {
				if k > 0 {
					b.WriteByte(' ')
				}
				fmt.Fprint(&b, mu+1)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func TestParseTaillard(t *testing.T) {
	var ins []*sched.Instance
	var seeds [][2]int64
	for k := 1; k <= 10; k++ {
		in, _ := instances.Taillard(k)
		ins = append(ins, in)
		seeds = append(seeds, instances.TaillardSeeds[k-1])
	}
	got, err := sched.ParseTaillard(strings.NewReader(taillardText(ins, seeds)), "tai15_15")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 10 {
		t.Fatalf("%d instances", len(got))
	}
	for i := range got {
		if fmt.Sprint(got[i].Mach, got[i].Dur) != fmt.Sprint(ins[i].Mach, ins[i].Dur) || got[i].BKS != ins[i].BKS {
			t.Errorf("instance %d differs", i)
		}
	}
	if got[0].Name != "tai15_15-1" {
		t.Errorf("name %q", got[0].Name)
	}
	one := taillardText(ins[:1], seeds[:1])
	lines := strings.Split(one, "\n")
	for _, tc := range []struct {
		name, text string
		want       error
	}{
		{"empty", "", sched.ErrFormat},
		{"truncated", strings.Join(lines[:10], "\n"), sched.ErrFormat},
		{"no header", strings.Join(lines[1:], "\n"), sched.ErrFormat},
		{"ragged", strings.Replace(one, "Times\n94 66 ", "Times\n94 ", 1), sched.ErrFormat},
		{"repeated machine", strings.Replace(one, "Machines\n7 13", "Machines\n13 13", 1), sched.ErrInstance},
		{"zero time", strings.Replace(one, "Times\n94 ", "Times\n0 ", 1), sched.ErrInstance},
	} {
		if _, err := sched.ParseTaillard(strings.NewReader(tc.text), "x"); !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "line") {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestValidateSchedule(t *testing.T) {
	in := mustLoad(t, "ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	if err := s.Validate(in); err != nil {
		t.Fatal(err)
	}
	bad := s.Clone()
	bad.Start[0][1] = bad.Start[0][0] // precedence
	if err := bad.Validate(in); !errors.Is(err, sched.ErrSchedule) || !strings.Contains(err.Error(), "job 0 op 1") {
		t.Errorf("precedence violation: %v", err)
	}
	// Overlap: put job 1's machine-2 op at job 0's machine-2 op start.
	bad = s.Clone()
	bad.Start[1][1] = s.Start[0][0]
	if err := bad.Validate(in); !errors.Is(err, sched.ErrSchedule) {
		t.Errorf("overlap: %v", err)
	}
	small, _ := sched.NewSchedule(2, 2)
	if err := small.Validate(in); !errors.Is(err, sched.ErrSchedule) || !errors.Is(err, sched.ErrDimension) {
		t.Errorf("shape: %v", err)
	}
	// SemiActive on s's orders reproduces s (non-delay is semi-active).
	ord, err := s.MachineOrders(in)
	if err != nil {
		t.Fatal(err)
	}
	sa, err := sched.SemiActive(in, ord, nil)
	if err != nil || fmt.Sprint(sa.Start) != fmt.Sprint(s.Start) {
		t.Errorf("SemiActive(orders(s)) != s: %v", err)
	}
	// A cycle: machine orders contradicting a route.
	// job 0 visits machine 2 then machine 0; put job 0 first on machine 0 and
	// last on machine 2 with job 3 (machine 0 before 2) constraining it.
	rev := make([][]int, len(ord))
	for mu := range ord {
		rev[mu] = make([]int, len(ord[mu]))
		for i, j := range ord[mu] {
			rev[mu][len(ord[mu])-1-i] = j
		}
	}
	if _, err := sched.SemiActive(in, rev, nil); err != nil && !errors.Is(err, sched.ErrCycle) {
		t.Errorf("reversed orders: %v", err)
	}
	if _, err := sched.SemiActive(in, ord[:2], nil); !errors.Is(err, sched.ErrDimension) {
		t.Errorf("short orders: %v", err)
	}
	// Release dates delay starts.
	rel := make([][]int, in.N)
	for j := range rel {
		rel[j] = make([]int, in.M)
	}
	rel[0][0] = 100
	sr, err := sched.SemiActive(in, ord, rel)
	if err != nil || sr.Start[0][0] != 100 || sr.Validate(in) != nil {
		t.Errorf("release: start %d err %v", sr.Start[0][0], err)
	}
}

func FuzzParseStandard(f *testing.F) {
	f.Add(ft06)
	f.Add("2 2\n0 1 1 2\n1 1 0 1\n")
	f.Add("# c\nheader\n1 1\n0 5\n")
	f.Add("3 2\n0 1 1 2\n")
	f.Add("1 2\n0 9223372036854775807 1 9223372036854775807\n")
	f.Add("1 2\n0 4611686018427387904 1 4611686018427387904\n")
	f.Add("2 1\n0 99999999999999999999\n0 1\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		in, err := sched.ParseStandard(strings.NewReader(s), "fuzz")
		if err != nil {
			if !errors.Is(err, sched.ErrFormat) && !errors.Is(err, sched.ErrInstance) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("parsed instance invalid: %v", err)
		}
		checkParsed(t, in)
	})
}

// checkParsed checks what every parsed instance must satisfy: it writes
// and reads back unchanged, and on small instances the dispatcher and both
// solvers give valid schedules no shorter than the lower bound.
func checkParsed(t *testing.T, in *sched.Instance) {
	var b strings.Builder
	if err := sched.WriteStandard(&b, in); err != nil {
		t.Fatalf("write: %v", err)
	}
	back, err := sched.ParseStandard(strings.NewReader(b.String()), in.Name)
	if err != nil || fmt.Sprint(back.Mach, back.Dur) != fmt.Sprint(in.Mach, in.Dur) {
		t.Fatalf("round trip: %v", err)
	}
	if in.N*in.M > 400 {
		return
	}
	lb, err := in.LowerBound()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sched.NonDelay(in, sched.MWKR)
	if err != nil || s.Validate(in) != nil {
		t.Fatalf("dispatch on parsed instance: %v", err)
	}
	for _, sv := range []sched.Solver{&sched.Tabu{}, sched.BranchBound{}} {
		res, err := sv.Solve(context.Background(), in, &sched.Settings{MaxIter: 30})
		if err != nil || res.Schedule.Validate(in) != nil || res.Makespan < lb {
			t.Fatalf("%T: makespan %d (lb %d), err %v", sv, res.Makespan, lb, err)
		}
	}
}

func FuzzParseTaillard(f *testing.F) {
	in, _ := instances.Taillard(1)
	f.Add(taillardText([]*sched.Instance{in}, [][2]int64{instances.TaillardSeeds[0]}))
	f.Add("Nb of jobs, Nb of Machines\n2 2 1 1 3 3\nTimes\n1 2\n3 4\nMachines\n1 2\n2 1\n")
	f.Add("Nb\n1 1 1 1 1 1\nTimes\n5\n")
	f.Add("Nb\n1 2 1 1 5 3\nTimes\n9223372036854775807 9223372036854775807\nMachines\n1 2\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		ins, err := sched.ParseTaillard(strings.NewReader(s), "fuzz")
		if err != nil {
			if !errors.Is(err, sched.ErrFormat) && !errors.Is(err, sched.ErrInstance) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		for _, in := range ins {
			if err := in.Validate(); err != nil {
				t.Fatalf("parsed instance invalid: %v", err)
			}
			checkParsed(t, in)
		}
	})
}
