package gantt_test

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/optlearn/optlearn/sched"
	"github.com/optlearn/optlearn/sched/gantt"
	"github.com/optlearn/optlearn/sched/instances"
)

func TestGantt(t *testing.T) {
	in, err := instances.Load("ft06")
	if err != nil {
		t.Fatal(err)
	}
	s, _ := sched.NonDelay(in, sched.MWKR)
	empty, _ := sched.NewSchedule(6, 6)
	var b bytes.Buffer
	if err := gantt.Write(&b, "svg", in, s, "ft06 MWKR", 0, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("<svg")) {
		t.Errorf("no svg output")
	}
	png := filepath.Join(t.TempDir(), "g.png")
	if err := gantt.Save(png, in, s, "ft06", 12, 6); err != nil {
		t.Fatal(err)
	}
	if err := gantt.Write(&b, "svg", in, empty, "", 0, 0); !errors.Is(err, sched.ErrSchedule) {
		t.Errorf("invalid schedule: %v", err)
	}
}

func TestBadInput(t *testing.T) {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	var b bytes.Buffer
	for name, err := range map[string]error{
		"negative width": gantt.Write(&b, "svg", in, s, "", -1, 0),
		"NaN height":     gantt.Save(filepath.Join(t.TempDir(), "x.svg"), in, s, "", 0, math.NaN()),
		"nil writer":     gantt.Write(nil, "svg", in, s, "", 0, 0),
		"nil instance":   gantt.Write(&b, "svg", nil, s, "", 0, 0),
		"bad format":     gantt.Write(&b, "nope", in, s, "", 0, 0),
		"wrong shape":    gantt.Write(&b, "svg", in, sched.Schedule{Start: [][]int{{0}}}, "", 0, 0),
	} {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := gantt.Plot(nil, s, ""); err == nil {
		t.Error("Plot with nil instance: no error")
	}
}

func ExamplePlot() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	p, err := gantt.Plot(in, s, "ft06 MWKR")
	fmt.Println(p.Title.Text, err)
	// Output:
	// ft06 MWKR <nil>
}

func ExampleWrite() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	var b bytes.Buffer
	err := gantt.Write(&b, "svg", in, s, "ft06 MWKR", 12, 6)
	fmt.Println(err, bytes.Contains(b.Bytes(), []byte("<svg")))
	// Output:
	// <nil> true
}

func ExampleSave() {
	in, _ := instances.Load("ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	file := filepath.Join(os.TempDir(), "ft06-mwkr.svg")
	fmt.Println(gantt.Save(file, in, s, "ft06 MWKR", 0, 0))
	os.Remove(file)
	// Output:
	// <nil>
}
