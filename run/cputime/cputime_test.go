package cputime

import (
	"runtime"
	"testing"
)

// TestClocksAdvance: both clocks move forward over a busy loop, and the
// thread clock never exceeds the process clock's advance by much.
func TestClocksAdvance(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	p0, pok := Process()
	t0, tok := Thread()
	x := 0.0
	for i := range 20_000_000 {
		x += float64(i & 7)
	}
	p1, _ := Process()
	t1, _ := Thread()
	if x == 0 {
		t.Fatal("loop optimised away")
	}
	if pok && p1 <= p0 {
		t.Errorf("process clock did not advance: %v -> %v", p0, p1)
	}
	if tok && t1 <= t0 {
		t.Errorf("thread clock did not advance: %v -> %v", t0, t1)
	}
	if pok && tok && (t1-t0) > 2*(p1-p0) {
		t.Errorf("thread clock advanced %v, process clock only %v", t1-t0, p1-p0)
	}
}
