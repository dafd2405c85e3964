package sched_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/optlearn/optlearn/sched"
)

func TestGantt(t *testing.T) {
	in := mustLoad(t, "ft06")
	s, _ := sched.NonDelay(in, sched.MWKR)
	var b bytes.Buffer
	if err := sched.WriteGantt(&b, "svg", in, s, "ft06 MWKR", 0, 0); err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b.Bytes(), []byte("<svg")) {
		t.Errorf("no svg output")
	}
	png := filepath.Join(t.TempDir(), "g.png")
	if err := sched.SaveGantt(png, in, s, "ft06", 12, 6); err != nil {
		t.Fatal(err)
	}
	if err := sched.WriteGantt(&b, "svg", in, sched.NewSchedule(6, 6), "", 0, 0); !errors.Is(err, sched.ErrSchedule) {
		t.Errorf("invalid schedule: %v", err)
	}
}
